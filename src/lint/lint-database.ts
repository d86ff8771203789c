import { readFileSync, statSync } from "node:fs";
import { collectionOfPath, lintAdvisory, parseAdvisoryFile } from "../advisory/index.js";
import type { CratesIndex } from "../crates-index/index.js";
import { loadDirDetailed } from "../database/load.js";
import { locateKey } from "../database/locate.js";
import { readBounded } from "../database/read.js";
import { type Diagnostic, diagnostic, formatDiagnostic } from "../diagnostics/diagnostic.js";
import { checkCratesExist, type LocatedAdvisory } from "./crate-existence.js";
import { lintLayout } from "./layout.js";

export interface LintOptions {
  /** With an index, also check that every crate exists there (§1.5 C, `--online`). */
  readonly index?: CratesIndex;
}

export interface LintResult {
  /** Every problem, sorted by file and position, without repeats. */
  readonly diagnostics: readonly Diagnostic[];
  /** How many advisory files were checked. */
  readonly files: number;
}

function sortUnique(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = formatDiagnostic(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.col - b.col,
  );
}

/** Points existence problems at the advisory's `package =` line. */
function atPackageLine(d: Diagnostic): Diagnostic {
  try {
    const pos = locateKey(readFileSync(d.path, "utf8"), "package");
    return pos.line > 0 ? diagnostic(d.path, pos.line, pos.col, d.message, d.severity) : d;
  } catch {
    return d;
  }
}

/** The file's text, or null when the loader has already reported why it cannot be read. */
function readText(path: string): string | null {
  const read = readBounded(path);
  if ("error" in read) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(read.bytes);
  } catch {
    return null;
  }
}

async function lintFile(path: string, opts: LintOptions): Promise<LintResult> {
  const read = readBounded(path);
  if ("error" in read) return { diagnostics: [diagnostic(path, 0, 0, read.error)], files: 1 };
  const parsed = parseAdvisoryFile(read.bytes, path);
  const text = readText(path);
  if (text === null) return { diagnostics: sortUnique(parsed.ok ? [] : parsed.errors), files: 1 };
  const advisory = parsed.ok ? parsed.advisory : undefined;
  // A lone file outside a `crates/<package>/` or `rust/<package>/` tree has no layout to check.
  const checkPath = collectionOfPath(path) !== null;
  const out = [
    ...(parsed.ok ? [] : parsed.errors),
    ...lintAdvisory(text, path, advisory, { checkPath }),
  ];
  if (opts.index && advisory) {
    out.push(...(await checkCratesExist([{ advisory, path }], opts.index)).map(atPackageLine));
  }
  return { diagnostics: sortUnique(out), files: 1 };
}

/**
 * `advisories lint`: everything the loader rejects (§1.5 A), every linter rule (§1.5 B), the
 * repository layout and, with an index, crate existence (§1.5 C) — all files, one pass.
 */
export async function lintDatabase(path: string, opts: LintOptions = {}): Promise<LintResult> {
  if (statSync(path).isFile()) return lintFile(path, opts);
  const load = loadDirDetailed(path);
  const out: Diagnostic[] = [...load.diagnostics, ...lintLayout(path)];
  const loaded = new Map(load.advisories.map(({ advisory, rel }) => [rel, advisory]));
  const located: LocatedAdvisory[] = [];
  for (const file of load.listing.files) {
    const advisory = loaded.get(file.rel);
    if (advisory) located.push({ advisory, path: file.path });
    // Files that failed to parse are linted too: every problem of every file in one run.
    const text = readText(file.path);
    if (text !== null) out.push(...lintAdvisory(text, file.path, advisory));
  }
  if (opts.index) out.push(...(await checkCratesExist(located, opts.index)).map(atPackageLine));
  return { diagnostics: sortUnique(out), files: load.listing.files.length };
}

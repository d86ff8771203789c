import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
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

async function lintFile(path: string, opts: LintOptions): Promise<LintResult> {
  const read = readBounded(path);
  if ("error" in read) return { diagnostics: [diagnostic(path, 0, 0, read.error)], files: 1 };
  const parsed = parseAdvisoryFile(read.bytes, path);
  if (!parsed.ok) return { diagnostics: sortUnique(parsed.errors), files: 1 };
  const text = new TextDecoder().decode(read.bytes);
  // A lone file outside a `crates/<package>/` or `rust/<package>/` tree has no layout to check.
  const checkPath = collectionOfPath(path) !== null;
  const out = lintAdvisory(text, path, parsed.advisory, { checkPath });
  if (opts.index) {
    out.push(
      ...(await checkCratesExist([{ advisory: parsed.advisory, path }], opts.index)).map(
        atPackageLine,
      ),
    );
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
  const located: LocatedAdvisory[] = [];
  for (const { advisory, rel } of load.advisories) {
    const file = join(path, rel);
    located.push({ advisory, path: file });
    out.push(...lintAdvisory(readFileSync(file, "utf8"), file, advisory));
  }
  if (opts.index) out.push(...(await checkCratesExist(located, opts.index)).map(atPackageLine));
  return { diagnostics: sortUnique(out), files: load.listing.files.length };
}

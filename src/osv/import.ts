/**
 * Loads a directory of OSV records (RustSec's `osv` branch, osv.dev's `crates.io/all.zip`
 * extracted, or hand-written GHSA-style files) into Advisories, so a Database and an audit can
 * run on an OSV source. Files are found recursively (`*.json`, dotfiles skipped); records of
 * other ecosystems are skipped; an invalid file gives a Diagnostic and the others still load.
 */
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Advisory } from "../advisory/model.js";
import { Database } from "../database/database.js";
import { readBounded } from "../database/read.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { importOsvRecord } from "./import-record.js";
import { jsonErrorOffset, lineColAt } from "./json-location.js";

/** GHSA records with long `versions` lists can be large; anything beyond this is not a record. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface OsvImport {
  readonly advisories: Advisory[];
  readonly diagnostics: Diagnostic[];
  /** Advisory → its file, relative to the directory. */
  readonly sources: Map<Advisory, string>;
  /** The newest `modified` among the imported records. */
  readonly lastModified: Date | null;
}

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (e.name.startsWith(".")) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) jsonFiles(path, out);
    else if (e.name.endsWith(".json")) out.push(path);
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parseJson(path: string, bytes: Uint8Array): { value: unknown; text: string } | Diagnostic {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return diagnostic(path, 0, 0, "file is not valid UTF-8");
  }
  try {
    return { value: JSON.parse(text), text };
  } catch (e) {
    let at = { line: 1, col: 1 };
    try {
      const offset = jsonErrorOffset(text);
      if (offset >= 0) at = lineColAt(text, offset);
    } catch {
      // absurdly deep nesting: keep 1:1
    }
    return diagnostic(
      path,
      at.line,
      at.col,
      `invalid JSON: ${(e as Error).message.split("\n")[0]}`,
    );
  }
}

export function importOsvDir(dir: string): OsvImport {
  const advisories: Advisory[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<Advisory, string>();
  let lastModified: Date | null = null;
  let files: string[];
  try {
    files = jsonFiles(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    diagnostics.push(diagnostic(dir, 0, 0, `cannot read OSV directory: ${code}`));
    return { advisories, diagnostics, sources, lastModified };
  }
  for (const path of files) {
    const read = readBounded(path, MAX_RECORD_BYTES);
    if ("error" in read) {
      diagnostics.push(diagnostic(path, 0, 0, read.error));
      continue;
    }
    const parsed = parseJson(path, read.bytes);
    if ("message" in parsed) {
      diagnostics.push(parsed);
      continue;
    }
    const result = importOsvRecord(parsed.value, path, parsed.text);
    diagnostics.push(...result.diagnostics);
    const rel = relative(dir, path).split(sep).join("/");
    for (const a of result.advisories) {
      advisories.push(a);
      sources.set(a, rel);
    }
    if (result.advisories.length > 0 && result.modified) {
      if (!lastModified || result.modified > lastModified) lastModified = result.modified;
    }
  }
  if (advisories.length === 0)
    diagnostics.push(diagnostic(dir, 0, 0, "no crates.io advisories found"));
  return { advisories, diagnostics, sources, lastModified };
}

/** An OSV directory as a Database (provenance kind `osv`). */
export function loadOsvDatabase(dir: string): { database: Database; diagnostics: Diagnostic[] } {
  const { advisories, diagnostics, sources, lastModified } = importOsvDir(dir);
  const provenance = {
    kind: "osv" as const,
    path: dir,
    lastCommit: null,
    lastUpdated: lastModified,
  };
  return { database: Database.fromAdvisories(advisories, provenance, sources), diagnostics };
}

/**
 * `parseAdvisory`: text → validated `Advisory`, or every problem found as Diagnostics.
 * Mirrors rustsec's `Advisory::from_str` (parts, "V4" header, TOML, serde types, title and
 * description rules, range validation); unknown keys are ignored here and flagged by the linter.
 */
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { readAffected } from "./affected.js";
import { type AdvisoryDocument, decodeAdvisory, loadDocument } from "./document.js";
import { Fields } from "./fields.js";
import { ADVISORY_KEYS } from "./keys.js";
import { readMetadata } from "./metadata.js";
import type { Advisory, Collection } from "./model.js";
import { Reporter } from "./report.js";
import { get, isTable } from "./toml-value.js";
import { readVersions } from "./versions.js";

export interface ParseOptions {
  /** The collection implied by the file's directory (`crates/` or `rust/`), when known. */
  readonly collection?: Collection | null;
}

/** `ok: true` with the advisory, or `ok: false` with at least one error Diagnostic. */
export type ParseResult =
  | { readonly ok: true; readonly advisory: Advisory }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

/** Parses one advisory file's text. Never throws. */
export function parseAdvisory(text: string, path: string, opts: ParseOptions = {}): ParseResult {
  try {
    const loaded = loadDocument(text, path);
    if (!loaded.ok) return loaded;
    return buildAdvisory(loaded.doc, path, opts);
  } catch (e) {
    return { ok: false, errors: [internalError(path, e)] };
  }
}

/** Parses one advisory file's bytes (strict UTF-8). Never throws. */
export function parseAdvisoryFile(
  bytes: Uint8Array,
  path: string,
  opts: ParseOptions = {},
): ParseResult {
  const decoded = decodeAdvisory(bytes, path);
  return decoded.ok ? parseAdvisory(decoded.text, path, opts) : decoded;
}

/** Typed validation of an already loaded document. */
export function buildAdvisory(
  doc: AdvisoryDocument,
  path: string,
  opts: ParseOptions = {},
): ParseResult {
  const reporter = new Reporter(path);
  const { table, locator, parts } = doc;
  const advisoryTable = get(table, "advisory");
  let metadata: Advisory["metadata"] | undefined;
  if (advisoryTable === undefined) {
    reporter.error(locator.section(""), "missing table [advisory]");
  } else if (!isTable(advisoryTable)) {
    new Fields(table, "", locator, reporter).wrongType("advisory", "a table", advisoryTable);
  } else {
    const fields = new Fields(advisoryTable, "advisory", locator, reporter, ADVISORY_KEYS);
    metadata = readMetadata(fields, parts, opts.collection ?? null);
  }
  const affected = readAffected(table, locator, reporter);
  const versions = readVersions(table, locator, reporter);
  if (reporter.failed || metadata === undefined || versions === undefined) {
    return { ok: false, errors: sortDiagnostics(reporter.diagnostics) };
  }
  return { ok: true, advisory: { metadata, affected, versions } };
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** A bug in this module, not in the input; reported rather than thrown so callers keep going. */
export function internalError(path: string, e: unknown): Diagnostic {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return diagnostic(path, 0, 0, `internal error while reading advisory: ${detail}`);
}

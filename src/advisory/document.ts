/**
 * The shared first stage of parsing and linting: size guard, split into parts, TOML parse,
 * and a locator for positions. Every failure becomes a Diagnostic.
 */
import type { TomlTable } from "smol-toml";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { parseFrontMatter } from "./frontmatter.js";
import { Locator } from "./locator.js";
import { type Parts, splitParts } from "./parts.js";
import { decodeUtf8 } from "./utf8.js";

/** Larger files are refused outright: no advisory comes close (the largest is ~20 KiB). */
export const MAX_ADVISORY_BYTES = 1024 * 1024;

export interface AdvisoryDocument {
  readonly parts: Parts;
  readonly table: TomlTable;
  readonly headerAdded: boolean;
  readonly locator: Locator;
}

export type DocumentResult =
  | { readonly ok: true; readonly doc: AdvisoryDocument }
  | { readonly ok: false; readonly errors: Diagnostic[] };

export type TextResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly errors: Diagnostic[] };

/** Decodes an advisory file's bytes as strict UTF-8, applying the size guard first. */
export function decodeAdvisory(bytes: Uint8Array, path: string): TextResult {
  if (bytes.length > MAX_ADVISORY_BYTES) return tooLarge(bytes.length, path);
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded;
  return {
    ok: false,
    errors: [diagnostic(path, decoded.line, decoded.col, "file is not valid UTF-8")],
  };
}

export function loadDocument(text: string, path: string): DocumentResult {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so only long texts need the exact count.
  if (text.length * 3 > MAX_ADVISORY_BYTES) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > MAX_ADVISORY_BYTES) return tooLarge(bytes, path);
  }
  const split = splitParts(text);
  if (!split.ok) {
    const { line, col, message } = split.error;
    return { ok: false, errors: [diagnostic(path, line, col, message)] };
  }
  const parts = split.parts;
  const front = parseFrontMatter(parts);
  if (!front.ok) {
    return { ok: false, errors: [diagnostic(path, front.line, front.col, front.message)] };
  }
  const { table, headerAdded } = front.value;
  return { ok: true, doc: { parts, table, headerAdded, locator: new Locator(parts, headerAdded) } };
}

function tooLarge(bytes: number, path: string): { ok: false; errors: Diagnostic[] } {
  const message = `file is too large (${bytes} bytes; advisories are limited to ${MAX_ADVISORY_BYTES} bytes)`;
  return { ok: false, errors: [diagnostic(path, 0, 0, message)] };
}

/**
 * Parses the TOML front matter with smol-toml and maps TOML positions back to file positions
 * (the front matter starts on file line 2 in a normal advisory).
 */
import { parse, TomlError, type TomlTable } from "smol-toml";
import type { Parts } from "./parts.js";

/** rustsec's "V4" format omits the leading table header; the parser then adds it. */
const ADVISORY_HEADER = "[advisory]";
const TOML_PREFIX = /^Invalid TOML document: /;

export interface FrontMatter {
  readonly table: TomlTable;
  /** True when `[advisory]` was added because the front matter did not start with it. */
  readonly headerAdded: boolean;
}

export type FrontMatterResult =
  | { readonly ok: true; readonly value: FrontMatter }
  | { readonly ok: false; readonly message: string; readonly line: number; readonly col: number };

export function parseFrontMatter(parts: Parts): FrontMatterResult {
  const headerAdded = !parts.frontMatter.startsWith(ADVISORY_HEADER);
  const toml = headerAdded ? `${ADVISORY_HEADER}\n${parts.frontMatter}` : parts.frontMatter;
  try {
    return { ok: true, value: { table: parse(toml), headerAdded } };
  } catch (e) {
    if (e instanceof TomlError) {
      const docLine = e.line - (headerAdded ? 1 : 0);
      const at = tomlToFile(parts, Math.max(docLine, 1), docLine >= 1 ? e.column : 1);
      return { ok: false, message: `invalid TOML: ${tomlMessage(e)}`, ...at };
    }
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, message: `invalid TOML: ${message}`, line: parts.frontMatterLine, col: 1 };
  }
}

/** File position of a 1-based line/column of the (trimmed) front matter text. */
export function tomlToFile(parts: Parts, line: number, col: number): { line: number; col: number } {
  return {
    line: parts.frontMatterLine + line - 1,
    col: line === 1 ? col + parts.frontMatterCol - 1 : col,
  };
}

// smol-toml appends a code excerpt after a blank line; the position is reported separately.
function tomlMessage(e: TomlError): string {
  const first = e.message.split("\n", 1)[0] ?? "";
  return first.replace(TOML_PREFIX, "");
}

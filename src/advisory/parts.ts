/**
 * Splits an advisory file into its TOML front matter and Markdown parts, exactly as
 * rustsec's `advisory/parts.rs` does (specs/rustsec.md §1.1).
 */
import { positionOf, rustTrimEnd, rustTrimStart } from "./text.js";

export interface Parts {
  /** The front matter, trimmed at both ends. */
  readonly frontMatter: string;
  /** File line and column of the first character of `frontMatter`. */
  readonly frontMatterLine: number;
  readonly frontMatterCol: number;
  /** Everything after the closing fence, leading whitespace trimmed (starts with `# `). */
  readonly markdown: string;
  readonly markdownLine: number;
  readonly title: string;
  readonly description: string;
}

export interface PartsError {
  readonly message: string;
  readonly line: number;
  readonly col: number;
}

export type PartsResult =
  | { readonly ok: true; readonly parts: Parts }
  | { readonly ok: false; readonly error: PartsError };

const OPENING = "```toml";
const CLOSING = "\n```";

export function splitParts(text: string): PartsResult {
  if (!text.startsWith(OPENING)) {
    const context = text.length > 20 ? text.slice(0, 20) : text;
    return fail(`unexpected start of advisory: ${JSON.stringify(context)}`, 1, 1);
  }
  const tomlEnd = text.indexOf(CLOSING);
  if (tomlEnd === -1) {
    return fail("couldn't find end of TOML front matter in advisory", 1, 1);
  }
  const rawFront = text.slice(OPENING.length, tomlEnd);
  const frontTrimmed = rustTrimStart(rawFront);
  const frontStart = positionOf(text, OPENING.length + rawFront.length - frontTrimmed.length);

  const afterFence = text.slice(tomlEnd + CLOSING.length);
  const markdown = rustTrimStart(afterFence);
  const mdStart = positionOf(text, text.length - markdown.length);
  if (!markdown.startsWith("# ")) {
    return fail("expected `# ` header after TOML front matter", mdStart.line, mdStart.col);
  }
  const newline = markdown.indexOf("\n");
  if (newline === -1) {
    return fail("no Markdown body (i.e. description) found", mdStart.line, mdStart.col);
  }
  return {
    ok: true,
    parts: {
      frontMatter: rustTrimEnd(frontTrimmed),
      frontMatterLine: frontStart.line,
      frontMatterCol: frontStart.col,
      markdown,
      markdownLine: mdStart.line,
      title: rustTrimEnd(markdown.slice(2, newline)),
      description: rustTrimEnd(rustTrimStart(markdown.slice(newline + 1))),
    },
  };
}

function fail(message: string, line: number, col: number): PartsResult {
  return { ok: false, error: { message, line, col } };
}

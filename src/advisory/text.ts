/**
 * String helpers that behave like Rust's `str` methods, so split points and trimmed text match
 * the reference parser exactly (JS `trim` differs: it strips U+FEFF and keeps U+0085).
 */

// Rust `char::is_whitespace` (Unicode White_Space).
const WS =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_WS = new RegExp(`^[${WS}]+`);
const TRAILING_WS = new RegExp(`[${WS}]+$`);
const ANY_WS = new RegExp(`[${WS}]+`);

export const rustTrimStart = (s: string): string => s.replace(LEADING_WS, "");
export const rustTrimEnd = (s: string): string => s.replace(TRAILING_WS, "");
export const rustTrim = (s: string): string => rustTrimEnd(rustTrimStart(s));

/** Rust `str::split_whitespace().next()`. */
export function firstWord(s: string): string | undefined {
  const words = rustTrimStart(s).split(ANY_WS);
  const first = words[0];
  return first === undefined || first === "" ? undefined : first;
}

/** Rust `str::lines()`: split on `\n`, drop one trailing `\r` per line, no final empty line. */
export function rustLines(s: string): string[] {
  if (s === "") return [];
  const lines = s.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

/** 1-based line and column of a UTF-16 offset in `text`. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

/** A version or requirement could not be parsed; messages match the Rust `semver` crate's Display. */
export class SemverError extends Error {
  override name = "SemverError";
}

/**
 * A requirement cannot be turned into a RustSec interval, or the intervals of an advisory
 * cannot be combined (specs/rustsec.md §2). `requirements` names the requirement(s) at fault.
 */
export class VersionRangeError extends SemverError {
  override name = "VersionRangeError";
  readonly requirements: readonly string[];

  constructor(message: string, requirements: readonly string[] = []) {
    super(message);
    this.requirements = requirements;
  }
}

/** Where the parser was; rendered as in the crate's `Position` Display. */
export type Position = "major" | "minor" | "patch" | "pre" | "build";

const POSITION_TEXT: Record<Position, string> = {
  major: "major version number",
  minor: "minor version number",
  patch: "patch version number",
  pre: "pre-release identifier",
  build: "build metadata",
};

export const positionText = (pos: Position): string => POSITION_TEXT[pos];

// Rust's `char::escape_debug` escapes grapheme extenders and everything it deems unprintable
// (general categories C* and Z* except the plain space).
const ESCAPED = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\p{Grapheme_Extend}]/u;

/** The character at `index` quoted like the crate's `QuotedChar` (Rust `{:?}` of a char). */
export function quotedCharAt(text: string, index: number): string {
  const code = text.codePointAt(index) ?? 0;
  switch (code) {
    case 0:
      return "'\\0'";
    case 0x09:
      return "'\\t'";
    case 0x0a:
      return "'\\n'";
    case 0x0d:
      return "'\\r'";
    case 0x27:
      return "'\\''";
    case 0x5c:
      return "'\\\\'";
  }
  const ch = String.fromCodePoint(code);
  if (code !== 0x20 && ESCAPED.test(ch)) return `'\\u{${code.toString(16)}}'`;
  return `'${ch}'`;
}

export const errors = {
  empty: () => new SemverError("empty string, expected a semver version"),
  unexpectedEnd: (pos: Position) =>
    new SemverError(`unexpected end of input while parsing ${positionText(pos)}`),
  unexpectedChar: (pos: Position, text: string, i: number) =>
    new SemverError(
      `unexpected character ${quotedCharAt(text, i)} while parsing ${positionText(pos)}`,
    ),
  unexpectedCharAfter: (pos: Position, text: string, i: number) =>
    new SemverError(`unexpected character ${quotedCharAt(text, i)} after ${positionText(pos)}`),
  expectedCommaFound: (pos: Position, text: string, i: number) =>
    new SemverError(`expected comma after ${positionText(pos)}, found ${quotedCharAt(text, i)}`),
  leadingZero: (pos: Position) => new SemverError(`invalid leading zero in ${positionText(pos)}`),
  overflow: (pos: Position) => new SemverError(`value of ${positionText(pos)} exceeds u64::MAX`),
  emptySegment: (pos: Position) =>
    new SemverError(`empty identifier segment in ${positionText(pos)}`),
  illegalCharacter: (pos: Position) =>
    new SemverError(`unexpected character in ${positionText(pos)}`),
  wildcardNotTheOnlyComparator: (ch: string) =>
    new SemverError(`wildcard req (${ch}) must be the only comparator in the version req`),
  unexpectedAfterWildcard: () =>
    new SemverError("unexpected character after wildcard in version req"),
  excessiveComparators: () => new SemverError("excessive number of version comparators"),
};

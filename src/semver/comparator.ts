/** One comparator of a requirement (crate `semver::Comparator`) and its Display. */

/** `*` is the crate's `Op::Wildcard` (`1.*`, `1.2.x`); a bare `*` requirement has no comparators. */
export type Op = "=" | ">" | ">=" | "<" | "<=" | "~" | "^" | "*";

export interface Comparator {
  readonly op: Op;
  readonly major: bigint;
  /** null when not written (`^1`, `1.*`). */
  readonly minor: bigint | null;
  /** null when not written (`^1.2`, `1.2.*`). */
  readonly patch: bigint | null;
  /** Pre-release identifiers; only possible when `patch` is written. Build metadata is dropped. */
  readonly pre: string;
}

/** The crate's `Display for Comparator`, e.g. `^1.2.3-alpha`, `>=1.2`, `1.*`. */
export function comparatorToString(c: Comparator): string {
  let s = c.op === "*" ? `${c.major}` : `${c.op}${c.major}`;
  if (c.minor !== null) {
    s += `.${c.minor}`;
    if (c.patch !== null) {
      s += `.${c.patch}`;
      if (c.pre !== "") s += `-${c.pre}`;
    } else if (c.op === "*") {
      s += ".*";
    }
  } else if (c.op === "*") {
    s += ".*";
  }
  return s;
}

/**
 * A requirement as an interval of unaffected versions (rustsec `osv/unaffected_range.rs`).
 * Unlike Cargo matching, partial versions are zero-filled and ranges compare by plain precedence.
 */
import { type Comparator, comparatorToString } from "./comparator.js";
import { VersionRangeError } from "./errors.js";
import { U64_MAX } from "./numeric.js";
import { trustedVersion, type Version } from "./version.js";
import type { VersionReq } from "./version_req.js";

export type Bound =
  | { readonly kind: "unbounded" }
  | { readonly kind: "inclusive" | "exclusive"; readonly version: Version };

/** `start` <= `end`; when their versions are equal both bounds are inclusive. */
export interface UnaffectedRange {
  readonly start: Bound;
  readonly end: Bound;
}

const UNBOUNDED: Bound = Object.freeze({ kind: "unbounded" });

const inclusive = (version: Version): Bound => ({ kind: "inclusive", version });
const exclusive = (version: Version): Bound => ({ kind: "exclusive", version });

/**
 * `start` (the start of a range) <= `end` (the end of a range). Versions compare with the crate's
 * `Ord`, which is plain precedence here because range versions never carry build metadata.
 */
export function boundLessOrEqual(start: Bound, end: Bound): boolean {
  if (start.kind === "unbounded" || end.kind === "unbounded") return true;
  const order = start.version.compareWithBuild(end.version);
  return order < 0 || (order === 0 && start.kind === "inclusive" && end.kind === "inclusive");
}

export function rangesOverlap(a: UnaffectedRange, b: UnaffectedRange): boolean {
  return boundLessOrEqual(a.start, b.end) && boundLessOrEqual(b.start, a.end);
}

/** Interval notation as rustsec's Display: `[1.2.3, 2.0.0-0)`, `[0, 1.0.0]`, `(1.0.0, ∞)`. */
export function formatUnaffectedRange(r: UnaffectedRange): string {
  const start =
    r.start.kind === "unbounded"
      ? "[0"
      : `${r.start.kind === "inclusive" ? "[" : "("}${r.start.version}`;
  const end =
    r.end.kind === "unbounded" ? "∞)" : `${r.end.version}${r.end.kind === "inclusive" ? "]" : ")"}`;
  return `${start}, ${end}`;
}

/** Converts one `patched`/`unaffected` requirement (specs/rustsec.md §2 step 2). */
export function unaffectedRange(req: VersionReq): UnaffectedRange {
  const comparators = req.comparators;
  const text = req.toString();
  const fail = (message: string): never => {
    throw new VersionRangeError(message, [text]);
  };
  if (comparators.length > 2) fail(`Too many comparators in version specification: ${text}`);
  let start = UNBOUNDED;
  let end = UNBOUNDED;
  for (const c of comparators) {
    switch (c.op) {
      case ">":
      case ">=":
        if (start.kind !== "unbounded")
          fail(`More than one lower bound in the same range: ${text}`);
        start = c.op === ">" ? exclusive(compToVer(c)) : inclusive(compToVer(c));
        break;
      case "<":
      case "<=":
        if (end.kind !== "unbounded") fail(`More than one upper bound in the same range: ${text}`);
        end = c.op === "<" ? exclusive(compToVer(c)) : inclusive(compToVer(c));
        break;
      case "=":
        if (comparators.length !== 1) {
          fail(
            `Selectors that define an exact version (e.g. '=1.0') must be alone in their range: ${text}`,
          );
        }
        start = inclusive(compToVer(c));
        end = start;
        break;
      case "^":
      case "~":
        if (comparators.length !== 1) {
          fail(
            `Selectors that define both the upper and lower bound (e.g. '${c.op}1.0') must be alone in their range: ${text}`,
          );
        }
        start = inclusive(compToVer(c));
        end = exclusive(c.op === "^" ? caretEnd(c, text) : tildeEnd(c, text));
        break;
      case "*":
        fail(
          `Unsupported operator in version specification: '${comparatorToString(c)}' in ${text}`,
        );
    }
  }
  if (!boundLessOrEqual(start, end)) {
    fail(`Invalid range: start must be <= end; if equal, both bounds must be inclusive: ${text}`);
  }
  return { start, end };
}

/** Zero-fills a partial version: `>1.2` becomes `>1.2.0` (this differs from Cargo). */
function compToVer(c: Comparator): Version {
  return trustedVersion(c.major, c.minor ?? 0n, c.patch ?? 0n, c.pre, "");
}

// `-0` is the lowest pre-release, so `^1.0.0` ends before `2.0.0-alpha` too.
function caretEnd(c: Comparator, text: string): Version {
  if (c.major !== 0n) return endVersion(c.major + 1n, 0n, 0n, text);
  if (c.minor === 0n && c.patch !== null) return endVersion(0n, 0n, c.patch + 1n, text);
  if (c.minor !== null) return endVersion(0n, c.minor + 1n, 0n, text);
  if (c.patch === null) return endVersion(1n, 0n, 0n, text);
  throw new VersionRangeError(`Comparator specifies patch version but not minor version: ${text}`, [
    text,
  ]);
}

function tildeEnd(c: Comparator, text: string): Version {
  if (c.minor !== null) return endVersion(c.major, c.minor + 1n, 0n, text);
  if (c.patch === null) return endVersion(c.major + 1n, 0n, 0n, text);
  throw new VersionRangeError(`Comparator specifies patch version but not minor version: ${text}`, [
    text,
  ]);
}

function endVersion(major: bigint, minor: bigint, patch: bigint, text: string): Version {
  if (major > U64_MAX || minor > U64_MAX || patch > U64_MAX) {
    throw new VersionRangeError(`Upper bound overflows u64 in version specification: ${text}`, [
      text,
    ]);
  }
  return trustedVersion(major, minor, patch, "0", "");
}

/**
 * Affected ranges of an advisory: the complement of its unaffected ranges
 * (rustsec `osv/ranges_for_advisory.rs`, specs/rustsec.md §2 steps 3–5).
 */
import { VersionRangeError } from "./errors.js";
import { increment } from "./increment.js";
import {
  type Bound,
  formatUnaffectedRange,
  rangesOverlap,
  type UnaffectedRange,
  unaffectedRange,
} from "./unaffected_range.js";
import type { Version } from "./version.js";
import type { VersionReq } from "./version_req.js";

/** Affected when `introduced <= v < fixed`; null introduced is unbounded below (OSV `0.0.0-0`). */
export interface AffectedRange {
  readonly introduced: Version | null;
  readonly fixed: Version | null;
}

export function affectedRanges(
  patched: readonly VersionReq[],
  unaffected: readonly VersionReq[],
): AffectedRange[] {
  // rustsec lists `unaffected` first; that order decides which pair an overlap error names.
  const reqs = [...unaffected, ...patched];
  const ranges = reqs.map((req) => ({ req: req.toString(), range: unaffectedRange(req) }));
  if (ranges.length === 0) return [{ introduced: null, fixed: null }];

  for (let i = 0; i < ranges.length - 1; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i] as (typeof ranges)[number];
      const b = ranges[j] as (typeof ranges)[number];
      if (rangesOverlap(a.range, b.range)) {
        throw new VersionRangeError(
          `Overlapping version ranges: ${formatUnaffectedRange(a.range)} and ${formatUnaffectedRange(b.range)} (from "${a.req}" and "${b.req}")`,
          [a.req, b.req],
        );
      }
    }
  }

  ranges.sort((a, b) => compareStarts(a.range.start, b.range.start));
  for (let i = 1; i < ranges.length; i++) {
    const a = ranges[i - 1] as (typeof ranges)[number];
    const b = ranges[i] as (typeof ranges)[number];
    // Only `=v` beside `>v` gets here (they do not overlap); rustsec panics on it.
    if (compareStarts(a.range.start, b.range.start) === 0) {
      throw new VersionRangeError(
        `Version ranges start at the same version: ${formatUnaffectedRange(a.range)} and ${formatUnaffectedRange(b.range)} (from "${a.req}" and "${b.req}")`,
        [a.req, b.req],
      );
    }
  }

  const sorted: UnaffectedRange[] = ranges.map((r) => r.range);
  const first = sorted[0] as UnaffectedRange;
  const last = sorted[sorted.length - 1] as UnaffectedRange;
  const result: AffectedRange[] = [];
  if (first.start.kind !== "unbounded") {
    result.push({ introduced: null, fixed: fixedBefore(first.start) });
  }
  for (let i = 1; i < sorted.length; i++) {
    const below = (sorted[i - 1] as UnaffectedRange).end;
    const above = (sorted[i] as UnaffectedRange).start;
    // Sorted, non-overlapping ranges are unbounded only at the outer ends.
    if (below.kind === "unbounded" || above.kind === "unbounded") {
      throw new VersionRangeError("Unbounded version range in the middle of an advisory's ranges");
    }
    result.push({ introduced: introducedAfter(below), fixed: fixedBefore(above) });
  }
  if (last.end.kind !== "unbounded") {
    result.push({ introduced: introducedAfter(last.end), fixed: null });
  }
  return result;
}

function compareStarts(a: Bound, b: Bound): number {
  if (a.kind === "unbounded") return b.kind === "unbounded" ? 0 : -1;
  if (b.kind === "unbounded") return 1;
  return a.version.compareWithBuild(b.version);
}

function introducedAfter(end: Exclude<Bound, { kind: "unbounded" }>): Version {
  return end.kind === "exclusive" ? end.version : increment(end.version);
}

function fixedBefore(start: Exclude<Bound, { kind: "unbounded" }>): Version {
  return start.kind === "exclusive" ? increment(start.version) : start.version;
}

/** Plain precedence, no pre-release opt-in: `introduced <= v < fixed` for some range. */
export function isAffected(ranges: readonly AffectedRange[], v: Version): boolean {
  for (const r of ranges) {
    if (
      (r.introduced === null || v.compare(r.introduced) >= 0) &&
      (r.fixed === null || v.compare(r.fixed) < 0)
    ) {
      return true;
    }
  }
  return false;
}

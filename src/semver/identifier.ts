/**
 * Dot-separated identifiers of pre-release and build metadata: scanning (crate `parse.rs`
 * `identifier`) and ordering (crate `impls.rs`). Everything works on indices, never splitting,
 * so comparing versions allocates nothing.
 */
import { errors, type Position } from "./errors.js";

const DOT = 0x2e;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || isDigit(c);
}

/**
 * Scans identifiers `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*` starting at `start` and returns the index
 * just past them; `start` itself when there is nothing to scan (the caller decides whether empty
 * is an error). Numeric pre-release identifiers must not have leading zeros.
 */
export function scanIdentifier(input: string, start: number, pos: Position): number {
  let segStart = start;
  let i = start;
  let hasNonDigit = false;
  for (;;) {
    const c = i < input.length ? input.charCodeAt(i) : -1;
    if (c !== -1 && isIdentChar(c)) {
      if (!isDigit(c)) hasNonDigit = true;
      i++;
      continue;
    }
    const segLen = i - segStart;
    if (segLen === 0) {
      if (segStart === start && c !== DOT) return start;
      throw errors.emptySegment(pos);
    }
    if (pos === "pre" && segLen > 1 && !hasNonDigit && input.charCodeAt(segStart) === 0x30) {
      throw errors.leadingZero(pos);
    }
    if (c !== DOT) return i;
    i++;
    segStart = i;
    hasNonDigit = false;
  }
}

/** Checks a whole string as `Prerelease::new` / `BuildMetadata::new` do; "" is allowed. */
export function validateIdentifier(text: string, pos: "pre" | "build"): void {
  if (scanIdentifier(text, 0, pos) !== text.length) throw errors.illegalCharacter(pos);
}

function allDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

function compareRange(a: string, ai: number, ae: number, b: string, bi: number, be: number) {
  const n = Math.min(ae - ai, be - bi);
  for (let k = 0; k < n; k++) {
    const d = a.charCodeAt(ai + k) - b.charCodeAt(bi + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return sign(ae - ai - (be - bi));
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function skipZeros(s: string, from: number, to: number): number {
  while (from < to && s.charCodeAt(from) === 0x30) from++;
  return from;
}

type SegmentOrder = (
  a: string,
  ai: number,
  ae: number,
  b: string,
  bi: number,
  be: number,
) => number;

/** Walks both strings segment by segment; a longer list wins when all shared segments tie. */
function compareSegments(a: string, b: string, numeric: SegmentOrder): -1 | 0 | 1 {
  let ai = 0;
  let bi = 0;
  for (;;) {
    let ae = a.indexOf(".", ai);
    if (ae < 0) ae = a.length;
    let be = b.indexOf(".", bi);
    if (be < 0) be = b.length;
    const an = allDigits(a, ai, ae);
    const bn = allDigits(b, bi, be);
    if (an !== bn) return an ? -1 : 1;
    const order = an ? numeric(a, ai, ae, b, bi, be) : compareRange(a, ai, ae, b, bi, be);
    if (order !== 0) return order < 0 ? -1 : 1;
    const aDone = ae >= a.length;
    const bDone = be >= b.length;
    if (aDone) return bDone ? 0 : -1;
    if (bDone) return 1;
    ai = ae + 1;
    bi = be + 1;
  }
}

// Pre-release numbers have no leading zeros, so length then text orders them numerically,
// with no limit on their size (as in the crate).
const preNumeric: SegmentOrder = (a, ai, ae, b, bi, be) =>
  sign(ae - ai - (be - bi)) || compareRange(a, ai, ae, b, bi, be);

// Build numbers may have leading zeros: 0 < 00 < 1 < 01 < 001 < 2 (crate `impls.rs`).
const buildNumeric: SegmentOrder = (a, ai, ae, b, bi, be) => {
  const av = skipZeros(a, ai, ae);
  const bv = skipZeros(b, bi, be);
  return (
    sign(ae - av - (be - bv)) || compareRange(a, av, ae, b, bv, be) || sign(ae - ai - (be - bi))
  );
};

/** SemVer 2.0 pre-release precedence; "" (a release) sorts after every pre-release. */
export function comparePrerelease(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  return compareSegments(a, b, preNumeric);
}

/** The crate's `Ord for BuildMetadata`; "" sorts first. Not part of SemVer precedence. */
export function compareBuild(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  return compareSegments(a, b, buildNumeric);
}

/** Requirement syntax, exactly as the crate's `parse.rs` (`comparator`, `version_req`). */
import type { Comparator, Op } from "./comparator.js";
import { errors, type Position } from "./errors.js";
import { scanIdentifier } from "./identifier.js";
import { scanNumber, scanned } from "./numeric.js";

const SPACE = 0x20;
const COMMA = 0x2c;
const DOT = 0x2e;
const HYPHEN = 0x2d;
const PLUS = 0x2b;
const EQ = 0x3d;
const MAX_COMPARATORS = 32;

function skipSpaces(text: string, i: number): number {
  while (i < text.length && text.charCodeAt(i) === SPACE) i++;
  return i;
}

/** `*`, `x` or `X` at `i`, else null. */
function wildcardAt(text: string, i: number): string | null {
  const c = text.charCodeAt(i);
  return c === 0x2a || c === 0x78 || c === 0x58 ? (text[i] as string) : null;
}

// Extra results of `comparator`, kept out of its return value to avoid a tuple per comparator.
let lastPos: Position = "major";
let lastEnd = 0;

function comparator(text: string, start: number): Comparator {
  let i = start;
  let op: Op = "^";
  let defaultOp = false;
  const c0 = text.charCodeAt(i);
  if (c0 === EQ) {
    op = "=";
    i++;
  } else if (c0 === 0x3e || c0 === 0x3c) {
    const orEqual = text.charCodeAt(i + 1) === EQ;
    op = c0 === 0x3e ? (orEqual ? ">=" : ">") : orEqual ? "<=" : "<";
    i += orEqual ? 2 : 1;
  } else if (c0 === 0x7e) {
    op = "~";
    i++;
  } else if (c0 === 0x5e) {
    i++;
  } else {
    defaultOp = true;
  }
  i = skipSpaces(text, i);

  let pos: Position = "major";
  scanNumber(text, i, pos);
  const major = scanned.value;
  i = scanned.end;

  let minor: bigint | null = null;
  let patch: bigint | null = null;
  let hasWildcard = false;
  if (text.charCodeAt(i) === DOT) {
    i++;
    pos = "minor";
    if (wildcardAt(text, i) !== null) {
      hasWildcard = true;
      if (defaultOp) op = "*";
      i++;
    } else {
      scanNumber(text, i, pos);
      minor = scanned.value;
      i = scanned.end;
    }
  }
  if (text.charCodeAt(i) === DOT) {
    i++;
    pos = "patch";
    if (wildcardAt(text, i) !== null) {
      if (defaultOp) op = "*";
      i++;
    } else if (hasWildcard) {
      throw errors.unexpectedAfterWildcard();
    } else {
      scanNumber(text, i, pos);
      patch = scanned.value;
      i = scanned.end;
    }
  }

  let pre = "";
  if (patch !== null && text.charCodeAt(i) === HYPHEN) {
    pos = "pre";
    const end = scanIdentifier(text, i + 1, pos);
    if (end === i + 1) throw errors.emptySegment(pos);
    pre = text.slice(i + 1, end);
    i = end;
  }
  // Build metadata is accepted and dropped, as in the crate.
  if (patch !== null && text.charCodeAt(i) === PLUS) {
    pos = "build";
    const end = scanIdentifier(text, i + 1, pos);
    if (end === i + 1) throw errors.emptySegment(pos);
    i = end;
  }

  lastPos = pos;
  lastEnd = skipSpaces(text, i);
  return { op, major, minor, patch, pre };
}

/** The comparators of a requirement; [] for a lone wildcard (`*`, `x`, `X`). Throws SemverError. */
export function parseComparators(text: string): Comparator[] {
  let i = skipSpaces(text, 0);
  const star = wildcardAt(text, i);
  if (star !== null) {
    const rest = skipSpaces(text, i + 1);
    if (rest === text.length) return [];
    if (text.charCodeAt(rest) === COMMA) throw errors.wildcardNotTheOnlyComparator(star);
    throw errors.unexpectedAfterWildcard();
  }

  const out: Comparator[] = [];
  for (;;) {
    const wildcard = wildcardAt(text, i);
    if (wildcard !== null) {
      // A comparator cannot start with a wildcard; the crate names the cause when it stands alone.
      const rest = skipSpaces(text, i + 1);
      if (rest === text.length || text.charCodeAt(rest) === COMMA) {
        throw errors.wildcardNotTheOnlyComparator(wildcard);
      }
    }
    out.push(comparator(text, i));
    i = lastEnd;
    if (i === text.length) return out;
    if (text.charCodeAt(i) !== COMMA) throw errors.expectedCommaFound(lastPos, text, i);
    i = skipSpaces(text, i + 1);
    if (out.length === MAX_COMPARATORS) throw errors.excessiveComparators();
  }
}

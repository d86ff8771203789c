import { errors, type Position, positionText, SemverError } from "./errors.js";

/** 2^64 - 1: version numbers are `u64` in the crate. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** Result slots of `scanNumber`, reused to avoid allocating a tuple per number. */
export const scanned = { value: 0n, end: 0 };

/**
 * Parses a `u64` without leading zeros at `start` (crate `numeric_identifier`) into `scanned`.
 * Errors name `pos`.
 */
export function scanNumber(input: string, start: number, pos: Position): void {
  let i = start;
  while (i < input.length) {
    const c = input.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    if (i > start && input.charCodeAt(start) === 0x30) throw errors.leadingZero(pos);
    i++;
  }
  const len = i - start;
  if (len === 0) {
    if (start < input.length) throw errors.unexpectedChar(pos, input, start);
    throw errors.unexpectedEnd(pos);
  }
  let value: bigint;
  if (len <= 15) {
    value = BigInt(Number(input.slice(start, i)));
  } else {
    if (len > 20) throw errors.overflow(pos);
    value = BigInt(input.slice(start, i));
    if (value > U64_MAX) throw errors.overflow(pos);
  }
  scanned.value = value;
  scanned.end = i;
}

/** Throws unless `n` is a bigint in the `u64` range. */
export function checkU64(n: bigint, pos: Position): void {
  if (typeof n !== "bigint" || n < 0n || n > U64_MAX) {
    throw new SemverError(
      `${positionText(pos)} must be a bigint in 0..=${U64_MAX}, got ${String(n)}`,
    );
  }
}

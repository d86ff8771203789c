/** Bounded, stat-at-open file reads for the loader. */
import { type BigIntStats, closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Real advisories are under 16 KiB; anything this large is not an advisory. */
export const MAX_ADVISORY_BYTES = 1024 * 1024;

export type ReadResult =
  | { readonly bytes: Uint8Array; readonly stats: BigIntStats }
  | { readonly error: string; readonly stats?: BigIntStats };

/**
 * Reads a file of at most `limit` bytes. The stats come from the opened descriptor before the
 * read, so a concurrent edit can only make the cache fingerprint older, never newer, than the data.
 */
export function readBounded(path: string, limit = MAX_ADVISORY_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return { error: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return { error: "not a regular file", stats };
    if (stats.size > BigInt(limit)) {
      return { error: `file too large (${stats.size} bytes; the limit is ${limit})`, stats };
    }
    const bytes = Buffer.allocUnsafe(Number(stats.size));
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, null);
      if (n === 0) break;
      off += n;
    }
    return { bytes: bytes.subarray(0, off), stats };
  } catch (e) {
    return { error: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * "Racily clean" files, as git calls them: a file changed within a timestamp tick of being read
 * could be edited again in the same tick, same size, and keep its stamp. For files changed
 * shortly before a load, the cache also keeps a content hash and checks it on the warm path.
 * Directories are alike (an entry added in the tick of the listing could keep the stamp): those
 * changed shortly before they were listed get no stamp to trust (see fingerprint.ts).
 * Filesystems tick from nanoseconds to 2 s (FAT), hence the generous window.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

const RACY_WINDOW_MS = 3_000;
const RACY_WINDOW_NS = BigInt(RACY_WINDOW_MS) * 1_000_000n;

export interface RacyFile {
  readonly rel: string;
  readonly hash: string;
}

const hashOf = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Files whose ctime is at or after this (in ns) are racy. Call before reading. */
export const racyThreshold = (): bigint => BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;

/** The same threshold in ms: only what changed before it has a stamp to trust. */
export const racySettledBeforeMs = (): number => Date.now() - RACY_WINDOW_MS;

export const racyFile = (rel: string, bytes: Uint8Array): RacyFile => ({
  rel,
  hash: hashOf(bytes),
});

/** True when every racy file still has the content it had when the cache was built. */
export function racyFilesUnchanged(dir: string, racy: readonly RacyFile[]): boolean {
  return racy.every((r) => {
    try {
      return hashOf(readFileSync(`${dir}/${r.rel}`)) === r.hash;
    } catch {
      return false;
    }
  });
}

/** True when none of these files is racy any more (so the hashes can be dropped from the cache). */
export function racyFilesSettled(dir: string, racy: readonly RacyFile[]): boolean {
  const threshold = racyThreshold();
  return racy.every((r) => {
    const s = statSync(`${dir}/${r.rel}`, { bigint: true, throwIfNoEntry: false });
    return s !== undefined && s.ctimeNs < threshold;
  });
}

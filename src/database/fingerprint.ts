/**
 * Stat fingerprints of a database directory, which tell the compiled cache whether it may be
 * served: (size, mtime, ctime, inode…) of every advisory file, plus the stamp of every directory
 * the listing read. ctime cannot be set by tools that restore mtime (`touch -r`, `utimes`), so an
 * edit always changes a file's stamp; adding, removing or renaming an entry always changes the
 * stamp of the directory holding it, so while every directory keeps its stamp, the listing the
 * cache was built from is still exact and the warm path need not list anything again.
 *
 * A stamp cannot tell apart two changes within one timestamp tick, hence racy.ts: files changed
 * shortly before they were read are also checked by content hash, and directories changed
 * shortly before they were listed get a stamp that never matches (they are listed again until
 * they settle). Every change a stamp must reveal therefore happens well over a second after the
 * stamp was taken, and the millisecond times of a plain (not bigint) stat are ample.
 */
import { type Stats, statSync } from "node:fs";
import { racySettledBeforeMs } from "./racy.js";

/** Numbers per stamp: mtime, ctime (ms), inode, device, size, mode. */
export const STAMP_SIZE = 6;

const STAT = { throwIfNoEntry: false } as const;

function pushStats(out: number[], s: Stats | undefined): void {
  // A missing path gets an impossible mode (a present one always has its type bits).
  if (s === undefined) out.push(0, 0, 0, 0, 0, -1);
  else out.push(s.mtimeMs, s.ctimeMs, s.ino, s.dev, s.size, s.mode);
}

/** An unusable stamp: NaN equals nothing, so the path never counts as unchanged. */
const pushDistrusted = (out: number[]): number => out.push(Number.NaN, 0, 0, 0, 0, 0);

/** Appends the current stamp of every `base + rel` (the cache's file check; see `stampsMatch`). */
export function stampPaths(base: string, rels: readonly string[]): number[] {
  const out: number[] = [];
  for (const rel of rels) {
    try {
      pushStats(out, statSync(base + rel, STAT));
    } catch {
      pushDistrusted(out);
    }
  }
  return out;
}

/**
 * True when every `base + rels[i]` still has stamp `i`. One stat per path and no allocation
 * besides the path and the stats: this is most of a warm start.
 */
export function stampsMatch(base: string, rels: readonly string[], stamps: Float64Array): boolean {
  if (stamps.length !== rels.length * STAMP_SIZE) return false;
  try {
    for (let i = 0, j = 0; i < rels.length; i++, j += STAMP_SIZE) {
      const s = statSync(base + rels[i], STAT);
      if (s === undefined) {
        if (stamps[j + 5] !== -1) return false;
      } else if (
        s.mtimeMs !== stamps[j] ||
        s.ctimeMs !== stamps[j + 1] ||
        s.ino !== stamps[j + 2] ||
        s.dev !== stamps[j + 3] ||
        s.size !== stamps[j + 4] ||
        s.mode !== stamps[j + 5]
      ) {
        return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** True when both hold the same stamps (NaN, the distrusted stamp, equal to itself). */
export function sameStamps(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * The directories a listing read, each stamped just before it was read: a change after the
 * stamp shows in the next stamp; one before it is in the listing.
 */
export class DirStamps {
  readonly rels: string[] = [];
  readonly stamps: number[] = [];
  readonly #settledBefore = racySettledBeforeMs();

  /** Stamps directory `rel` (at `path`) before it is read; returns its index. */
  add(rel: string, path: string): number {
    this.rels.push(rel);
    try {
      const s = statSync(path, STAT);
      // Changed within the racy window: a further change in the same tick would keep the stamp.
      if (s !== undefined && !(s.ctimeMs < this.#settledBefore)) pushDistrusted(this.stamps);
      else pushStats(this.stamps, s);
    } catch {
      pushDistrusted(this.stamps);
    }
    return this.rels.length - 1;
  }

  /** For a directory whose listing could change with its stamp unchanged (symlinked entries). */
  distrust(i: number): void {
    this.stamps[i * STAMP_SIZE] = Number.NaN;
  }
}

/**
 * The compiled cache file: `[u32 LE header length][v8 header][v8 blob per advisory…]`. The header
 * holds the key, the stamps that tell whether the cache is still valid, and what the indexes need;
 * each advisory is decoded only when first used, so a warm start costs little more than the stats.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { StoredAdvisory } from "./codec.js";
import { STAMP_SIZE } from "./fingerprint.js";
import type { RacyFile } from "./racy.js";

export const CACHE_FORMAT = 4;

export interface CacheHeader {
  readonly format: number;
  readonly key: string;
  readonly head: string | null;
  readonly headTime: number | null;
  /** Paths under the database dir are stored relative (`relPath`) so any spelling of it works. */
  readonly diagnostics: readonly (Diagnostic & { readonly relPath?: string })[];
  // Per entry, in database order. Typed and flat arrays: v8 decodes one of those much faster
  // than a thousand small arrays or repeated strings, and this header is read on every start.
  readonly ids: readonly string[];
  readonly packages: readonly string[];
  /** Index into `[null, ...COLLECTIONS]`. */
  readonly collections: Uint8Array;
  /** The aliases of every entry, back to back; those of entry `i` end at `aliasEnds[i]`. */
  readonly aliases: readonly string[];
  readonly aliasEnds: Uint32Array;
  /** Index of the entry's source in `files`, or -1. */
  readonly sources: Int32Array;
  /** End offset of each entry's blob within the blob region. */
  readonly ends: Float64Array;
  /** Content hashes of files changed just before the cache was built (see racy.ts). */
  readonly racy: readonly RacyFile[];
  /** What the listing found besides the files (`Listing.shape`). */
  readonly shape: readonly string[];
  /** Every directory the listing read, relative, with its stamp (see fingerprint.ts). */
  readonly dirs: readonly string[];
  readonly dirStamps: Float64Array;
  /** Every advisory file listed, relative, with its stamp from before it was read. */
  readonly files: readonly string[];
  readonly fileStamps: Float64Array;
}

export interface CacheFile {
  readonly header: CacheHeader;
  /** All blobs, back to back. */
  readonly blobs: Uint8Array;
  /** The blob of entry `i`. */
  blob(i: number): Uint8Array;
}

const isStamps = (stamps: unknown, rels: readonly unknown[]): boolean =>
  stamps instanceof Float64Array && stamps.length === rels.length * STAMP_SIZE;

function wellFormed(h: CacheHeader): boolean {
  const n = h.ids.length;
  const perEntry = [h.packages, h.collections, h.aliasEnds, h.sources, h.ends];
  return (
    perEntry.every((a) => a?.length === n) &&
    h.collections instanceof Uint8Array &&
    h.aliasEnds instanceof Uint32Array &&
    h.sources instanceof Int32Array &&
    h.ends instanceof Float64Array &&
    [h.diagnostics, h.aliases, h.racy, h.shape, h.dirs, h.files].every(Array.isArray) &&
    (h.aliasEnds[n - 1] ?? 0) === h.aliases.length &&
    isStamps(h.dirStamps, h.dirs) &&
    isStamps(h.fileStamps, h.files)
  );
}

export function readCacheFile(file: string, key: string, format = CACHE_FORMAT): CacheFile | null {
  try {
    const buf = readFileSync(file);
    const headerEnd = 4 + buf.readUInt32LE(0);
    const header = deserialize(buf.subarray(4, headerEnd)) as CacheHeader;
    if (header?.format !== format || header.key !== key || !wellFormed(header)) return null;
    const { ends } = header;
    const blobs = buf.subarray(headerEnd);
    if ((ends[ends.length - 1] ?? 0) !== blobs.length) return null;
    return {
      header,
      blobs,
      blob: (i) => blobs.subarray(ends[i - 1] ?? 0, ends[i] ?? 0),
    };
  } catch {
    return null;
  }
}

/** Writes atomically (temp file + rename); failures are ignored: the cache is an optimisation. */
export function writeCacheFile(
  file: string,
  header: Omit<CacheHeader, "ends">,
  advisories: readonly StoredAdvisory[],
): void {
  const blobs = advisories.map((a) => serialize(a));
  const ends = new Float64Array(blobs.length);
  let end = 0;
  blobs.forEach((b, i) => {
    end += b.length;
    ends[i] = end;
  });
  writeAtomically(file, { ...header, ends }, blobs);
}

/** Rewrites the header of a cache file just read, keeping its blobs. */
export function rewriteCacheHeader(file: string, cache: CacheFile, header: CacheHeader): void {
  writeAtomically(file, header, [cache.blobs]);
}

function writeAtomically(file: string, header: CacheHeader, blobs: readonly Uint8Array[]): void {
  const head = serialize(header);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([len, head, ...blobs]));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}

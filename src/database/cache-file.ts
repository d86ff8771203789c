/**
 * The compiled cache file: `[u32 LE header length][v8 header][v8 blob per advisory…]`. The header
 * holds the key and what the indexes need; each advisory is decoded only when first used, so a
 * warm start costs little more than the stat fingerprint.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { Collection } from "../advisory/model.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { StoredAdvisory } from "./codec.js";
import type { RacyFile } from "./racy.js";

export const CACHE_FORMAT = 3;

export interface CacheHeader {
  readonly format: number;
  readonly key: string;
  readonly head: string | null;
  readonly headTime: number | null;
  /** Paths under the database dir are stored relative (`relPath`) so any spelling of it works. */
  readonly diagnostics: readonly (Diagnostic & { readonly relPath?: string })[];
  /** Per entry, in database order. */
  readonly ids: readonly string[];
  readonly packages: readonly string[];
  readonly collections: readonly (Collection | null)[];
  readonly aliases: readonly (readonly string[])[];
  readonly rels: readonly string[];
  /** End offset of each entry's blob within the blob region. */
  readonly ends: readonly number[];
  /** Content hashes of files changed just before the cache was built (see racy.ts). */
  readonly racy: readonly RacyFile[];
}

export interface CacheFile {
  readonly header: CacheHeader;
  /** All blobs, back to back. */
  readonly blobs: Uint8Array;
  /** The blob of entry `i`. */
  blob(i: number): Uint8Array;
}

export function readCacheFile(file: string, key: string, format = CACHE_FORMAT): CacheFile | null {
  try {
    const buf = readFileSync(file);
    const headerEnd = 4 + buf.readUInt32LE(0);
    const header = deserialize(buf.subarray(4, headerEnd)) as CacheHeader;
    if (header?.format !== format || header.key !== key) return null;
    const n = header.ids.length;
    const arrays = [header.packages, header.collections, header.aliases, header.rels, header.ends];
    if (arrays.some((a) => a?.length !== n)) return null;
    if (!Array.isArray(header.diagnostics) || !Array.isArray(header.racy)) return null;
    const blobs = buf.subarray(headerEnd);
    if ((header.ends[n - 1] ?? 0) !== blobs.length) return null;
    return {
      header,
      blobs,
      blob: (i) => blobs.subarray(header.ends[i - 1] ?? 0, header.ends[i] ?? 0),
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
  const ends: number[] = [];
  let end = 0;
  for (const b of blobs) {
    end += b.length;
    ends.push(end);
  }
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

/**
 * The compiled cache: a repeated run reuses the parsed database instead of re-reading every
 * Markdown file. It is served only for the same code and git HEAD, and while every directory
 * listed and every file read keeps its stat stamp (see fingerprint.ts), so it is never served
 * stale. A warm start thus costs one stat per directory and per file: nothing is listed again
 * unless a directory changed. Any problem with the cache file (missing, corrupt, other version,
 * unwritable directory) silently falls back to a full load.
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { deserialize } from "node:v8";
import type { Advisory, Collection } from "../advisory/model.js";
import { parseAdvisoryFile } from "../advisory/parse.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import {
  CACHE_FORMAT,
  type CacheFile,
  type CacheHeader,
  readCacheFile,
  rewriteCacheHeader,
  writeCacheFile,
} from "./cache-file.js";
import { codeStamp } from "./code-stamp.js";
import { decodeAdvisory, encodeAdvisory, type StoredAdvisory } from "./codec.js";
import { Database, sortEntries } from "./database.js";
import { type Entry, eagerEntry, lazyEntry } from "./entry.js";
import { DirStamps, sameStamps, stampPaths, stampsMatch } from "./fingerprint.js";
import { headCommitSync } from "./git-command.js";
import { readGitHead } from "./git-head.js";
import { COLLECTIONS, type Listing, listDatabaseDir } from "./layout.js";
import { type DetailedLoad, type LoadResult, loadDirDetailed } from "./load.js";
import { compiledCacheFile, defaultCacheDir } from "./paths.js";
import { racyFilesSettled, racyFilesUnchanged } from "./racy.js";
import { readBounded } from "./read.js";

export interface LoadOptions {
  /** cratesec's cache root (default `$XDG_CACHE_HOME/cratesec`); compiled files go to `compiled/`. */
  readonly cacheDir?: string;
  /** Default true. With false, the cache is neither read nor written. */
  readonly useCache?: boolean;
}

export interface CachedLoadResult extends LoadResult {
  /** True when the database came from the compiled cache (no advisory was parsed). */
  readonly fromCache: boolean;
}

const keyOf = (head: string | null): string => `${codeStamp()}:${head ?? "-"}`;

/** A listing, with the stamps of the directories it read and the paths of its files. */
interface Listed {
  readonly listing: Listing;
  readonly dirs: DirStamps;
  readonly files: string[];
}

function list(dir: string): Listed {
  const dirs = new DirStamps();
  const listing = listDatabaseDir(dir, dirs);
  return { listing, dirs, files: listing.files.map((f) => f.rel) };
}

const sameStrings = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

type Check =
  | { readonly fresh: true; readonly header: CacheHeader }
  | { readonly fresh: false; readonly listed?: Listed };

/**
 * Whether the cache still holds what a full load of `dir` would give, and the header to keep
 * (with new stamps for directories listed again, without hashes of files no longer racy).
 */
function check(dir: string, h: CacheHeader): Check {
  const base = dir + sep;
  let listed: Listed | undefined;
  if (!stampsMatch(base, h.dirs, h.dirStamps)) {
    // Some directory changed (or is too recent to trust): list them all, as a cold load does.
    listed = list(dir);
    if (!sameStrings(listed.listing.shape, h.shape) || !sameStrings(listed.files, h.files)) {
      return { fresh: false, listed };
    }
  }
  if (!stampsMatch(base, h.files, h.fileStamps) || !racyFilesUnchanged(dir, h.racy)) {
    return { fresh: false, listed };
  }
  let header = h;
  const relisted = listed?.dirs;
  if (
    relisted &&
    !(sameStrings(relisted.rels, h.dirs) && sameStamps(relisted.stamps, h.dirStamps))
  ) {
    header = { ...header, dirs: relisted.rels, dirStamps: Float64Array.from(relisted.stamps) };
  }
  if (h.racy.length > 0 && racyFilesSettled(dir, h.racy)) header = { ...header, racy: [] };
  return { fresh: true, header };
}

function headTimeOf(dir: string, head: string | null): Date | null {
  if (head === null) return null;
  try {
    return headCommitSync(dir).time;
  } catch {
    return null;
  }
}

/** `CacheHeader.collections` indexes this. */
const COLLECTION_CODES: readonly (Collection | null)[] = [null, ...COLLECTIONS];

/**
 * Decodes entry `i`. Should its blob turn out damaged, the advisory is parsed again from its
 * file, which the stamps have just shown to be unchanged.
 */
function materialize(dir: string, cache: CacheFile, i: number): Advisory {
  const { ids, packages, sources, files, collections } = cache.header;
  try {
    const a = decodeAdvisory(deserialize(cache.blob(i)) as StoredAdvisory);
    if (a.metadata.id === ids[i] && a.metadata.package === packages[i]) return a;
  } catch {
    // fall through to a re-parse
  }
  const rel = files[sources[i] ?? -1];
  if (rel === undefined) throw new Error(`compiled cache entry ${ids[i]} is damaged`);
  const path = dir + sep + rel.split("/").join(sep);
  const read = readBounded(path);
  const collection = COLLECTION_CODES[collections[i] ?? 0] ?? null;
  const parsed = "bytes" in read ? parseAdvisoryFile(read.bytes, path, { collection }) : null;
  if (parsed?.ok) return parsed.advisory;
  throw new Error(`compiled cache entry for ${path} is damaged and the file no longer parses`);
}

function fromCache(dir: string, cache: CacheFile): CachedLoadResult {
  const h = cache.header;
  const entries: Entry[] = [];
  for (let i = 0, aliasStart = 0; i < h.ids.length; i++) {
    const aliasEnd = h.aliasEnds[i] ?? aliasStart;
    const fields = {
      id: h.ids[i] as string,
      package: h.packages[i] as string,
      collection: COLLECTION_CODES[h.collections[i] ?? 0] ?? null,
      aliases: h.aliases.slice(aliasStart, aliasEnd),
      rel: h.files[h.sources[i] ?? -1] ?? null,
    };
    entries.push(lazyEntry(fields, () => materialize(dir, cache, i)));
    aliasStart = aliasEnd;
  }
  const provenance = {
    kind: "advisory-db" as const,
    path: dir,
    lastCommit: h.head,
    lastUpdated: h.headTime === null ? null : new Date(h.headTime),
  };
  const diagnostics = h.diagnostics.map(({ relPath, ...d }) =>
    relPath === undefined ? d : { ...d, path: relPath === "" ? dir : join(dir, relPath) },
  );
  return {
    database: Database.fromSortedEntries(entries, provenance),
    diagnostics,
    fromCache: true,
  };
}

function relativize(dir: string, d: Diagnostic): Diagnostic & { relPath?: string } {
  if (d.path === dir) return { ...d, relPath: "" };
  const rel = relative(dir, d.path);
  return rel.startsWith("..") || isAbsolute(rel) ? d : { ...d, relPath: rel };
}

/**
 * Loads an advisory-db directory, through the compiled cache unless `useCache` is false.
 * Provenance: `lastCommit`/`lastUpdated` are HEAD's when `dir` is the root of a git checkout.
 */
export function loadDatabase(dir: string, opts: LoadOptions = {}): CachedLoadResult {
  const head = readGitHead(dir);
  if (opts.useCache === false) {
    const { database, diagnostics } = loadDirDetailed(dir, {
      lastCommit: head,
      lastUpdated: headTimeOf(dir, head),
    });
    return { database, diagnostics, fromCache: false };
  }
  const file = compiledCacheFile(opts.cacheDir ?? defaultCacheDir(), resolve(dir));
  const cached = readCacheFile(file, keyOf(head));
  let listed: Listed | undefined;
  if (cached) {
    const checked = check(dir, cached.header);
    if (checked.fresh) {
      if (checked.header !== cached.header) rewriteCacheHeader(file, cached, checked.header);
      return fromCache(dir, cached);
    }
    listed = checked.listed;
  }

  const { listing, dirs, files } = listed ?? list(dir);
  // Stamped before they are read: an edit in between makes the stamp stale, never the data.
  const fileStamps = stampPaths(dir + sep, files);
  const headTime = headTimeOf(dir, head);
  const loaded = loadDirDetailed(dir, { lastCommit: head, lastUpdated: headTime }, listing);
  // Nothing worth caching (and no stray cache files for mistyped paths).
  if (files.length > 0) {
    store(file, dir, { head, headTime }, loaded, {
      shape: listing.shape,
      dirs: dirs.rels,
      dirStamps: Float64Array.from(dirs.stamps),
      files,
      fileStamps: Float64Array.from(fileStamps),
    });
  }
  return { database: loaded.database, diagnostics: loaded.diagnostics, fromCache: false };
}

function store(
  file: string,
  dir: string,
  git: { head: string | null; headTime: Date | null },
  loaded: DetailedLoad,
  stamps: Pick<CacheHeader, "shape" | "dirs" | "dirStamps" | "files" | "fileStamps">,
): void {
  const entries = sortEntries(
    loaded.advisories.map(({ advisory, rel }) => eagerEntry(advisory, rel)),
  );
  const fileIndex = new Map(stamps.files.map((rel, i) => [rel, i]));
  const aliasEnds = new Uint32Array(entries.length);
  let aliasEnd = 0;
  entries.forEach((e, i) => {
    aliasEnd += e.aliases.length;
    aliasEnds[i] = aliasEnd;
  });
  writeCacheFile(
    file,
    {
      format: CACHE_FORMAT,
      key: keyOf(git.head),
      head: git.head,
      headTime: git.headTime?.getTime() ?? null,
      diagnostics: loaded.diagnostics.map((d) => relativize(dir, d)),
      ids: entries.map((e) => e.id),
      packages: entries.map((e) => e.package),
      collections: Uint8Array.from(entries, (e) => COLLECTION_CODES.indexOf(e.collection)),
      aliases: entries.flatMap((e) => e.aliases),
      aliasEnds,
      sources: Int32Array.from(entries, (e) =>
        e.rel === null ? -1 : (fileIndex.get(e.rel) ?? -1),
      ),
      racy: loaded.racy,
      ...stamps,
    },
    entries.map((e) => encodeAdvisory(e.advisory())),
  );
}

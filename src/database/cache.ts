/**
 * The compiled cache: a repeated run reuses the parsed database instead of re-reading every
 * Markdown file. The key covers the code, the git HEAD and a stat fingerprint of every file
 * (see fingerprint.ts), so the cache is never served stale. Any problem with the cache file
 * (missing, corrupt, other version, unwritable directory) silently falls back to a full load.
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { deserialize } from "node:v8";
import type { Advisory } from "../advisory/model.js";
import { parseAdvisoryFile } from "../advisory/parse.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import {
  CACHE_FORMAT,
  type CacheFile,
  readCacheFile,
  rewriteCacheHeader,
  writeCacheFile,
} from "./cache-file.js";
import { codeStamp } from "./code-stamp.js";
import { decodeAdvisory, encodeAdvisory, type StoredAdvisory } from "./codec.js";
import { Database, sortEntries } from "./database.js";
import { eagerEntry, lazyEntry } from "./entry.js";
import { fingerprint, statStamps } from "./fingerprint.js";
import { headCommitSync } from "./git-command.js";
import { readGitHead } from "./git-head.js";
import { listDatabaseDir } from "./layout.js";
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

const keyOf = (head: string | null, fp: string): string => `${codeStamp()}:${head ?? "-"}:${fp}`;

function headTimeOf(dir: string, head: string | null): Date | null {
  if (head === null) return null;
  try {
    return headCommitSync(dir).time;
  } catch {
    return null;
  }
}

/**
 * Decodes entry `i`. Should its blob turn out damaged, the advisory is parsed again from its
 * file, which the fingerprint has just shown to be unchanged.
 */
function materializer(dir: string, cache: CacheFile, i: number): () => Advisory {
  const { ids, packages, rels, collections } = cache.header;
  return () => {
    try {
      const a = decodeAdvisory(deserialize(cache.blob(i)) as StoredAdvisory);
      if (a.metadata.id === ids[i] && a.metadata.package === packages[i]) return a;
    } catch {
      // fall through to a re-parse
    }
    const path = dir + sep + (rels[i] as string).split("/").join(sep);
    const read = readBounded(path);
    const parsed =
      "bytes" in read ? parseAdvisoryFile(read.bytes, path, { collection: collections[i] }) : null;
    if (parsed?.ok) return parsed.advisory;
    throw new Error(`compiled cache entry for ${path} is damaged and the file no longer parses`);
  };
}

function fromCache(dir: string, cache: CacheFile): CachedLoadResult {
  const h = cache.header;
  const entries = h.ids.map((id, i) =>
    lazyEntry(
      {
        id,
        package: h.packages[i] as string,
        collection: h.collections[i] ?? null,
        aliases: h.aliases[i] ?? [],
        rel: h.rels[i] ?? null,
      },
      materializer(dir, cache, i),
    ),
  );
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
  const listing = listDatabaseDir(dir);
  const cached = readCacheFile(file, keyOf(head, fingerprint(listing, statStamps(listing))));
  if (cached && racyFilesUnchanged(dir, cached.header.racy)) {
    if (cached.header.racy.length > 0 && racyFilesSettled(dir, cached.header.racy)) {
      rewriteCacheHeader(file, cached, { ...cached.header, racy: [] });
    }
    return fromCache(dir, cached);
  }

  const headTime = headTimeOf(dir, head);
  const loaded = loadDirDetailed(dir, { lastCommit: head, lastUpdated: headTime }, listing);
  // Nothing worth caching (and no stray cache files for mistyped paths).
  if (listing.files.length > 0) store(file, dir, { head, headTime }, loaded);
  return { database: loaded.database, diagnostics: loaded.diagnostics, fromCache: false };
}

function store(
  file: string,
  dir: string,
  git: { head: string | null; headTime: Date | null },
  loaded: DetailedLoad,
): void {
  const entries = sortEntries(
    loaded.advisories.map(({ advisory, rel }) => eagerEntry(advisory, rel)),
  );
  writeCacheFile(
    file,
    {
      format: CACHE_FORMAT,
      key: keyOf(git.head, loaded.fingerprint),
      head: git.head,
      headTime: git.headTime?.getTime() ?? null,
      diagnostics: loaded.diagnostics.map((d) => relativize(dir, d)),
      ids: entries.map((e) => e.id),
      packages: entries.map((e) => e.package),
      collections: entries.map((e) => e.collection),
      aliases: entries.map((e) => e.aliases),
      rels: entries.map((e) => e.rel ?? ""),
      racy: loaded.racy,
    },
    entries.map((e) => encodeAdvisory(e.advisory())),
  );
}

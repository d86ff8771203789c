/**
 * The git source: keeps a clone of an advisory-db repository up to date with the system `git`
 * (like cargo-audit: clone, or fetch + hard reset to the remote HEAD) and loads it.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { type CachedLoadResult, loadDatabase } from "./cache.js";
import { DatabaseError } from "./errors.js";
import { git, headCommit } from "./git-command.js";
import { gitDirOf } from "./git-head.js";
import { cloneDirFor, DEFAULT_DB_URL, defaultCacheDir } from "./paths.js";

/** cargo-audit's limit: a database whose last commit is older than this is refused when fetching. */
export const STALE_AFTER_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface OpenOptions {
  /** Where the checkout lives; default `<cacheDir>/advisory-db/<slug of url>`. */
  readonly path?: string;
  /** Repository to clone/fetch: https, file:// or a local repository path. */
  readonly url?: string;
  /** Default true. False opens `path` as it is: no network, no staleness check, no git needed. */
  readonly fetch?: boolean;
  /** Allow a last commit older than 90 days. */
  readonly stale?: boolean;
  /** cratesec's cache root (default `$XDG_CACHE_HOME/cratesec` or `~/.cache/cratesec`). */
  readonly cacheDir?: string;
  /** Use the compiled cache (default true). */
  readonly useCache?: boolean;
  /** The current time, for the staleness check. */
  readonly now?: Date;
}

/** True when something other than an empty directory is at `path`. */
function occupied(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return readdirSync(path).length > 0;
  } catch {
    return true;
  }
}

async function clone(url: string, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  // Clone beside the target and rename, so an interrupted clone never looks like a database.
  const tmp = `${path}.clone-${process.pid}-${Date.now()}`;
  try {
    await git(["clone", "--quiet", "--", url, tmp]);
    if (existsSync(path) && !occupied(path)) rmSync(path, { recursive: true });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process may have finished the same clone first.
    if (!(err instanceof DatabaseError) && gitDirOf(path)) return;
    throw err;
  }
}

async function update(url: string, path: string): Promise<void> {
  await git(["fetch", "--quiet", "--no-tags", "--", url, "HEAD"], path);
  await git(["reset", "--quiet", "--hard", "FETCH_HEAD"], path);
}

async function checkFresh(path: string, now: Date): Promise<void> {
  const { time } = await headCommit(path);
  const ageDays = (now.getTime() - time.getTime()) / DAY_MS;
  if (ageDays > STALE_AFTER_DAYS) {
    throw new DatabaseError(
      `advisory database at ${path} is stale: its last commit (${time.toISOString()}) is ` +
        `${Math.floor(ageDays)} days old (limit ${STALE_AFTER_DAYS}); use --stale to allow it`,
    );
  }
}

/**
 * Opens the advisory database: with `fetch` (the default), clones `url` into `path` or brings an
 * existing clone up to date, refuses a stale result unless `stale`, then loads it (through the
 * compiled cache). Throws DatabaseError with a one-line message on any failure.
 */
export async function openDatabase(opts: OpenOptions = {}): Promise<CachedLoadResult> {
  const url = opts.url ?? DEFAULT_DB_URL;
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const path = opts.path ?? cloneDirFor(cacheDir, url);
  const loadOpts = { cacheDir, useCache: opts.useCache ?? true };

  if (opts.fetch === false) {
    if (!existsSync(path)) {
      throw new DatabaseError(`advisory database not found at ${path}; run without --no-fetch`);
    }
    return loadDatabase(path, loadOpts);
  }

  if (gitDirOf(path)) {
    await update(url, path);
  } else if (occupied(path)) {
    throw new DatabaseError(
      `${path} exists but is not a git repository; remove it, or use --no-fetch to read it as is`,
    );
  } else {
    await clone(url, path);
  }
  if (!opts.stale) await checkFresh(path, opts.now ?? new Date());
  return loadDatabase(path, loadOpts);
}

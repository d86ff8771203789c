/** Where cratesec keeps its clones and compiled caches. */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

export const DEFAULT_DB_URL = "https://github.com/RustSec/advisory-db.git";

/** `$XDG_CACHE_HOME/cratesec`, else `~/.cache/cratesec`: the root of every cratesec cache. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache");
  return join(base, "cratesec");
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** A readable, collision-free directory name for a repository URL. */
export function urlSlug(url: string): string {
  const readable = url
    .replace(/^[a-z+]+:\/\//i, "")
    .replace(/\.git\/?$/, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 80);
  return `${readable || "repo"}-${sha256(url).slice(0, 12)}`;
}

/** Where a clone of `url` lives under a cache root. */
export const cloneDirFor = (cacheDir: string, url: string): string =>
  join(cacheDir, "advisory-db", urlSlug(url));

/** The compiled-cache file for a database directory (by absolute path). */
export const compiledCacheFile = (cacheDir: string, absDbPath: string): string =>
  join(cacheDir, "compiled", `${sha256(absDbPath)}.bin`);

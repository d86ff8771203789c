/**
 * The on-disk HTTP cache of a sparse index: one file per index file, holding the body and the
 * validators (`ETag`, `Last-Modified`) needed to revalidate it with a conditional request.
 *
 * Layout: `<cache root>/index/<slug of the index URL>/<index path>`, where the cache root is
 * `$XDG_CACHE_HOME/cratesec` (else `~/.cache/cratesec`), the same root the advisory-database
 * caches use. A file is a header line followed by the body bytes:
 *
 *     cratesec-index-cache/1 {"etag":…,"lastModified":…,"length":<bytes>,"sha256":<hex>}\n<body>
 *
 * The length and SHA-256 make a truncated or damaged file detectable: it is treated as absent
 * (and is overwritten by the next successful fetch). Writes go to a temporary file in the same
 * directory and are renamed into place, so readers never see a half-written entry. Every cache
 * failure is swallowed: the cache is an optimisation, never a reason for a lookup to fail.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";

const MAGIC = "cratesec-index-cache/1 ";

/** `$XDG_CACHE_HOME/cratesec` (when absolute), else `~/.cache/cratesec`. */
export function defaultCacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache");
  return join(base, "cratesec");
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** A readable, collision-free directory name for an index URL. */
export function indexUrlSlug(url: string): string {
  const readable = url
    .replace(/^(sparse\+)?[a-z]+:\/\//i, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  return `${readable || "index"}-${sha256(url).slice(0, 12)}`;
}

/** The cache directory of one index under a cache root. */
export function indexCacheDir(indexUrl: string, cacheRoot: string = defaultCacheRoot()): string {
  return join(cacheRoot, "index", indexUrlSlug(indexUrl));
}

export interface CachedIndexFile {
  readonly body: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

// Index paths (`se/rd/serde`, `3/l/log`, `config.json`): lowercase segments that never start
// with a dot, so never `.` or `..`.
const SAFE_RELATIVE = /^[a-z0-9_-][a-z0-9_.-]*(\/[a-z0-9_-][a-z0-9_.-]*)*$/;

export class IndexFileCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The cache file for an index path; throws for anything that could leave the cache directory. */
  pathFor(relative: string): string {
    if (!SAFE_RELATIVE.test(relative)) throw new Error(`unsafe index cache path: ${relative}`);
    const file = resolve(this.dir, relative);
    if (!file.startsWith(this.dir + sep)) throw new Error(`unsafe index cache path: ${relative}`);
    return file;
  }

  /** The cached entry, or null when absent, unreadable or corrupt. */
  async read(relative: string): Promise<CachedIndexFile | null> {
    let data: Buffer;
    try {
      data = await readFile(this.pathFor(relative));
    } catch {
      return null;
    }
    return decodeEntry(data);
  }

  /** Stores an entry atomically; returns false (and leaves no temporary file) if it could not. */
  async write(relative: string, entry: CachedIndexFile): Promise<boolean> {
    let file: string;
    try {
      file = this.pathFor(relative);
    } catch {
      return false;
    }
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, encodeEntry(entry));
      await rename(tmp, file);
      return true;
    } catch {
      await rm(tmp, { force: true }).catch(() => {});
      return false;
    }
  }

  /** Forgets an entry (e.g. the crate was deleted from the registry). */
  async remove(relative: string): Promise<void> {
    try {
      await rm(this.pathFor(relative), { force: true });
    } catch {
      // best effort
    }
  }
}

function encodeEntry(entry: CachedIndexFile): Buffer {
  const body = Buffer.from(entry.body, "utf8");
  const header = JSON.stringify({
    etag: entry.etag,
    lastModified: entry.lastModified,
    length: body.length,
    sha256: sha256(body),
  });
  return Buffer.concat([Buffer.from(`${MAGIC}${header}\n`, "utf8"), body]);
}

function decodeEntry(data: Buffer): CachedIndexFile | null {
  const newline = data.indexOf(0x0a);
  if (newline < 0) return null;
  const line = data.subarray(0, newline).toString("utf8");
  if (!line.startsWith(MAGIC)) return null;
  let header: unknown;
  try {
    header = JSON.parse(line.slice(MAGIC.length));
  } catch {
    return null;
  }
  if (typeof header !== "object" || header === null) return null;
  const h = header as Record<string, unknown>;
  const body = data.subarray(newline + 1);
  if (h.length !== body.length || h.sha256 !== sha256(body)) return null;
  return {
    body: body.toString("utf8"),
    etag: typeof h.etag === "string" ? h.etag : null,
    lastModified: typeof h.lastModified === "string" ? h.lastModified : null,
  };
}

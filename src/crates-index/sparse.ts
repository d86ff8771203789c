import { defaultCacheRoot, IndexFileCache, indexCacheDir } from "./cache.js";
import { type IndexVersion, parseIndexFile } from "./entry.js";
import { type LookupManyOptions, type LookupResult, lookupMany } from "./many.js";
import { indexRelativePath, isValidCrateName } from "./path.js";
import { type CratesIndex, IndexUnavailableError, type LookupOptions } from "./source.js";

export const CRATES_IO_SPARSE_INDEX = "https://index.crates.io/";

export interface SparseIndexOptions {
  /** Per-request timeout (default 15 s); a registry that does not answer must not hang a CI job. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /**
   * cratesec's cache root (default `$XDG_CACHE_HOME/cratesec`, else `~/.cache/cratesec`); index
   * files are cached under `<cacheDir>/index/<slug of the index URL>/<index path>`. `false`
   * disables the on-disk cache.
   */
  readonly cacheDir?: string | false;
  /** Never touch the network: answer from the on-disk cache only. */
  readonly offline?: boolean;
  /**
   * Token for registries with `auth-required`: sent raw in `Authorization`, as cargo does.
   * Only sent to the index's own origin.
   */
  readonly token?: string;
}

/** The parts of an index's `config.json` cratesec reads. */
export interface IndexConfig {
  readonly dl: string;
  readonly api: string | null;
  readonly authRequired: boolean;
}

/** Result of fetching one index file: its text, or `null` when the registry does not have it. */
type Fetched = string | null;

/**
 * A sparse (HTTP) crates index such as `https://index.crates.io/`, with an on-disk HTTP cache:
 * every file is stored with its `ETag`/`Last-Modified`, later requests are conditional
 * (`If-None-Match`/`If-Modified-Since`) and a `304 Not Modified` is answered from the cache.
 */
export class SparseIndex implements CratesIndex {
  readonly location: string;
  /** The on-disk cache, or null when disabled. */
  readonly cache: IndexFileCache | null;
  private readonly base: string;

  constructor(
    url: string = CRATES_IO_SPARSE_INDEX,
    private readonly options: SparseIndexOptions = {},
  ) {
    const withoutScheme = url.startsWith("sparse+") ? url.slice("sparse+".length) : url;
    this.base = withoutScheme.endsWith("/") ? withoutScheme : `${withoutScheme}/`;
    this.location = this.base;
    const root = options.cacheDir ?? defaultCacheRoot();
    this.cache = root === false ? null : new IndexFileCache(indexCacheDir(this.base, root));
  }

  get offline(): boolean {
    return this.options.offline === true;
  }

  async versions(
    crateName: string,
    options: LookupOptions = {},
  ): Promise<readonly IndexVersion[] | null> {
    if (!isValidCrateName(crateName)) return null;
    const text = await this.fetchFile(indexRelativePath(crateName), `crate ${crateName}`, options);
    return text === null ? null : parseIndexFile(text);
  }

  /** Bulk lookup with bounded parallelism, see `lookupMany`. Never rejects. */
  versionsMany(
    names: Iterable<string>,
    options: LookupManyOptions = {},
  ): Promise<Map<string, LookupResult>> {
    return lookupMany(this, names, options);
  }

  /** The index's `config.json` (cached like any index file). */
  async config(options: LookupOptions = {}): Promise<IndexConfig> {
    const text = await this.fetchFile("config.json", "config.json", options);
    const url = new URL("config.json", this.base).href;
    if (text === null) throw new IndexUnavailableError(`${url} not found`, "http");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new IndexUnavailableError(`${url} is not valid JSON`, "other");
    }
    const rec = (typeof value === "object" && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    if (typeof rec.dl !== "string") {
      throw new IndexUnavailableError(`${url} has no \`dl\` download URL`, "other");
    }
    return {
      dl: rec.dl,
      api: typeof rec.api === "string" ? rec.api : null,
      authRequired: rec["auth-required"] === true,
    };
  }

  /** Fetches (or revalidates) one index file; `relative` must come from indexRelativePath. */
  private async fetchFile(
    relative: string,
    what: string,
    options: LookupOptions,
  ): Promise<Fetched> {
    const url = new URL(relative, this.base);
    const cached = this.cache ? await this.cache.read(relative) : null;
    if (this.offline) {
      if (cached) return cached.body;
      throw new IndexUnavailableError(
        `${what} (${url.href}) is not in the local index cache (offline)`,
        "offline",
      );
    }
    if (options.signal?.aborted) throw fetchError(options.signal.reason, url, options.signal);

    const headers: Record<string, string> = { "user-agent": this.options.userAgent ?? "cratesec" };
    if (this.options.token !== undefined) headers.authorization = this.options.token;
    if (cached?.etag) headers["if-none-match"] = cached.etag;
    if (cached?.lastModified) headers["if-modified-since"] = cached.lastModified;

    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 15_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let body = "";
    try {
      response = await fetchFollowing(url, headers, signal);
      if (response.status === 200) body = await response.text();
      else await response.body?.cancel();
    } catch (err) {
      throw fetchError(err, url, options.signal);
    }

    if (response.status === 304) {
      if (cached) return cached.body;
      throw new IndexUnavailableError(
        `${url.href} answered 304 Not Modified to an unconditional request`,
        "http",
      );
    }
    // 404, 410 (deleted) and 451 (legal) all mean the registry has no such crate (registry.md §5).
    if (response.status === 404 || response.status === 410 || response.status === 451) {
      if (cached) await this.cache?.remove(relative);
      return null;
    }
    if (response.status === 401 || response.status === 403) {
      const login = /login_url="([^"]*)"/.exec(response.headers.get("www-authenticate") ?? "")?.[1];
      throw new IndexUnavailableError(
        `${url.href} answered HTTP ${response.status}: the registry requires ${
          this.options.token === undefined ? "a token" : "a valid token"
        }${login ? ` (log in at ${login})` : ""}`,
        "auth",
      );
    }
    if (response.status !== 200) {
      throw new IndexUnavailableError(`${url.href} answered HTTP ${response.status}`, "http");
    }
    if (this.cache) {
      await this.cache.write(relative, {
        body,
        etag: response.headers.get("etag"),
        lastModified: response.headers.get("last-modified"),
      });
    }
    return body;
  }
}

const MAX_REDIRECTS = 5;

/** `fetch`, following redirects by hand so that a token never leaves the index's origin. */
async function fetchFollowing(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { headers, signal, redirect: "manual" });
    const location = response.headers.get("location");
    if (![301, 302, 303, 307, 308].includes(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hop === MAX_REDIRECTS) {
      throw new IndexUnavailableError(`${url.href}: too many redirects`, "http");
    }
    const next = new URL(location, current);
    if (next.origin !== current.origin) {
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    current = next;
  }
}

function fetchError(err: unknown, url: URL, callerSignal: AbortSignal | undefined): Error {
  if (err instanceof IndexUnavailableError) return err;
  if (callerSignal?.aborted) {
    const reason = callerSignal.reason;
    return reason instanceof IndexUnavailableError
      ? reason
      : new IndexUnavailableError(`request for ${url.href} aborted`, "aborted", { cause: reason });
  }
  const e = err as Error & { cause?: Error };
  if (e?.name === "TimeoutError") {
    return new IndexUnavailableError(`${url.href} did not answer in time`, "timeout", {
      cause: err,
    });
  }
  return new IndexUnavailableError(
    `cannot reach ${url.href}: ${e?.cause?.message ?? e?.message}`,
    "network",
    {
      cause: err,
    },
  );
}

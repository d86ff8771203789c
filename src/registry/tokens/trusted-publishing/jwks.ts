/**
 * Where the issuers' signing keys come from.
 *
 * - {@link StaticJwksProvider}: key sets given in the configuration (air-gapped servers, tests).
 * - {@link FetchingJwksProvider}: OIDC discovery (`{issuer}/.well-known/openid-configuration` →
 *   `jwks_uri`) with global `fetch`, a cache, and a refresh when an unknown `kid` shows up that
 *   happens at most once per `minRefreshIntervalMs` per issuer (crates.io: 60 s), so a stream of
 *   tokens with made-up key ids cannot make us hammer the issuer. Only configured issuers are
 *   ever fetched (no fetch driven by an unverified `iss`). Constructed by the server only.
 */
import { TrustedPublishingError } from "./errors.js";
import type { Jwk } from "./jwt.js";

export interface JwksProvider {
  /**
   * The key with this `kid` for this issuer, or undefined when the issuer has no such key.
   * Throws {@link TrustedPublishingError} `jwks-unavailable` when the key set cannot be loaded
   * and `unsupported-issuer` for an issuer it does not serve.
   */
  getKey(issuer: string, kid: string): Promise<Jwk | undefined>;
}

export interface JwkSet {
  readonly keys: readonly Jwk[];
}

function isJwk(value: unknown): value is Jwk {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { kty?: unknown }).kty === "string"
  );
}

/** The keys of a JWKS document that carry a string `kid` (others cannot be selected; skipped). */
export function keysById(jwks: unknown): Map<string, Jwk> {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray((jwks as JwkSet).keys)) {
    throw new TrustedPublishingError("jwks-unavailable", "JWKS document has no `keys` array");
  }
  const out = new Map<string, Jwk>();
  for (const key of (jwks as JwkSet).keys) {
    if (isJwk(key) && typeof key.kid === "string" && key.kid !== "" && !out.has(key.kid)) {
      out.set(key.kid, key);
    }
  }
  return out;
}

function normaliseIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, "");
}

/** Fixed key sets per issuer. */
export class StaticJwksProvider implements JwksProvider {
  readonly #sets = new Map<string, Map<string, Jwk>>();

  constructor(sets: Readonly<Record<string, JwkSet>> | ReadonlyMap<string, JwkSet>) {
    const entries = sets instanceof Map ? [...sets.entries()] : Object.entries(sets);
    for (const [issuer, set] of entries) this.#sets.set(normaliseIssuer(issuer), keysById(set));
  }

  async getKey(issuer: string, kid: string): Promise<Jwk | undefined> {
    const keys = this.#sets.get(normaliseIssuer(issuer));
    if (keys === undefined) {
      throw new TrustedPublishingError("unsupported-issuer", `Unsupported JWT issuer: ${issuer}`);
    }
    return keys.get(kid);
  }
}

export interface FetchingJwksOptions {
  /** Issuer URLs to serve; optionally with a fixed `jwksUri` (skips discovery). */
  readonly issuers: readonly (string | { readonly issuer: string; readonly jwksUri?: string })[];
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Keys older than this are refetched before use (default 1 h). Stale keys are used only when a refetch fails. */
  readonly maxAgeMs?: number;
  /** At most one fetch per issuer in this interval, whatever happens (default 60 s, as crates.io). */
  readonly minRefreshIntervalMs?: number;
  /** Per request (default 5 s, as crates.io). */
  readonly timeoutMs?: number;
  /** Largest discovery or JWKS document accepted (default 1 MiB). */
  readonly maxBytes?: number;
  /** Allow `http:` URLs (tests on loopback only). Default false: `https:` required. */
  readonly allowHttp?: boolean;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

interface CacheEntry {
  keys: Map<string, Jwk> | undefined;
  fetchedAt: number;
  lastAttemptAt: number;
  inflight: Promise<void> | undefined;
  lastError: unknown;
}

export class FetchingJwksProvider implements JwksProvider {
  readonly #issuers = new Map<string, string | undefined>();
  readonly #cache = new Map<string, CacheEntry>();
  readonly #fetch: typeof fetch;
  readonly #maxAgeMs: number;
  readonly #minRefreshMs: number;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #allowHttp: boolean;
  readonly #now: () => number;
  /** Number of HTTP requests made (observability, tests). */
  requests = 0;

  constructor(options: FetchingJwksOptions) {
    for (const item of options.issuers) {
      const { issuer, jwksUri } =
        typeof item === "string" ? { issuer: item, jwksUri: undefined } : item;
      this.#issuers.set(normaliseIssuer(issuer), jwksUri);
    }
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.#minRefreshMs = options.minRefreshIntervalMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#maxBytes = options.maxBytes ?? 1_048_576;
    this.#allowHttp = options.allowHttp ?? false;
    this.#now = options.now ?? Date.now;
  }

  async getKey(issuer: string, kid: string): Promise<Jwk | undefined> {
    const id = normaliseIssuer(issuer);
    if (!this.#issuers.has(id)) {
      throw new TrustedPublishingError("unsupported-issuer", `Unsupported JWT issuer: ${issuer}`);
    }
    let entry = this.#cache.get(id);
    if (entry === undefined) {
      entry = {
        keys: undefined,
        fetchedAt: 0,
        lastAttemptAt: -Infinity,
        inflight: undefined,
        lastError: undefined,
      };
      this.#cache.set(id, entry);
    }
    const now = this.#now();
    const fresh = entry.keys !== undefined && now - entry.fetchedAt < this.#maxAgeMs;
    if (fresh && entry.keys?.has(kid)) return entry.keys.get(kid);

    // Stale, never loaded, or an unknown kid: refresh, at most once per interval.
    if (entry.inflight !== undefined) {
      await entry.inflight;
    } else if (now - entry.lastAttemptAt >= this.#minRefreshMs) {
      entry.lastAttemptAt = now;
      const run = this.#refresh(id, entry);
      entry.inflight = run;
      try {
        await run;
      } finally {
        entry.inflight = undefined;
      }
    }
    if (entry.keys === undefined) {
      throw new TrustedPublishingError(
        "jwks-unavailable",
        `Failed to load the OIDC key set of ${issuer}`,
        { cause: entry.lastError },
      );
    }
    // Stale keys (refresh failed or rate-limited) are still the issuer's last known keys.
    return entry.keys.get(kid);
  }

  async #refresh(issuer: string, entry: CacheEntry): Promise<void> {
    try {
      let jwksUri = this.#issuers.get(issuer);
      if (jwksUri === undefined) {
        const discovery = await this.#getJson(`${issuer}/.well-known/openid-configuration`);
        const doc = discovery as { issuer?: unknown; jwks_uri?: unknown };
        if (typeof doc !== "object" || doc === null)
          throw new Error("discovery document is not an object");
        if (typeof doc.issuer !== "string" || normaliseIssuer(doc.issuer) !== issuer) {
          throw new Error(
            `discovery document names issuer ${String(doc.issuer)}, expected ${issuer}`,
          );
        }
        if (typeof doc.jwks_uri !== "string") throw new Error("discovery document has no jwks_uri");
        jwksUri = doc.jwks_uri;
      }
      const keys = keysById(await this.#getJson(jwksUri));
      entry.keys = keys;
      entry.fetchedAt = this.#now();
      entry.lastError = undefined;
    } catch (error) {
      // Keep the previous keys (if any); the caller decides.
      entry.lastError = error;
    }
  }

  async #getJson(url: string): Promise<unknown> {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && !(this.#allowHttp && parsed.protocol === "http:")) {
      throw new Error(`refusing to fetch ${url}: https required`);
    }
    this.requests++;
    const response = await this.#fetch(parsed, {
      headers: { accept: "application/json", "user-agent": "cratesec" },
      redirect: "error",
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > this.#maxBytes)
      throw new Error(`GET ${url}: body larger than ${this.#maxBytes} bytes`);
    const text = await readCapped(response, this.#maxBytes, url);
    return JSON.parse(text) as unknown;
  }
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`GET ${url}: body larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

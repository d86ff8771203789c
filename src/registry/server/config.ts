/** What the HTTP server needs to know; `serve` builds it from the registry configuration. */
import type { PublishConfig } from "../publish/index.js";
import type { JwksProvider } from "../tokens/index.js";

export type RateLimitedAction = "publish-new" | "publish-update" | "yank";

export interface RateLimit {
  /** Requests allowed per window (per user, and separately per token). */
  readonly max: number;
  readonly windowMs: number;
}

export interface TrustedPublishingServerConfig {
  readonly jwks: JwksProvider;
  /** Expected `aud` of the OIDC JWTs. */
  readonly audience: string;
  /** Accepted issuers. */
  readonly issuers: readonly string[];
  readonly leewaySeconds?: number;
}

export interface RegistryServerConfig {
  /** Listen address (default 127.0.0.1:8000; port 0 picks a free port). */
  readonly host?: string;
  readonly port?: number;
  /**
   * The URL cargo reaches this server at, without a trailing slash. Default: the listen
   * address (`http://HOST:PORT`) once listening.
   */
  readonly publicUrl?: string;
  /** Private registry: every index, download, search and owners request needs a token. */
  readonly authRequired?: boolean;
  /** Shown by cargo on a 401 (`www-authenticate: Cargo login_url="…"`). Default `<publicUrl>/me`. */
  readonly loginUrl?: string;
  readonly publish?: Partial<PublishConfig>;
  /** Per action; a missing action falls back to {@link DEFAULT_RATE_LIMITS}; null disables. */
  readonly rateLimits?: Partial<Record<RateLimitedAction, RateLimit | null>>;
  /** Trusted publishing exchange; the endpoint answers 404 when absent. */
  readonly trustedPublishing?: TrustedPublishingServerConfig | null;
  /** Trust `X-Forwarded-For` (behind a reverse proxy). Default false. */
  readonly trustProxy?: boolean;
}

export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitedAction, RateLimit>> = Object.freeze({
  "publish-new": { max: 10, windowMs: 10 * 60_000 },
  "publish-update": { max: 60, windowMs: 60_000 },
  yank: { max: 60, windowMs: 60_000 },
});

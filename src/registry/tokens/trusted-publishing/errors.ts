/** The only error the Trusted Publishing code throws (everything else is a bug). */

export type TrustedPublishingErrorCode =
  /** Not a compact JWS: segments, base64url, JSON, size. */
  | "malformed-jwt"
  /** `alg` is not RS256/ES256 (`none`, HS*, …) or `crit` is present. */
  | "unsupported-algorithm"
  | "missing-kid"
  /** `iss` is not one of the configured issuers. */
  | "unsupported-issuer"
  /** No key with this `kid` in the issuer's JWKS (even after a refresh). */
  | "unknown-kid"
  /** The key with this `kid` is not usable with the JWT's `alg` (type, curve, `alg`, `use`). */
  | "key-algorithm-mismatch"
  /** A key in the configured/fetched JWKS cannot be imported or is too weak (our side). */
  | "invalid-key"
  /** The issuer's JWKS could not be loaded. */
  | "jwks-unavailable"
  | "bad-signature"
  | "invalid-audience"
  /** `exp` is in the past beyond the leeway. */
  | "expired"
  /** `nbf` is in the future beyond the leeway. */
  | "not-yet-valid"
  /** `iat` is in the future beyond the leeway. */
  | "issued-in-future"
  | "missing-claim"
  | "invalid-claim"
  /** The `jti` was already exchanged. */
  | "replayed-jti"
  /** `event_name` is `pull_request_target` or `workflow_run`. */
  | "refused-event"
  /** No publisher config for this repository. */
  | "no-config"
  /** A config exists for the repository name, but its owner id differs (owner renamed/recreated). */
  | "owner-id-mismatch"
  | "workflow-mismatch"
  | "environment-mismatch";

export class TrustedPublishingError extends Error {
  /** HTTP status to answer: 400 for a refused JWT (as crates.io), 500 when our side failed. */
  readonly status: 400 | 500;

  constructor(
    readonly code: TrustedPublishingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TrustedPublishingError";
    this.status = code === "jwks-unavailable" || code === "invalid-key" ? 500 : 400;
  }
}

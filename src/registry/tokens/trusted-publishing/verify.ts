/**
 * Verify a GitHub Actions OIDC token (crates.io `crates_io_trustpub::github::GitHubClaims::decode`
 * plus the exchange's pre-checks): compact JWS, RS256/ES256 only, key chosen by `kid` from the
 * issuer's JWKS, `iss` among the configured issuers, `aud` equal to our audience (a string, as
 * crates.io: an array `aud` is refused), `exp`/`nbf`/`iat` with leeway, then the GitHub claims.
 */
import { TrustedPublishingError } from "./errors.js";
import type { JwksProvider } from "./jwks.js";
import { decodeJws, verifyJwsSignature } from "./jwt.js";

export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
/** crates.io `JWT_LEEWAY`. */
export const DEFAULT_LEEWAY_SECONDS = 60;

export interface VerifyOidcOptions {
  readonly jwks: JwksProvider;
  /** Expected `aud` (crates.io: `TRUSTPUB_AUDIENCE`, default the registry's domain). */
  readonly audience: string;
  /** Accepted `iss` values (exact match), e.g. {@link GITHUB_ACTIONS_ISSUER}. */
  readonly issuers: readonly string[];
  readonly now?: Date;
  readonly leewaySeconds?: number;
}

/** The verified claims we use; `claims` keeps every claim as sent. */
export interface GitHubOidcClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string | undefined;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  readonly nbf: number | undefined;
  /** `owner/name` */
  readonly repository: string;
  readonly repositoryOwner: string;
  /** Decimal string, e.g. `"65"`. */
  readonly repositoryOwnerId: string;
  /** `owner/repo/.github/workflows/NAME.yml@ref`: the top-level workflow (crates.io matches on it). */
  readonly workflowRef: string;
  /** The reusable workflow that runs the job, when different; recorded only. */
  readonly jobWorkflowRef: string | undefined;
  readonly runId: string;
  readonly runAttempt: string | undefined;
  readonly sha: string;
  readonly ref: string | undefined;
  readonly eventName: string;
  readonly environment: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

const MAX_CLAIM_LENGTH = 1024;
/** 9999-12-31T23:59:59Z */
const MAX_NUMERIC_DATE = 253_402_300_799;

function missing(name: string): TrustedPublishingError {
  return new TrustedPublishingError("missing-claim", `JWT is missing the \`${name}\` claim`);
}

function invalid(name: string, why = "has an unexpected value"): TrustedPublishingError {
  return new TrustedPublishingError("invalid-claim", `JWT claim \`${name}\` ${why}`);
}

function requiredString(payload: Readonly<Record<string, unknown>>, name: string): string {
  const value = payload[name];
  if (value === undefined || value === null) throw missing(name);
  if (typeof value !== "string") throw invalid(name, "is not a string");
  if (value === "") throw invalid(name, "is empty");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters.
  if (value.length > MAX_CLAIM_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(name, "is too long or contains control characters");
  }
  return value;
}

function optionalString(
  payload: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = payload[name];
  if (value === undefined || value === null || value === "") return undefined;
  return requiredString(payload, name);
}

function numericDate(payload: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = payload[name];
  if (value === undefined || value === null) return undefined;
  // Seconds since the epoch, up to the end of year 9999 (so it is always a valid Date too).
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_NUMERIC_DATE
  ) {
    throw invalid(name, "is not a NumericDate");
  }
  return value;
}

export async function verifyOidcToken(
  jwt: string,
  options: VerifyOidcOptions,
): Promise<GitHubOidcClaims> {
  const jws = decodeJws(jwt);
  const { header, payload } = jws;

  const kid = header.kid;
  if (kid === undefined || kid === null) {
    throw new TrustedPublishingError("missing-kid", "Missing JWT key ID");
  }
  if (typeof kid !== "string" || kid === "" || kid.length > 256) {
    throw new TrustedPublishingError("missing-kid", "JWT key ID is not a non-empty string");
  }

  // Only to pick the key set; trusted only after the signature is verified.
  const iss = requiredString(payload, "iss");
  if (!options.issuers.includes(iss)) {
    throw new TrustedPublishingError("unsupported-issuer", `Unsupported JWT issuer: ${iss}`);
  }

  let jwk: Awaited<ReturnType<JwksProvider["getKey"]>>;
  try {
    jwk = await options.jwks.getKey(iss, kid);
  } catch (error) {
    if (error instanceof TrustedPublishingError) throw error;
    throw new TrustedPublishingError("jwks-unavailable", "Failed to load OIDC key set", {
      cause: error,
    });
  }
  if (jwk === undefined) throw new TrustedPublishingError("unknown-kid", "Invalid JWT key ID");
  verifyJwsSignature(jws, jwk);

  // Registered claims.
  const audValue = payload.aud;
  if (audValue === undefined || audValue === null) throw missing("aud");
  if (typeof audValue !== "string") {
    throw new TrustedPublishingError("invalid-audience", "JWT audience must be a single string");
  }
  if (audValue !== options.audience) {
    throw new TrustedPublishingError(
      "invalid-audience",
      `JWT audience \`${audValue}\` is not \`${options.audience}\``,
    );
  }
  const nowSeconds = (options.now ?? new Date()).getTime() / 1000;
  const leeway = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const exp = numericDate(payload, "exp");
  if (exp === undefined) throw missing("exp");
  if (nowSeconds > exp + leeway) {
    throw new TrustedPublishingError(
      "expired",
      `JWT expired at ${new Date(exp * 1000).toISOString()}`,
    );
  }
  const nbf = numericDate(payload, "nbf");
  if (nbf !== undefined && nbf > nowSeconds + leeway) {
    throw new TrustedPublishingError(
      "not-yet-valid",
      `JWT is not valid before ${new Date(nbf * 1000).toISOString()}`,
    );
  }
  const iat = numericDate(payload, "iat");
  if (iat === undefined) throw missing("iat");
  if (iat > nowSeconds + leeway) {
    throw new TrustedPublishingError("issued-in-future", "JWT was issued in the future");
  }
  const jti = requiredString(payload, "jti");

  // GitHub Actions claims.
  const repository = requiredString(payload, "repository");
  const repositoryOwner = requiredString(payload, "repository_owner");
  const repositoryOwnerId = requiredString(payload, "repository_owner_id");
  const workflowRef = requiredString(payload, "workflow_ref");
  const runId = requiredString(payload, "run_id");
  const sha = requiredString(payload, "sha");
  const eventName = requiredString(payload, "event_name");

  return {
    iss,
    aud: audValue,
    sub: optionalString(payload, "sub"),
    jti,
    iat,
    exp,
    nbf,
    repository,
    repositoryOwner,
    repositoryOwnerId,
    workflowRef,
    jobWorkflowRef: optionalString(payload, "job_workflow_ref"),
    runId,
    runAttempt: optionalString(payload, "run_attempt"),
    sha,
    ref: optionalString(payload, "ref"),
    eventName,
    environment: optionalString(payload, "environment"),
    claims: payload,
  };
}

/**
 * `POST /api/v1/trusted_publishing/tokens` without the HTTP: verify the OIDC JWT, match the
 * publisher configs, consume the `jti`, mint a 30-minute token bound to the matching crates.
 *
 * The `jti` is claimed after everything else has passed. crates.io inserts it earlier but inside
 * the exchange's database transaction, which rolls back on any later failure, so there too a
 * refused exchange does not burn the JWT; claiming last gives the same result without needing a
 * transaction around the {@link JtiStore}.
 */
import { generateToken, hashToken } from "../token-format.js";
import { TrustedPublishingError } from "./errors.js";
import type { JtiStore } from "./jti-store.js";
import { matchPublisherConfig, type PublisherConfig } from "./match.js";
import {
  DEFAULT_LEEWAY_SECONDS,
  type GitHubOidcClaims,
  type VerifyOidcOptions,
  verifyOidcToken,
} from "./verify.js";

/** crates.io: Trusted Publishing tokens live 30 minutes. */
export const TRUSTED_PUBLISHING_TOKEN_LIFETIME_MS = 30 * 60 * 1000;

/** How the server finds the configs of a repository (it may pre-filter case-insensitively). */
export interface PublisherConfigSource {
  findByRepository(
    issuer: string,
    owner: string,
    name: string,
  ): Promise<readonly PublisherConfig[]>;
}

/** What to record in the audit trail for the exchange and for each publish made with the token. */
export interface TrustedPublishingAudit {
  readonly provider: "github";
  readonly issuer: string;
  readonly repository: string;
  readonly repositoryOwnerId: string;
  readonly workflowRef: string;
  readonly workflowFilename: string;
  readonly jobWorkflowRef: string | null;
  readonly runId: string;
  readonly runAttempt: string | null;
  readonly sha: string;
  readonly ref: string | null;
  readonly eventName: string;
  readonly environment: string | null;
  readonly jti: string;
}

export interface ExchangeResult {
  /** Plaintext `cratesec_tp_…` token: return it once, never store it. */
  readonly token: string;
  /** SHA-256 hex of {@link token}: store this. */
  readonly tokenHash: string;
  /** Crates the token may publish new versions of. */
  readonly crates: readonly string[];
  readonly expiresAt: Date;
  readonly audit: TrustedPublishingAudit;
  readonly configs: readonly PublisherConfig[];
  readonly claims: GitHubOidcClaims;
}

export interface ExchangeOptions extends VerifyOidcOptions {
  readonly configs: PublisherConfigSource | readonly PublisherConfig[];
  readonly jtiStore: JtiStore;
  /** Token generator (tests); defaults to a CSPRNG `cratesec_tp_` token. */
  readonly generateToken?: () => string;
}

export function auditRecord(
  claims: GitHubOidcClaims,
  workflowFilename: string,
): TrustedPublishingAudit {
  return {
    provider: "github",
    issuer: claims.iss,
    repository: claims.repository,
    repositoryOwnerId: claims.repositoryOwnerId,
    workflowRef: claims.workflowRef,
    workflowFilename,
    jobWorkflowRef: claims.jobWorkflowRef ?? null,
    runId: claims.runId,
    runAttempt: claims.runAttempt ?? null,
    sha: claims.sha,
    ref: claims.ref ?? null,
    eventName: claims.eventName,
    environment: claims.environment ?? null,
    jti: claims.jti,
  };
}

export async function exchangeOidcToken(
  jwt: string,
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  const now = options.now ?? new Date();
  const claims = await verifyOidcToken(jwt, { ...options, now });

  let configs: readonly PublisherConfig[];
  if (Array.isArray(options.configs)) {
    configs = options.configs as readonly PublisherConfig[];
  } else {
    const slash = claims.repository.indexOf("/");
    const owner = slash > 0 ? claims.repository.slice(0, slash) : claims.repository;
    const name = slash > 0 ? claims.repository.slice(slash + 1) : "";
    configs = await (options.configs as PublisherConfigSource).findByRepository(
      claims.iss,
      owner,
      name,
    );
  }
  const match = matchPublisherConfig(claims, configs);

  const leeway = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const jtiExpiry = new Date((claims.exp + leeway) * 1000);
  if (!(await options.jtiStore.claim(claims.jti, jtiExpiry))) {
    throw new TrustedPublishingError("replayed-jti", "JWT has already been used");
  }

  const token = (options.generateToken ?? (() => generateToken("trusted-publishing")))();
  return {
    token,
    tokenHash: hashToken(token),
    crates: match.crates,
    expiresAt: new Date(now.getTime() + TRUSTED_PUBLISHING_TOKEN_LIFETIME_MS),
    audit: auditRecord(claims, match.workflowFilename),
    configs: match.configs,
    claims,
  };
}

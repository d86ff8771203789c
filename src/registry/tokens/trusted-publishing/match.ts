/**
 * Which crates a verified GitHub OIDC token may publish: crates.io's
 * `handle_github_token_inner` (src/controllers/trustpub/tokens/exchange), step by step:
 *
 * 1. `event_name` `pull_request_target` / `workflow_run` are refused (crates.io PR #12219): they
 *    run with the target repository's privileges but can be triggered from forks.
 * 2. `repository` is split at the first `/` into owner and name; the workflow file name is taken
 *    from `workflow_ref` (`owner/repo/.github/workflows/NAME.yml@ref`) with crates.io's regex.
 * 3. Configs whose issuer matches and whose owner and repository name match case-insensitively
 *    (GitHub names are case-insensitive). None → "No Trusted Publishing config found".
 * 4. Keep those whose `repositoryOwnerId` equals the token's `repository_owner_id`: a renamed or
 *    deleted-and-recreated account ("resurrection") gets a new id, so it cannot publish.
 * 5. Keep those whose workflow file name equals the token's, case-sensitively.
 * 6. Keep those without an environment, or whose environment equals the token's
 *    case-insensitively (a config with an environment refuses a token without one).
 * 7. The token covers every crate of every remaining config.
 *
 * Each step that empties the list throws a {@link TrustedPublishingError} naming what differed.
 */
import { TrustedPublishingError } from "./errors.js";
import type { GitHubOidcClaims } from "./verify.js";

/** `event_name` values refused by crates.io. */
export const REFUSED_EVENTS: readonly string[] = ["pull_request_target", "workflow_run"];

/** A crate's GitHub Actions publisher (crates.io `trustpub_configs_github`). */
export interface PublisherConfig {
  readonly id?: string | number;
  /** The crate's stored name. */
  readonly crate: string;
  /** OIDC issuer, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string;
  /** GitHub account (user or organisation) that owns the repository. */
  readonly repositoryOwner: string;
  /** That account's numeric id, recorded when the config was created. */
  readonly repositoryOwnerId: string | number;
  /** Repository name WITHOUT the owner (crates.io `repository_name`). */
  readonly repository: string;
  /** File name only, e.g. `release.yml`. */
  readonly workflowFilename: string;
  /** GitHub environment the job must run in; null/undefined: any or none. */
  readonly environment?: string | null;
}

export interface PublisherMatch {
  /** Crate names the exchanged token may publish (sorted, unique). */
  readonly crates: readonly string[];
  readonly configs: readonly PublisherConfig[];
  readonly workflowFilename: string;
}

const WORKFLOW_REF_RE = /([^/]+\.(yml|yaml))(@.+)/;

/**
 * The workflow file name in a GitHub workflow ref, or undefined when the ref has an unexpected
 * shape: `rust-lang/regex/.github/workflows/ci.yml@refs/heads/main` → `ci.yml` (crates.io's
 * `extract_workflow_filename`, same regex, same results on its test table).
 */
export function extractWorkflowFilename(workflowRef: string): string | undefined {
  return WORKFLOW_REF_RE.exec(workflowRef)?.[1];
}

/** Decimal owner id in canonical form, or undefined when it is not a non-negative integer. */
export function canonicalOwnerId(id: string | number): string | undefined {
  const text = typeof id === "number" ? (Number.isSafeInteger(id) ? String(id) : "") : id;
  if (!/^\d{1,20}$/.test(text)) return undefined;
  return BigInt(text).toString();
}

const MAX_FIELD_LENGTH = 255;

/**
 * crates.io's `github::validation` for a config about to be stored; returns the first problem,
 * or undefined when the config is acceptable.
 */
export function publisherConfigProblem(config: PublisherConfig): string | undefined {
  const {
    repositoryOwner: owner,
    repository: repo,
    workflowFilename: wf,
    environment: env,
  } = config;
  if (owner === "") return "GitHub repository owner name may not be empty";
  if (owner.length > MAX_FIELD_LENGTH)
    return `GitHub repository owner name is too long (maximum is ${MAX_FIELD_LENGTH} characters)`;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]*$/.test(owner)) return "Invalid GitHub repository owner name";
  if (canonicalOwnerId(config.repositoryOwnerId) === undefined)
    return "Invalid GitHub repository owner id";
  if (repo === "") return "GitHub repository name may not be empty";
  if (repo.length > MAX_FIELD_LENGTH)
    return `GitHub repository name is too long (maximum is ${MAX_FIELD_LENGTH} characters)`;
  if (!/^[a-zA-Z0-9_.-]+$/.test(repo)) return "Invalid GitHub repository name";
  if (wf === "") return "Workflow filename may not be empty";
  if (wf.length > MAX_FIELD_LENGTH)
    return `Workflow filename is too long (maximum is ${MAX_FIELD_LENGTH} characters)`;
  if (!wf.endsWith(".yml") && !wf.endsWith(".yaml"))
    return "Workflow filename must end with `.yml` or `.yaml`";
  if (wf.includes("/")) return "Workflow filename must be a filename only, without directories";
  if (env !== undefined && env !== null) {
    if (env === "") return "Environment name may not be empty (use `null` to omit)";
    if (env.length > MAX_FIELD_LENGTH)
      return `Environment name is too long (maximum is ${MAX_FIELD_LENGTH} characters)`;
    if (env.startsWith(" ")) return "Environment name may not start with whitespace";
    if (env.endsWith(" ")) return "Environment name may not end with whitespace";
    // biome-ignore lint/suspicious/noControlCharactersInRegex: crates.io's exact character class.
    if (/[\x00-\x1f\x7f'"`,;\\]/.test(env)) {
      return 'Environment name must not contain non-printable characters or the characters "\'", """, "`", ",", ";", "\\"';
    }
  }
  return undefined;
}

/** Throws `refused-event` for the trigger events crates.io refuses. */
export function checkTriggerEvent(claims: Pick<GitHubOidcClaims, "eventName">): void {
  if (REFUSED_EVENTS.includes(claims.eventName)) {
    throw new TrustedPublishingError(
      "refused-event",
      `Trusted Publishing is not allowed for workflows triggered by \`${claims.eventName}\``,
    );
  }
}

function bad(code: "invalid-claim", message: string): TrustedPublishingError {
  return new TrustedPublishingError(code, message);
}

export function matchPublisherConfig(
  claims: GitHubOidcClaims,
  configs: readonly PublisherConfig[],
): PublisherMatch {
  checkTriggerEvent(claims);

  const repo = claims.repository;
  const slash = repo.indexOf("/");
  if (slash <= 0 || slash === repo.length - 1)
    throw bad("invalid-claim", "Unexpected `repository` value");
  const owner = repo.slice(0, slash);
  const name = repo.slice(slash + 1);
  if (claims.repositoryOwner.toLowerCase() !== owner.toLowerCase()) {
    throw bad("invalid-claim", "`repository_owner` does not match `repository`");
  }
  const workflowFilename = extractWorkflowFilename(claims.workflowRef);
  if (workflowFilename === undefined) throw bad("invalid-claim", "Unexpected `workflow_ref` value");
  const ownerId = canonicalOwnerId(claims.repositoryOwnerId);
  if (ownerId === undefined) throw bad("invalid-claim", "Unexpected `repository_owner_id` value");

  let candidates = configs.filter(
    (c) =>
      c.issuer === claims.iss &&
      c.repositoryOwner.toLowerCase() === owner.toLowerCase() &&
      c.repository.toLowerCase() === name.toLowerCase(),
  );
  if (candidates.length === 0) {
    throw new TrustedPublishingError(
      "no-config",
      `No Trusted Publishing config found for repository \`${repo}\`.`,
    );
  }

  const ownerMismatch = candidates.filter((c) => canonicalOwnerId(c.repositoryOwnerId) !== ownerId);
  candidates = candidates.filter((c) => canonicalOwnerId(c.repositoryOwnerId) === ownerId);
  if (candidates.length === 0) {
    const expected = [...new Set(ownerMismatch.map((c) => String(c.repositoryOwnerId)))].join(", ");
    throw new TrustedPublishingError(
      "owner-id-mismatch",
      `The Trusted Publishing config for repository \`${repo}\` does not match the repository owner ID (${ownerId}) in the JWT. Expected owner IDs: ${expected}. Please recreate the Trusted Publishing config to update the repository owner ID.`,
    );
  }

  const workflowMismatch = candidates.filter((c) => c.workflowFilename !== workflowFilename);
  candidates = candidates.filter((c) => c.workflowFilename === workflowFilename);
  if (candidates.length === 0) {
    const expected = [...new Set(workflowMismatch.map((c) => `\`${c.workflowFilename}\``))].join(
      ", ",
    );
    throw new TrustedPublishingError(
      "workflow-mismatch",
      `The Trusted Publishing config for repository \`${repo}\` does not match the workflow filename \`${workflowFilename}\` in the JWT. Expected workflow filenames: ${expected}`,
    );
  }

  const envOk = (c: PublisherConfig): boolean => {
    if (c.environment === undefined || c.environment === null) return true;
    if (claims.environment === undefined) return false;
    return c.environment.toLowerCase() === claims.environment.toLowerCase();
  };
  const envMismatch = candidates.filter((c) => !envOk(c));
  candidates = candidates.filter(envOk);
  if (candidates.length === 0) {
    const expected = [...new Set(envMismatch.map((c) => `\`${c.environment}\``))].join(", ");
    throw new TrustedPublishingError(
      "environment-mismatch",
      claims.environment === undefined
        ? `The Trusted Publishing config for repository \`${repo}\` requires an environment, but the JWT does not specify one. Expected environments: ${expected}`
        : `The Trusted Publishing config for repository \`${repo}\` does not match the environment \`${claims.environment}\` in the JWT. Expected environments: ${expected}`,
    );
  }

  const crates = [...new Set(candidates.map((c) => c.crate))].sort();
  return { crates, configs: candidates, workflowFilename };
}

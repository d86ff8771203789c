/**
 * Token scopes and the authorization decision (RFC 2947 as crates.io implements it in
 * `src/models/token/scopes.rs` and `src/auth.rs` `AuthCheck`).
 *
 * - Endpoint scopes `publish-new`, `publish-update`, `yank` (also unyank), `change-owners`;
 *   `endpoints: null` is a legacy token that may call every endpoint. An endpoint that declares
 *   no scope (token management, admin, Trusted Publishing config) accepts only legacy tokens.
 * - Crate scopes: an exact crate name, a prefix ending in `*`, or `*` alone. `crates: null` or
 *   `[]` means every crate. A token WITH crate scopes (even `*`) is refused by endpoints that do
 *   not name a crate.
 * - Crate-pattern matching is crates.io's: a plain, case-sensitive string comparison (`foo-*`
 *   does not match `foo_bar`, `Foo` does not match `foo`). No canonicalisation happens here, so
 *   the caller MUST pass the crate's name as stored in the registry when the crate exists (not the
 *   spelling from the URL), and the metadata name for a new crate (publish rejects canonical
 *   collisions, so a new name never aliases an existing crate).
 */

export type EndpointScope = "publish-new" | "publish-update" | "yank" | "change-owners";

export const ENDPOINT_SCOPES: readonly EndpointScope[] = [
  "publish-new",
  "publish-update",
  "yank",
  "change-owners",
];

export function isEndpointScope(s: string): s is EndpointScope {
  return (ENDPOINT_SCOPES as readonly string[]).includes(s);
}

/** A validated crate-scope pattern. `pattern` is the text as stored (`serde`, `tokio-*`, `*`). */
export interface CratePattern {
  readonly pattern: string;
  readonly kind: "any" | "prefix" | "exact";
  /** The prefix (kind `prefix`), the name (kind `exact`), or "" (kind `any`). */
  readonly value: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Longest crate name crates.io accepts. */
export const MAX_CRATE_NAME_LENGTH = 64;

/**
 * crates.io's `Crate::valid_name`: 1–64 characters, the first an ASCII letter, the rest ASCII
 * letters, digits, `-` or `_`. Returns a reason, or undefined when valid.
 */
export function crateNameProblem(name: string): string | undefined {
  if (name === "") return "crate name cannot be empty";
  if (name.length > MAX_CRATE_NAME_LENGTH) {
    return `the name \`${name}\` is too long (max ${MAX_CRATE_NAME_LENGTH} characters)`;
  }
  if (!/^[A-Za-z]/.test(name)) {
    return `invalid character \`${[...name][0]}\` in crate name: \`${name}\`, the first character must be an ASCII letter`;
  }
  const bad = /[^A-Za-z0-9_-]/.exec(name);
  if (bad) {
    return `invalid character \`${[...name.slice(bad.index)][0]}\` in crate name: \`${name}\`, characters must be ASCII letters, digits, \`-\` or \`_\``;
  }
  return undefined;
}

/**
 * A crate-scope pattern as crates.io's `CrateScope::try_from`: `*` alone; or a valid crate name,
 * optionally followed by one `*` (prefix match). `te*st`, `**`, `*foo`, `1foo*` and `` are
 * refused; `f*` is accepted (the prefix only has to be a valid name).
 */
export function parseCratePattern(text: string): ParseResult<CratePattern> {
  if (text === "") return { ok: false, reason: "Invalid crate scope pattern: empty" };
  if (text === "*") return { ok: true, value: { pattern: "*", kind: "any", value: "" } };
  const prefix = text.endsWith("*") ? text.slice(0, -1) : undefined;
  const name = prefix ?? text;
  const problem = crateNameProblem(name);
  if (problem !== undefined) {
    return { ok: false, reason: `Invalid crate scope pattern \`${text}\`: ${problem}` };
  }
  return {
    ok: true,
    value:
      prefix === undefined
        ? { pattern: text, kind: "exact", value: text }
        : { pattern: text, kind: "prefix", value: prefix },
  };
}

/** crates.io's `CrateScope::matches`: exact, case-sensitive; `-` and `_` are different. */
export function cratePatternMatches(pattern: CratePattern, crateName: string): boolean {
  switch (pattern.kind) {
    case "any":
      return true;
    case "prefix":
      return crateName.startsWith(pattern.value);
    case "exact":
      return crateName === pattern.value;
  }
}

function splitList(input: string | readonly string[]): string[] {
  const items = typeof input === "string" ? input.split(",") : [...input];
  return items.map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Crate patterns from a list or a comma-separated string (`'serde*,tokio'`), deduplicated.
 * An empty list is refused (omit the option for "every crate").
 */
export function parseCratePatterns(
  input: string | readonly string[],
): ParseResult<readonly CratePattern[]> {
  const items = splitList(input);
  if (items.length === 0) return { ok: false, reason: "no crate patterns given" };
  const out: CratePattern[] = [];
  for (const item of items) {
    const parsed = parseCratePattern(item);
    if (!parsed.ok) return parsed;
    if (!out.some((p) => p.pattern === parsed.value.pattern)) out.push(parsed.value);
  }
  return { ok: true, value: out };
}

/**
 * Endpoint scopes from a list or a comma-separated string (`publish-new,yank`), deduplicated and
 * in canonical order. An empty list is refused (omit the option for a legacy token).
 */
export function parseEndpointScopes(
  input: string | readonly string[],
): ParseResult<readonly EndpointScope[]> {
  const items = splitList(input);
  if (items.length === 0) return { ok: false, reason: "no endpoint scopes given" };
  for (const item of items) {
    if (!isEndpointScope(item)) {
      return {
        ok: false,
        reason: `Unknown endpoint scope \`${item}\` (expected one of ${ENDPOINT_SCOPES.join(", ")})`,
      };
    }
  }
  return { ok: true, value: ENDPOINT_SCOPES.filter((s) => items.includes(s)) };
}

export interface TokenScopes {
  /** null: legacy token, every endpoint. */
  readonly endpoints: readonly EndpointScope[] | null;
  /** null or []: every crate. */
  readonly crates: readonly CratePattern[] | null;
}

export const LEGACY_SCOPES: TokenScopes = { endpoints: null, crates: null };

/** A regular API token, as loaded from storage (only its hash is stored, not the token). */
export interface ApiTokenGrant {
  readonly kind: "api";
  readonly id: string | number;
  readonly userId: string | number;
  readonly scopes: TokenScopes;
  /** null: never expires. Expired when `now >= expiresAt`. */
  readonly expiresAt: Date | null;
  /** null: not revoked. */
  readonly revokedAt: Date | null;
}

/** A temporary token from a Trusted Publishing exchange, bound to the crates it was issued for. */
export interface TrustedPublishingGrant {
  readonly kind: "trusted-publishing";
  readonly id: string | number;
  /** The stored names of the crates whose publisher config matched the OIDC token. */
  readonly crates: readonly string[];
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export type TokenGrant = ApiTokenGrant | TrustedPublishingGrant;

/** Actions that concern one crate: the request must name it. */
export type CrateAction =
  | "publish-new"
  | "publish-update"
  | "yank"
  | "unyank"
  | "change-owners"
  /** Manage the crate's Trusted Publishing configs and its trusted-publishing-only flag. */
  | "manage-trusted-publishing";

/** Actions that do not concern one crate. */
export type GeneralAction =
  /** Sparse index, `config.json`, downloads (when the registry requires auth). */
  | "read"
  /** `GET /api/v1/crates?q=` */
  | "search"
  /** `GET /api/v1/crates/{name}/owners` (public on crates.io, so it is a read). */
  | "list-owners"
  /** `GET/PUT /api/v1/me/tokens`, `GET/DELETE /api/v1/me/tokens/{id}` */
  | "me-tokens"
  /** Admin-only endpoints (the user must also be an admin; that is checked elsewhere). */
  | "admin"
  /** `DELETE /api/v1/tokens/current` (or the Trusted Publishing revoke): a token revokes itself. */
  | "revoke-current";

export type RegistryAction = CrateAction | GeneralAction;

export type AuthorizationRequest =
  | {
      readonly action: CrateAction;
      /** The crate's stored name when it exists; the metadata name for a new crate. */
      readonly crate: string;
      /** The crate is marked trusted-publishing-only (publishes need a TP token). */
      readonly trustedPublishingOnly?: boolean;
    }
  | { readonly action: GeneralAction; readonly crate?: string };

export type AuthorizationDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403; readonly detail: string };

const CRATE_ACTIONS: ReadonlySet<string> = new Set<CrateAction>([
  "publish-new",
  "publish-update",
  "yank",
  "unyank",
  "change-owners",
  "manage-trusted-publishing",
]);

/** The endpoint scope an action requires; undefined for endpoints only legacy tokens may call. */
export function requiredEndpointScope(action: CrateAction): EndpointScope | undefined {
  switch (action) {
    case "publish-new":
      return "publish-new";
    case "publish-update":
      return "publish-update";
    case "yank":
    case "unyank":
      return "yank";
    case "change-owners":
      return "change-owners";
    case "manage-trusted-publishing":
      return undefined;
  }
}

export const DENY_SCOPE =
  "this token does not have the required permissions to perform this action";

function deny(detail: string, status: 401 | 403 = 403): AuthorizationDecision {
  return { ok: false, status, detail };
}

const ALLOW: AuthorizationDecision = { ok: true };

function isCrateScoped(scopes: TokenScopes): boolean {
  return scopes.crates !== null && scopes.crates.length > 0;
}

/**
 * May `token` perform `request` at time `now`? Pure; implements registry.md §3:
 *
 * 1. Revoked, then expired tokens are refused (403, distinct details).
 * 2. `revoke-current` is allowed for every live token: revoking itself only removes power.
 * 3. `read`, `search`, `list-owners` (public on crates.io; cargo sends the same token on index and
 *    download requests of an auth-required registry, also while publishing) are allowed for
 *    every live token whatever its scopes.
 * 4. Trusted Publishing tokens may only `publish-update` the crates they were issued for (crates.io
 *    refuses them for new crates and for every other endpoint).
 * 5. API tokens: a crate-trusted-publishing-only publish is refused; a scoped token needs the
 *    endpoint's scope (unscoped endpoints: legacy only); a crate-scoped token needs a pattern
 *    matching the crate, and is refused where no crate is named.
 */
export function authorize(
  token: TokenGrant,
  request: AuthorizationRequest,
  now: Date = new Date(),
): AuthorizationDecision {
  if (token.revokedAt !== null) return deny("this token has been revoked");
  if (token.expiresAt !== null && now.getTime() >= token.expiresAt.getTime()) {
    return deny(`this token expired at ${token.expiresAt.toISOString()}`);
  }

  const { action } = request;
  if (action === "revoke-current") return ALLOW;
  if (action === "read" || action === "search" || action === "list-owners") return ALLOW;

  const crate = CRATE_ACTIONS.has(action) ? request.crate : undefined;
  if (CRATE_ACTIONS.has(action) && (typeof crate !== "string" || crate === "")) {
    // A server bug, not a client error; fail closed.
    return deny(`internal error: the action \`${action}\` must name a crate`);
  }

  if (token.kind === "trusted-publishing") {
    if (action === "publish-new") {
      return deny(
        "Trusted Publishing tokens cannot be used to publish new crates; publish the first version with an API token",
      );
    }
    if (action !== "publish-update") {
      return deny("Trusted Publishing tokens can only be used to publish new versions");
    }
    if (crate === undefined || !token.crates.includes(crate)) {
      return deny(`this Trusted Publishing token is not valid for crate \`${crate}\``);
    }
    return ALLOW;
  }

  // Regular API token.
  if (
    (action === "publish-new" || action === "publish-update") &&
    "trustedPublishingOnly" in request &&
    request.trustedPublishingOnly === true
  ) {
    return deny(
      `crate \`${crate}\` can only be published with Trusted Publishing; API tokens are refused`,
    );
  }

  const { scopes } = token;
  const needed = CRATE_ACTIONS.has(action)
    ? requiredEndpointScope(action as CrateAction)
    : undefined;
  if (scopes.endpoints !== null) {
    if (needed === undefined) {
      return deny(`${DENY_SCOPE}: this endpoint accepts only tokens without endpoint scopes`);
    }
    if (!scopes.endpoints.includes(needed)) {
      return deny(`${DENY_SCOPE}: the \`${needed}\` scope is required`);
    }
  }

  if (isCrateScoped(scopes)) {
    if (crate === undefined) {
      return deny(`${DENY_SCOPE}: crate-scoped tokens cannot be used for this endpoint`);
    }
    if (!(scopes.crates ?? []).some((p) => cratePatternMatches(p, crate))) {
      return deny(`${DENY_SCOPE}: this token is not valid for crate \`${crate}\``);
    }
  }
  return ALLOW;
}

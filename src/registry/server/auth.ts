/** The store behind the token module's `TokenLookup`, and the per-request auth helpers. */
import type { ActorContext, ApiToken, RegistryStore, User } from "../store/index.js";
import {
  type AuthorizationRequest,
  authenticate,
  authorize,
  type CratePattern,
  type EndpointScope,
  isEndpointScope,
  parseCratePattern,
  type TokenGrant,
  type TokenKind,
  type TokenLookup,
} from "../tokens/index.js";
import { HttpError } from "./http-error.js";

export interface Principal {
  readonly grant: TokenGrant;
  readonly token: ApiToken;
  readonly user: User | null;
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function cratePatterns(list: readonly string[] | null): CratePattern[] | null {
  if (list === null) return null;
  const out: CratePattern[] = [];
  for (const item of list) {
    const parsed = parseCratePattern(item);
    // A stored pattern that no longer parses matches nothing (fail closed) rather than all.
    out.push(parsed.ok ? parsed.value : { pattern: item, kind: "exact", value: "\u0000" });
  }
  return out;
}

export function grantOf(token: ApiToken): TokenGrant {
  if (token.kind === "trusted-publishing") {
    return {
      kind: "trusted-publishing",
      id: token.id,
      crates: token.crateScopes ?? [],
      expiresAt: new Date(token.expiresAt ?? 0),
      revokedAt: toDate(token.revokedAt),
    };
  }
  const endpoints: EndpointScope[] | null =
    token.endpointScopes === null ? null : token.endpointScopes.filter(isEndpointScope);
  return {
    kind: "api",
    id: token.id,
    userId: token.userId ?? -1,
    scopes: { endpoints, crates: cratePatterns(token.crateScopes) },
    expiresAt: toDate(token.expiresAt),
    revokedAt: toDate(token.revokedAt),
  };
}

/**
 * Authenticates the `Authorization` header against the store. Throws HttpError 401/403; a
 * regular token whose user is missing or locked is refused.
 */
export async function authenticateRequest(
  store: RegistryStore,
  header: string | readonly string[] | undefined,
): Promise<Principal> {
  let found: { token: ApiToken; user: User | null } | null = null;
  const lookup: TokenLookup = {
    async findByHash(hash: string, kind: TokenKind) {
      const row = await store.findTokenByHash(hash);
      if (row === null || row.token.kind !== kind) return undefined;
      found = row;
      return grantOf(row.token);
    },
  };
  const result = await authenticate(header, lookup);
  if (!result.ok) throw new HttpError(result.status, result.detail);
  const row = found as { token: ApiToken; user: User | null } | null;
  if (row === null) throw new HttpError(403, "authentication failed");
  if (row.token.kind === "api") {
    if (row.user === null) throw new HttpError(403, "authentication failed");
    if (row.user.locked) {
      throw new HttpError(
        403,
        `this account is locked${row.user.lockReason ? `: ${row.user.lockReason}` : ""}`,
      );
    }
  }
  return { grant: result.grant, token: row.token, user: row.user };
}

export function requireAuthorized(
  principal: Principal,
  request: AuthorizationRequest,
  now: Date,
): void {
  const decision = authorize(principal.grant, request, now);
  if (!decision.ok) throw new HttpError(decision.status, decision.detail);
}

export function actorOf(
  principal: Principal | null,
  request: { ip: string; headers: Record<string, unknown> },
): ActorContext {
  const ua = request.headers["user-agent"];
  return {
    userId: principal?.user?.id ?? null,
    tokenId: principal?.token.id ?? null,
    trusted: principal?.token.trustedClaims ?? null,
    ip: request.ip,
    userAgent: typeof ua === "string" ? ua.slice(0, 512) : null,
  };
}

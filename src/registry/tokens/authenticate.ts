/**
 * From an `Authorization` header to a stored token grant, then to an authorization decision.
 * Persistence is reached only through {@link TokenLookup}; the server adapts its store to it.
 */
import { type AuthorizationRequest, authorize, type TokenGrant } from "./scopes.js";
import {
  classifyToken,
  hashesEqual,
  hashToken,
  parseAuthorizationHeader,
  type TokenKind,
} from "./token-format.js";

/** How the server finds a token by the SHA-256 hex of its plaintext. */
export interface TokenLookup {
  /** The grant stored under this hash (of the given kind), revoked and expired ones included. */
  findByHash(hash: string, kind: TokenKind): Promise<TokenGrant | undefined>;
}

export type AuthenticationResult =
  | { readonly ok: true; readonly grant: TokenGrant; readonly tokenHash: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly detail: string };

/**
 * Parse the header, check the token format offline, look the hash up. A missing or malformed
 * header and a token not in our format are 401 (cargo then asks for a token); a well-formed
 * token that is not stored is 403 "authentication failed", as crates.io answers. Revocation and
 * expiry are judged by {@link authorize} (so that their details are distinct).
 */
export async function authenticate(
  headerValue: string | readonly string[] | undefined | null,
  lookup: TokenLookup,
): Promise<AuthenticationResult> {
  const header = parseAuthorizationHeader(headerValue);
  if (!header.ok) return { ok: false, status: 401, detail: header.reason };
  const format = classifyToken(header.token);
  if (!format.ok) return { ok: false, status: 401, detail: format.detail };
  const tokenHash = hashToken(header.token);
  const grant = await lookup.findByHash(tokenHash, format.kind);
  if (grant === undefined || grant.kind !== format.kind) {
    return { ok: false, status: 403, detail: "authentication failed" };
  }
  return { ok: true, grant, tokenHash };
}

/** {@link authenticate} then {@link authorize}: the whole check for one request. */
export async function authenticateAndAuthorize(
  headerValue: string | readonly string[] | undefined | null,
  lookup: TokenLookup,
  request: AuthorizationRequest,
  now: Date = new Date(),
): Promise<AuthenticationResult> {
  const auth = await authenticate(headerValue, lookup);
  if (!auth.ok) return auth;
  const decision = authorize(auth.grant, request, now);
  if (!decision.ok) return decision;
  return auth;
}

/** A {@link TokenLookup} over memory, for tests and small tools. Compares hashes in constant time. */
export class InMemoryTokenLookup implements TokenLookup {
  readonly #entries: { hash: string; grant: TokenGrant }[] = [];

  add(hash: string, grant: TokenGrant): void {
    this.#entries.push({ hash, grant });
  }

  async findByHash(hash: string, kind: TokenKind): Promise<TokenGrant | undefined> {
    let found: TokenGrant | undefined;
    for (const entry of this.#entries) {
      if (hashesEqual(entry.hash, hash) && entry.grant.kind === kind) found = entry.grant;
    }
    return found;
  }
}

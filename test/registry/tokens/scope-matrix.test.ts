/**
 * The scope matrix at domain level: every action × every token kind, allow (Y) or deny (N) per
 * cell, written out as a table. Crate actions name the row's crate; `list-owners` names it too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ApiTokenGrant,
  type AuthorizationRequest,
  authenticateAndAuthorize,
  authorize,
  type CratePattern,
  ENDPOINT_SCOPES,
  type EndpointScope,
  generateToken,
  hashToken,
  InMemoryTokenLookup,
  parseCratePattern,
  type RegistryAction,
  type TokenGrant,
  type TrustedPublishingGrant,
} from "../../../src/registry/tokens/index.js";

const NOW = new Date("2026-09-01T12:00:00Z");
const LATER = new Date(NOW.getTime() + 86_400_000);
const EARLIER = new Date(NOW.getTime() - 1);

const ACTIONS: readonly RegistryAction[] = [
  "publish-new",
  "publish-update",
  "yank",
  "unyank",
  "change-owners",
  "manage-trusted-publishing",
  "read",
  "search",
  "list-owners",
  "me-tokens",
  "admin",
  "revoke-current",
];
const CRATE_ACTIONS = new Set(ACTIONS.slice(0, 6));

function patterns(...texts: string[]): CratePattern[] {
  return texts.map((t) => {
    const p = parseCratePattern(t);
    assert.ok(p.ok, t);
    return p.value;
  });
}

function api(
  endpoints: readonly EndpointScope[] | null,
  crates: CratePattern[] | null,
  extra: Partial<ApiTokenGrant> = {},
): ApiTokenGrant {
  return {
    kind: "api",
    id: 1,
    userId: 1,
    scopes: { endpoints, crates },
    expiresAt: LATER,
    revokedAt: null,
    ...extra,
  };
}

function tp(crates: string[], extra: Partial<TrustedPublishingGrant> = {}): TrustedPublishingGrant {
  return { kind: "trusted-publishing", id: 2, crates, expiresAt: LATER, revokedAt: null, ...extra };
}

const ALL = ENDPOINT_SCOPES;

interface Row {
  readonly name: string;
  readonly token: TokenGrant;
  readonly crate: string;
  readonly trustedPublishingOnly?: boolean;
  /** One Y/N per action, in the order of {@link ACTIONS}. */
  readonly cells: string;
}

// Columns: pn publish-new, pu publish-update, yk yank, uy unyank, co change-owners,
// tp manage-trusted-publishing, rd read, se search, lo list-owners, mt me-tokens, ad admin,
// rc revoke-current.
// biome-ignore format: the table is aligned by hand.
const MATRIX: readonly Row[] = [
  //                                                                                                    pn pu yk uy co tp rd se lo mt ad rc
  { name: "legacy",                               token: api(null, null),                 crate: "serde",        cells: "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y" },
  { name: "legacy, expiring 1 ms from now",       token: api(null, null, { expiresAt: new Date(NOW.getTime() + 1) }), crate: "serde", cells: "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y" },
  { name: "legacy, never expiring",               token: api(null, null, { expiresAt: null }), crate: "serde",   cells: "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y" },
  { name: "scope publish-new",                    token: api(["publish-new"], null),      crate: "serde",        cells: "Y  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "scope publish-update",                 token: api(["publish-update"], null),   crate: "serde",        cells: "N  Y  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "scope yank (also unyank)",             token: api(["yank"], null),             crate: "serde",        cells: "N  N  Y  Y  N  N  Y  Y  Y  N  N  Y" },
  { name: "scope change-owners",                  token: api(["change-owners"], null),    crate: "serde",        cells: "N  N  N  N  Y  N  Y  Y  Y  N  N  Y" },
  { name: "all four scopes (not legacy)",         token: api(ALL, null),                  crate: "serde",        cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "all scopes, crates [] (= every crate)", token: api(ALL, []),                   crate: "serde",        cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "serde* / serde_json (prefix match)",   token: api(ALL, patterns("serde*")),    crate: "serde_json",   cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "serde* / serde (prefix = name)",       token: api(ALL, patterns("serde*")),    crate: "serde",        cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "serde* / tokio (no match)",            token: api(ALL, patterns("serde*")),    crate: "tokio",        cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "serde* / Serde_json (case differs)",   token: api(ALL, patterns("serde*")),    crate: "Serde_json",   cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "exact serde / serde",                  token: api(ALL, patterns("serde")),     crate: "serde",        cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "exact serde / serde_json (no prefix)", token: api(ALL, patterns("serde")),     crate: "serde_json",   cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "exact serde / serd",                   token: api(ALL, patterns("serde")),     crate: "serd",         cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "exact foo-bar / foo-bar",              token: api(ALL, patterns("foo-bar")),   crate: "foo-bar",      cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "exact foo-bar / foo_bar (- ≠ _)",      token: api(ALL, patterns("foo-bar")),   crate: "foo_bar",      cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "foo_* / foo-bar (- ≠ _)",              token: api(ALL, patterns("foo_*")),     crate: "foo-bar",      cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "exact Serde / serde (case differs)",   token: api(ALL, patterns("Serde")),     crate: "serde",        cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "tokio, serde* / serde_derive",         token: api(ALL, patterns("tokio", "serde*")), crate: "serde_derive", cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "* / anything (still crate-scoped)",    token: api(ALL, patterns("*")),         crate: "anything",     cells: "Y  Y  Y  Y  Y  N  Y  Y  Y  N  N  Y" },
  { name: "yank + serde* / serde_json",           token: api(["yank"], patterns("serde*")), crate: "serde_json", cells: "N  N  Y  Y  N  N  Y  Y  Y  N  N  Y" },
  { name: "yank + serde* / tokio",                token: api(["yank"], patterns("serde*")), crate: "tokio",      cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "legacy endpoints + crate serde / serde", token: api(null, patterns("serde")),  crate: "serde",        cells: "Y  Y  Y  Y  Y  Y  Y  Y  Y  N  N  Y" },
  { name: "legacy endpoints + crate serde / tokio", token: api(null, patterns("serde")),  crate: "tokio",        cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "legacy, crate trusted-publishing-only", token: api(null, null), crate: "serde", trustedPublishingOnly: true, cells: "N  N  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y" },
  { name: "legacy, expired",                      token: api(null, null, { expiresAt: EARLIER }), crate: "serde", cells: "N  N  N  N  N  N  N  N  N  N  N  N" },
  { name: "legacy, expiring exactly now",         token: api(null, null, { expiresAt: NOW }), crate: "serde",    cells: "N  N  N  N  N  N  N  N  N  N  N  N" },
  { name: "legacy, revoked",                      token: api(null, null, { revokedAt: EARLIER }), crate: "serde", cells: "N  N  N  N  N  N  N  N  N  N  N  N" },
  { name: "all scopes + serde*, expired",         token: api(ALL, patterns("serde*"), { expiresAt: EARLIER }), crate: "serde", cells: "N  N  N  N  N  N  N  N  N  N  N  N" },
  { name: "TP for serde / serde",                 token: tp(["serde"]),                   crate: "serde",        cells: "N  Y  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "TP for serde / tokio (other crate)",   token: tp(["serde"]),                   crate: "tokio",        cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "TP for serde / serde_json (exact only)", token: tp(["serde"]),                 crate: "serde_json",   cells: "N  N  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "TP for serde, serde_derive / serde_derive", token: tp(["serde", "serde_derive"]), crate: "serde_derive", cells: "N  Y  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "TP for serde, crate TP-only",          token: tp(["serde"]), crate: "serde", trustedPublishingOnly: true, cells: "N  Y  N  N  N  N  Y  Y  Y  N  N  Y" },
  { name: "TP for serde, expired",                token: tp(["serde"], { expiresAt: EARLIER }), crate: "serde", cells: "N  N  N  N  N  N  N  N  N  N  N  N" },
  { name: "TP for serde, revoked",                token: tp(["serde"], { revokedAt: EARLIER }), crate: "serde", cells: "N  N  N  N  N  N  N  N  N  N  N  N" },
];

function request(row: Row, action: RegistryAction): AuthorizationRequest {
  if (CRATE_ACTIONS.has(action)) {
    return {
      action: action as Extract<AuthorizationRequest, { crate: string }>["action"],
      crate: row.crate,
      trustedPublishingOnly: row.trustedPublishingOnly ?? false,
    };
  }
  return (
    action === "list-owners" ? { action, crate: row.crate } : { action }
  ) as AuthorizationRequest;
}

describe("scope matrix (authorize)", () => {
  for (const row of MATRIX) {
    const cells = row.cells.split(/\s+/);
    it(row.name, () => {
      assert.equal(cells.length, ACTIONS.length, "one cell per action");
      const got = ACTIONS.map((action) => {
        const decision = authorize(row.token, request(row, action), NOW);
        if (!decision.ok) {
          assert.equal(decision.status, 403, `${action}: ${decision.detail}`);
          assert.ok(decision.detail.length > 0);
        }
        return decision.ok ? "Y" : "N";
      });
      assert.equal(got.join("  "), cells.join("  "));
    });
  }

  it("covers every action and both token kinds", () => {
    assert.equal(new Set(ACTIONS).size, 12);
    assert.ok(MATRIX.some((r) => r.token.kind === "trusted-publishing"));
  });
});

describe("denial details", () => {
  const detail = (token: TokenGrant, req: AuthorizationRequest): string => {
    const d = authorize(token, req, NOW);
    assert.equal(d.ok, false);
    return d.ok ? "" : d.detail;
  };
  const yank = { action: "yank", crate: "serde" } as const;

  it("distinguishes revoked from expired (revocation reported first)", () => {
    assert.equal(
      detail(api(null, null, { revokedAt: EARLIER }), yank),
      "this token has been revoked",
    );
    assert.match(
      detail(api(null, null, { expiresAt: EARLIER }), yank),
      /^this token expired at 2026-09-01T11:59:59\.999Z$/,
    );
    assert.equal(
      detail(api(null, null, { expiresAt: EARLIER, revokedAt: EARLIER }), yank),
      "this token has been revoked",
    );
  });

  it("says which scope is missing, and why crate-scoped tokens are refused", () => {
    assert.match(detail(api(["publish-new"], null), yank), /the `yank` scope is required/);
    assert.match(
      detail(api(["yank"], null), { action: "me-tokens" }),
      /only tokens without endpoint scopes/,
    );
    assert.match(
      detail(api(null, patterns("*")), { action: "me-tokens" }),
      /crate-scoped tokens cannot be used/,
    );
    assert.match(detail(api(ALL, patterns("tokio")), yank), /not valid for crate `serde`/);
  });

  it("explains Trusted Publishing refusals", () => {
    assert.match(
      detail(tp(["serde"]), { action: "publish-new", crate: "serde" }),
      /cannot be used to publish new crates/,
    );
    assert.match(detail(tp(["serde"]), yank), /only be used to publish new versions/);
    assert.match(
      detail(tp(["serde"]), { action: "publish-update", crate: "tokio" }),
      /not valid for crate `tokio`/,
    );
    assert.match(
      detail(api(null, null), {
        action: "publish-update",
        crate: "serde",
        trustedPublishingOnly: true,
      }),
      /only be published with Trusted Publishing/,
    );
  });

  it("fails closed when a crate action names no crate", () => {
    const bad = { action: "yank", crate: "" } as const;
    assert.match(detail(api(null, null), bad), /must name a crate/);
  });
});

describe("tokens that never reach authorize (every action)", () => {
  const lookup = new InMemoryTokenLookup();
  const stored = generateToken();
  lookup.add(hashToken(stored), api(null, null));
  const unknownPrefix = "cio0123456789abcdefghijklmnopqrstuvw";
  const notStored = generateToken();

  for (const action of ACTIONS) {
    it(action, async () => {
      const req = request(MATRIX[0] as Row, action);
      const a = await authenticateAndAuthorize(unknownPrefix, lookup, req, NOW);
      assert.ok(!a.ok && a.status === 401, "unknown prefix → 401");
      const b = await authenticateAndAuthorize(notStored, lookup, req, NOW);
      assert.ok(
        !b.ok && b.status === 403 && b.detail === "authentication failed",
        "not stored → 403",
      );
      const c = await authenticateAndAuthorize(`Bearer ${stored}`, lookup, req, NOW);
      assert.ok(c.ok, "stored legacy token → allowed");
    });
  }
});

/**
 * The scope matrix over HTTP (issue 5, item 9): every endpoint × every token kind, the expected
 * status class written out per cell. The expectations come from registry.md §3 and the rules
 * documented in `src/registry/tokens/scopes.ts` (not from running the server):
 *
 * - no `Authorization`, or a token not in our format (unknown prefix, garbage): 401 everywhere;
 *   a well-formed token that is not stored: 403 ("authentication failed") everywhere;
 * - revoked or expired: 403 everywhere;
 * - reads (index, download, search, owners GET) are allowed for every live token whatever its
 *   scopes; `DELETE /api/v1/tokens/current` too (a token may always revoke itself);
 * - endpoint scopes: publish picks publish-new / publish-update by whether the crate exists,
 *   yank and unyank need `yank`, owners PUT/DELETE need `change-owners`; endpoints that declare
 *   no scope (me/tokens, admin) accept only legacy tokens (endpoint scopes NULL) without crate
 *   scopes;
 * - crate patterns: exact or `prefix*`, plain case-sensitive comparison (`-` ≠ `_`);
 * - Trusted Publishing tokens may only publish new versions of the crates they were issued for;
 * - API tokens must also belong to an owner for crate mutations (a new crate has no owner yet),
 *   and to an admin for the audit log.
 *
 * The registry runs with `authRequired: true` so that the read columns check the token at all
 * (on a public registry reads need none). Every row gets a fresh server; within a row each
 * mutating cell touches its own fixture (new crate `acme-new`, version 1.1.0, yank 1.0.0, unyank
 * the pre-yanked 1.0.1, add `carol`, remove `dave`, revoke a spare token), and the self-revoking
 * cell runs last. After the row, the state is checked: a denied mutation changed nothing, an
 * allowed one took effect.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { InjectOptions } from "fastify";
import { indexPathOf } from "../../../src/registry/server/index.js";
import { generateToken } from "../../../src/registry/tokens/index.js";
import { AUDIENCE, ISSUER, jwksProvider, NOW, rsaJwt } from "../tokens/helpers.js";
import { ENGINES, type Fixture, PG_SKIP, publishBody, startFixture, userToken } from "./helpers.js";

const COLUMNS = [
  "publish new crate",
  "publish new version",
  "yank",
  "unyank",
  "owners GET",
  "owners PUT",
  "owners DELETE",
  "search",
  "index file GET",
  "download",
  "me/tokens GET",
  "me/tokens PUT",
  "me/tokens/:id GET",
  "me/tokens/:id DELETE",
  "admin audit-log GET",
  "tokens/current DELETE",
] as const;
type Column = (typeof COLUMNS)[number];
type Expect = "ok" | "401" | "403" | "404";

/** What a row's setup hands to the cells. */
interface RowContext {
  readonly f: Fixture;
  /** The Authorization header value, or undefined for none. */
  readonly header: string | undefined;
  /** A live spare token of the row's user (alice when the row has no user of its own). */
  readonly spareId: number;
}

interface Row {
  readonly name: string;
  /** The crate a trusted-publisher config is added to before the exchange (TP rows). */
  readonly tpCrate?: string;
  token(f: Fixture, users: Users): Promise<{ header: string | undefined; spareId: number }>;
  /** One cell per column, in the order of {@link COLUMNS}. */
  readonly cells: string;
}

interface Users {
  readonly aliceSpare: number;
  readonly bobSpare: number;
}

const HOUR = 3_600_000;

/** A token of alice (owner of every fixture crate, and an admin). */
const alice =
  (spec: Parameters<typeof userToken>[2] = {}, revoke = false) =>
  async (f: Fixture, users: Users) => {
    const t = await userToken(f.store, "alice", spec);
    if (revoke) assert.equal(await f.store.revokeToken(t.id), true);
    return { header: t.token, spareId: users.aliceSpare };
  };

const fixed =
  (header: string | undefined) =>
  async (_f: Fixture, users: Users): Promise<{ header: string | undefined; spareId: number }> => ({
    header,
    spareId: users.aliceSpare,
  });

const trustedPublishing = async (f: Fixture, users: Users) => {
  const res = await f.server.app.inject({
    method: "POST",
    url: "/api/v1/trusted_publishing/tokens",
    payload: { jwt: rsaJwt() },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { header: `Bearer ${JSON.parse(res.body).token as string}`, spareId: users.aliceSpare };
};

// Columns:  pN publish new crate (acme-new), pU publish new version (acme-core 1.1.0), yk yank,
// uy unyank, oG/oP/oD owners GET/PUT/DELETE, se search, ix index file, dl download,
// mG/mP me/tokens GET, PUT, iG/mD me/tokens/:id GET, DELETE, au admin audit-log, cD tokens/current DELETE.
// The crate-pattern rows have no endpoint scopes (legacy endpoints), so that only the crate
// scope decides (and the unnamed-crate endpoints refuse them for being crate-scoped).
// biome-ignore format: the table is aligned by hand.
const MATRIX: readonly Row[] = [
  //                                                                                            pN  pU  yk  uy  oG  oP  oD  se  ix  dl  mG  mP  iG  mD  au  cD
  { name: "no token",                                     token: fixed(undefined),            cells: "401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401" },
  { name: "unknown prefix (crates.io-style cio…)",        token: fixed("cio0123456789abcdefghijklmnopqrstuvw"), cells: "401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401" },
  { name: "garbage (Bearer not-a-token)",                 token: fixed("Bearer not-a-token"), cells: "401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401" },
  { name: "well-formed token that is not stored",         token: fixed(generateToken("api")), cells: "403 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403" },
  { name: "legacy",                                       token: alice(),                     cells: "ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok" },
  { name: "publish-new only",                             token: alice({ endpointScopes: ["publish-new"] }),    cells: "ok  403 403 403 ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "publish-update only",                          token: alice({ endpointScopes: ["publish-update"] }), cells: "403 ok  403 403 ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "yank only (also unyank)",                      token: alice({ endpointScopes: ["yank"] }),           cells: "403 403 ok  ok  ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "change-owners only",                           token: alice({ endpointScopes: ["change-owners"] }),  cells: "403 403 403 403 ok  ok  ok  ok  ok  ok  403 403 403 403 403 ok" },
  { name: "all four scopes (not legacy)",                 token: alice({ endpointScopes: ["publish-new", "publish-update", "yank", "change-owners"] }), cells: "ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  403 403 403 403 403 ok" },
  { name: "crates acme-core, acme-new (exact match)",     token: alice({ crateScopes: ["acme-core", "acme-new"] }), cells: "ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  403 403 403 403 403 ok" },
  { name: "crate acme (exact, no implicit prefix)",       token: alice({ crateScopes: ["acme"] }),              cells: "403 403 403 403 ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "crates acme-* (prefix match)",                 token: alice({ crateScopes: ["acme-*"] }),            cells: "ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  403 403 403 403 403 ok" },
  { name: "crates acme_* (prefix, - ≠ _: no match)",      token: alice({ crateScopes: ["acme_*"] }),            cells: "403 403 403 403 ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "legacy, expired",                              token: alice({ expiresAt: NOW.getTime() - HOUR }),    cells: "403 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403" },
  { name: "legacy, revoked",                              token: alice({}, true),                               cells: "403 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403" },
  { name: "trusted publishing for acme-core (this crate)", tpCrate: "acme-core", token: trustedPublishing,      cells: "403 ok  403 403 ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "trusted publishing for acme-other",            tpCrate: "acme-other", token: trustedPublishing,     cells: "403 403 403 403 ok  403 403 ok  ok  ok  403 403 403 403 403 ok" },
  { name: "legacy token of bob (not an owner, not admin)", token: async (f, users) => ({ header: (await userToken(f.store, "bob")).token, spareId: users.bobSpare }),
                                                                                              cells: "ok  403 403 403 ok  403 403 ok  ok  ok  ok  ok  ok  ok  403 ok" },
];

function classOf(status: number): string {
  if (status >= 200 && status < 300) return "ok";
  return String(status);
}

/** The request each column sends. */
async function requestFor(column: Column, ctx: RowContext): Promise<InjectOptions> {
  const auth = ctx.header === undefined ? {} : { authorization: ctx.header };
  const json = { ...auth, "content-type": "application/json" };
  const octets = { ...auth, "content-type": "application/octet-stream" };
  switch (column) {
    case "publish new crate":
      return {
        method: "PUT",
        url: "/api/v1/crates/new",
        headers: octets,
        payload: await publishBody("acme-new", "1.0.0"),
      };
    case "publish new version":
      return {
        method: "PUT",
        url: "/api/v1/crates/new",
        headers: octets,
        payload: await publishBody("acme-core", "1.1.0"),
      };
    case "yank":
      return { method: "DELETE", url: "/api/v1/crates/acme-core/1.0.0/yank", headers: auth };
    case "unyank":
      return { method: "PUT", url: "/api/v1/crates/acme-core/1.0.1/unyank", headers: auth };
    case "owners GET":
      return { method: "GET", url: "/api/v1/crates/acme-core/owners", headers: auth };
    case "owners PUT":
      return {
        method: "PUT",
        url: "/api/v1/crates/acme-core/owners",
        headers: json,
        payload: JSON.stringify({ users: ["carol"] }),
      };
    case "owners DELETE":
      return {
        method: "DELETE",
        url: "/api/v1/crates/acme-core/owners",
        headers: json,
        payload: JSON.stringify({ users: ["dave"] }),
      };
    case "search":
      return { method: "GET", url: "/api/v1/crates?q=acme", headers: auth };
    case "index file GET":
      return { method: "GET", url: `/index/${indexPathOf("acme-core")}`, headers: auth };
    case "download":
      return { method: "GET", url: "/api/v1/crates/acme-core/1.0.0/download", headers: auth };
    case "me/tokens GET":
      return { method: "GET", url: "/api/v1/me/tokens", headers: auth };
    case "me/tokens PUT":
      return {
        method: "PUT",
        url: "/api/v1/me/tokens",
        headers: json,
        payload: JSON.stringify({ api_token: { name: "made-by-matrix" } }),
      };
    case "me/tokens/:id GET":
      return { method: "GET", url: `/api/v1/me/tokens/${ctx.spareId}`, headers: auth };
    case "me/tokens/:id DELETE":
      return { method: "DELETE", url: `/api/v1/me/tokens/${ctx.spareId}`, headers: auth };
    case "admin audit-log GET":
      return { method: "GET", url: "/api/v1/admin/audit-log", headers: auth };
    case "tokens/current DELETE":
      return { method: "DELETE", url: "/api/v1/tokens/current", headers: auth };
  }
}

/** The state each mutating column changes, read back from the store: [before, after]. */
async function effects(f: Fixture, spareId: number): Promise<Partial<Record<Column, boolean>>> {
  const versions = await f.store.listVersions("acme-core");
  const yanked = (v: string) => versions.find((r) => r.version === v)?.yanked;
  const owners = (await f.store.listOwners("acme-core")).map((o) => o.name);
  const spare = await f.store.getToken(spareId);
  return {
    "publish new crate": (await f.store.crateByCanonicalName("acme-new")) !== null,
    "publish new version": versions.some((r) => r.version === "1.1.0"),
    yank: yanked("1.0.0") === true,
    unyank: yanked("1.0.1") === false,
    "owners PUT": owners.includes("carol"),
    "owners DELETE": !owners.includes("dave"),
    "me/tokens/:id DELETE": spare?.revokedAt !== null,
  };
}

for (const engine of ENGINES) {
  describe(`scope matrix over HTTP (${engine.label})`, {
    skip: !engine.available && PG_SKIP,
  }, () => {
    before(() => engine.setup());
    after(() => engine.teardown());

    it("the table has one cell per endpoint in every row", () => {
      assert.equal(COLUMNS.length, 16);
      for (const row of MATRIX) {
        assert.equal(row.cells.trim().split(/\s+/).length, COLUMNS.length, row.name);
      }
    });

    for (const row of MATRIX) {
      it(row.name, async () => {
        const f = await startFixture(
          engine,
          {
            authRequired: true,
            rateLimits: { "publish-new": null, "publish-update": null, yank: null },
            trustedPublishing: { jwks: jwksProvider(), audience: AUDIENCE, issuers: [ISSUER] },
          },
          { now: () => NOW.getTime() },
        );
        try {
          // Fixtures: alice (admin) owns acme-core 1.0.0 + 1.0.1 (yanked) and acme-other;
          // dave co-owns acme-core; bob and carol are plain users.
          const setup = await userToken(f.store, "alice", { admin: true, name: "setup" });
          for (const [name, vers] of [
            ["acme-core", "1.0.0"],
            ["acme-core", "1.0.1"],
            ["acme-other", "1.0.0"],
          ] as const) {
            const res = await f.server.app.inject({
              method: "PUT",
              url: "/api/v1/crates/new",
              headers: { authorization: setup.token },
              payload: await publishBody(name, vers),
            });
            assert.equal(res.statusCode, 200, res.body);
          }
          await f.store.createUser({ name: "carol" });
          await f.store.createUser({ name: "dave" });
          await f.store.addOwners("acme-core", ["dave"]);
          await f.store.yank("acme-core", "1.0.1");
          const users: Users = {
            aliceSpare: (await userToken(f.store, "alice", { name: "spare" })).id,
            bobSpare: (await userToken(f.store, "bob", { name: "spare" })).id,
          };
          if (row.tpCrate !== undefined) {
            await f.store.addTrustedPublisher(row.tpCrate, {
              issuer: ISSUER,
              repositoryOwner: "octo-org",
              repositoryOwnerId: "65",
              repository: "octo-repo",
              workflowFilename: "release.yml",
            });
          }

          const { header, spareId } = await row.token(f, users);
          const ctx: RowContext = { f, header, spareId };
          const before = await effects(f, spareId);
          const expected = row.cells.trim().split(/\s+/) as Expect[];
          const got: string[] = [];
          const mismatches: string[] = [];
          for (const [i, column] of COLUMNS.entries()) {
            const res = await f.server.app.inject(await requestFor(column, ctx));
            const cls = classOf(res.statusCode);
            got.push(cls);
            if (cls !== "ok") {
              const body = JSON.parse(res.body) as { errors?: { detail?: unknown }[] };
              assert.equal(typeof body.errors?.[0]?.detail, "string", `${column}: ${res.body}`);
              if (res.statusCode === 401) {
                assert.match(String(res.headers["www-authenticate"]), /^Cargo login_url=/);
              }
            }
            if (cls !== expected[i]) {
              mismatches.push(
                `${column}: expected ${expected[i]}, got ${res.statusCode} ${res.body}`,
              );
            }
          }
          assert.deepEqual(mismatches, [], `row "${row.name}" got: ${got.join(" ")}`);

          // A denied mutation changed nothing; an allowed one took effect.
          const afterState = await effects(f, spareId);
          for (const [column, was] of Object.entries(before) as [Column, boolean][]) {
            const allowed = expected[COLUMNS.indexOf(column)] === "ok";
            assert.equal(was, false, `${column}: fixture already in the after-state`);
            assert.equal(afterState[column], allowed, `${column}: state after the row`);
          }
          if (header !== undefined && expected[COLUMNS.indexOf("tokens/current DELETE")] === "ok") {
            const again = await f.server.app.inject({
              method: "GET",
              url: "/api/v1/crates?q=acme",
              headers: { authorization: header },
            });
            assert.equal(again.statusCode, 403, "a self-revoked token is refused afterwards");
          }
        } finally {
          await f.close();
        }
      });
    }
  });
}

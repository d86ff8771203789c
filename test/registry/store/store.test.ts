/**
 * Behavioural tests of the registry store, written once and run against every engine: SQLite
 * always, PostgreSQL when CRATESEC_TEST_DATABASE_URL is set (see harness.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { Migrator, sql } from "kysely";
import {
  type ActorContext,
  type Database,
  isStoreError,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrateToLatest,
  migrationsFor,
  openStore,
  type RegistryStore,
  StoreError,
  type StoreErrorCode,
  toStoreError,
} from "../../../src/registry/store/index.js";
import { publishInput, sha256 } from "./fixtures.js";
import { ENGINES, type EngineHarness, freshStore, PG_SKIP_MESSAGE } from "./harness.js";

const MINUTE = 60_000;

async function count(store: RegistryStore, table: keyof Database): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Asserts that `promise` rejects with a StoreError of `code` whose message matches. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: StoreErrorCode,
  message?: RegExp,
): Promise<StoreError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StoreError, `expected a StoreError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /\b(insert|select|update|delete)\b.*\b(into|from|set)\b/i);
  return caught;
}

async function setupUsers(store: RegistryStore, ...names: string[]) {
  const users = [];
  for (const name of names) users.push(await store.createUser({ name }));
  return users;
}

function suite(h: EngineHarness): void {
  const open = (t: TestContext, options = {}) => freshStore(h, t, options);

  describe("migrations", () => {
    it("are applied on open and idempotent (open twice, migrate again)", async (t) => {
      const { store, url } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const second = await openStore({ url });
      t.after(() => second.close());
      assert.equal((await second.findUserByName("alice"))?.id, alice.id);
      assert.deepEqual(await migrateToLatest(second.db as never, h.engine), []);
      const applied = await sql<{ name: string }>`select name from cratesec_migration`.execute(
        second.db,
      );
      assert.deepEqual(
        applied.rows.map((r) => r.name),
        ["0001_initial"],
      );
    });

    it("run in a transaction: a failing migration leaves no trace", async (t) => {
      const { store } = await open(t);
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`
        .execute(store.db)
        .catch(() => ({ rows: [] as { schema: string }[] }));
      const migrator = new Migrator({
        db: store.db,
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
        ...(h.engine === "postgres" ? { migrationTableSchema: rows[0]?.schema ?? "" } : {}),
        provider: {
          getMigrations: async () => ({
            ...migrationsFor(h.engine),
            "0002_broken": {
              up: async (db) => {
                await db.schema.createTable("half_done").addColumn("x", "integer").execute();
                await db.insertInto("half_done").values({ x: 1 }).execute();
                throw new Error("migration bug");
              },
            },
          }),
        },
      });
      const result = await migrator.migrateToLatest();
      assert.ok(result.error instanceof Error);
      await assert.rejects(sql`select * from half_done`.execute(store.db));
      const applied = await sql<{ name: string }>`select name from cratesec_migration`.execute(
        store.db,
      );
      assert.deepEqual(
        applied.rows.map((r) => r.name),
        ["0001_initial"],
      );
    });
  });

  describe("users", () => {
    it("creates users with unique, case-insensitive names and audits it", async (t) => {
      const { store } = await open(t);
      const alice = await store.createUser({ name: "Alice", isAdmin: true }, { ip: "10.0.0.1" });
      assert.equal(alice.name, "Alice");
      assert.equal(alice.isAdmin, true);
      assert.equal(alice.locked, false);
      assert.equal((await store.findUserByName("alice"))?.id, alice.id);
      assert.equal((await store.getUser(alice.id))?.name, "Alice");
      assert.equal(await store.findUserByName("bob"), null);
      await rejectsWith(store.createUser({ name: "ALICE" }), "conflict", /already exists/);
      await rejectsWith(store.createUser({ name: " " }), "invalid");
      const { entries } = await store.queryAuditLog({ action: "user-create" });
      assert.equal(entries.length, 1);
      assert.equal(entries[0]?.ip, "10.0.0.1");
      assert.deepEqual(entries[0]?.details, { user: "Alice", user_id: alice.id, is_admin: true });
    });

    it("locks and unlocks users (indefinitely or until a time)", async (t) => {
      const { store, clock } = await open(t);
      await setupUsers(store, "mallory", "admin");
      const admin = await store.findUserByName("admin");
      const ctx = { userId: admin?.id ?? null };
      const locked = await store.lockUser("mallory", { reason: "malware" }, ctx);
      assert.equal(locked.locked, true);
      assert.equal(locked.lockReason, "malware");
      assert.equal(locked.lockedUntil, null);
      const unlocked = await store.unlockUser("mallory", ctx);
      assert.equal(unlocked.locked, false);
      await store.lockUser("mallory", { until: clock.t + MINUTE }, ctx);
      assert.equal((await store.findUserByName("mallory"))?.locked, true);
      clock.advance(2 * MINUTE);
      assert.equal((await store.findUserByName("mallory"))?.locked, false);
      await rejectsWith(store.lockUser("nobody"), "not-found");
      const actions = (await store.queryAuditLog({ user: "admin" })).entries.map((e) => e.action);
      assert.deepEqual(actions, ["user-lock", "user-unlock", "user-lock"]);
    });
  });

  describe("tokens", () => {
    it("stores only the hash, with scopes, and the hash is unique", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const plaintext = "csk_exampleexampleexampleexampleexample";
      const hash = sha256(plaintext);
      const token = await store.createToken({
        userId: alice.id,
        name: "ci",
        tokenHash: hash,
        endpointScopes: ["publish-update", "yank"],
        crateScopes: ["serde*", "tokio"],
        expiresAt: Date.UTC(2026, 0, 1),
      });
      assert.equal(token.kind, "api");
      assert.deepEqual(token.endpointScopes, ["publish-update", "yank"]);
      assert.deepEqual(token.crateScopes, ["serde*", "tokio"]);
      const rows = await store.db.selectFrom("api_tokens").selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.token_hash, hash);
      assert.ok(!JSON.stringify(rows).includes(plaintext), "the plaintext token is never stored");
      const legacy = await store.createToken({
        userId: alice.id,
        name: "legacy",
        tokenHash: sha256("other"),
      });
      assert.equal(legacy.endpointScopes, null);
      assert.equal(legacy.crateScopes, null);
      await rejectsWith(
        store.createToken({ userId: alice.id, name: "again", tokenHash: hash.toUpperCase() }),
        "conflict",
      );
      await rejectsWith(
        store.createToken({ userId: alice.id, name: "bad", tokenHash: "abc" }),
        "invalid",
      );
      await rejectsWith(
        store.createToken({ userId: 999, name: "x", tokenHash: sha256("x") }),
        "not-found",
      );
      // The database itself refuses a duplicate hash.
      await assert.rejects(
        store.db
          .insertInto("api_tokens")
          .values({ ...rows[0], id: undefined } as never)
          .execute(),
        (e) => toStoreError(e).code === "conflict",
      );
      const audit = await store.queryAuditLog({ action: "token-create" });
      assert.equal(audit.entries.length, 2);
      assert.ok(!JSON.stringify(audit).includes(hash), "the audit log holds no token hash");
    });

    it("finds a token by hash and throttles last_used_at writes", async (t) => {
      const { store, clock } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const hash = sha256("token-1");
      const token = await store.createToken({ userId: alice.id, name: "t", tokenHash: hash });
      assert.equal(token.lastUsedAt, null);
      assert.equal(await store.findTokenByHash(sha256("unknown")), null);
      assert.equal(await store.findTokenByHash("not a hash"), null);

      const stored = async () =>
        (
          await store.db
            .selectFrom("api_tokens")
            .select("last_used_at")
            .where("id", "=", token.id)
            .executeTakeFirstOrThrow()
        ).last_used_at;

      const t0 = clock.t;
      const first = await store.findTokenByHash(hash);
      assert.equal(first?.token.id, token.id);
      assert.equal(first?.user?.name, "alice");
      assert.equal(first?.token.lastUsedAt, t0);
      assert.equal(await stored(), t0);

      clock.advance(30_000);
      const second = await store.findTokenByHash(hash.toUpperCase());
      assert.equal(second?.token.lastUsedAt, t0, "no write within the interval");
      assert.equal(await stored(), t0);

      clock.advance(31_000);
      await store.findTokenByHash(hash);
      assert.equal(await stored(), t0 + 61_000, "written again after the interval");

      await store.revokeToken(token.id);
      clock.advance(5 * MINUTE);
      const revoked = await store.findTokenByHash(hash);
      assert.notEqual(revoked?.token.revokedAt, null);
      assert.equal(await stored(), t0 + 61_000, "a revoked token is not touched");
    });

    it("lists, revokes one and revokes all tokens", async (t) => {
      const { store } = await open(t);
      const [alice, bob] = await setupUsers(store, "alice", "bob");
      assert.ok(alice && bob);
      const ids = [];
      for (let i = 0; i < 3; i++) {
        const tk = await store.createToken({
          userId: alice.id,
          name: `t${i}`,
          tokenHash: sha256(`a${i}`),
        });
        ids.push(tk.id);
      }
      const bobs = await store.createToken({ userId: bob.id, name: "b", tokenHash: sha256("b") });
      assert.deepEqual(
        (await store.listTokens(alice.id)).map((tk) => tk.name),
        ["t0", "t1", "t2"],
      );
      const ctx: ActorContext = { userId: alice.id, tokenId: ids[0] ?? null, ip: "::1" };
      assert.equal(await store.revokeToken(ids[1] ?? 0, ctx, { userId: alice.id }), true);
      assert.equal(await store.revokeToken(ids[1] ?? 0, ctx, { userId: alice.id }), false);
      await rejectsWith(store.revokeToken(bobs.id, ctx, { userId: alice.id }), "not-found");
      await rejectsWith(store.revokeToken(12345, ctx), "not-found");
      assert.deepEqual(
        (await store.listTokens(alice.id)).map((tk) => tk.name),
        ["t0", "t2"],
      );
      assert.equal((await store.listTokens(alice.id, { includeRevoked: true })).length, 3);
      assert.equal(await store.revokeAllTokens(alice.id, ctx), 2);
      assert.equal(await store.revokeAllTokens(alice.id, ctx), 0);
      assert.equal((await store.listTokens(alice.id)).length, 0);
      assert.equal((await store.listTokens(bob.id)).length, 1);
      assert.equal((await store.getToken(bobs.id))?.revokedAt, null);
      const audit = await store.queryAuditLog({ action: ["token-revoke", "token-revoke-all"] });
      assert.deepEqual(
        audit.entries.map((e) => [e.action, e.tokenId, e.ip]),
        [
          ["token-revoke-all", ids[0], "::1"],
          ["token-revoke", ids[0], "::1"],
        ],
      );
    });

    it("claims a jti once (replay → false), also under concurrency", async (t) => {
      const { store, clock } = await open(t);
      const exp = clock.t + 10 * MINUTE;
      assert.equal(await store.claimJti("jti-1", exp), true);
      assert.equal(await store.claimJti("jti-1", exp), false);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.claimJti("jti-2", exp)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await count(store, "used_jtis"), 2);
      clock.advance(11 * MINUTE);
      assert.equal(await store.claimJti("jti-3", clock.t + MINUTE), true);
      assert.equal(await count(store, "used_jtis"), 1, "expired jtis are purged");
    });

    it("exchanges a trusted-publishing token once per jti, atomically with its audit row", async (t) => {
      const { store, clock } = await open(t);
      const claims = { provider: "github", repository: "acme/widget", run_id: "42", sha: "abc" };
      const input = {
        jti: "jwt-1",
        jtiExpiresAt: clock.t + 6 * MINUTE,
        tokenHash: sha256("tp-1"),
        crateNames: ["widget"],
        expiresAt: clock.t + 30 * MINUTE,
        claims,
      };
      const token = await store.createTrustedPublishingToken(input, { ip: "192.0.2.1" });
      assert.ok(token);
      assert.equal(token.kind, "trusted-publishing");
      assert.equal(token.userId, null);
      assert.deepEqual(token.crateScopes, ["widget"]);
      assert.deepEqual(token.endpointScopes, ["publish-update"]);
      assert.deepEqual(token.trustedClaims, claims);
      const replay = await store.createTrustedPublishingToken({
        ...input,
        tokenHash: sha256("tp-2"),
      });
      assert.equal(replay, null);
      assert.equal(await count(store, "api_tokens"), 1);
      const audit = await store.queryAuditLog({ action: "trusted-publishing-exchange" });
      assert.equal(audit.entries.length, 1);
      assert.deepEqual(audit.entries[0]?.trustedClaims, claims);
      const found = await store.findTokenByHash(sha256("tp-1"));
      assert.equal(found?.user, null);
      assert.equal(found?.token.kind, "trusted-publishing");
    });
  });

  describe("publish", () => {
    it("creates the crate, its first owner, the publish record and the audit row", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const token = await store.createToken({
        userId: alice.id,
        name: "ci",
        tokenHash: sha256("t"),
      });
      const ctx = {
        userId: alice.id,
        tokenId: token.id,
        ip: "203.0.113.9",
        userAgent: "cargo/1.80",
      };
      const first = await store.createCrateVersion(publishInput("widget", "0.1.0"), ctx);
      assert.equal(first.newCrate, true);
      const second = await store.createCrateVersion(publishInput("widget", "0.2.0"), ctx);
      assert.equal(second.newCrate, false);
      assert.equal(second.crateId, first.crateId);
      assert.ok(second.versionId > first.versionId);
      assert.deepEqual(await store.listOwners("widget"), [{ id: alice.id, name: "alice" }]);

      const record = await store.getPublishRecord("Widget", "0.1.0");
      assert.deepEqual(record, {
        crate: "widget",
        version: "0.1.0",
        cksum: sha256("widget@0.1.0"),
        size: 1005,
        yanked: false,
        publishedAt: record?.publishedAt,
        links: null,
        rustVersion: null,
        publisher: { id: alice.id, name: "alice" },
        tokenId: token.id,
        tokenName: "ci",
        trustedClaims: null,
        ip: "203.0.113.9",
        userAgent: "cargo/1.80",
      });
      assert.equal(await store.getPublishRecord("widget", "9.9.9"), null);
      assert.equal(await store.getPublishRecord("widget", "not-semver"), null);
      assert.deepEqual(
        (await store.listVersions("widget")).map((v) => v.version),
        ["0.1.0", "0.2.0"],
      );

      const audit = await store.queryAuditLog({ crate: "widget", action: "publish" });
      assert.deepEqual(
        audit.entries.map((e) => [e.version, e.actorName, e.tokenId, e.ip, e.userAgent]),
        [
          ["0.2.0", "alice", token.id, "203.0.113.9", "cargo/1.80"],
          ["0.1.0", "alice", token.id, "203.0.113.9", "cargo/1.80"],
        ],
      );
      assert.equal(audit.entries[1]?.details?.new_crate, true);
      const crate = await store.crateByCanonicalName("WIDGET");
      assert.equal(crate?.name, "widget");
      assert.equal(crate?.description, "the widget crate");
    });

    it("refuses canonical-name collisions (case, - and _), also in the database", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      await store.createCrateVersion(publishInput("Foo-Bar", "1.0.0"), { userId: alice.id });
      for (const name of ["foo_bar", "FOO-BAR", "foo-bar"]) {
        await rejectsWith(
          store.createCrateVersion(publishInput(name, "2.0.0"), { userId: alice.id }),
          "conflict",
          /collides with the existing crate `Foo-Bar`/,
        );
      }
      assert.equal((await store.crateByCanonicalName("foo_BAR"))?.name, "Foo-Bar");
      await assert.rejects(
        store.db
          .insertInto("crates")
          .values({
            name: "foo_bar",
            canonical_name: "foo_bar",
            created_at: 0,
            updated_at: 0,
          } as never)
          .execute(),
        (e) => toStoreError(e).code === "conflict",
      );
      assert.equal(await count(store, "versions"), 1);
    });

    it("refuses a version that differs only in build metadata, also in the database", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const ctx = { userId: alice.id };
      await store.createCrateVersion(publishInput("widget", "1.0.0+build.1"), ctx);
      await rejectsWith(
        store.createCrateVersion(publishInput("widget", "1.0.0+build.2"), ctx),
        "conflict",
        /conflicts with the existing version 1\.0\.0\+build\.1/,
      );
      await rejectsWith(store.createCrateVersion(publishInput("widget", "1.0.0"), ctx), "conflict");
      await rejectsWith(
        store.createCrateVersion(publishInput("widget", "1.0.0+build.1"), ctx),
        "conflict",
        /already exists/,
      );
      await store.createCrateVersion(publishInput("widget", "1.0.0-rc.1"), ctx);
      await rejectsWith(store.createCrateVersion(publishInput("widget", "1.0"), ctx), "invalid");
      const row = await store.db
        .selectFrom("versions")
        .selectAll()
        .where("num", "=", "1.0.0+build.1")
        .executeTakeFirstOrThrow();
      await assert.rejects(
        store.db
          .insertInto("versions")
          .values({ ...row, id: undefined, num: "1.0.0+other" } as never)
          .execute(),
        (e) => toStoreError(e).code === "conflict",
      );
      assert.equal(
        (await store.getPublishRecord("widget", "1.0.0+whatever"))?.version,
        "1.0.0+build.1",
      );
    });

    it("validates the index line and stores it with yanked=false", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const ctx = { userId: alice.id };
      const good = publishInput("widget", "1.0.0");
      await rejectsWith(
        store.createCrateVersion({ ...good, indexLine: "{not json" }, ctx),
        "invalid",
      );
      await rejectsWith(
        store.createCrateVersion({ ...good, indexLine: { name: "other", vers: "1.0.0" } }, ctx),
        "invalid",
        /do not match/,
      );
      await rejectsWith(
        store.createCrateVersion({ ...good, cksum: sha256("different") }, ctx),
        "invalid",
        /cksum/,
      );
      await rejectsWith(store.createCrateVersion({ ...good, cksum: "XYZ" }, ctx), "invalid");
      const line = JSON.stringify({
        name: "widget",
        vers: "1.0.0",
        cksum: good.cksum,
        yanked: true,
      });
      await store.createCrateVersion({ ...good, indexLine: line }, ctx);
      const index = await store.getIndexLines("widget");
      assert.deepEqual(JSON.parse(index?.lines[0] ?? "null"), {
        name: "widget",
        vers: "1.0.0",
        cksum: good.cksum,
        yanked: false,
      });
      assert.equal(await count(store, "audit_log"), 2, "user-create + one publish");
    });

    it("enforces ownership, locks, trusted-publishing-only and name holds inside the transaction", async (t) => {
      const { store, clock } = await open(t);
      const [alice, bob] = await setupUsers(store, "alice", "bob");
      assert.ok(alice && bob);
      await store.createCrateVersion(publishInput("widget", "1.0.0"), { userId: alice.id });
      await rejectsWith(
        store.createCrateVersion(publishInput("widget", "1.1.0"), { userId: bob.id }),
        "forbidden",
        /not an owner/,
      );
      await rejectsWith(
        store.createCrateVersion(publishInput("gadget", "1.0.0"), {}),
        "forbidden",
        /published by a user/,
      );

      await store.setTrustedPublishingOnly("widget", true, { userId: alice.id });
      await rejectsWith(
        store.createCrateVersion(publishInput("widget", "1.1.0"), { userId: alice.id }),
        "forbidden",
        /trusted publishing/,
      );
      const trusted = { provider: "github", repository: "acme/widget", run_id: "7", sha: "f00" };
      const tp = await store.createCrateVersion(publishInput("widget", "1.1.0"), {
        trusted,
        tokenId: 99,
      });
      assert.equal(tp.newCrate, false);
      const record = await store.getPublishRecord("widget", "1.1.0");
      assert.equal(record?.publisher, null);
      assert.deepEqual(record?.trustedClaims, trusted);
      assert.deepEqual(
        (await store.queryAuditLog({ crate: "widget", action: "publish" })).entries[0]
          ?.trustedClaims,
        trusted,
      );

      await store.db
        .updateTable("crates")
        .set({ locked_at: clock.t, lock_reason: "investigation" })
        .execute();
      await rejectsWith(
        store.createCrateVersion(publishInput("widget", "1.2.0"), { trusted }),
        "forbidden",
        /locked/,
      );

      await store.holdName("Old_Crate", clock.t + 24 * 60 * MINUTE, "deleted", {
        userId: alice.id,
      });
      assert.equal((await store.getNameHold("old-crate"))?.reason, "deleted");
      await rejectsWith(
        store.createCrateVersion(publishInput("old-crate", "1.0.0"), { userId: bob.id }),
        "conflict",
        /not available until/,
      );
      await store.holdName("std", null, "reserved");
      await rejectsWith(
        store.createCrateVersion(publishInput("std", "1.0.0"), { userId: bob.id }),
        "conflict",
        /reserved/,
      );
      clock.advance(25 * 60 * MINUTE);
      assert.equal(await store.getNameHold("old-crate"), null);
      const reused = await store.createCrateVersion(publishInput("old-crate", "1.0.0"), {
        userId: bob.id,
      });
      assert.equal(reused.newCrate, true);
      assert.equal(await count(store, "versions"), 3);
    });

    for (const step of ["crate", "version", "owner", "crate-update", "audit"]) {
      it(`is all-or-nothing: a crash after step "${step}" leaves nothing visible`, async (t) => {
        let failAt: string | null = null;
        const { store } = await open(t, {
          faultInjector: (s: string) => {
            if (s === failAt) throw new Error(`simulated crash after ${s}`);
          },
        });
        const [alice] = await setupUsers(store, "alice");
        assert.ok(alice);
        const before = await count(store, "audit_log");
        failAt = step;
        await assert.rejects(
          store.createCrateVersion(publishInput("widget", "1.0.0"), { userId: alice.id }),
          (e) => isStoreError(e, "internal"),
        );
        assert.equal(await store.crateByCanonicalName("widget"), null);
        assert.equal(await store.getIndexLines("widget"), null);
        assert.equal(await count(store, "versions"), 0);
        assert.equal(await count(store, "crate_owners"), 0);
        assert.equal(await count(store, "audit_log"), before);
        // The same on an existing crate.
        failAt = null;
        await store.createCrateVersion(publishInput("widget", "1.0.0"), { userId: alice.id });
        const etag = (await store.getIndexLines("widget"))?.etag;
        failAt = step === "owner" ? "version" : step;
        await assert.rejects(
          store.createCrateVersion(publishInput("widget", "1.1.0"), { userId: alice.id }),
        );
        assert.equal((await store.getIndexLines("widget"))?.etag, etag);
        assert.equal(await count(store, "versions"), 1);
        assert.equal(await count(store, "audit_log"), before + 1);
        // Nothing is left half-written: the version can be published afterwards.
        failAt = null;
        await store.createCrateVersion(publishInput("widget", "1.1.0"), { userId: alice.id });
        assert.equal(await count(store, "versions"), 2);
      });
    }

    it("lets exactly one of two concurrent first publishes of a name win", async (t) => {
      const { store } = await open(t);
      const [alice, bob] = await setupUsers(store, "alice", "bob");
      assert.ok(alice && bob);
      const results = await Promise.allSettled([
        store.createCrateVersion(publishInput("race", "1.0.0"), { userId: alice.id }),
        store.createCrateVersion(publishInput("race", "1.0.1"), { userId: bob.id }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      assert.equal(won.length, 1);
      const lost = results.find((r) => r.status === "rejected");
      assert.ok(lost?.status === "rejected" && isStoreError(lost.reason, "forbidden"));
      assert.equal((await store.listOwners("race")).length, 1);
      assert.equal(await count(store, "versions"), 1);
    });
  });

  describe("sparse index", () => {
    it("returns lines in publish order with an ETag that changes on publish and yank", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const ctx = { userId: alice.id };
      assert.equal(await store.getIndexLines("serde-json"), null);
      await store.createCrateVersion(publishInput("serde-json", "1.0.0"), ctx);
      const e1 = await store.getIndexLines("serde-json");
      await store.createCrateVersion(publishInput("serde-json", "0.9.0"), ctx);
      await store.createCrateVersion(publishInput("serde-json", "2.0.0"), ctx);
      const e3 = await store.getIndexLines("SERDE_JSON");
      assert.ok(e1 && e3);
      assert.equal(e3.name, "serde-json");
      assert.deepEqual(
        e3.lines.map((l) => JSON.parse(l).vers),
        ["1.0.0", "0.9.0", "2.0.0"],
      );
      assert.equal(e3.body, `${e3.lines.join("\n")}\n`);
      assert.match(e3.etag, /^"[0-9a-f]{64}"$/);
      assert.equal(e3.etag, `"${sha256(e3.body)}"`);
      assert.notEqual(e1.etag, e3.etag);
      assert.equal((await store.getIndexLines("serde-json"))?.etag, e3.etag, "stable");

      assert.deepEqual(await store.yank("serde-json", "0.9.0", ctx), { changed: true });
      const yanked = await store.getIndexLines("serde-json");
      assert.notEqual(yanked?.etag, e3.etag);
      assert.equal(JSON.parse(yanked?.lines[1] ?? "{}").yanked, true);
      assert.equal(JSON.parse(yanked?.lines[0] ?? "{}").yanked, false);
      assert.equal((await store.getPublishRecord("serde-json", "0.9.0"))?.yanked, true);
      assert.deepEqual(await store.yank("serde-json", "0.9.0", ctx), { changed: false });

      assert.deepEqual(await store.unyank("serde-json", "0.9.0", ctx), { changed: true });
      const back = await store.getIndexLines("serde-json");
      assert.equal(back?.etag, e3.etag, "the ETag is a hash of the content");
      assert.equal(back?.body, e3.body);
      assert.deepEqual(await store.unyank("serde-json", "0.9.0", ctx), { changed: false });

      await rejectsWith(store.yank("serde-json", "3.0.0", ctx), "not-found");
      await rejectsWith(store.yank("nope", "1.0.0", ctx), "not-found");
      const audit = await store.queryAuditLog({ action: ["yank", "unyank"] });
      assert.deepEqual(
        audit.entries.map((e) => [e.action, e.crate, e.version, e.actorName]),
        [
          ["unyank", "serde-json", "0.9.0", "alice"],
          ["yank", "serde-json", "0.9.0", "alice"],
        ],
      );
    });

    it("rolls back a yank that fails half-way", async (t) => {
      let fail = false;
      const { store } = await open(t, {
        faultInjector: (s: string) => {
          if (fail && s === "version") throw new Error("crash");
        },
      });
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      await store.createCrateVersion(publishInput("widget", "1.0.0"), { userId: alice.id });
      const before = await store.getIndexLines("widget");
      fail = true;
      await assert.rejects(store.yank("widget", "1.0.0", { userId: alice.id }));
      assert.equal((await store.getIndexLines("widget"))?.etag, before?.etag);
      assert.equal((await store.getPublishRecord("widget", "1.0.0"))?.yanked, false);
      assert.equal((await store.queryAuditLog({ action: "yank" })).entries.length, 0);
    });
  });

  describe("owners", () => {
    it("lists, adds and removes owners, and never removes the last one", async (t) => {
      const { store } = await open(t);
      const [alice, bob, carol] = await setupUsers(store, "alice", "bob", "carol");
      assert.ok(alice && bob && carol);
      const ctx = { userId: alice.id, ip: "198.51.100.1" };
      await store.createCrateVersion(publishInput("widget", "1.0.0"), ctx);
      await rejectsWith(store.listOwners("nope"), "not-found");
      assert.deepEqual(await store.addOwners("widget", ["BOB", "carol"], ctx), [
        { id: bob.id, name: "bob" },
        { id: carol.id, name: "carol" },
      ]);
      assert.deepEqual(await store.addOwners("widget", ["bob"], ctx), [], "already an owner");
      await rejectsWith(store.addOwners("widget", ["dave"], ctx), "not-found", /dave/);
      assert.deepEqual(
        (await store.listOwners("widget")).map((o) => o.name),
        ["alice", "bob", "carol"],
      );
      assert.equal(await store.isOwner("Widget", bob.id), true);

      await rejectsWith(
        store.removeOwners("widget", ["alice", "bob", "carol"], ctx),
        "conflict",
        /at least one owner/,
      );
      await rejectsWith(store.removeOwners("widget", ["dave"], ctx), "not-found");
      assert.equal((await store.listOwners("widget")).length, 3, "nothing removed on error");
      assert.deepEqual(await store.removeOwners("widget", ["bob", "alice"], ctx), [
        { id: bob.id, name: "bob" },
        { id: alice.id, name: "alice" },
      ]);
      await rejectsWith(store.removeOwners("widget", ["carol"], ctx), "conflict");
      assert.deepEqual(await store.listOwners("widget"), [{ id: carol.id, name: "carol" }]);
      assert.equal(await store.isOwner("widget", alice.id), false);

      const audit = await store.queryAuditLog({
        crate: "widget",
        action: ["owner-add", "owner-remove"],
      });
      assert.deepEqual(audit.entries.map((e) => [e.action, e.details?.user, e.ip]).reverse(), [
        ["owner-add", "bob", "198.51.100.1"],
        ["owner-add", "carol", "198.51.100.1"],
        ["owner-remove", "bob", "198.51.100.1"],
        ["owner-remove", "alice", "198.51.100.1"],
      ]);
    });

    it("keeps one owner when two removals race", async (t) => {
      const { store } = await open(t);
      const [alice, bob] = await setupUsers(store, "alice", "bob");
      assert.ok(alice && bob);
      await store.createCrateVersion(publishInput("widget", "1.0.0"), { userId: alice.id });
      await store.addOwners("widget", ["bob"], { userId: alice.id });
      const results = await Promise.allSettled([
        store.removeOwners("widget", ["alice"], { userId: bob.id }),
        store.removeOwners("widget", ["bob"], { userId: alice.id }),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      assert.equal((await store.listOwners("widget")).length, 1);
    });
  });

  describe("search", () => {
    it("paginates with a total, matches names and descriptions, escapes wildcards", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const ctx = { userId: alice.id };
      for (let i = 0; i < 25; i++) {
        const name = `tool-${String(i).padStart(2, "0")}`;
        await store.createCrateVersion(publishInput(name, "1.0.0"), ctx);
      }
      await store.createCrateVersion(
        publishInput("abc", "0.1.0", { description: "Fast TOOL for 100% of cases" }),
        ctx,
      );
      await store.createCrateVersion(publishInput("tool", "0.1.0"), ctx);

      const p1 = await store.search("tool", 1, 10);
      assert.equal(p1.total, 27);
      assert.equal(p1.crates.length, 10);
      assert.equal(p1.crates[0]?.name, "tool", "exact match first");
      const p3 = await store.search("TOOL", 3, 10);
      assert.equal(p3.total, 27);
      assert.equal(p3.crates.length, 7);
      const all = [];
      for (let page = 1; page <= 3; page++) {
        all.push(...(await store.search("tool", page, 10)).crates.map((c) => c.name));
      }
      assert.equal(new Set(all).size, 27, "pages do not overlap");
      assert.deepEqual(await store.search("tool", 4, 10), { total: 27, crates: [] });
      assert.equal((await store.search("tool", 1, 1000)).crates.length, 27, "perPage ≤ 100");
      assert.equal((await store.search("tool_0", 1, 100)).total, 10, "- and _ are the same");
      assert.equal((await store.search("a_c", 1, 10)).total, 0, "_ is not a wildcard");
      assert.equal((await store.search("100%", 1, 10)).crates[0]?.name, "abc");
      assert.equal((await store.search("1%0", 1, 10)).total, 0, "% is not a wildcard");
      assert.equal((await store.search("", 1, 5)).total, 27);
      assert.equal((await store.search("zzz", 1, 5)).total, 0);
    });

    it("reports the highest non-yanked version", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const ctx = { userId: alice.id };
      for (const v of ["1.2.0", "1.10.0", "1.9.0", "2.0.0-alpha.1"]) {
        await store.createCrateVersion(publishInput("widget", v), ctx);
      }
      const max = async () => (await store.search("widget", 1, 10)).crates[0]?.maxVersion;
      assert.equal(await max(), "2.0.0-alpha.1");
      await store.yank("widget", "2.0.0-alpha.1", ctx);
      assert.equal(await max(), "1.10.0");
      for (const v of ["1.2.0", "1.10.0", "1.9.0"]) await store.yank("widget", v, ctx);
      assert.equal(await max(), null);
    });
  });

  describe("trusted publishers", () => {
    it("adds, lists, finds (case-insensitively) and removes configs", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const ctx = { userId: alice.id };
      await store.createCrateVersion(publishInput("widget", "1.0.0"), ctx);
      await store.createCrateVersion(publishInput("gadget", "1.0.0"), ctx);
      const config = {
        issuer: "https://token.actions.githubusercontent.com",
        repositoryOwner: "Acme",
        repositoryOwnerId: "1234",
        repository: "Widgets",
        workflowFilename: "release.yml",
      };
      const a = await store.addTrustedPublisher("widget", config, ctx);
      assert.equal(a.crateName, "widget");
      assert.equal(a.environment, null);
      assert.equal(a.provider, "github");
      await rejectsWith(store.addTrustedPublisher("widget", config, ctx), "conflict");
      const b = await store.addTrustedPublisher(
        "gadget",
        { ...config, environment: "release" },
        ctx,
      );
      await rejectsWith(store.addTrustedPublisher("nope", config, ctx), "not-found");
      await rejectsWith(
        store.addTrustedPublisher("widget", { ...config, workflowFilename: "" }, ctx),
        "invalid",
      );
      assert.deepEqual(
        (await store.listTrustedPublishers("widget")).map((p) => p.id),
        [a.id],
      );
      const found = await store.findTrustedPublishers({
        issuer: config.issuer,
        repositoryOwner: "acme",
        repository: "WIDGETS",
      });
      assert.deepEqual(
        found.map((p) => [p.crateName, p.environment]),
        [
          ["widget", null],
          ["gadget", "release"],
        ],
      );
      assert.equal(
        (
          await store.findTrustedPublishers({
            issuer: "https://gitlab.com",
            repositoryOwner: "acme",
            repository: "widgets",
          })
        ).length,
        0,
      );
      assert.equal((await store.getTrustedPublisher(b.id))?.crateName, "gadget");
      await rejectsWith(store.removeTrustedPublisher(b.id, ctx, { crate: "widget" }), "not-found");
      await store.removeTrustedPublisher(b.id, ctx, { crate: "gadget" });
      assert.equal(await store.getTrustedPublisher(b.id), null);
      await rejectsWith(store.removeTrustedPublisher(b.id, ctx), "not-found");
      const audit = await store.queryAuditLog({
        action: ["trusted-publisher-add", "trusted-publisher-remove"],
      });
      assert.deepEqual(
        audit.entries.map((e) => [e.action, e.crate]),
        [
          ["trusted-publisher-remove", "gadget"],
          ["trusted-publisher-add", "gadget"],
          ["trusted-publisher-add", "widget"],
        ],
      );
    });
  });

  describe("rate limits", () => {
    it("counts hits in a fixed window and resets in the next one", async (t) => {
      const { store, clock } = await open(t);
      clock.t = Date.UTC(2025, 0, 1, 0, 0, 10);
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await store.hit("publish-new:user:1", MINUTE, 3));
      assert.deepEqual(
        results.map((r) => [r.allowed, r.count, r.remaining]),
        [
          [true, 1, 2],
          [true, 2, 1],
          [true, 3, 0],
          [false, 4, 0],
        ],
      );
      assert.equal(results[3]?.retryAfterMs, 50_000);
      assert.equal(results[3]?.resetAt, Date.UTC(2025, 0, 1, 0, 1, 0));
      assert.equal((await store.hit("publish-new:user:2", MINUTE, 3)).count, 1, "per key");
      clock.advance(50_000);
      const next = await store.hit("publish-new:user:1", MINUTE, 3);
      assert.deepEqual([next.allowed, next.count, next.retryAfterMs], [true, 1, 0]);
      await rejectsWith(store.hit("k", 0, 1), "invalid");
    });

    it("is atomic under concurrent hits", async (t) => {
      const { store } = await open(t);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.hit("yank:token:9", MINUTE, 5)),
      );
      assert.deepEqual(
        results.map((r) => r.count).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal(results.filter((r) => r.allowed).length, 5);
    });
  });

  describe("audit log", () => {
    it("is append-only: the database refuses UPDATE and DELETE", async (t) => {
      const { store } = await open(t);
      await setupUsers(store, "alice");
      const before = await store.db.selectFrom("audit_log").selectAll().execute();
      assert.equal(before.length, 1);
      const refused = (e: unknown) => {
        assert.match(String((e as Error).message), /append-only/);
        const mapped = toStoreError(e);
        assert.equal(mapped.code, "forbidden");
        assert.doesNotMatch(mapped.message, /audit_log|update|delete/i);
        return true;
      };
      await assert.rejects(sql`update audit_log set action = 'forged'`.execute(store.db), refused);
      await assert.rejects(
        store.db.updateTable("audit_log").set({ ip: "0.0.0.0" }).execute(),
        refused,
      );
      await assert.rejects(sql`delete from audit_log`.execute(store.db), refused);
      await assert.rejects(
        store.db
          .deleteFrom("audit_log")
          .where("id", "=", before[0]?.id ?? 0)
          .execute(),
        refused,
      );
      if (h.engine === "postgres") {
        await assert.rejects(sql`truncate audit_log`.execute(store.db), refused);
      }
      assert.deepEqual(await store.db.selectFrom("audit_log").selectAll().execute(), before);
      assert.equal(
        Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter(
          (n) => /audit/i.test(n) && /update|delete|remove|edit/i.test(n),
        ).length,
        0,
        "no API changes audit rows",
      );
    });

    it("filters by crate, user, action, time range, and pages with a cursor", async (t) => {
      const { store, clock } = await open(t);
      const [alice, bob] = await setupUsers(store, "alice", "bob");
      assert.ok(alice && bob);
      const start = clock.t;
      for (let i = 0; i < 5; i++) {
        clock.advance(MINUTE);
        await store.createCrateVersion(publishInput("Widget-Rs", `1.0.${i}`), { userId: alice.id });
      }
      clock.advance(MINUTE);
      await store.createCrateVersion(publishInput("gadget", "1.0.0"), { userId: bob.id });
      clock.advance(MINUTE);
      await store.yank("widget-rs", "1.0.0", { userId: alice.id });
      const id = await store.appendAudit(
        "login",
        { userId: bob.id, ip: "192.0.2.7", userAgent: "browser" },
        { details: { method: "token" } },
      );
      assert.ok(id > 0);

      assert.equal((await store.queryAuditLog({ crate: "widget_rs" })).entries.length, 6);
      assert.equal(
        (await store.queryAuditLog({ crate: "WIDGET-RS", action: "yank" })).entries.length,
        1,
      );
      assert.equal((await store.queryAuditLog({ user: "BOB" })).entries.length, 2);
      assert.equal(
        (await store.queryAuditLog({ user: bob.id, action: "login" })).entries[0]?.ip,
        "192.0.2.7",
      );
      assert.deepEqual(await store.queryAuditLog({ user: "nobody" }), { entries: [], next: null });
      assert.deepEqual(await store.queryAuditLog({ action: [] }), { entries: [], next: null });
      const window = await store.queryAuditLog({
        since: start + 2 * MINUTE,
        until: start + 4 * MINUTE,
      });
      assert.deepEqual(
        window.entries.map((e) => e.version),
        ["1.0.2", "1.0.1"],
      );

      const total = (await store.queryAuditLog({ limit: 1000 })).entries.length;
      assert.equal(total, 10);
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.queryAuditLog({ limit: 3, before });
        seen.push(...page.entries.map((e) => e.id));
        if (page.next === null) break;
        before = page.next;
      }
      assert.equal(seen.length, total);
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => b - a),
        "newest first, no duplicates",
      );
    });
  });

  describe("errors", () => {
    it("are typed StoreErrors without SQL text", async (t) => {
      const { store } = await open(t);
      const [alice] = await setupUsers(store, "alice");
      assert.ok(alice);
      const e = await rejectsWith(store.createUser({ name: "alice" }), "conflict");
      assert.equal(e.name, "StoreError");
      let raw: unknown;
      try {
        await sql`insert into users (name, name_canonical, created_at) values ('x', 'alice', 0)`.execute(
          store.db,
        );
      } catch (err) {
        raw = err;
      }
      const mapped = toStoreError(raw);
      assert.equal(mapped.code, "conflict");
      assert.equal(mapped.message, "the record already exists");
      await assert.rejects(openStore({ url: "mysql://localhost/db" }), (err) =>
        isStoreError(err, "invalid"),
      );
    });
  });
}

for (const h of ENGINES) {
  describe(`registry store on ${h.label}`, () => {
    if (!h.available) {
      it(`${h.label} suite`, (t) => {
        t.skip(PG_SKIP_MESSAGE);
      });
      return;
    }
    before(() => h.setup());
    after(() => h.teardown());
    suite(h);
  });
}

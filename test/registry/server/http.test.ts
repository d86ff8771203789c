/**
 * The HTTP contract of the registry server through `app.inject`: every endpoint's success and
 * error envelopes, ETag/304, 404s, auth-required 401 + www-authenticate, scope refusals, 429 +
 * Retry-After, bad publish bodies (4xx JSON, nothing stored). Runs on SQLite, and on PostgreSQL
 * when CRATESEC_TEST_DATABASE_URL is set.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InjectOptions } from "fastify";
import { indexPathOf } from "../../../src/registry/server/index.js";
import { crateFile, frame, newCrateJson } from "../publish/helpers.js";
import { ENGINES, type Fixture, PG_SKIP, publishBody, startFixture, userToken } from "./helpers.js";

async function call(f: Fixture, options: InjectOptions) {
  const res = await f.server.app.inject(options);
  let json: unknown;
  try {
    json = res.body === "" ? undefined : JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { res, json: (json ?? {}) as Record<string, unknown> };
}

function assertEnvelope(json: unknown, detail?: RegExp): string {
  const body = json as { errors?: { detail?: unknown }[] };
  assert.ok(Array.isArray(body?.errors), `error envelope expected, got ${JSON.stringify(json)}`);
  const d = body.errors[0]?.detail;
  assert.equal(typeof d, "string");
  if (detail) assert.match(d as string, detail);
  assert.doesNotMatch(d as string, /\bat .*\.js:\d+|select |insert into|SQLITE_/i);
  return d as string;
}

const publish = (f: Fixture, token: string | undefined, body: Buffer) =>
  call(f, {
    method: "PUT",
    url: "/api/v1/crates/new",
    headers: {
      "content-type": "application/octet-stream",
      ...(token === undefined ? {} : { authorization: token }),
    },
    payload: body,
  });

function storedFiles(f: Fixture): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.push(e.name);
    }
  };
  walk(join(f.dir, "crates"));
  return out;
}

for (const engine of ENGINES) {
  describe(`registry HTTP API (${engine.label})`, {
    skip: !engine.available && PG_SKIP,
  }, () => {
    before(() => engine.setup());
    after(() => engine.teardown());

    describe("public registry", () => {
      let f: Fixture;
      let alice: string;
      let bob: string;
      before(async () => {
        f = await startFixture(engine, {
          publicUrl: "http://registry.test",
          rateLimits: { "publish-new": { max: 100, windowMs: 60_000 } },
        });
        alice = (await userToken(f.store, "alice")).token;
        bob = (await userToken(f.store, "bob")).token;
      });
      after(() => f.close());

      it("answers /healthz", async () => {
        const { res, json } = await call(f, { method: "GET", url: "/healthz" });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(json, { ok: true });
      });

      it("serves config.json with dl and api", async () => {
        const { res, json } = await call(f, { method: "GET", url: "/index/config.json" });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(json, {
          dl: "http://registry.test/api/v1/crates",
          api: "http://registry.test",
        });
      });

      it("publishes, stores the file first and serves index line and download", async () => {
        const body = await publishBody("Hello_World", "1.0.0");
        const { res, json } = await publish(f, alice, body);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(json, {
          warnings: { invalid_categories: [], invalid_badges: [], other: [] },
        });
        const idx = await call(f, { method: "GET", url: `/index/${indexPathOf("hello_world")}` });
        assert.equal(res.statusCode, 200);
        const line = JSON.parse(idx.res.body.trim());
        assert.equal(line.name, "Hello_World");
        assert.equal(line.vers, "1.0.0");
        assert.equal(line.yanked, false);
        assert.ok(await f.storage.has(line.cksum));

        const dl = await f.server.app.inject({
          method: "GET",
          url: "/api/v1/crates/Hello_World/1.0.0/download",
        });
        assert.equal(dl.statusCode, 200);
        assert.equal(createHash("sha256").update(dl.rawPayload).digest("hex"), line.cksum);
      });

      it("serves the index case-insensitively at the standard path, with ETag and 304", async () => {
        const first = await call(f, { method: "GET", url: "/index/he/ll/hello_world" });
        assert.equal(first.res.statusCode, 200);
        const etag = first.res.headers.etag as string;
        assert.match(etag, /^"[0-9a-f]{64}"$/);
        const upper = await call(f, { method: "GET", url: "/index/He/ll/Hello_World" });
        assert.equal(upper.res.statusCode, 200);
        assert.equal(upper.res.body, first.res.body);
        const again = await call(f, {
          method: "GET",
          url: "/index/he/ll/hello_world",
          headers: { "if-none-match": etag },
        });
        assert.equal(again.res.statusCode, 304);
        assert.equal(again.res.body, "");
        const stale = await call(f, {
          method: "GET",
          url: "/index/he/ll/hello_world",
          headers: { "if-none-match": '"0000"' },
        });
        assert.equal(stale.res.statusCode, 200);
      });

      it("404s unknown crates, wrong paths, the other separator and unknown versions", async () => {
        for (const url of [
          "/index/no/ne/nonexistent",
          "/index/xx/yy/hello_world",
          "/index/he/ll/hello-world",
          "/index/3/a/abc",
          "/api/v1/crates/Hello_World/9.9.9/download",
          "/api/v1/crates/nope/1.0.0/download",
        ]) {
          const { res, json } = await call(f, { method: "GET", url });
          assert.equal(res.statusCode, 404, url);
          assertEnvelope(json);
        }
      });

      it("answers unknown routes and bad JSON in the envelope", async () => {
        const r1 = await call(f, { method: "GET", url: "/api/v1/nope" });
        assert.equal(r1.res.statusCode, 404);
        assertEnvelope(r1.json, /no such endpoint/);
        const r2 = await call(f, {
          method: "PUT",
          url: "/api/v1/crates/Hello_World/owners",
          headers: { authorization: alice, "content-type": "application/json" },
          payload: "{not json",
        });
        assert.equal(r2.res.statusCode, 400);
        assertEnvelope(r2.json, /not valid JSON/);
      });

      it("refuses publishes without a token (401) and with an unknown token (403)", async () => {
        const body = await publishBody("anon", "1.0.0");
        const r1 = await publish(f, undefined, body);
        assert.equal(r1.res.statusCode, 401);
        assertEnvelope(r1.json);
        const r2 = await publish(f, `cratesec_${"A".repeat(46)}`, body);
        assert.ok(r2.res.statusCode === 401 || r2.res.statusCode === 403);
        assertEnvelope(r2.json);
        const r3 = await publish(f, "Basic abc", body);
        assert.equal(r3.res.statusCode, 401);
        assertEnvelope(r3.json);
      });

      it("accepts Bearer tokens", async () => {
        const { res } = await publish(f, `Bearer ${alice}`, await publishBody("bearer", "1.0.0"));
        assert.equal(res.statusCode, 200, res.body);
      });

      it("refuses bad publish bodies with 4xx JSON and stores nothing", async () => {
        const before = storedFiles(f).length;
        const good = await crateFile("badbody", "1.0.0");
        const cases: Buffer[] = [
          Buffer.alloc(0),
          Buffer.from([1, 2]),
          Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]),
          frame("{not json", good),
          frame(newCrateJson("badbody", "1.0.0"), Buffer.from("not a gzip")),
          frame(newCrateJson("badbody", "not-a-version"), good),
          frame(newCrateJson("../etc", "1.0.0"), good),
          frame(newCrateJson("other", "1.0.0"), good),
          frame(newCrateJson("badbody", "1.0.0"), good).subarray(0, 40),
        ];
        for (const body of cases) {
          const { res, json } = await publish(f, alice, body);
          assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
          assertEnvelope(json);
        }
        const wrongType = await call(f, {
          method: "PUT",
          url: "/api/v1/crates/new",
          headers: { authorization: alice, "content-type": "text/plain" },
          payload: "hello",
        });
        assert.ok(wrongType.res.statusCode >= 400 && wrongType.res.statusCode < 500);
        assertEnvelope(wrongType.json);
        assert.equal(storedFiles(f).length, before);
        assert.equal(await f.store.crateByCanonicalName("badbody"), null);
      });

      it("refuses a publish-update by a non-owner and a duplicate version", async () => {
        const r1 = await publish(f, bob, await publishBody("Hello_World", "1.1.0"));
        assert.equal(r1.res.statusCode, 403);
        assertEnvelope(r1.json, /not an owner/);
        const r2 = await publish(f, alice, await publishBody("Hello_World", "1.0.0"));
        assert.ok(r2.res.statusCode >= 400 && r2.res.statusCode < 500);
        assertEnvelope(r2.json, /already/);
        const r3 = await publish(f, alice, await publishBody("hello-world", "2.0.0"));
        assert.equal(r3.res.statusCode, 400);
        assertEnvelope(r3.json);
      });

      it("enforces endpoint and crate scopes", async () => {
        const yankOnly = (await userToken(f.store, "alice", { endpointScopes: ["yank"] })).token;
        const r1 = await publish(f, yankOnly, await publishBody("scoped_new", "1.0.0"));
        assert.equal(r1.res.statusCode, 403);
        assertEnvelope(r1.json, /publish-new/);
        const updateOnly = (
          await userToken(f.store, "alice", { endpointScopes: ["publish-update"] })
        ).token;
        const r2 = await publish(f, updateOnly, await publishBody("scoped_new", "1.0.0"));
        assert.equal(r2.res.statusCode, 403);
        const r3 = await publish(f, updateOnly, await publishBody("Hello_World", "1.2.0"));
        assert.equal(r3.res.statusCode, 200, r3.res.body);
        const otherCrates = (await userToken(f.store, "alice", { crateScopes: ["serde*"] })).token;
        const r4 = await publish(f, otherCrates, await publishBody("Hello_World", "1.3.0"));
        assert.equal(r4.res.statusCode, 403);
        assertEnvelope(r4.json, /not valid for crate/);
        const matching = (await userToken(f.store, "alice", { crateScopes: ["hello*"] })).token;
        const r5 = await publish(f, matching, await publishBody("Hello_World", "1.3.0"));
        assert.equal(r5.res.statusCode, 403, "patterns are case-sensitive on the stored name");
        const matching2 = (await userToken(f.store, "alice", { crateScopes: ["Hello*"] })).token;
        const r6 = await publish(f, matching2, await publishBody("Hello_World", "1.3.0"));
        assert.equal(r6.res.statusCode, 200, r6.res.body);
        // A crate-scoped token on an endpoint that names no crate.
        const r7 = await call(f, {
          method: "GET",
          url: "/api/v1/me/tokens",
          headers: { authorization: matching2 },
        });
        assert.equal(r7.res.statusCode, 403);
        assertEnvelope(r7.json);
        const expired = (await userToken(f.store, "alice", { expiresAt: f.store.now() + 1 })).token;
        await new Promise((r) => setTimeout(r, 5));
        const r8 = await publish(f, expired, await publishBody("Hello_World", "1.4.0"));
        assert.equal(r8.res.statusCode, 403);
        assertEnvelope(r8.json, /expired/);
      });

      it("refuses API tokens for trusted-publishing-only crates", async () => {
        await publish(f, alice, await publishBody("tponly", "1.0.0"));
        await f.store.setTrustedPublishingOnly("tponly", true);
        const { res, json } = await publish(f, alice, await publishBody("tponly", "1.1.0"));
        assert.equal(res.statusCode, 403);
        assertEnvelope(json, /Trusted Publishing/);
      });

      it("yanks and unyanks", async () => {
        const url = "/api/v1/crates/hello_world/1.0.0";
        const r0 = await call(f, { method: "DELETE", url: `${url}/yank` });
        assert.equal(r0.res.statusCode, 401);
        const r1 = await call(f, {
          method: "DELETE",
          url: `${url}/yank`,
          headers: { authorization: alice, "content-type": "application/json" },
        });
        assert.equal(r1.res.statusCode, 200, r1.res.body);
        assert.deepEqual(r1.json, { ok: true });
        const idx = await call(f, { method: "GET", url: "/index/he/ll/hello_world" });
        assert.equal(JSON.parse(idx.res.body.split("\n")[0] as string).yanked, true);
        const r2 = await call(f, {
          method: "DELETE",
          url: `${url}/yank`,
          headers: { authorization: bob },
        });
        assert.equal(r2.res.statusCode, 403);
        const publishOnly = (
          await userToken(f.store, "alice", { endpointScopes: ["publish-update"] })
        ).token;
        const r3 = await call(f, {
          method: "PUT",
          url: `${url}/unyank`,
          headers: { authorization: publishOnly },
        });
        assert.equal(r3.res.statusCode, 403);
        assertEnvelope(r3.json, /yank/);
        const r4 = await call(f, {
          method: "PUT",
          url: `${url}/unyank`,
          headers: { authorization: alice, "content-type": "application/json" },
        });
        assert.deepEqual(r4.json, { ok: true });
        const r5 = await call(f, {
          method: "DELETE",
          url: "/api/v1/crates/hello_world/7.0.0/yank",
          headers: { authorization: alice },
        });
        assert.equal(r5.res.statusCode, 404);
        assertEnvelope(r5.json);
      });

      it("lists, adds and removes owners", async () => {
        const url = "/api/v1/crates/hello_world/owners";
        const r1 = await call(f, { method: "GET", url });
        assert.equal(r1.res.statusCode, 200);
        assert.deepEqual(
          (r1.json.users as { login: string }[]).map((u) => u.login),
          ["alice"],
        );
        const r2 = await call(f, {
          method: "PUT",
          url,
          headers: { authorization: bob },
          payload: { users: ["bob"] },
        });
        assert.equal(r2.res.statusCode, 403);
        const r3 = await call(f, {
          method: "PUT",
          url,
          headers: { authorization: alice },
          payload: { users: ["bob"] },
        });
        assert.equal(r3.res.statusCode, 200, r3.res.body);
        assert.equal(r3.json.ok, true);
        assert.equal(typeof r3.json.msg, "string");
        const r4 = await call(f, {
          method: "PUT",
          url,
          headers: { authorization: alice },
          payload: { users: ["nobody"] },
        });
        assert.equal(r4.res.statusCode, 404);
        assertEnvelope(r4.json);
        const r5 = await call(f, {
          method: "PUT",
          url,
          headers: { authorization: alice },
          payload: { users: "bob" },
        });
        assert.equal(r5.res.statusCode, 400);
        const r6 = await call(f, {
          method: "DELETE",
          url,
          headers: { authorization: bob },
          payload: { users: ["alice"] },
        });
        assert.equal(r6.res.statusCode, 200, r6.res.body);
        const r7 = await call(f, {
          method: "DELETE",
          url,
          headers: { authorization: bob },
          payload: { users: ["bob"] },
        });
        assert.equal(r7.res.statusCode, 409, "the last owner stays");
        assertEnvelope(r7.json, /at least one owner/);
        const r8 = await call(f, { method: "GET", url: "/api/v1/crates/unknown/owners" });
        assert.equal(r8.res.statusCode, 404);
      });

      it("searches", async () => {
        const { res, json } = await call(f, {
          method: "GET",
          url: "/api/v1/crates?q=hello&per_page=5",
        });
        assert.equal(res.statusCode, 200);
        const body = json as {
          crates: { name: string; max_version: string; description: string }[];
          meta: { total: number };
        };
        assert.equal(body.meta.total, 1);
        assert.equal(body.crates[0]?.name, "Hello_World");
        assert.equal(body.crates[0]?.max_version, "1.3.0");
        const bad = await call(f, { method: "GET", url: "/api/v1/crates?per_page=x" });
        assert.equal(bad.res.statusCode, 400);
        assertEnvelope(bad.json);
      });

      it("manages the user's tokens", async () => {
        const { token: carol } = await userToken(f.store, "carol");
        const h = { authorization: carol };
        const created = await call(f, {
          method: "PUT",
          url: "/api/v1/me/tokens",
          headers: h,
          payload: { api_token: { name: "ci", endpoint_scopes: ["yank"], crate_scopes: ["a*"] } },
        });
        assert.equal(created.res.statusCode, 200, created.res.body);
        const tok = created.json.api_token as { id: number; token: string; name: string };
        assert.match(tok.token, /^cratesec_/);
        const list = await call(f, { method: "GET", url: "/api/v1/me/tokens", headers: h });
        const names = (list.json.api_tokens as { name: string; token?: string }[]).map(
          (t) => t.name,
        );
        assert.ok(names.includes("ci"));
        assert.ok(
          (list.json.api_tokens as { token?: string }[]).every((t) => t.token === undefined),
        );
        const one = await call(f, {
          method: "GET",
          url: `/api/v1/me/tokens/${tok.id}`,
          headers: h,
        });
        assert.equal(one.res.statusCode, 200);
        const others = await call(f, {
          method: "GET",
          url: `/api/v1/me/tokens/${tok.id}`,
          headers: { authorization: alice },
        });
        assert.equal(others.res.statusCode, 404);
        const bad = await call(f, {
          method: "PUT",
          url: "/api/v1/me/tokens",
          headers: h,
          payload: { api_token: { name: "x", endpoint_scopes: ["fly"] } },
        });
        assert.equal(bad.res.statusCode, 400);
        assertEnvelope(bad.json, /fly/);
        const scoped = await call(f, {
          method: "GET",
          url: "/api/v1/me/tokens",
          headers: { authorization: tok.token },
        });
        assert.equal(scoped.res.statusCode, 403, "scoped tokens cannot manage tokens");
        const del = await call(f, {
          method: "DELETE",
          url: `/api/v1/me/tokens/${tok.id}`,
          headers: h,
        });
        assert.equal(del.res.statusCode, 200);
        const revokedUse = await call(f, {
          method: "DELETE",
          url: "/api/v1/crates/hello_world/1.0.0/yank",
          headers: { authorization: tok.token },
        });
        assert.equal(revokedUse.res.statusCode, 403);
        assertEnvelope(revokedUse.json, /revoked/);
        const current = await call(f, {
          method: "DELETE",
          url: "/api/v1/tokens/current",
          headers: h,
        });
        assert.equal(current.res.statusCode, 204);
        const after = await call(f, { method: "GET", url: "/api/v1/me/tokens", headers: h });
        assert.equal(after.res.statusCode, 403);
      });

      it("serves the audit log to admins only", async () => {
        const { token: admin } = await userToken(f.store, "root", { admin: true });
        const r1 = await call(f, {
          method: "GET",
          url: "/api/v1/admin/audit-log?crate=hello_world&action=publish&limit=2",
          headers: { authorization: admin },
        });
        assert.equal(r1.res.statusCode, 200, r1.res.body);
        const entries = r1.json.entries as { action: string; crate: string; ip: string }[];
        assert.equal(entries.length, 2);
        assert.ok(entries.every((e) => e.action === "publish" && e.crate === "Hello_World"));
        assert.equal(typeof r1.json.next, "number");
        const r2 = await call(f, {
          method: "GET",
          url: `/api/v1/admin/audit-log?before=${r1.json.next}&crate=hello_world&action=publish`,
          headers: { authorization: admin },
        });
        assert.ok((r2.json.entries as unknown[]).length >= 1);
        const r3 = await call(f, {
          method: "GET",
          url: "/api/v1/admin/audit-log",
          headers: { authorization: alice },
        });
        assert.equal(r3.res.statusCode, 403);
        assertEnvelope(r3.json);
        const r4 = await call(f, { method: "GET", url: "/api/v1/admin/audit-log" });
        assert.equal(r4.res.statusCode, 401);
      });

      it("answers 404 for trusted publishing when it is not configured, 400 for a bad body", async () => {
        const r1 = await call(f, {
          method: "POST",
          url: "/api/v1/trusted_publishing/tokens",
          payload: { jwt: "a.b.c" },
        });
        assert.equal(r1.res.statusCode, 404);
        assertEnvelope(r1.json, /not enabled/);
      });

      it("records who published in the publish record", async () => {
        const rec = await f.store.getPublishRecord("hello_world", "1.0.0");
        assert.equal(rec?.publisher?.name, "alice");
        assert.equal(typeof rec?.tokenId, "number");
        assert.equal(rec?.userAgent, "lightMyRequest");
      });
    });

    describe("rate limits", () => {
      let f: Fixture;
      before(async () => {
        f = await startFixture(engine, {
          rateLimits: {
            "publish-new": { max: 2, windowMs: 3_600_000 },
            yank: { max: 1, windowMs: 3_600_000 },
          },
        });
      });
      after(() => f.close());

      it("answers 429 with Retry-After for publish-new and yank", async () => {
        const { token } = await userToken(f.store, "dave");
        for (const name of ["rl_a", "rl_b"]) {
          const { res } = await publish(f, token, await publishBody(name, "1.0.0"));
          assert.equal(res.statusCode, 200, res.body);
        }
        const { res, json } = await publish(f, token, await publishBody("rl_c", "1.0.0"));
        assert.equal(res.statusCode, 429);
        assert.ok(Number(res.headers["retry-after"]) > 0);
        assertEnvelope(json, /too many/);
        assert.equal(await f.store.crateByCanonicalName("rl_c"), null);
        // The limit is per user too: a new token of the same user is limited as well.
        const { token: second } = await userToken(f.store, "dave");
        const r2 = await publish(f, second, await publishBody("rl_d", "1.0.0"));
        assert.equal(r2.res.statusCode, 429);
        // publish-update has its own bucket.
        const r3 = await publish(f, token, await publishBody("rl_a", "1.1.0"));
        assert.equal(r3.res.statusCode, 200, r3.res.body);
        const y1 = await call(f, {
          method: "DELETE",
          url: "/api/v1/crates/rl_a/1.0.0/yank",
          headers: { authorization: token },
        });
        assert.equal(y1.res.statusCode, 200);
        const y2 = await call(f, {
          method: "PUT",
          url: "/api/v1/crates/rl_a/1.0.0/unyank",
          headers: { authorization: token },
        });
        assert.equal(y2.res.statusCode, 429);
        assert.ok(Number(y2.res.headers["retry-after"]) > 0);
      });
    });

    describe("auth-required registry", () => {
      let f: Fixture;
      let token: string;
      before(async () => {
        f = await startFixture(engine, {
          publicUrl: "http://private.test",
          authRequired: true,
        });
        token = (await userToken(f.store, "erin")).token;
        const { res } = await publish(f, token, await publishBody("secret", "1.0.0"));
        assert.equal(res.statusCode, 200, res.body);
      });
      after(() => f.close());

      it("answers 401 with www-authenticate without a token, 200 with one", async () => {
        for (const url of [
          "/index/config.json",
          "/index/se/cr/secret",
          "/api/v1/crates/secret/1.0.0/download",
          "/api/v1/crates?q=secret",
          "/api/v1/crates/secret/owners",
        ]) {
          const { res, json } = await call(f, { method: "GET", url });
          assert.equal(res.statusCode, 401, url);
          assert.equal(res.headers["www-authenticate"], 'Cargo login_url="http://private.test/me"');
          assertEnvelope(json);
          const ok = await call(f, { method: "GET", url, headers: { authorization: token } });
          assert.equal(ok.res.statusCode, 200, `${url}: ${ok.res.body}`);
        }
        const cfg = await call(f, {
          method: "GET",
          url: "/index/config.json",
          headers: { authorization: token },
        });
        assert.equal(cfg.json["auth-required"], true);
        const bad = await call(f, {
          method: "GET",
          url: "/index/se/cr/secret",
          headers: { authorization: `cratesec_${"B".repeat(46)}` },
        });
        assert.ok(bad.res.statusCode === 401 || bad.res.statusCode === 403);
      });
    });
  });
}

/**
 * `/api/v1/trusted_publishing/github_configs`: crate owners with a legacy token list, create
 * and delete GitHub Actions publisher configs; a created config lets an OIDC exchange succeed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { InjectOptions } from "fastify";
import { AUDIENCE, githubClaims, ISSUER, jwksProvider, NOW, rsaJwt } from "../tokens/helpers.js";
import { ENGINES, type Fixture, PG_SKIP, publishBody, startFixture, userToken } from "./helpers.js";

const BASE = "/api/v1/trusted_publishing/github_configs";

const githubConfig = (overrides: Record<string, unknown> = {}) => ({
  github_config: {
    crate: "octo-crate",
    repository_owner: "octo-org",
    repository_owner_id: 65,
    repository_name: "octo-repo",
    workflow_filename: "release.yml",
    environment: "prod",
    ...overrides,
  },
});

for (const engine of ENGINES) {
  describe(`trusted publisher configs over HTTP (${engine.label})`, {
    skip: !engine.available && PG_SKIP,
  }, () => {
    let f: Fixture;
    let alice: string;
    let aliceId: number;
    let aliceScoped: string;
    let bob: string;
    let bobConfigId: number;
    const call = async (options: InjectOptions) => {
      const res = await f.server.app.inject(options);
      return { res, json: JSON.parse(res.body === "" ? "null" : res.body) };
    };
    const auth = (token: string | undefined) =>
      token === undefined ? {} : { authorization: token };
    const list = (token: string | undefined, crate = "octo-crate") =>
      call({ method: "GET", url: `${BASE}?crate=${crate}`, headers: auth(token) });
    const create = (token: string | undefined, payload: unknown) =>
      call({
        method: "POST",
        url: BASE,
        headers: { ...auth(token), "user-agent": "tp-test/1.0" },
        payload: payload as Record<string, unknown>,
      });
    const remove = (token: string | undefined, id: number) =>
      call({ method: "DELETE", url: `${BASE}/${id}`, headers: auth(token) });

    before(async () => {
      await engine.setup();
      f = await startFixture(
        engine,
        { trustedPublishing: { jwks: jwksProvider(), audience: AUDIENCE, issuers: [ISSUER] } },
        { now: () => NOW.getTime() },
      );
      const a = await userToken(f.store, "alice");
      alice = a.token;
      aliceId = a.id;
      aliceScoped = (
        await userToken(f.store, "alice", {
          endpointScopes: ["publish-update"],
          crateScopes: ["octo-crate"],
        })
      ).token;
      bob = (await userToken(f.store, "bob")).token;
      for (const [token, name] of [
        [alice, "octo-crate"],
        [bob, "bob-crate"],
      ] as const) {
        const res = await f.server.app.inject({
          method: "PUT",
          url: "/api/v1/crates/new",
          headers: { authorization: token, "content-type": "application/octet-stream" },
          payload: await publishBody(name, "1.0.0"),
        });
        assert.equal(res.statusCode, 200, res.body);
      }
      const created = await create(
        bob,
        githubConfig({ crate: "bob-crate", repository_name: "bob-repo" }),
      );
      assert.equal(created.res.statusCode, 200, created.res.body);
      bobConfigId = created.json.github_config.id;
    });
    after(async () => {
      await f.close();
      await engine.teardown();
    });

    it("refuses callers without a token, non-owners and scoped tokens", async () => {
      const anon = await create(undefined, githubConfig());
      assert.equal(anon.res.statusCode, 401, anon.res.body);
      assert.equal(typeof anon.json.errors[0].detail, "string");
      assert.equal((await list(undefined)).res.statusCode, 401);
      assert.equal((await remove(undefined, bobConfigId)).res.statusCode, 401);

      const stranger = await create(bob, githubConfig());
      assert.equal(stranger.res.statusCode, 403, stranger.res.body);
      assert.match(stranger.json.errors[0].detail, /not an owner/);
      assert.equal((await list(bob)).res.statusCode, 403);

      const scoped = await create(aliceScoped, githubConfig());
      assert.equal(scoped.res.statusCode, 403, scoped.res.body);
      assert.equal((await list(aliceScoped)).res.statusCode, 403);
      assert.equal((await f.store.listTrustedPublishers("octo-crate")).length, 0);
    });

    it("answers 400 for an invalid config and 404 for an unknown crate", async () => {
      const bad = await create(alice, githubConfig({ workflow_filename: "release.sh" }));
      assert.equal(bad.res.statusCode, 400, bad.res.body);
      assert.match(bad.json.errors[0].detail, /Workflow filename must end with/);
      const badOwner = await create(alice, githubConfig({ repository_owner_id: "abc" }));
      assert.equal(badOwner.res.statusCode, 400);
      assert.match(badOwner.json.errors[0].detail, /owner id/);
      const noBody = await create(alice, {});
      assert.equal(noBody.res.statusCode, 400);
      const unknown = await create(alice, githubConfig({ crate: "no-such-crate" }));
      assert.equal(unknown.res.statusCode, 404, unknown.res.body);
      assert.equal((await list(alice, "no-such-crate")).res.statusCode, 404);
      assert.equal((await remove(alice, 999_999)).res.statusCode, 404);
    });

    it("lets an owner create, list and delete configs; a created config enables the exchange", async () => {
      const created = await create(alice, githubConfig());
      assert.equal(created.res.statusCode, 200, created.res.body);
      const cfg = created.json.github_config;
      assert.deepEqual(
        { ...cfg, id: 0 },
        {
          id: 0,
          crate: "octo-crate",
          repository_owner: "octo-org",
          repository_owner_id: "65",
          repository_name: "octo-repo",
          workflow_filename: "release.yml",
          environment: "prod",
          created_at: NOW.toISOString(),
        },
      );
      const dup = await create(alice, githubConfig());
      assert.equal(dup.res.statusCode, 409);

      const listed = await list(alice, "OCTO_crate");
      assert.equal(listed.res.statusCode, 200, listed.res.body);
      assert.deepEqual(listed.json, { github_configs: [cfg] });

      const exchanged = await call({
        method: "POST",
        url: "/api/v1/trusted_publishing/tokens",
        payload: { jwt: rsaJwt() },
      });
      assert.equal(exchanged.res.statusCode, 200, exchanged.res.body);
      assert.match(exchanged.json.token, /^cratesec_tp_/);

      const foreign = await remove(alice, bobConfigId);
      assert.equal(foreign.res.statusCode, 403, foreign.res.body);
      assert.notEqual(await f.store.getTrustedPublisher(bobConfigId), null);
      assert.equal((await remove(aliceScoped, cfg.id)).res.statusCode, 403);

      const deleted = await remove(alice, cfg.id);
      assert.equal(deleted.res.statusCode, 204, deleted.res.body);
      assert.equal(deleted.res.body, "");
      assert.deepEqual((await list(alice)).json, { github_configs: [] });
      const again = await call({
        method: "POST",
        url: "/api/v1/trusted_publishing/tokens",
        payload: { jwt: rsaJwt(githubClaims({ jti: "second-jti" })) },
      });
      assert.equal(again.res.statusCode, 400, again.res.body);
    });

    it("audits additions and removals with the request's actor", async () => {
      const added = await f.store.queryAuditLog({
        crate: "octo-crate",
        action: ["trusted-publisher-add"],
      });
      assert.equal(added.entries.length, 1);
      const entry = added.entries[0];
      assert.equal(entry?.tokenId, aliceId);
      assert.equal(entry?.userAgent, "tp-test/1.0");
      assert.equal(typeof entry?.ip, "string");
      const removed = await f.store.queryAuditLog({
        crate: "octo-crate",
        action: ["trusted-publisher-remove"],
      });
      assert.equal(removed.entries.length, 1);
      assert.equal(removed.entries[0]?.tokenId, aliceId);
    });
  });
}

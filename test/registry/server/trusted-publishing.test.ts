/**
 * `POST /api/v1/trusted_publishing/tokens` end to end: a signed GitHub OIDC JWT is exchanged for
 * a short-lived token that may publish new versions of the matching crate only; the jti is
 * single-use; the publish record keeps the workflow claims.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { InjectOptions } from "fastify";
import { AUDIENCE, githubClaims, ISSUER, jwksProvider, NOW, rsaJwt } from "../tokens/helpers.js";
import { ENGINES, type Fixture, PG_SKIP, publishBody, startFixture, userToken } from "./helpers.js";

for (const engine of ENGINES) {
  describe(`trusted publishing over HTTP (${engine.label})`, {
    skip: !engine.available && PG_SKIP,
  }, () => {
    let f: Fixture;
    let alice: string;
    const call = async (options: InjectOptions) => {
      const res = await f.server.app.inject(options);
      return { res, json: JSON.parse(res.body === "" ? "null" : res.body) };
    };
    const publish = (token: string, body: Buffer) =>
      call({
        method: "PUT",
        url: "/api/v1/crates/new",
        headers: { authorization: token, "content-type": "application/octet-stream" },
        payload: body,
      });
    const exchange = (jwt: string) =>
      call({ method: "POST", url: "/api/v1/trusted_publishing/tokens", payload: { jwt } });

    before(async () => {
      await engine.setup();
      f = await startFixture(
        engine,
        { trustedPublishing: { jwks: jwksProvider(), audience: AUDIENCE, issuers: [ISSUER] } },
        { now: () => NOW.getTime() },
      );
      alice = (await userToken(f.store, "alice")).token;
      for (const name of ["octo-crate", "other-crate"]) {
        const { res } = await publish(alice, await publishBody(name, "1.0.0"));
        assert.equal(res.statusCode, 200, res.body);
      }
      await f.store.addTrustedPublisher("octo-crate", {
        issuer: ISSUER,
        repositoryOwner: "octo-org",
        repositoryOwnerId: "65",
        repository: "octo-repo",
        workflowFilename: "release.yml",
      });
    });
    after(async () => {
      await f.close();
      await engine.teardown();
    });

    it("exchanges a JWT for a token that publishes new versions of the matching crate", async () => {
      const { res, json } = await exchange(rsaJwt());
      assert.equal(res.statusCode, 200, res.body);
      const token = json.token as string;
      assert.match(token, /^cratesec_tp_/);

      const ok = await publish(token, await publishBody("octo-crate", "1.1.0"));
      assert.equal(ok.res.statusCode, 200, ok.res.body);
      const record = await f.store.getPublishRecord("octo-crate", "1.1.0");
      assert.equal(record?.publisher, null);
      assert.equal(
        (record?.trustedClaims as { repository?: string })?.repository,
        "octo-org/octo-repo",
      );
      assert.equal((record?.trustedClaims as { runId?: string })?.runId, "987654321");

      const other = await publish(token, await publishBody("other-crate", "1.1.0"));
      assert.equal(other.res.statusCode, 403);
      assert.match(other.json.errors[0].detail, /not valid for crate/);
      const fresh = await publish(token, await publishBody("brand-new", "1.0.0"));
      assert.equal(fresh.res.statusCode, 403);
      const yank = await call({
        method: "DELETE",
        url: "/api/v1/crates/octo-crate/1.0.0/yank",
        headers: { authorization: token },
      });
      assert.equal(yank.res.statusCode, 403);
      const tokens = await call({
        method: "GET",
        url: "/api/v1/me/tokens",
        headers: { authorization: token },
      });
      assert.equal(tokens.res.statusCode, 403);
    });

    it("refuses a replayed jti and a JWT from another repository", async () => {
      const replay = await exchange(rsaJwt());
      assert.equal(replay.res.statusCode, 400);
      assert.match(replay.json.errors[0].detail, /already been used/);
      const stranger = await exchange(
        rsaJwt(
          githubClaims({
            jti: "another-jti",
            repository: "evil/octo-repo",
            repository_owner: "evil",
          }),
        ),
      );
      assert.equal(stranger.res.statusCode, 400);
      assert.equal(typeof stranger.json.errors[0].detail, "string");
      const garbage = await exchange("not-a-jwt");
      assert.equal(garbage.res.statusCode, 400);
      const missing = await call({
        method: "POST",
        url: "/api/v1/trusted_publishing/tokens",
        payload: {},
      });
      assert.equal(missing.res.statusCode, 400);
    });

    it("audits the exchange", async () => {
      const page = await f.store.queryAuditLog({ action: "trusted-publishing-exchange" });
      assert.equal(page.entries.length, 1);
    });
  });
}

/** The fetching JWKS provider, with an in-process fake `fetch` (no network). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FetchingJwksProvider,
  type Jwk,
  StaticJwksProvider,
  TrustedPublishingError,
  type TrustedPublishingErrorCode,
  verifyOidcToken,
} from "../../../src/registry/tokens/index.js";
import { AUDIENCE, ISSUER, NOW, rsaJwt, testKeys } from "./helpers.js";

interface FakeIssuer {
  keys: Jwk[];
  discoveryIssuer?: string;
  status?: number;
  fail?: boolean;
  hugeBody?: boolean;
  requests: string[];
}

function fakeFetch(state: FakeIssuer): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    state.requests.push(url);
    if (state.fail) throw new TypeError("fetch failed");
    if (state.status !== undefined) return new Response("nope", { status: state.status });
    if (url === `${ISSUER}/.well-known/openid-configuration`) {
      return Response.json({
        issuer: state.discoveryIssuer ?? ISSUER,
        jwks_uri: `${ISSUER}/.well-known/jwks`,
      });
    }
    if (url === `${ISSUER}/.well-known/jwks`) {
      if (state.hugeBody) return new Response("x".repeat(2_000_000));
      return Response.json({ keys: state.keys });
    }
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
}

async function rejectsWith(p: Promise<unknown>, code: TrustedPublishingErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TrustedPublishingError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

function setup(overrides: Partial<FakeIssuer> = {}, maxAgeMs = 3_600_000) {
  const { rsa, ec } = testKeys();
  const state: FakeIssuer = { keys: [rsa.jwk], requests: [], ...overrides };
  let clock = NOW.getTime();
  const provider = new FetchingJwksProvider({
    issuers: [ISSUER],
    fetch: fakeFetch(state),
    now: () => clock,
    maxAgeMs,
  });
  return {
    state,
    provider,
    rsa,
    ec,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("FetchingJwksProvider", () => {
  it("discovers the JWKS, caches it, and verifies a token with it", async () => {
    const { state, provider } = setup();
    const options = { jwks: provider, audience: AUDIENCE, issuers: [ISSUER], now: NOW };
    await verifyOidcToken(rsaJwt(), options);
    await verifyOidcToken(rsaJwt(), options);
    assert.deepEqual(state.requests, [
      `${ISSUER}/.well-known/openid-configuration`,
      `${ISSUER}/.well-known/jwks`,
    ]);
  });

  it("refreshes on an unknown kid at most once a minute (rotation picked up, flood absorbed)", async () => {
    const { state, provider, ec, advance } = setup();
    assert.ok(await provider.getKey(ISSUER, "rsa-key-1"));
    assert.equal(state.requests.length, 2);
    // Unknown kid right after the load: no new request (rate limit), not found.
    for (let i = 0; i < 50; i++)
      assert.equal(await provider.getKey(ISSUER, `made-up-${i}`), undefined);
    assert.equal(state.requests.length, 2);
    // The issuer rotates in a new key; a minute later an unknown kid triggers one refresh.
    state.keys = [state.keys[0] as Jwk, ec.jwk];
    advance(60_000);
    assert.ok(await provider.getKey(ISSUER, "ec-key-1"));
    assert.equal(state.requests.length, 4);
    assert.equal(await provider.getKey(ISSUER, "made-up"), undefined);
    assert.equal(state.requests.length, 4);
  });

  it("coalesces concurrent loads", async () => {
    const { state, provider } = setup();
    const keys = await Promise.all(
      Array.from({ length: 10 }, () => provider.getKey(ISSUER, "rsa-key-1")),
    );
    assert.ok(keys.every((k) => k?.kid === "rsa-key-1"));
    assert.equal(state.requests.length, 2);
  });

  it("refetches keys older than maxAge; uses the stale ones if that fails", async () => {
    const { state, provider, advance } = setup({}, 600_000);
    assert.ok(await provider.getKey(ISSUER, "rsa-key-1"));
    advance(600_000);
    state.fail = true;
    assert.ok(await provider.getKey(ISSUER, "rsa-key-1"), "stale key still served");
    assert.equal(state.requests.length, 3);
    // A removed key disappears after a successful refetch.
    state.fail = false;
    state.keys = [];
    advance(60_000);
    assert.equal(await provider.getKey(ISSUER, "rsa-key-1"), undefined);
  });

  it("reports an unreachable issuer as jwks-unavailable (500), and does not retry within a minute", async () => {
    const { state, provider, advance } = setup({ fail: true });
    await rejectsWith(provider.getKey(ISSUER, "rsa-key-1"), "jwks-unavailable");
    await rejectsWith(provider.getKey(ISSUER, "rsa-key-1"), "jwks-unavailable");
    assert.equal(state.requests.length, 1);
    state.fail = false;
    advance(60_000);
    assert.ok(await provider.getKey(ISSUER, "rsa-key-1"));
  });

  it("refuses a discovery document for another issuer, HTTP errors and oversized bodies", async () => {
    await rejectsWith(
      setup({ discoveryIssuer: "https://evil.example" }).provider.getKey(ISSUER, "rsa-key-1"),
      "jwks-unavailable",
    );
    await rejectsWith(
      setup({ status: 503 }).provider.getKey(ISSUER, "rsa-key-1"),
      "jwks-unavailable",
    );
    await rejectsWith(
      setup({ hugeBody: true }).provider.getKey(ISSUER, "rsa-key-1"),
      "jwks-unavailable",
    );
  });

  it("never fetches for an issuer it was not configured with, and requires https", async () => {
    const { state, provider } = setup();
    await rejectsWith(provider.getKey("https://evil.example", "k"), "unsupported-issuer");
    assert.equal(state.requests.length, 0);
    const requests: string[] = [];
    const http = new FetchingJwksProvider({
      issuers: ["http://127.0.0.1:1"],
      fetch: (async (u: string | URL) => {
        requests.push(String(u));
        return new Response("{}");
      }) as typeof fetch,
    });
    await rejectsWith(http.getKey("http://127.0.0.1:1", "k"), "jwks-unavailable");
    assert.equal(requests.length, 0);
  });

  it("uses a fixed jwksUri without discovery", async () => {
    const { rsa } = testKeys();
    const requests: string[] = [];
    const provider = new FetchingJwksProvider({
      issuers: [{ issuer: ISSUER, jwksUri: "https://keys.example/jwks.json" }],
      fetch: (async (u: string | URL) => {
        requests.push(String(u));
        return Response.json({ keys: [rsa.jwk, { kty: "RSA" }, "junk", { kid: "no-kty" }] });
      }) as typeof fetch,
    });
    assert.ok(await provider.getKey(ISSUER, "rsa-key-1"));
    assert.deepEqual(requests, ["https://keys.example/jwks.json"]);
  });
});

describe("StaticJwksProvider", () => {
  it("serves configured key sets and refuses other issuers", async () => {
    const { rsa } = testKeys();
    const provider = new StaticJwksProvider({ [`${ISSUER}/`]: { keys: [rsa.jwk] } });
    assert.equal((await provider.getKey(ISSUER, "rsa-key-1"))?.kid, "rsa-key-1");
    assert.equal(await provider.getKey(ISSUER, "other"), undefined);
    await rejectsWith(provider.getKey("https://gitlab.com", "rsa-key-1"), "unsupported-issuer");
  });
});

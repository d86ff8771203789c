/** JWT verification (keys generated here, tokens signed here with node:crypto). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  TrustedPublishingError,
  type TrustedPublishingErrorCode,
  verifyOidcToken,
} from "../../../src/registry/tokens/index.js";
import {
  AUDIENCE,
  b64url,
  githubClaims,
  ISSUER,
  jwksProvider,
  NOW,
  NOW_S,
  rsaJwt,
  signJwt,
  testKeys,
  verifyOptions,
  weakRsaKey,
} from "./helpers.js";

async function refused(
  jwt: string,
  code: TrustedPublishingErrorCode,
  message?: RegExp,
  options = verifyOptions(),
): Promise<void> {
  await assert.rejects(verifyOidcToken(jwt, options), (error: unknown) => {
    assert.ok(error instanceof TrustedPublishingError, String(error));
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe("verifyOidcToken: accepted", () => {
  it("accepts a valid RS256 GitHub token and returns its claims", async () => {
    const claims = await verifyOidcToken(rsaJwt(), verifyOptions());
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(claims.repository, "octo-org/octo-repo");
    assert.equal(claims.repositoryOwner, "octo-org");
    assert.equal(claims.repositoryOwnerId, "65");
    assert.equal(
      claims.workflowRef,
      "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
    );
    assert.equal(claims.runId, "987654321");
    assert.equal(claims.eventName, "push");
    assert.equal(claims.environment, "prod");
    assert.equal(claims.jti, "9f2b6a3e-0d1c-4a5b-8e7f-000000000001");
  });

  it("accepts a valid ES256 token", async () => {
    const { ec } = testKeys();
    const jwt = signJwt({ alg: "ES256", kid: ec.kid }, githubClaims(), "ES256", ec.privateKey);
    const claims = await verifyOidcToken(jwt, verifyOptions());
    assert.equal(claims.sha, "0123456789abcdef0123456789abcdef01234567");
  });

  it("accepts a token without environment, nbf, typ", async () => {
    const claims = githubClaims({ environment: undefined, nbf: undefined });
    const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
    const jwt = signJwt(
      { alg: "RS256", kid: "rsa-key-1" },
      payload,
      "RS256",
      testKeys().rsa.privateKey,
    );
    const verified = await verifyOidcToken(jwt, verifyOptions());
    assert.equal(verified.environment, undefined);
    assert.equal(verified.nbf, undefined);
  });

  it("honours the 60 s leeway on exp, nbf and iat", async () => {
    await verifyOidcToken(rsaJwt(githubClaims({ exp: NOW_S - 59 })), verifyOptions());
    await verifyOidcToken(rsaJwt(githubClaims({ nbf: NOW_S + 59 })), verifyOptions());
    await verifyOidcToken(rsaJwt(githubClaims({ iat: NOW_S + 59 })), verifyOptions());
  });
});

describe("verifyOidcToken: refused with a specific reason", () => {
  it("bad signature: payload changed after signing", async () => {
    const [h, , s] = rsaJwt().split(".");
    const forged = b64url(JSON.stringify(githubClaims({ repository: "evil/octo-repo" })));
    await refused(`${h}.${forged}.${s}`, "bad-signature");
  });

  it("bad signature: signed by a key the issuer does not publish (same kid)", async () => {
    const jwt = signJwt(
      { alg: "RS256", kid: "rsa-key-1" },
      githubClaims(),
      "RS256",
      testKeys().other.privateKey,
    );
    await refused(jwt, "bad-signature");
  });

  it("bad signature: truncated or empty signature", async () => {
    const jwt = rsaJwt();
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const sig = Buffer.from(s, "base64url");
    await refused(`${h}.${p}.${b64url(sig.subarray(0, 200))}`, "bad-signature");
    await refused(`${h}.${p}.${b64url(Buffer.concat([sig, Buffer.from([0])]))}`, "bad-signature");
    await refused(`${h}.${p}.${s.slice(0, -1)}`, "malformed-jwt", /base64url/);
    // Same bytes, but unused low bits set in the last character: refused, not "equivalent".
    const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = B64.indexOf(s.slice(-1));
    assert.equal(last & 15, 0);
    await refused(`${h}.${p}.${s.slice(0, -1)}${B64[last + 1]}`, "malformed-jwt", /canonical/);
    await refused(`${jwt.slice(0, jwt.lastIndexOf("."))}.`, "malformed-jwt", /no signature/);
  });

  it("alg none is refused", async () => {
    const jwt = signJwt({ alg: "none", kid: "rsa-key-1" }, githubClaims(), "none");
    await refused(jwt, "unsupported-algorithm", /`none`/);
    await refused(
      signJwt({ alg: "None", kid: "rsa-key-1" }, githubClaims(), "none"),
      "unsupported-algorithm",
    );
  });

  it("HS256 with the public key as the HMAC secret (key confusion) is refused", async () => {
    const { rsa } = testKeys();
    for (const secret of [
      rsa.publicKey.export({ type: "spki", format: "pem" }),
      Buffer.from(JSON.stringify(rsa.jwk)),
      rsa.publicKey.export({ type: "spki", format: "der" }),
    ]) {
      const jwt = signJwt({ alg: "HS256", kid: "rsa-key-1" }, githubClaims(), "HS256", secret);
      await refused(jwt, "unsupported-algorithm", /`HS256`/);
      // Same HMAC signature under an RS256 header: not an RSA signature.
      const [, p, s] = jwt.split(".");
      await refused(
        `${b64url(JSON.stringify({ alg: "RS256", kid: "rsa-key-1" }))}.${p}.${s}`,
        "bad-signature",
      );
    }
  });

  it("other algorithms (HS384, RS512, PS256, ES384, EdDSA) are refused", async () => {
    for (const alg of ["HS384", "HS512", "RS512", "PS256", "ES384", "EdDSA", "rs256"]) {
      const jwt = `${b64url(JSON.stringify({ alg, kid: "rsa-key-1" }))}.${b64url(JSON.stringify(githubClaims()))}.AAAA`;
      await refused(jwt, "unsupported-algorithm");
    }
  });

  it("algorithm and key type must agree (RS256 header with an EC key, ES256 with an RSA key)", async () => {
    const { ec, rsa } = testKeys();
    const a = signJwt({ alg: "RS256", kid: ec.kid }, githubClaims(), "RS256", rsa.privateKey);
    await refused(a, "key-algorithm-mismatch");
    const b = signJwt({ alg: "ES256", kid: rsa.kid }, githubClaims(), "ES256", ec.privateKey);
    await refused(b, "key-algorithm-mismatch");
  });

  it("RSA keys shorter than 2048 bits are not trusted", async () => {
    const weak = weakRsaKey();
    const jwt = signJwt({ alg: "RS256", kid: weak.kid }, githubClaims(), "RS256", weak.privateKey);
    const options = { ...verifyOptions(), jwks: jwksProvider(weak.jwk) };
    await refused(jwt, "invalid-key", undefined, options);
  });

  it("crit headers and foreign typ are refused", async () => {
    const { rsa } = testKeys();
    await refused(
      signJwt(
        { alg: "RS256", kid: "rsa-key-1", crit: ["exp"] },
        githubClaims(),
        "RS256",
        rsa.privateKey,
      ),
      "unsupported-algorithm",
      /crit/,
    );
    await refused(
      signJwt(
        { alg: "RS256", kid: "rsa-key-1", typ: "at+jwt" },
        githubClaims(),
        "RS256",
        rsa.privateKey,
      ),
      "malformed-jwt",
      /typ/,
    );
  });

  it("missing or unknown kid", async () => {
    const { rsa } = testKeys();
    await refused(
      signJwt({ alg: "RS256" }, githubClaims(), "RS256", rsa.privateKey),
      "missing-kid",
      /Missing JWT key ID/,
    );
    await refused(
      signJwt({ alg: "RS256", kid: 5 }, githubClaims(), "RS256", rsa.privateKey),
      "missing-kid",
    );
    await refused(rsaJwt(githubClaims(), "no-such-key"), "unknown-kid", /Invalid JWT key ID/);
  });

  it("wrong or missing issuer", async () => {
    await refused(
      rsaJwt(githubClaims({ iss: "https://gitlab.com" })),
      "unsupported-issuer",
      /gitlab/,
    );
    await refused(rsaJwt(githubClaims({ iss: `${ISSUER}/` })), "unsupported-issuer");
    await refused(rsaJwt(githubClaims({ iss: undefined })), "missing-claim", /`iss`/);
    // Issuer accepted by the options but unknown to the key provider.
    await refused(
      rsaJwt(githubClaims({ iss: "https://example.com" })),
      "unsupported-issuer",
      undefined,
      {
        ...verifyOptions(),
        issuers: [ISSUER, "https://example.com"],
      },
    );
  });

  it("wrong audience, array audience, missing audience", async () => {
    await refused(rsaJwt(githubClaims({ aud: "crates.io" })), "invalid-audience", /crates\.io/);
    await refused(
      rsaJwt(githubClaims({ aud: [AUDIENCE, "other"] })),
      "invalid-audience",
      /single string/,
    );
    await refused(rsaJwt(githubClaims({ aud: undefined })), "missing-claim", /`aud`/);
  });

  it("expired beyond the leeway", async () => {
    await refused(rsaJwt(githubClaims({ exp: NOW_S - 61 })), "expired");
    await refused(rsaJwt(githubClaims({ exp: NOW_S - 3000, iat: NOW_S - 6000 })), "expired");
    await refused(rsaJwt(), "expired", undefined, {
      ...verifyOptions(),
      now: new Date(NOW.getTime() + 356_000),
    });
  });

  it("not yet valid, issued in the future", async () => {
    await refused(rsaJwt(githubClaims({ nbf: NOW_S + 61 })), "not-yet-valid");
    await refused(rsaJwt(githubClaims({ iat: NOW_S + 61 })), "issued-in-future");
  });

  it("a smaller configured leeway is honoured", async () => {
    const options = { ...verifyOptions(), leewaySeconds: 0 };
    await refused(rsaJwt(githubClaims({ exp: NOW_S - 1 })), "expired", undefined, options);
  });

  it("missing required claims, each named", async () => {
    for (const claim of [
      "exp",
      "iat",
      "jti",
      "repository",
      "repository_owner",
      "repository_owner_id",
      "workflow_ref",
      "run_id",
      "sha",
      "event_name",
    ]) {
      await refused(
        rsaJwt(githubClaims({ [claim]: undefined })),
        "missing-claim",
        new RegExp(`\`${claim}\``),
      );
    }
  });

  it("claims of the wrong type", async () => {
    await refused(rsaJwt(githubClaims({ exp: "soon" })), "invalid-claim", /`exp`/);
    await refused(rsaJwt(githubClaims({ exp: 1e300 })), "invalid-claim", /`exp`/);
    await refused(rsaJwt(githubClaims({ iat: -1 })), "invalid-claim", /`iat`/);
    await refused(
      rsaJwt(githubClaims({ repository_owner_id: 65 })),
      "invalid-claim",
      /not a string/,
    );
    await refused(rsaJwt(githubClaims({ jti: "" })), "invalid-claim", /empty/);
    await refused(rsaJwt(githubClaims({ sha: "a\nb" })), "invalid-claim", /control/);
  });

  it("malformed compact serialisations", async () => {
    const jwt = rsaJwt();
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const cases: [unknown, RegExp][] = [
      ["", /empty/],
      ["abc", /3 dot-separated parts/],
      [`${h}.${p}`, /3 dot-separated parts/],
      [`${h}.${p}.${s}.x.y`, /encrypted/],
      [`${h}=.${p}.${s}`, /base64url/],
      [`${h}.${p}+.${s}`, /base64url/],
      [`${b64url("not json")}.${p}.${s}`, /not JSON/],
      [`${b64url("[1]")}.${p}.${s}`, /not a JSON object/],
      [`${b64url(Buffer.from([0xff, 0xfe]))}.${p}.${s}`, /UTF-8/],
      [`${h}.${p}.${s}`.padEnd(20_000, "A"), /longer than/],
      [42, /must be a string/],
    ];
    for (const [input, message] of cases) await refused(input as string, "malformed-jwt", message);
  });

  it("JWKS failures are reported as the server's problem (500)", async () => {
    const jwks = {
      getKey: async () => {
        throw new Error("ECONNREFUSED");
      },
    };
    await assert.rejects(
      verifyOidcToken(rsaJwt(), { ...verifyOptions(), jwks }),
      (error: unknown) => {
        assert.ok(error instanceof TrustedPublishingError);
        assert.equal(error.code, "jwks-unavailable");
        assert.equal(error.status, 500);
        return true;
      },
    );
  });
});

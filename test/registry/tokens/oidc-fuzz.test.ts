/**
 * Random and mutated JWTs: verification and matching only ever fail with a typed
 * TrustedPublishingError (never a TypeError, RangeError, crypto error…).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  matchPublisherConfig,
  TrustedPublishingError,
  verifyOidcToken,
} from "../../../src/registry/tokens/index.js";
import {
  b64url,
  config,
  githubClaims,
  rsaJwt,
  signJwt,
  testKeys,
  verifyOptions,
} from "./helpers.js";

async function onlyTypedErrors(jwt: string): Promise<void> {
  try {
    const claims = await verifyOidcToken(jwt, verifyOptions());
    try {
      matchPublisherConfig(claims, [config()]);
    } catch (error) {
      if (!(error instanceof TrustedPublishingError)) throw error;
    }
  } catch (error) {
    if (!(error instanceof TrustedPublishingError)) {
      assert.fail(`unexpected ${String(error)} for ${JSON.stringify(jwt).slice(0, 200)}`);
    }
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const segment = fc.string({ unit: fc.constantFrom(...B64.split("")), maxLength: 60 });

/** One edit of a string: replace, insert or delete a character, or swap two dot segments. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("replace" as const),
    at: fc.nat(),
    ch: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    ch: fc.constantFrom(".", "=", "A", "_", "-", " ", "\u0000", "é"),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(2), b: fc.nat(2) }),
);

type Mutation =
  | { kind: "replace"; at: number; ch: string }
  | { kind: "insert"; at: number; ch: string }
  | { kind: "delete"; at: number }
  | { kind: "swap"; a: number; b: number };

function apply(jwt: string, m: Mutation): string {
  if (m.kind === "swap") {
    const parts = jwt.split(".");
    const t = parts[m.a] ?? "";
    parts[m.a] = parts[m.b] ?? "";
    parts[m.b] = t;
    return parts.join(".");
  }
  const at = m.at % (jwt.length + 1);
  if (m.kind === "insert") return jwt.slice(0, at) + m.ch + jwt.slice(at);
  if (m.kind === "delete") return jwt.slice(0, at) + jwt.slice(at + 1);
  return jwt.slice(0, at) + m.ch + jwt.slice(at + 1);
}

describe("Trusted Publishing fuzz", () => {
  it("random strings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 200 }), onlyTypedErrors),
      { numRuns: 500 },
    );
  });

  it("random base64url segments", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), (parts) =>
        onlyTypedErrors(parts.join(".")),
      ),
      { numRuns: 500 },
    );
  });

  it("mutated valid JWTs", async () => {
    const valid = rsaJwt();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const jwt = (ms as Mutation[]).reduce(apply, valid);
        await onlyTypedErrors(jwt);
        if (jwt !== valid) {
          // A real change to a signed token never verifies.
          await assert.rejects(verifyOidcToken(jwt, verifyOptions()), TrustedPublishingError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("validly signed tokens with arbitrary headers and claims", async () => {
    const { rsa } = testKeys();
    const claimNames = fc.constantFrom(
      "iss",
      "aud",
      "exp",
      "nbf",
      "iat",
      "jti",
      "repository",
      "repository_owner",
      "repository_owner_id",
      "workflow_ref",
      "run_id",
      "sha",
      "event_name",
      "environment",
      "job_workflow_ref",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(claimNames, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        fc.dictionary(
          fc.constantFrom("alg", "kid", "typ", "crit", "jwk"),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 2 },
        ),
        async (claimEdits, headerEdits) => {
          const header = { alg: "RS256", kid: "rsa-key-1", ...headerEdits };
          await onlyTypedErrors(signJwt(header, githubClaims(claimEdits), "RS256", rsa.privateKey));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("garbage signatures of every length", async () => {
    const [h, p] = rsaJwt().split(".");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (sig) => {
        await onlyTypedErrors(`${h}.${p}.${b64url(Buffer.from(sig))}`);
      }),
      { numRuns: 200 },
    );
  });
});

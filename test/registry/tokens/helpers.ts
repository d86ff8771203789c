/** Keys and JWT signing for the Trusted Publishing tests (all generated here, nothing on disk). */
import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import {
  GITHUB_ACTIONS_ISSUER,
  type Jwk,
  type PublisherConfig,
  StaticJwksProvider,
} from "../../../src/registry/tokens/index.js";

export const AUDIENCE = "cratesec.test";
export const ISSUER = GITHUB_ACTIONS_ISSUER;
/** Fixed "now" for every test: 2026-09-01T12:00:00Z. */
export const NOW = new Date("2026-09-01T12:00:00Z");
export const NOW_S = NOW.getTime() / 1000;

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Jwk;
}

function makeKey(kid: string, kind: "rsa" | "ec", modulusLength = 2048): TestKey {
  const { privateKey, publicKey } =
    kind === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const exported = publicKey.export({ format: "jwk" });
  const jwk: Jwk = {
    ...exported,
    kty: String(exported.kty),
    kid,
    alg: kind === "rsa" ? "RS256" : "ES256",
    use: "sig",
  };
  return { kid, privateKey, publicKey, jwk };
}

let keys: { rsa: TestKey; ec: TestKey; other: TestKey } | undefined;

/** One RSA and one P-256 key published by the issuer, and an RSA key that is not. */
export function testKeys(): { rsa: TestKey; ec: TestKey; other: TestKey } {
  keys ??= {
    rsa: makeKey("rsa-key-1", "rsa"),
    ec: makeKey("ec-key-1", "ec"),
    other: makeKey("rsa-key-1", "rsa"),
  };
  return keys;
}

export function weakRsaKey(): TestKey {
  return makeKey("weak-key", "rsa", 1024);
}

export function jwksProvider(...extra: Jwk[]): StaticJwksProvider {
  const { rsa, ec } = testKeys();
  return new StaticJwksProvider({ [ISSUER]: { keys: [rsa.jwk, ec.jwk, ...extra] } });
}

export function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

export type SignAlg = "RS256" | "ES256" | "HS256" | "none";

/**
 * A compact JWS over exactly these header and payload objects. `key` is a private KeyObject for
 * RS256/ES256, the HMAC secret for HS256, ignored for `none`.
 */
export function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  alg: SignAlg,
  key?: KeyObject | Buffer | string,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  let signature: Buffer;
  switch (alg) {
    case "RS256":
      signature = sign("sha256", Buffer.from(input), key as KeyObject);
      break;
    case "ES256":
      signature = sign("sha256", Buffer.from(input), {
        key: key as KeyObject,
        dsaEncoding: "ieee-p1363",
      });
      break;
    case "HS256":
      signature = createHmac("sha256", key as Buffer | string)
        .update(input)
        .digest();
      break;
    case "none":
      signature = Buffer.alloc(0);
      break;
  }
  return `${input}.${b64url(signature)}`;
}

/** GitHub Actions claims as GitHub issues them (publish workflow `release.yml`, env `prod`). */
export function githubClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: "9f2b6a3e-0d1c-4a5b-8e7f-000000000001",
    sub: "repo:octo-org/octo-repo:environment:prod",
    environment: "prod",
    aud: AUDIENCE,
    ref: "refs/heads/main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    repository: "octo-org/octo-repo",
    repository_owner: "octo-org",
    repository_owner_id: "65",
    repository_id: "74",
    run_id: "987654321",
    run_number: "10",
    run_attempt: "1",
    actor: "octocat",
    event_name: "push",
    workflow: "Release",
    workflow_ref: "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
    job_workflow_ref: "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
    iss: ISSUER,
    nbf: NOW_S - 5,
    iat: NOW_S - 5,
    exp: NOW_S + 295,
    ...overrides,
  };
}

/** A valid RS256 token with `claims` (undefined values are dropped: a missing claim). */
export function rsaJwt(
  claims: Record<string, unknown> = githubClaims(),
  kid = "rsa-key-1",
): string {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return signJwt({ alg: "RS256", typ: "JWT", kid }, payload, "RS256", testKeys().rsa.privateKey);
}

export function config(overrides: Partial<PublisherConfig> = {}): PublisherConfig {
  return {
    id: 1,
    crate: "octo-crate",
    issuer: ISSUER,
    repositoryOwner: "octo-org",
    repositoryOwnerId: 65,
    repository: "octo-repo",
    workflowFilename: "release.yml",
    environment: null,
    ...overrides,
  };
}

export const verifyOptions = () => ({
  jwks: jwksProvider(),
  audience: AUDIENCE,
  issuers: [ISSUER],
  now: NOW,
});

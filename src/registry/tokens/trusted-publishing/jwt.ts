/**
 * Compact JWS parsing and signature verification with a JWK (RS256 and ES256 only), on
 * `node:crypto`. Keys always come from the issuer's JWKS, never from the token (`jwk`, `jku`,
 * `x5u`, `x5c` headers are ignored), and HMAC algorithms are never accepted, so the classic
 * "HS256 with the public key as the secret" confusion cannot happen.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { TrustedPublishingError } from "./errors.js";

export type JwsAlgorithm = "RS256" | "ES256";
export const ALLOWED_ALGORITHMS: readonly JwsAlgorithm[] = ["RS256", "ES256"];

/** Longest JWT we parse. GitHub's OIDC tokens are about 1.5 KB. */
export const MAX_JWT_LENGTH = 16_384;

/** A JSON Web Key as found in a JWKS (public members; other members are kept and ignored). */
export interface Jwk {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
  readonly [member: string]: unknown;
}

export interface DecodedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly alg: JwsAlgorithm;
  /** `base64url(header) "." base64url(payload)`: the signed bytes. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

function malformed(message: string): TrustedPublishingError {
  return new TrustedPublishingError("malformed-jwt", message);
}

/** Strict base64url (no padding, no other characters, no impossible lengths). */
export function decodeBase64Url(segment: string, what: string): Buffer {
  if (!B64URL_RE.test(segment) || segment.length % 4 === 1) {
    throw malformed(`JWT ${what} is not valid base64url`);
  }
  const bytes = Buffer.from(segment, "base64url");
  // Non-canonical trailing bits would decode the same as another string; refuse them.
  if (bytes.toString("base64url") !== segment) {
    throw malformed(`JWT ${what} is not canonical base64url`);
  }
  return bytes;
}

function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64Url(segment, what);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw malformed(`JWT ${what} is not UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`JWT ${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed(`JWT ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Split and decode a compact JWS, and check its header: `alg` must be RS256 or ES256, `crit`
 * must be absent (we implement no extensions), `typ` if present must be `JWT`. The signature is
 * NOT verified here.
 */
export function decodeJws(jwt: unknown): DecodedJws {
  if (typeof jwt !== "string") throw malformed("JWT must be a string");
  if (jwt.length === 0) throw malformed("JWT is empty");
  if (jwt.length > MAX_JWT_LENGTH) throw malformed(`JWT is longer than ${MAX_JWT_LENGTH} bytes`);
  const parts = jwt.split(".");
  if (parts.length !== 3) {
    throw malformed(
      `JWT must have 3 dot-separated parts (compact JWS), found ${parts.length}${parts.length === 5 ? " (encrypted JWTs are not supported)" : ""}`,
    );
  }
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJsonObject(h, "header");
  const alg = header.alg;
  if (typeof alg !== "string") throw malformed("JWT header has no `alg`");
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new TrustedPublishingError(
      "unsupported-algorithm",
      `JWT algorithm \`${alg}\` is not accepted (allowed: ${ALLOWED_ALGORITHMS.join(", ")})`,
    );
  }
  if ("crit" in header) {
    throw new TrustedPublishingError(
      "unsupported-algorithm",
      "JWT header has `crit` extensions, which are not supported",
    );
  }
  if ("typ" in header && (typeof header.typ !== "string" || header.typ.toUpperCase() !== "JWT")) {
    throw malformed("JWT header `typ` must be `JWT`");
  }
  const payload = decodeJsonObject(p, "payload");
  if (s === "") throw malformed("JWT has no signature");
  const signature = decodeBase64Url(s, "signature");
  return { header, payload, alg: alg as JwsAlgorithm, signingInput: `${h}.${p}`, signature };
}

const keyCache = new WeakMap<Jwk, KeyObject>();

function mismatch(message: string): TrustedPublishingError {
  return new TrustedPublishingError("key-algorithm-mismatch", message);
}

/** Import `jwk` as a public key usable for `alg`, or throw. */
export function importVerificationKey(jwk: Jwk, alg: JwsAlgorithm): KeyObject {
  const wantKty = alg === "RS256" ? "RSA" : "EC";
  if (jwk.kty !== wantKty) {
    throw mismatch(`JWT algorithm ${alg} needs a ${wantKty} key, key is \`${String(jwk.kty)}\``);
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw mismatch(`key is for algorithm \`${String(jwk.alg)}\`, JWT uses ${alg}`);
  }
  if (jwk.use !== undefined && jwk.use !== "sig") {
    throw mismatch(`key use is \`${String(jwk.use)}\`, not \`sig\``);
  }
  if (
    jwk.key_ops !== undefined &&
    (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes("verify"))
  ) {
    throw mismatch("key operations do not include `verify`");
  }
  if (alg === "ES256" && jwk.crv !== "P-256") {
    throw mismatch(`ES256 needs a P-256 key, key curve is \`${String(jwk.crv)}\``);
  }
  let key = keyCache.get(jwk);
  if (key === undefined) {
    try {
      // Only the public members: a JWKS must not carry private keys, and we never need them.
      const pub =
        jwk.kty === "RSA"
          ? { kty: "RSA", n: jwk.n, e: jwk.e }
          : { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y };
      key = createPublicKey({ key: pub as import("node:crypto").JsonWebKey, format: "jwk" });
    } catch (cause) {
      throw new TrustedPublishingError("invalid-key", "the issuer's key cannot be imported", {
        cause,
      });
    }
    if (alg === "RS256" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      throw new TrustedPublishingError(
        "invalid-key",
        "the issuer's RSA key is shorter than 2048 bits",
      );
    }
    keyCache.set(jwk, key);
  }
  return key;
}

/** Throw `bad-signature` unless the JWS signature verifies with `jwk`. */
export function verifyJwsSignature(jws: DecodedJws, jwk: Jwk): void {
  const key = importVerificationKey(jwk, jws.alg);
  const data = Buffer.from(jws.signingInput, "ascii");
  let ok = false;
  try {
    if (jws.alg === "RS256") {
      ok = verify("sha256", data, key, jws.signature);
    } else {
      ok =
        jws.signature.length === 64 &&
        verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, jws.signature);
    }
  } catch {
    ok = false;
  }
  if (!ok) throw new TrustedPublishingError("bad-signature", "JWT signature verification failed");
}

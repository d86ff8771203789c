/**
 * Registry API token format, hashing and the `Authorization` header.
 *
 * Format (both kinds):
 *
 *   cratesec_<40 random base62 chars><6 base62 chars of CRC32>          API token, 55 chars
 *   cratesec_tp_<40 random base62 chars><6 base62 chars of CRC32>       Trusted Publishing token, 58 chars
 *
 * - Randomness: 40 characters drawn uniformly from the 62-character alphabet `0-9A-Za-z` with
 *   `crypto.randomBytes` and rejection sampling (bytes ≥ 248 are discarded, so there is no modulo
 *   bias): 40 × log2(62) ≈ 238.2 bits of entropy — far beyond brute force, and more than the
 *   ≈ 190 bits of crates.io's `cio` + 32 alphanumerics.
 * - Prefix: `cratesec_` makes a leaked token recognisable to secret scanners and to people; the
 *   Trusted Publishing kind adds `tp_` (the random part never contains `_`, so the two kinds can
 *   never be confused, like crates.io's `cio` / `cio_tp_`).
 * - Checksum: like GitHub's token format, the last 6 characters are the CRC32 of everything before
 *   them (prefix + random part), base62-encoded and zero-padded. It is NOT a security control: it
 *   only lets a secret scanner (or `looksLikeToken`) reject random look-alikes offline, without a
 *   database lookup, with a 1-in-2^32 false-positive rate. Covering the prefix means a token of
 *   one kind cannot be turned into the other kind by editing the prefix and still look valid.
 *   Scanner regex: {@link TOKEN_PATTERN}.
 * - Storage: only `hashToken(token)` (SHA-256 of the full string, hex) is ever stored; the
 *   plaintext is shown once at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_PREFIX = "cratesec_";
export const TRUSTED_PUBLISHING_TOKEN_PREFIX = "cratesec_tp_";
/** Random base62 characters in every token. */
export const TOKEN_RANDOM_LENGTH = 40;
/** Base62 characters of the CRC32 checksum at the end of every token. */
export const TOKEN_CHECKSUM_LENGTH = 6;
/** Bits of entropy in a token's random part: 40 × log2(62). */
export const TOKEN_ENTROPY_BITS = TOKEN_RANDOM_LENGTH * Math.log2(62);
/**
 * What a secret scanner should look for (both kinds). Anchored on word boundaries; a hit is then
 * confirmed offline with {@link looksLikeToken} (checksum). Not global: build
 * `new RegExp(TOKEN_PATTERN.source, "g")` to find every token in a text.
 */
export const TOKEN_PATTERN = /\bcratesec_(?:tp_)?[0-9A-Za-z]{46}\b/;

export type TokenKind = "api" | "trusted-publishing";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 62 × 4: bytes below this map uniformly onto the alphabet with `% 62`. */
const UNBIASED_LIMIT = 248;

function prefixOf(kind: TokenKind): string {
  return kind === "api" ? TOKEN_PREFIX : TRUSTED_PUBLISHING_TOKEN_PREFIX;
}

/** `length` characters drawn uniformly from the base62 alphabet with the CSPRNG. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    // Ask for a little more than needed: about 3 % of bytes are rejected.
    const bytes = randomBytes(length - out.length + 8);
    for (const byte of bytes) {
      if (byte < UNBIASED_LIMIT) {
        out += BASE62[byte % 62];
        if (out.length === length) break;
      }
    }
  }
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of the string's UTF-8 bytes. */
export function crc32(text: string): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) {
    crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = "";
  for (let i = 0; i < TOKEN_CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** A new token (plaintext; show it once, store only {@link hashToken}). */
export function generateToken(kind: TokenKind = "api"): string {
  const body = prefixOf(kind) + randomBase62(TOKEN_RANDOM_LENGTH);
  return body + checksum(body);
}

export type TokenFormatProblem =
  | "unknown-prefix"
  | "bad-length"
  | "bad-characters"
  | "bad-checksum";

export type TokenClassification =
  | { readonly ok: true; readonly kind: TokenKind }
  | { readonly ok: false; readonly problem: TokenFormatProblem; readonly detail: string };

const BODY_RE = /^[0-9A-Za-z]*$/;

/**
 * Which kind of token `s` is, or why it is not one of ours. Offline: prefix, length, charset and
 * checksum only — it says nothing about whether the token exists, is revoked or expired.
 */
export function classifyToken(s: string): TokenClassification {
  let kind: TokenKind;
  if (s.startsWith(TRUSTED_PUBLISHING_TOKEN_PREFIX)) kind = "trusted-publishing";
  else if (s.startsWith(TOKEN_PREFIX)) kind = "api";
  else {
    return {
      ok: false,
      problem: "unknown-prefix",
      detail: `The given token does not match the format used by this registry (tokens start with \`${TOKEN_PREFIX}\`). Create a new token with \`cratesec token create\`.`,
    };
  }
  const rest = s.slice(prefixOf(kind).length);
  if (rest.length !== TOKEN_RANDOM_LENGTH + TOKEN_CHECKSUM_LENGTH) {
    return { ok: false, problem: "bad-length", detail: "The given token has the wrong length." };
  }
  if (!BODY_RE.test(rest)) {
    return {
      ok: false,
      problem: "bad-characters",
      detail: "The given token contains characters that never occur in a token.",
    };
  }
  const body = s.slice(0, s.length - TOKEN_CHECKSUM_LENGTH);
  if (checksum(body) !== s.slice(s.length - TOKEN_CHECKSUM_LENGTH)) {
    return {
      ok: false,
      problem: "bad-checksum",
      detail: "The given token is mistyped or truncated (its checksum does not match).",
    };
  }
  return { ok: true, kind };
}

/** True when `s` has our prefix, length, charset and a valid checksum (either kind). */
export function looksLikeToken(s: string): boolean {
  return classifyToken(s).ok;
}

/** SHA-256 of the full token string, lowercase hex: the only form that is stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const HEX_RE = /^[0-9a-f]*$/i;

/**
 * Constant-time equality of two hex hashes (case-insensitive). Different lengths or non-hex input
 * compare unequal; the comparison time depends only on the lengths.
 */
export function hashesEqual(a: string, b: string): boolean {
  if (!HEX_RE.test(a) || !HEX_RE.test(b)) return false;
  const x = Buffer.from(a.toLowerCase(), "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  if (x.length !== y.length) {
    // Burn comparable time so the length mismatch is not the only thing measured.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export type AuthorizationHeaderResult =
  | { readonly ok: true; readonly token: string; readonly scheme: "raw" | "bearer" }
  | { readonly ok: false; readonly status: 401; readonly reason: string };

/**
 * The token from an `Authorization` header value, as crates.io reads it: either the raw token
 * (what cargo sends) or `Bearer <token>` with the scheme in any case. Any other scheme, a missing
 * or empty value, non-ASCII characters, or whitespace inside the token is refused with a reason
 * (answer 401). The token is not checked against the token format here: see {@link classifyToken}.
 */
export function parseAuthorizationHeader(
  value: string | readonly string[] | undefined | null,
): AuthorizationHeaderResult {
  if (value === undefined || value === null) {
    return { ok: false, status: 401, reason: "Missing `Authorization` header" };
  }
  if (typeof value !== "string") {
    if (value.length !== 1 || typeof value[0] !== "string") {
      return { ok: false, status: 401, reason: "Expected exactly one `Authorization` header" };
    }
    return parseAuthorizationHeader(value[0]);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: printable ASCII plus tab only.
  if (!/^[\x09\x20-\x7e]*$/.test(value)) {
    return {
      ok: false,
      status: 401,
      reason: "Invalid `Authorization` header: Found unexpected non-ASCII characters",
    };
  }
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, "");
  if (trimmed === "") {
    return { ok: false, status: 401, reason: "Invalid `Authorization` header: empty value" };
  }
  if (trimmed.toLowerCase() === "bearer") {
    return { ok: false, status: 401, reason: "Invalid `Authorization` header: missing token" };
  }
  const space = trimmed.search(/[ \t]/);
  let scheme: "raw" | "bearer" = "raw";
  let token = trimmed;
  if (space !== -1) {
    const name = trimmed.slice(0, space);
    if (name.toLowerCase() !== "bearer") {
      return {
        ok: false,
        status: 401,
        reason: `Invalid \`Authorization\` header: Found unexpected authentication scheme \`${name}\``,
      };
    }
    scheme = "bearer";
    token = trimmed.slice(space + 1).replace(/^[ \t]+/, "");
  }
  if (token === "") {
    return { ok: false, status: 401, reason: "Invalid `Authorization` header: missing token" };
  }
  if (/[ \t]/.test(token)) {
    return {
      ok: false,
      status: 401,
      reason: "Invalid `Authorization` header: the token must not contain whitespace",
    };
  }
  return { ok: true, token, scheme };
}

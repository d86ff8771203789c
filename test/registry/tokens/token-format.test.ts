import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  authenticate,
  classifyToken,
  crc32,
  generateToken,
  hashesEqual,
  hashToken,
  InMemoryTokenLookup,
  LEGACY_SCOPES,
  looksLikeToken,
  parseAuthorizationHeader,
  TOKEN_ENTROPY_BITS,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  TRUSTED_PUBLISHING_TOKEN_PREFIX,
} from "../../../src/registry/tokens/index.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("token format", () => {
  it("has the prefix, length and charset, and a valid checksum", () => {
    for (let i = 0; i < 200; i++) {
      const t = generateToken();
      assert.match(t, /^cratesec_[0-9A-Za-z]{46}$/);
      assert.equal(t.length, 55);
      assert.ok(t.startsWith(TOKEN_PREFIX));
      assert.deepEqual(classifyToken(t), { ok: true, kind: "api" });
      const tp = generateToken("trusted-publishing");
      assert.match(tp, /^cratesec_tp_[0-9A-Za-z]{46}$/);
      assert.ok(tp.startsWith(TRUSTED_PUBLISHING_TOKEN_PREFIX));
      assert.deepEqual(classifyToken(tp), { ok: true, kind: "trusted-publishing" });
    }
  });

  it("has at least 32 random characters and documents ≥ 190 bits of entropy", () => {
    assert.ok(TOKEN_ENTROPY_BITS > 238 && TOKEN_ENTROPY_BITS < 239);
  });

  it("never repeats over 20,000 draws and uses the alphabet uniformly (no modulo bias)", () => {
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const t = generateToken();
      seen.add(t);
      for (const c of t.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 40)) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    assert.equal(seen.size, draws);
    assert.equal(counts.size, 62);
    const expected = (draws * 40) / 62; // ≈ 12,903, σ ≈ 112
    for (const c of BASE62) {
      const n = counts.get(c) ?? 0;
      // A `% 62` bias on bytes would put chars 0-7 about 25 % high; 6 % is > 6 σ.
      assert.ok(Math.abs(n - expected) < expected * 0.06, `${c}: ${n} vs ${expected}`);
    }
  });

  it("is found by the secret-scanning pattern", () => {
    const t = generateToken();
    const tp = generateToken("trusted-publishing");
    const text = `token = "${t}"\nexport CARGO_REGISTRY_TOKEN=${tp}\n`;
    assert.deepEqual(text.match(new RegExp(TOKEN_PATTERN.source, "g")), [t, tp]);
    assert.ok(TOKEN_PATTERN.test(t) && TOKEN_PATTERN.test(t));
  });

  it("rejects look-alikes offline, with a reason", () => {
    const t = generateToken();
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === "a" ? "b" : "a") + s.slice(i + 1);
    const table: [string, string][] = [
      ["cio1234567890123456789012345678901234", "unknown-prefix"],
      ["", "unknown-prefix"],
      [`${TOKEN_PREFIX}abc`, "bad-length"],
      [`${t}x`, "bad-length"],
      [`${t.slice(0, 20)}-${t.slice(21)}`, "bad-characters"],
      [flip(t, 20), "bad-checksum"],
      [flip(t, t.length - 1), "bad-checksum"],
      // The checksum covers the prefix: a valid API token does not become a valid TP token.
      [`${TRUSTED_PUBLISHING_TOKEN_PREFIX}${t.slice(TOKEN_PREFIX.length)}`, "bad-checksum"],
    ];
    for (const [input, problem] of table) {
      const r = classifyToken(input);
      assert.equal(r.ok, false, input);
      if (!r.ok) assert.equal(r.problem, problem, input);
      assert.equal(looksLikeToken(input), false);
    }
  });

  it("hashes with SHA-256 hex (only the hash is stored)", () => {
    assert.equal(
      hashToken("abc"),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const t = generateToken();
    assert.match(hashToken(t), /^[0-9a-f]{64}$/);
    assert.notEqual(hashToken(t), hashToken(generateToken()));
    assert.equal(crc32("123456789"), 0xcbf43926);
  });

  it("compares hashes in constant time, case-insensitively, refusing non-hex", () => {
    const h = hashToken("x");
    assert.equal(hashesEqual(h, h.toUpperCase()), true);
    assert.equal(hashesEqual(h, hashToken("y")), false);
    assert.equal(hashesEqual(h, h.slice(1)), false);
    assert.equal(hashesEqual("zz", "zz"), false);
    assert.equal(hashesEqual("", ""), true);
  });
});

describe("Authorization header", () => {
  const T = "cratesec_abc";
  // [header value, expected token | null (refused), scheme or reason fragment]
  const table: [string | string[] | undefined, string | null, string][] = [
    [T, T, "raw"],
    [`Bearer ${T}`, T, "bearer"],
    [`bearer ${T}`, T, "bearer"],
    [`BEARER ${T}`, T, "bearer"],
    [`BeArEr ${T}`, T, "bearer"],
    [`  Bearer    ${T}  `, T, "bearer"],
    [`\tBearer\t${T}`, T, "bearer"],
    [` ${T} `, T, "raw"],
    [[T], T, "raw"],
    [undefined, null, "Missing `Authorization` header"],
    ["", null, "empty value"],
    ["   ", null, "empty value"],
    ["Bearer", null, "missing token"],
    ["Bearer   ", null, "missing token"],
    [`Token ${T}`, null, "unexpected authentication scheme `Token`"],
    ["Basic dXNlcjpwYXNz", null, "unexpected authentication scheme `Basic`"],
    [`Bearer: ${T}`, null, "unexpected authentication scheme `Bearer:`"],
    [`Bearer ${T} extra`, null, "must not contain whitespace"],
    [`${T}é`, null, "non-ASCII"],
    [`Bearer ${T}\n`, null, "non-ASCII"],
    [[T, T], null, "exactly one"],
    [[], null, "exactly one"],
  ];
  for (const [value, token, info] of table) {
    it(`${JSON.stringify(value)} → ${token === null ? `refused (${info})` : info}`, () => {
      const r = parseAuthorizationHeader(value);
      if (token === null) {
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.equal(r.status, 401);
          assert.ok(r.reason.includes(info), r.reason);
        }
      } else {
        assert.deepEqual(r, { ok: true, token, scheme: info });
      }
    });
  }

  it("never throws, whatever the header", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
        const r = parseAuthorizationHeader(s);
        assert.ok(r.ok === true || r.status === 401);
        classifyToken(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("authenticate", () => {
  const token = generateToken();
  const tpToken = generateToken("trusted-publishing");
  const lookup = new InMemoryTokenLookup();
  const grant = {
    kind: "api",
    id: 7,
    userId: 1,
    scopes: LEGACY_SCOPES,
    expiresAt: null,
    revokedAt: null,
  } as const;
  lookup.add(hashToken(token), grant);
  const tpGrant = {
    kind: "trusted-publishing",
    id: 8,
    crates: ["serde"],
    expiresAt: new Date(Date.now() + 60_000),
    revokedAt: null,
  } as const;
  lookup.add(hashToken(tpToken), tpGrant);

  it("finds a stored token, raw or Bearer", async () => {
    for (const header of [token, `Bearer ${token}`]) {
      const r = await authenticate(header, lookup);
      assert.deepEqual(r, { ok: true, grant, tokenHash: hashToken(token) });
    }
    const tp = await authenticate(tpToken, lookup);
    assert.ok(tp.ok && tp.grant === tpGrant);
  });

  it("401 for a missing header, another scheme or a foreign token format; 403 when not stored", async () => {
    const cases: [string | undefined, number, string][] = [
      [undefined, 401, "Missing"],
      [`Basic ${token}`, 401, "scheme"],
      ["cio0123456789012345678901234567890ab", 401, "does not match the format"],
      [`${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`, 401, "checksum"],
      [generateToken(), 403, "authentication failed"],
      [generateToken("trusted-publishing"), 403, "authentication failed"],
    ];
    for (const [header, status, detail] of cases) {
      const r = await authenticate(header, lookup);
      assert.equal(r.ok, false, String(header));
      if (!r.ok) {
        assert.equal(r.status, status, String(header));
        assert.ok(r.detail.includes(detail), r.detail);
      }
    }
  });
});

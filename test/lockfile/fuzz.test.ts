/**
 * Mutated real lockfiles: the parser only ever throws LockfileError, and the fast line reader
 * agrees with smol-toml on every input it accepts (so it may only speed things up).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Lockfile,
  LockfileError,
  parseLockfile,
  parseLockfileBytes,
} from "../../src/lockfile/index.js";
import { readCargoSubset, readWithSmolToml } from "../../src/lockfile/raw.js";
import { plain, sharedLockfiles } from "./helpers.js";

/** One seed per format version, the smaller files (quick runs), plus a git source (format 1). */
const SEEDS = [
  "rustsec-2019-05-19-7b7478e6.lock",
  "cargo-deny-2020-01-15-2ac5e1d.lock",
  "cargo-deny-2020-07-19-7dcfc28.lock",
  "cargo-deny-2022-02-07-e0938b7.lock",
  "cargo-deny-2026-08-06-8ae59f9.lock",
].map((name) => {
  const f = sharedLockfiles().find((s) => s.name === name);
  assert.ok(f, name);
  return f;
});

const CHARS = [
  '"',
  "'",
  "[",
  "]",
  "=",
  " ",
  "\n",
  "\r",
  "\r\n",
  "\t",
  "#",
  "\\",
  ",",
  ".",
  "(",
  ")",
  "+",
  "-",
  "0",
  "9",
  "a",
  "é",
  "🦀",
  "\u0000",
  "\u0001",
  "\u007f",
  "\uFEFF",
  "{",
  "}",
  '"""',
];

const LINES = [
  "[[package]]",
  "[package]",
  "[metadata]",
  "[root]",
  "[[patch.unused]]",
  "[patch]",
  'name = "serde"',
  'name = "__proto__"',
  "__proto__ = 1",
  'version = "1.0.0"',
  "version = 5",
  "version = 3",
  "dependencies = [",
  "]",
  ' "serde",',
  ' "serde 1.0.0",',
  ' "serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",',
  'source = "git+https://example.com/x?rev=1#abc"',
  'source = "sparse+https://index.crates.io/"',
  'checksum = "<none>"',
  'replace = "serde 1.0.0"',
  '"checksum serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "<none>"',
  "package = []",
  "version = 03",
  "version = 4 # comment",
  'name = "a" # comment',
  "",
];

/** Structural tokens to delete or replace at one of their occurrences. */
const TOKENS = [
  ",",
  '"',
  "=",
  "[",
  "]",
  " ",
  "\n",
  "[[",
  "]]",
  '",',
  " = ",
  "version = ",
  "(",
  ")",
  "+",
  "#",
];

type Mutation =
  | { kind: "token"; token: string; at: number; text: string }
  | { kind: "delete-line" | "duplicate-line" | "truncate" | "delete-char"; at: number }
  | { kind: "swap-lines"; at: number; other: number }
  | { kind: "replace-char" | "insert-char"; at: number; text: string }
  | { kind: "insert-line"; at: number; text: string };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("delete-line", "duplicate-line", "truncate", "delete-char"),
    at,
  }),
  fc.record({ kind: fc.constant("swap-lines"), at, other: at }),
  fc.record({
    kind: fc.constantFrom("replace-char", "insert-char"),
    at,
    text: fc.oneof(fc.constantFrom(...CHARS), fc.string({ minLength: 1, maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant("insert-line"), at, text: fc.constantFrom(...LINES) }),
  fc.record({
    kind: fc.constant("token"),
    token: fc.constantFrom(...TOKENS),
    at,
    text: fc.oneof(fc.constant(""), fc.constantFrom(...CHARS, ...TOKENS, "0", "00")),
  }),
) as fc.Arbitrary<Mutation>;

function mutate(text: string, m: Mutation): string {
  if (text.length === 0) return text;
  if (m.kind === "token") {
    // Replace (or delete) the token's n-th occurrence: hits the structure far more often.
    const starts: number[] = [];
    for (let k = text.indexOf(m.token); k !== -1; k = text.indexOf(m.token, k + 1)) starts.push(k);
    if (starts.length === 0) return text;
    const k = starts[m.at % starts.length] as number;
    return text.slice(0, k) + m.text + text.slice(k + m.token.length);
  }
  const i = m.at % text.length;
  switch (m.kind) {
    case "truncate":
      return text.slice(0, i);
    case "delete-char":
      return text.slice(0, i) + text.slice(i + 1);
    case "replace-char":
      return text.slice(0, i) + m.text + text.slice(i + 1);
    case "insert-char":
      return text.slice(0, i) + m.text + text.slice(i);
  }
  const lines = text.split("\n");
  const l = m.at % lines.length;
  switch (m.kind) {
    case "delete-line":
      lines.splice(l, 1);
      break;
    case "duplicate-line":
      lines.splice(l, 0, lines[l] as string);
      break;
    case "swap-lines": {
      const o = m.other % lines.length;
      [lines[l], lines[o]] = [lines[o] as string, lines[l] as string];
      break;
    }
    case "insert-line":
      lines.splice(l, 0, m.text);
      break;
  }
  return lines.join("\n");
}

function outcome(text: string, reader: "auto" | "smol-toml"): Lockfile | LockfileError {
  try {
    return parseLockfile(text, "Cargo.lock", { reader });
  } catch (e) {
    if (e instanceof LockfileError) return e;
    throw new Error(`not a LockfileError: ${String(e)}\n${(e as Error).stack}`);
  }
}

function summary(r: Lockfile | LockfileError): unknown {
  if (r instanceof LockfileError) return String(r);
  return {
    format: r.formatVersion,
    packages: r.packages.map((p) => [p.key, p.line, p.checksum, p.dependencies.map((d) => d.key)]),
    patch: r.patchUnused.map((p) => [p.name, p.line]),
    metadata: [...r.metadata],
  };
}

describe("robustness (fast-check)", () => {
  it("throws only LockfileError, and the line reader agrees with smol-toml", () => {
    let accepted = 0;
    let fast = 0;
    fc.assert(
      fc.property(
        // Seeds by index, so that a counterexample stays short.
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, ms) => {
          const text = ms.reduce(mutate, (SEEDS[seed] as { text: string }).text);
          const raw = readCargoSubset(text);
          if (raw !== null) {
            fast++;
            let slow: ReturnType<typeof readWithSmolToml>;
            try {
              slow = readWithSmolToml(text);
            } catch (e) {
              assert.fail(`the line reader accepted what smol-toml rejects: ${String(e)}`);
            }
            assert.deepEqual(plain(raw.table), plain(slow.table));
            assert.deepEqual(raw.packageLines, slow.packageLines);
            assert.deepEqual(raw.patchLines, slow.patchLines);
            assert.equal(raw.rootLine, slow.rootLine);
            assert.equal(raw.metadataLine, slow.metadataLine);
          }
          const a = outcome(text, "auto");
          const b = outcome(text, "smol-toml");
          assert.deepEqual(summary(a), summary(b));
          if (!(a instanceof LockfileError)) {
            accepted++;
            for (const p of a.packages) {
              for (const d of p.dependencies) assert.equal(a.packages[d.index], d);
            }
            for (const p of a.packages.slice(0, 20)) a.graph.pathsFromRoots(p);
          } else {
            assert.ok(a.message.length > 0);
            assert.ok(a.line >= 0 && a.col >= 0);
          }
        },
      ),
      { numRuns: 2500 },
    );
    // The mutations must exercise both readers and both outcomes.
    assert.ok(fast > 100, `line reader used ${fast} times`);
    assert.ok(accepted > 50, `only ${accepted} mutants parsed`);
  });

  it("throws only LockfileError on mutated bytes", () => {
    const seeds = SEEDS.map((s) => new TextEncoder().encode(s.text));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (seed, edits) => {
          const bytes = (seeds[seed] as Uint8Array).slice();
          for (const { at: i, byte } of edits) bytes[i % bytes.length] = byte;
          try {
            parseLockfileBytes(bytes, "Cargo.lock");
          } catch (e) {
            if (!(e instanceof LockfileError)) throw e;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

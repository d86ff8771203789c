/**
 * Mutated real lockfiles: the parser only ever throws LockfileError; the line reader, with and
 * without its whole-block fast path, agrees with smol-toml on every input it accepts (so it may
 * only speed things up), and what it claims to have verified holds; and the parse, with its
 * shortcuts, gives what the plain path (smol-toml, general dependency lookup) gives.
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
import { type RawDoc, readCargoSubset, readWithSmolToml } from "../../src/lockfile/raw.js";
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
  "\u00a0",
  "_",
  "G",
  "A",
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
  // At the edges of the whole-block fast path: what it must leave to the line loop.
  'name = ""',
  'name = "a b"',
  'name = "a(b"',
  'name = "a\tb"',
  'version = "1.0.0\t"',
  `checksum = "${"A".repeat(64)}"`,
  `checksum = "${"a".repeat(63)}"`,
  `checksum = "${"g".repeat(64)}"`,
  `checksum = "${"0".repeat(65)}"`,
  'checksum = ""',
  "dependencies = []",
  "dependencies = [",
  ' "serde",',
  ' "a b c d",',
  ' "",',
  'source = "registry+https://github.com/rust-lang/crates.io-index"',
  'source = "registry+https://github.com/rust-lang/crates.io-index/"',
  ' "serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index/)",',
  "[[package]]  ",
  " [[package]]",
  // Valid almost anywhere, and no longer a block as Cargo writes it.
  "# comment",
  "  ",
  "\t# indented comment",
  'name =  "a"',
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

/** Ways to write a [[package]] block that the whole-block regex does not take. */
const RESTYLES: readonly ((block: string) => string)[] = [
  (b) => b.replace("\n", "\n# comment\n"),
  (b) => b.replace(/"\n/, '" \n'),
  (b) => b.replace(" = ", "="),
  (b) => b.replace(/\n(?=version)/, "\n\n"),
  (b) => b.replace(/(source = .*\n)(checksum = .*\n)/, "$2$1"),
  (b) => b.replace(/checksum = "(\w+)"/, (_, c: string) => `checksum = "${c.toUpperCase()}"`),
  (b) => b.replace(/"\n\]/, '"\n  ]'),
  (b) => b.replace(/\[\n "/, '[ "'),
  (b) => b.replace(/",\n\]/, '"\n]'),
  (b) => `${b}\nreplace = "x 1.0.0"`,
  (b) => b.replace("registry+", "sparse+"),
  (b) => b.replace(/name = "[^"]*"/, 'name = "é"'),
];

type Mutation =
  | { kind: "token"; token: string; at: number; text: string }
  | { kind: "delete-line" | "duplicate-line" | "truncate" | "delete-char"; at: number }
  | { kind: "swap-lines"; at: number; other: number }
  | { kind: "replace-char" | "insert-char"; at: number; text: string }
  | { kind: "insert-line"; at: number; text: string }
  | { kind: "restyle"; at: number; style: number };

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
    kind: fc.constant("restyle"),
    at,
    style: fc.integer({ min: 0, max: RESTYLES.length - 1 }),
  }),
  fc.record({
    kind: fc.constant("token"),
    token: fc.constantFrom(...TOKENS),
    at,
    text: fc.oneof(fc.constant(""), fc.constantFrom(...CHARS, ...TOKENS, "0", "00")),
  }),
) as fc.Arbitrary<Mutation>;

function mutate(text: string, m: Mutation): string {
  if (text.length === 0) return text;
  if (m.kind === "restyle") {
    // One [[package]] block rewritten in a way Cargo does not write (mostly still valid TOML),
    // so that the block path leaves it to the line loop in the middle of the file.
    const starts: number[] = [];
    for (
      let k = text.indexOf("[[package]]\n");
      k !== -1;
      k = text.indexOf("[[package]]\n", k + 1)
    ) {
      starts.push(k);
    }
    if (starts.length === 0) return text;
    const start = starts[m.at % starts.length] as number;
    let end = text.indexOf("\n\n", start);
    if (end === -1) end = text.length;
    const block = (RESTYLES[m.style] as (b: string) => string)(text.slice(start, end));
    return text.slice(0, start) + block + text.slice(end);
  }
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

/** Whether any table (at any depth) has a string `name`. */
function hasName(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasName);
  if (v === null || typeof v !== "object") return false;
  return typeof (v as Record<string, unknown>).name === "string" || Object.values(v).some(hasName);
}

/** What the line reader says it verified holds, for the tables the parser reads. */
function checkClaims(raw: RawDoc): void {
  const top = raw.table as Record<string, unknown>;
  const patch = top.patch as Record<string, unknown> | undefined;
  const tables = [
    ...(Array.isArray(top.package) ? top.package : []),
    ...(top.root !== undefined ? [top.root] : []),
    ...(patch !== undefined && Array.isArray(patch.unused) ? patch.unused : []),
  ] as Record<string, unknown>[];
  for (const t of tables) {
    if (raw.namesVerified && typeof t.name === "string") {
      assert.ok(t.name !== "" && !/[\s()]/.test(t.name), `unverified name ${t.name}`);
    }
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      const ofTables = v === top.package || v === patch?.unused;
      if (raw.stringListsOnly && !ofTables) assert.ok(v.every((x) => typeof x === "string"));
      v.forEach(walk);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "checksum" && typeof x === "string" && raw.checksumsVerified) {
          assert.match(x, /^[0-9a-fA-F]{64}$/);
        }
        walk(x);
      }
    }
  };
  walk(top);
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
    let blocksOnly = 0;
    let mixed = 0;
    fc.assert(
      fc.property(
        // Seeds by index, so that a counterexample stays short.
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, ms) => {
          const text = ms.reduce(mutate, (SEEDS[seed] as { text: string }).text);
          const raw = readCargoSubset(text);
          const lines = readCargoSubset(text, false);
          // The block fast path changes nothing: same answer as the line loop alone.
          assert.equal(raw === null, lines === null, "the block path and the line loop disagree");
          if (raw !== null && lines !== null) {
            fast++;
            // namesVerified is set only when the block path read every name.
            if (raw.namesVerified) blocksOnly++;
            else mixed++;
            if (hasName(lines.table)) assert.equal(lines.namesVerified, false);
            assert.deepEqual(plain(raw.table), plain(lines.table));
            assert.deepEqual(raw.packageLines, lines.packageLines);
            assert.deepEqual(raw.patchLines, lines.patchLines);
            assert.equal(raw.rootLine, lines.rootLine);
            assert.equal(raw.metadataLine, lines.metadataLine);
            assert.equal(raw.checksumsVerified, lines.checksumsVerified);
            assert.equal(raw.stringListsOnly, lines.stringListsOnly);
            checkClaims(raw);
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
    // Both every package by the block path, and some by the line loop after a block gave up.
    assert.ok(blocksOnly > 50, `block path alone ${blocksOnly} times`);
    assert.ok(mixed > 50, `line loop for some package ${mixed} times`);
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

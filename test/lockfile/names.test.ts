/** NameTable: the same answers as a Map, and no quadratic time on keys crafted to collide. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseLockfile } from "../../src/lockfile/index.js";
import { NameTable } from "../../src/lockfile/names.js";
import { lockText, pkg } from "./helpers.js";

/** Keys of one length whose hashed characters (see `hash`) are all the same: all collide. */
function colliding(count: number): string[] {
  const len = 16;
  const hashed = new Set([0, 2, len >> 2, len >> 1, len - 2, len - 1]);
  const free = [...Array(len).keys()].filter((i) => !hashed.has(i));
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const chars = Array<string>(len).fill("a");
    let v = n;
    for (const i of free) {
      chars[i] = String.fromCharCode(0x61 + (v % 26));
      v = Math.floor(v / 26);
    }
    out.push(chars.join(""));
  }
  return out;
}

describe("NameTable", () => {
  it("answers like a Map", () => {
    const key = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom("serde", "serde_json", "1.0.0", "1.0.1", "a b (c)", ""),
      fc.constantFrom(...colliding(40)),
    );
    const op = fc.record({ add: fc.boolean(), key, value: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.nat({ max: 500 }), (ops, expected) => {
        const table = new NameTable<number>(expected);
        const model = new Map<string, number>();
        for (const { add, key: k, value } of ops) {
          if (add) {
            const before = model.get(k);
            assert.equal(table.addIfAbsent(k, value), before);
            if (before === undefined) model.set(k, value);
          } else assert.equal(table.get(k), model.get(k));
          assert.equal(table.size, model.size);
        }
        assert.deepEqual(table.values(), [...model.values()]);
        for (const [k, v] of model) assert.equal(table.get(k), v);
      }),
      { numRuns: 300 },
    );
  });

  it("falls back to a Map when keys collide, staying correct", () => {
    const keys = colliding(20_000);
    const table = new NameTable<number>();
    keys.forEach((k, i) => {
      assert.equal(table.addIfAbsent(k, i), undefined);
    });
    assert.ok(table.degraded);
    keys.forEach((k, i) => {
      assert.equal(table.get(k), i);
      assert.equal(table.addIfAbsent(k, -1), i);
    });
    assert.equal(table.get("b".repeat(16)), undefined);
    assert.equal(table.size, keys.length);
  });

  it("does not fall back on the names of real lockfiles", () => {
    const table = new NameTable<number>(2);
    const names = ["serde", "serde_json", "serde_derive", "syn", "quote", "proc-macro2", "libc"];
    for (let i = 0; i < 2000; i++) table.addIfAbsent(`${names[i % names.length]}-${i}`, i);
    assert.ok(!table.degraded);
  });

  it("resolves a lockfile of colliding names like the plain path", () => {
    const names = colliding(3000);
    const text = lockText(
      4,
      ...names.map((n, i) =>
        pkg(n, "1.0.0", { dependencies: i > 0 ? [names[i - 1] as string] : [] }),
      ),
    );
    const fast = parseLockfile(text, "Cargo.lock");
    const plain = parseLockfile(text, "Cargo.lock", { reader: "smol-toml" });
    const edges = (lf: typeof fast) => lf.packages.map((p) => p.dependencies.map((d) => d.index));
    assert.deepEqual(edges(fast), edges(plain));
    assert.equal(fast.packages[2999]?.dependencies[0], fast.packages[2998]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createDeflate, deflateSync } from "node:zlib";
import fc from "fast-check";
import {
  BinaryScanError,
  binaryPackagesAsDependencies,
  DEFAULT_AUDIT_DATA_SIZE_LIMIT,
  parseAuditData,
  scanBinary,
} from "../../src/binary/index.js";
import { type AuditPackageJson, auditPayload, elf } from "./fixtures.js";

/** An ELF64 whose `.dep-v0` holds `payload`. */
const withPayload = (payload: Uint8Array) =>
  elf({ bits: 64, littleEndian: true, sections: [{ name: ".dep-v0", data: payload }] });
const withJson = (json: unknown) => withPayload(auditPayload(json));
const pkg = (name: string, extra: Partial<AuditPackageJson> = {}): AuditPackageJson => ({
  name,
  version: "1.0.0",
  source: "crates.io",
  ...extra,
});

function rejects(bytes: Uint8Array, reason: string, message: RegExp, opts = {}): void {
  assert.throws(
    () => scanBinary(bytes, opts),
    (e: unknown) => {
      assert.ok(e instanceof BinaryScanError, `expected BinaryScanError, got ${String(e)}`);
      assert.equal(e.reason, reason);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe("audit data validation", () => {
  it("accepts the minimal document and fills the schema defaults", () => {
    const result = scanBinary(
      withJson({ packages: [pkg("app", { root: true, source: "local" })] }),
    );
    assert.equal(result.kind, "complete");
    if (result.kind !== "complete") return;
    assert.equal(result.auditFormat, 0);
    assert.equal(result.declaredAuditFormat, 0);
    assert.deepEqual(result.packages[0]?.dependencies, []);
    assert.equal(result.packages[0]?.kind, "runtime");
    assert.equal(result.packages[0]?.root, true);
  });

  it("treats an unknown format as the highest known one below it", () => {
    const formatOf = (format: number) => {
      const r = scanBinary(withJson({ format, packages: [pkg("app", { root: true })] }));
      return r.kind === "complete" ? [r.declaredAuditFormat, r.auditFormat] : null;
    };
    assert.deepEqual(formatOf(1), [1, 1]);
    assert.deepEqual(formatOf(4), [4, 1]);
    assert.deepEqual(formatOf(8), [8, 8]);
    assert.deepEqual(formatOf(99), [99, 8]);
  });

  it("keeps other sources as they are and ignores unknown fields", () => {
    const r = scanBinary(
      withJson({
        future: true,
        packages: [
          pkg("app", { root: true, dependencies: [1, 2, 3], source: "local" }),
          pkg("a", { source: "registry" }),
          pkg("b", { source: "git" }),
          { ...pkg("c", { source: "sparse+https://example.com/" }), extra: [1] },
        ],
      }),
    );
    assert.deepEqual(
      binaryPackagesAsDependencies(r).map((d) => [d.name, d.isCratesIo]),
      [
        ["app", false],
        ["a", false],
        ["b", false],
        ["c", false],
      ],
    );
    assert.deepEqual(
      r.packages.map((p) => p.source),
      ["local", "registry", "git", "sparse+https://example.com/"],
    );
  });

  const cases: [string, unknown, RegExp][] = [
    ["zero roots", { packages: [pkg("a"), pkg("b")] }, /no package is marked as the root/],
    ["no packages", { packages: [] }, /no package is marked as the root/],
    [
      "two roots",
      { packages: [pkg("a", { root: true }), pkg("b", { root: true })] },
      /2 packages are marked as the root \(a 1\.0\.0, b 1\.0\.0\)/,
    ],
    [
      "a cycle",
      {
        packages: [
          pkg("a", { root: true, dependencies: [1] }),
          pkg("b", { dependencies: [2] }),
          pkg("c", { dependencies: [1] }),
        ],
      },
      /dependency cycle b 1\.0\.0 -> c 1\.0\.0 -> b 1\.0\.0/,
    ],
    [
      "a self-dependency",
      { packages: [pkg("a", { root: true, dependencies: [0] })] },
      /dependency cycle a 1\.0\.0 -> a 1\.0\.0/,
    ],
    [
      "an out-of-range dependency index",
      { packages: [pkg("a", { root: true, dependencies: [1, 7] }), pkg("b")] },
      /packages\[0\] \(a 1\.0\.0\) depends on package index 7, but there are only 2 packages/,
    ],
    [
      "a negative dependency index",
      { packages: [pkg("a", { root: true, dependencies: [-1] })] },
      /dependencies holds number -1, not a package index/,
    ],
    [
      "a fractional dependency index",
      { packages: [pkg("a", { root: true, dependencies: [0.5] })] },
      /not a package index/,
    ],
    [
      "a bad version",
      { packages: [pkg("a", { root: true, version: "1.0" })] },
      /packages\[0\] \(a\)\.version "1\.0" is not SemVer/,
    ],
    [
      "a version with leading zeros",
      { packages: [pkg("a", { root: true, version: "01.0.0" })] },
      /is not SemVer/,
    ],
    ["a missing packages array", { format: 1 }, /"packages" must be an array, got nothing/],
    ["a non-object document", [1, 2], /expected a JSON object, got an array/],
    ["null", null, /expected a JSON object, got null/],
    [
      "a negative format",
      { format: -1, packages: [] },
      /"format" must be an unsigned 32-bit integer/,
    ],
    ["a huge format", { format: 2 ** 32, packages: [] }, /"format" must be an unsigned/],
    [
      "a missing name",
      { packages: [{ version: "1.0.0", source: "local", root: true }] },
      /packages\[0\]\.name must be a non-empty string, got nothing/,
    ],
    [
      "a numeric source",
      { packages: [{ name: "a", version: "1.0.0", source: 1, root: true }] },
      /packages\[0\] \(a\)\.source must be a string, got number 1/,
    ],
    [
      "an unknown kind",
      { packages: [pkg("a", { root: true, kind: "dev" })] },
      /kind must be "runtime" or "build", got "dev"/,
    ],
    [
      "a null dependency list",
      { packages: [{ ...pkg("a", { root: true }), dependencies: null }] },
      /dependencies must be an array, got null/,
    ],
    [
      "a string root flag",
      { packages: [{ ...pkg("a"), root: "yes" }] },
      /root must be a boolean, got "yes"/,
    ],
  ];
  for (const [what, json, message] of cases) {
    it(`rejects ${what}`, () => rejects(withJson(json), "audit-data", message));
  }

  it("rejects invalid JSON", () => {
    rejects(withPayload(auditPayload('{"packages": [')), "audit-data", /not valid JSON/);
    rejects(withPayload(auditPayload("")), "audit-data", /not valid JSON/);
  });

  it("rejects JSON that is not UTF-8", () => {
    const bad = Buffer.concat([
      Buffer.from('{"packages":[],"x":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    rejects(withPayload(deflateSync(bad)), "audit-data", /not valid UTF-8/);
  });

  it("rejects a section that is not zlib data", () => {
    rejects(withPayload(Buffer.from("not compressed at all")), "decompress", /not valid zlib data/);
    rejects(withPayload(new Uint8Array()), "decompress", /not valid zlib data/);
    const payload = auditPayload({ packages: [pkg("a", { root: true })] });
    rejects(withPayload(payload.subarray(0, payload.length - 6)), "decompress", /not valid zlib/);
    const corrupt = Buffer.from(payload);
    corrupt.writeUInt8((corrupt.at(-1) ?? 0) ^ 0xff, corrupt.length - 1); // Adler-32 mismatch
    rejects(withPayload(corrupt), "decompress", /not valid zlib data/);
  });

  it("raises only BinaryScanError for arbitrary JSON documents", () => {
    const field = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom("1.0.0", "crates.io", "build", true, 0, [0]),
    );
    const pkgArb = fc.record(
      { name: field, version: field, source: field, kind: field, dependencies: field, root: field },
      { requiredKeys: [] },
    );
    const doc = fc.oneof(
      fc.jsonValue(),
      fc.record({ format: field, packages: fc.oneof(field, fc.array(pkgArb, { maxLength: 4 })) }),
    );
    fc.assert(
      fc.property(doc, (d) => {
        try {
          parseAuditData(Buffer.from(JSON.stringify(d) ?? "", "utf8"));
        } catch (e) {
          assert.ok(e instanceof BinaryScanError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("validates a deep dependency chain without recursion", () => {
    const n = 50_000;
    const packages = Array.from({ length: n }, (_, i) =>
      pkg(`c${i}`, i + 1 < n ? { dependencies: [i + 1], root: i === 0 } : {}),
    );
    assert.equal(scanBinary(withJson({ packages })).packages.length, n);
    (packages[n - 1] as AuditPackageJson).dependencies = [0];
    rejects(withJson({ packages }), "audit-data", /dependency cycle c0 1\.0\.0 -> c1 1\.0\.0/);
  });
});

describe("decompression limits", () => {
  it("refuses a zip bomb at the limit, quickly", async () => {
    // 100 MB of spaces inside a JSON string: about 100 KB compressed.
    const total = 100 * 1024 * 1024;
    const deflater = createDeflate({ level: 9 });
    const chunks: Buffer[] = [];
    deflater.on("data", (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => deflater.on("end", resolve));
    deflater.write('{"packages":[],"pad":"');
    const block = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < total / block.length; i++) deflater.write(block);
    deflater.end('"}');
    await done;
    const bomb = Buffer.concat(chunks);
    assert.ok(bomb.length < 200_000, `bomb is ${bomb.length} bytes`);

    rejects(withPayload(bomb), "limit", /larger than the 8388608-byte limit/);
    rejects(withPayload(bomb), "limit", /1000-byte limit/, { auditDataSizeLimit: 1000 });
  });

  it("accepts data exactly at the limit and refuses one byte over", () => {
    const json = JSON.stringify({ packages: [pkg("a", { root: true })] });
    const bytes = withJson(json);
    assert.equal(scanBinary(bytes, { auditDataSizeLimit: json.length }).kind, "complete");
    rejects(bytes, "limit", /limit/, { auditDataSizeLimit: json.length - 1 });
  });

  it("refuses compressed data already larger than the limit without inflating it", () => {
    const payload = auditPayload({ packages: [pkg("a", { root: true })] }, 0);
    rejects(withPayload(payload), "limit", /compressed section alone is/, {
      auditDataSizeLimit: payload.length - 1,
    });
  });

  it("treats a limit of 0 as no limit", () => {
    const json = {
      packages: [pkg("a", { root: true })],
      pad: " ".repeat(DEFAULT_AUDIT_DATA_SIZE_LIMIT),
    };
    const bytes = withJson(json);
    rejects(bytes, "limit", /8388608-byte limit/);
    assert.equal(scanBinary(bytes, { auditDataSizeLimit: 0 }).kind, "complete");
  });

  it("rejects nonsensical limit options as a caller error", () => {
    const bytes = withJson({ packages: [pkg("a", { root: true })] });
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => scanBinary(bytes, { auditDataSizeLimit: bad }), RangeError);
    }
  });
});

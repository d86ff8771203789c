/**
 * Random and mutated publish bodies and tarballs: the checks answer `ok` or a `PublishError`
 * (400/413 with a detail), and never throw anything else or hang.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import zlib from "node:zlib";
import fc from "fast-check";
import {
  checkPublish,
  inspectTarball,
  type PublishCheckResult,
  PublishError,
  parsePublishBody,
} from "../../../src/registry/publish/index.js";
import {
  dep,
  frame,
  gzip,
  MemoryView,
  manifestToml,
  newCrateJson,
  type TarEntry,
  tarBytes,
} from "./helpers.js";

const view = new MemoryView().add("base", "1.0.0");
const config = { maxUnpackedSize: 4 * 1024 * 1024, maxTarballEntries: 200 };

function assertWellFormed(result: PublishCheckResult | unknown): void {
  if (result instanceof PublishError) {
    assert.ok(result.status === 400 || result.status === 413, `status ${result.status}`);
    assert.ok(typeof result.detail === "string" && result.detail.length > 0);
    return;
  }
  assert.ok(
    typeof result === "object" && result !== null && (result as { ok?: unknown }).ok === true,
  );
}

/** Runs inspectTarball; only a PublishError may be thrown. */
async function inspectOnly(bytes: Buffer): Promise<void> {
  try {
    await inspectTarball(bytes, {
      name: "foo",
      version: "1.0.0",
      maxUnpackedSize: 4 * 1024 * 1024,
      maxEntries: 200,
    });
  } catch (e) {
    assert.ok(e instanceof PublishError, `threw ${String(e)}`);
    assertWellFormed(e);
  }
}

const R = "foo-1.0.0";
const seedEntries: TarEntry[] = [
  {
    name: `${R}/Cargo.toml`,
    content: manifestToml(
      "foo",
      "1.0.0",
      '[dependencies]\nbase = { version = "1", registry-index = "x" }\n',
    ),
  },
  { name: `${R}/src/lib.rs`, content: "pub fn f() {}\n" },
  { name: `${R}/${"long/".repeat(30)}x.rs`, content: "// long\n" },
];
const seedJson = newCrateJson("foo", "1.0.0", { deps: [dep("base", "^1")] });

/** A mutation of a byte string: flips, overwrites, truncation, insertion, duplication. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 600 }),
  }),
  fc.record({
    kind: fc.constant("repeat" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 2048 }),
  }),
  fc.record({ kind: fc.constant("u32" as const), at: fc.nat(), value: fc.nat() }),
);

function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case "flip":
        b[at] = (b[at] as number) ^ (1 << m.bit);
        break;
      case "set":
        b[at] = m.value;
        break;
      case "truncate":
        b = b.subarray(0, at);
        break;
      case "insert":
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case "repeat":
        b = Buffer.concat([
          b.subarray(0, at + 1),
          b.subarray(at, at + m.length),
          b.subarray(at + 1),
        ]);
        break;
      case "u32":
        if (at + 4 <= b.length) b.writeUInt32LE(m.value >>> 0, at);
        break;
    }
  }
  return b;
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "repeat"; at: number; length: number }
  | { kind: "u32"; at: number; value: number };

describe("robustness (fast-check)", () => {
  it("the seed body is accepted (so mutations start from a valid publish)", async () => {
    const crate = gzip(await tarBytes(seedEntries));
    const r = await checkPublish(frame(seedJson, crate), view, config);
    assert.ok(r.ok, r instanceof PublishError ? r.detail : "");
  });

  it("random bytes as a publish body", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        assertWellFormed(await checkPublish(Buffer.from(bytes), view, config));
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes behind valid framing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        fc.uint8Array({ maxLength: 4096 }),
        async (json, crate) => {
          assertWellFormed(
            await checkPublish(frame(Buffer.from(json), Buffer.from(crate)), view, config),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("random JSON values as metadata", async () => {
    const crate = gzip(await tarBytes(seedEntries));
    const jsonValue = fc.oneof(
      fc.json(),
      fc.record(
        {
          name: fc.oneof(fc.constant("foo"), fc.string({ unit: "binary" })),
          vers: fc.oneof(fc.constant("1.0.0"), fc.string()),
          deps: fc.oneof(
            fc.array(
              fc.record(
                {
                  name: fc.oneof(fc.constant("base"), fc.string()),
                  version_req: fc.oneof(fc.constantFrom("^1", "*", ">=1, <2", "x"), fc.string()),
                  features: fc.array(fc.string({ unit: "binary" })),
                  optional: fc.oneof(fc.boolean(), fc.anything()),
                  kind: fc.oneof(fc.constantFrom("normal", "dev", "build"), fc.anything()),
                  registry: fc.oneof(fc.constant(null), fc.string(), fc.webUrl()),
                  explicit_name_in_toml: fc.oneof(fc.constant(null), fc.string()),
                  target: fc.oneof(fc.constant(null), fc.string()),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 4 },
            ),
            fc.anything(),
          ),
          features: fc.oneof(fc.dictionary(fc.string(), fc.array(fc.string())), fc.anything()),
          keywords: fc.oneof(fc.array(fc.string()), fc.anything()),
          categories: fc.oneof(fc.array(fc.string()), fc.anything()),
          homepage: fc.oneof(fc.webUrl(), fc.string(), fc.anything()),
          license: fc.oneof(fc.constantFrom("MIT", "MIT OR Apache-2.0"), fc.string()),
          links: fc.oneof(fc.constant(null), fc.string()),
          rust_version: fc.oneof(fc.constant(null), fc.string(), fc.constantFrom("1.70", "1.70.0")),
          description: fc.oneof(fc.constant(null), fc.string({ unit: "binary" })),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(jsonValue, async (json) => {
        let text: string;
        try {
          text = JSON.stringify(json) ?? "null";
        } catch {
          return;
        }
        assertWellFormed(await checkPublish(frame(text, crate), view, config));
      }),
      { numRuns: 300 },
    );
  });

  it("mutated publish bodies", async () => {
    const body = frame(seedJson, gzip(await tarBytes(seedEntries)));
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const mutated = mutate(body, mutations);
        assertWellFormed(await checkPublish(mutated, view, config));
        try {
          parsePublishBody(mutated, { maxMetadataSize: 1 << 20, maxUploadSize: 10 << 20 });
        } catch (e) {
          assert.ok(e instanceof PublishError, String(e));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("mutated tar archives (recompressed, so the tar parser sees the damage)", async () => {
    const tarball = await tarBytes(seedEntries);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const damaged = mutate(tarball, mutations);
        await inspectOnly(gzip(damaged));
        assertWellFormed(await checkPublish(frame(seedJson, gzip(damaged)), view, config));
      }),
      { numRuns: 400 },
    );
  });

  it("mutated gzip streams", async () => {
    const crate = gzip(await tarBytes(seedEntries));
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        await inspectOnly(mutate(crate, mutations));
      }),
      { numRuns: 300 },
    );
  });

  it("random tar entries (names, types, sizes)", async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        "..",
        ".",
        "",
        "Cargo.toml",
        "cargo.toml",
        "src",
        "lib.rs",
        "a:b",
        "CON",
        "README.md",
      ),
      fc.string({ unit: "binary", maxLength: 12 }),
    );
    const entry = fc.record({
      name: fc.oneof(
        fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => [R, ...s].join("/")),
        fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/")),
      ),
      type: fc.constantFrom(
        "file",
        "file",
        "file",
        "directory",
        "symlink",
        "link",
        "fifo",
        "character-device",
      ),
      content: fc.oneof(fc.string(), fc.constant(manifestToml("foo", "1.0.0"))),
      mode: fc.constantFrom(0o644, 0o755, 0o4755),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 6 }),
        fc.boolean(),
        async (entries, withManifest) => {
          const all: TarEntry[] = [
            ...(withManifest
              ? [{ name: `${R}/Cargo.toml`, content: manifestToml("foo", "1.0.0") }]
              : []),
            ...entries.map((e) => ({
              name: e.name,
              type: e.type as TarEntry["type"],
              mode: e.mode,
              ...(e.type === "file" ? { content: e.content } : {}),
              ...(e.type === "symlink" || e.type === "link"
                ? { linkname: "../../etc/passwd" }
                : {}),
            })),
          ];
          let tarball: Buffer;
          try {
            tarball = await tarBytes(all);
          } catch {
            return; // tar-stream cannot write some of these names; nothing to check
          }
          await inspectOnly(gzip(tarball));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("compression bombs of random shapes stay within the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 255 }),
        async (mib, fill) => {
          const bomb = zlib.gzipSync(Buffer.alloc(mib * 1024 * 1024, fill), { level: 1 });
          await inspectOnly(bomb);
        },
      ),
      { numRuns: 20 },
    );
  });
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import zlib from "node:zlib";
import {
  checkPublish,
  inspectTarball,
  type TarballOptions,
} from "../../../src/registry/publish/index.js";
import {
  assertPublishError,
  crateFile,
  dep,
  frame,
  gzip,
  MemoryView,
  manifestToml,
  newCrateJson,
  rejection,
  type TarEntry,
  tarBytes,
} from "./helpers.js";

const MiB = 1024 * 1024;
const opts = (extra: Partial<TarballOptions> = {}): TarballOptions => ({
  name: "foo",
  version: "1.0.0",
  maxUnpackedSize: 64 * MiB,
  ...extra,
});
const R = "foo-1.0.0";
const cargoToml: TarEntry = { name: `${R}/Cargo.toml`, content: manifestToml("foo", "1.0.0") };
const lib: TarEntry = { name: `${R}/src/lib.rs`, content: "pub fn f() {}\n" };

async function crateOf(entries: TarEntry[]): Promise<Buffer> {
  return gzip(await tarBytes(entries));
}

async function refused(entries: TarEntry[] | Buffer, options = opts()) {
  const bytes = Buffer.isBuffer(entries) ? entries : await crateOf(entries);
  return rejection(inspectTarball(bytes, options));
}

describe("inspectTarball: accepted", () => {
  it("reports checksum, counts, sizes, manifest and README", async () => {
    const readme = "# foo\n";
    const bytes = await crateOf([
      { name: `${R}/`, type: "directory" },
      cargoToml,
      { name: `${R}/Cargo.toml.orig`, content: "[package]\nname='foo'\n" },
      { name: `${R}/README.md`, content: readme },
      { name: `${R}/.cargo_vcs_info.json`, content: '{"git":{"sha1":"abc"},"path_in_vcs":""}' },
      { name: `${R}/src`, type: "directory" },
      lib,
      {
        name: `${R}/${"d/".repeat(60)}deep.rs`,
        content: "// long path, written with a pax header\n",
      },
    ]);
    const info = await inspectTarball(bytes, opts());
    assert.equal(info.cksum, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(info.size, bytes.length);
    assert.equal(info.files, 6);
    assert.equal(info.directories, 2);
    assert.equal(info.readme, readme);
    assert.equal(info.readmePath, "README.md");
    assert.equal(info.hasCargoTomlOrig, true);
    assert.deepEqual(info.vcsInfo, { git: { sha1: "abc" }, path_in_vcs: "" });
    assert.deepEqual((info.cargoToml.package as Record<string, unknown>).name, "foo");
    assert.ok(info.paths.includes("src/lib.rs"));
    assert.ok(info.unpackedSize > 0 && info.decompressedSize > info.unpackedSize);
  });

  it("reads the README named by the metadata, cut at the limit", async () => {
    const bytes = await crateOf([
      cargoToml,
      { name: `${R}/README.md`, content: "wrong one" },
      { name: `${R}/docs/intro.md`, content: "x".repeat(5000) },
    ]);
    const info = await inspectTarball(
      bytes,
      opts({ readmePath: "./docs/intro.md", maxReadmeSize: 1000 }),
    );
    assert.equal(info.readmePath, "docs/intro.md");
    assert.equal(info.readme?.length, 1000);
    assert.equal(info.readmeTruncated, true);
  });

  it("accepts a build-metadata version in the directory name", async () => {
    const bytes = await crateOf([
      { name: "foo-1.0.0+b.1/Cargo.toml", content: manifestToml("foo", "1.0.0+b.1") },
    ]);
    assert.equal((await inspectTarball(bytes, opts({ version: "1.0.0+b.1" }))).files, 1);
  });
});

describe("inspectTarball: compression", () => {
  it("refuses what is not gzip", async () => {
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from("PK\x03\x04zip"),
      await tarBytes([cargoToml]),
    ]) {
      assertPublishError(await refused(bytes), "tarball-not-gzip", 400, /not a gzip file/);
    }
  });

  it("refuses truncated and corrupted gzip", async () => {
    const good = await crateOf([cargoToml, lib]);
    assertPublishError(await refused(good.subarray(0, 8)), "tarball-gzip", 400, /truncated/);
    assertPublishError(
      await refused(good.subarray(0, good.length - 20)),
      "tarball-gzip",
      400,
      /not a valid gzip stream/,
    );
    const badCrc = Buffer.from(good);
    badCrc.writeUInt32LE(badCrc.readUInt32LE(badCrc.length - 8) ^ 1, badCrc.length - 8);
    assertPublishError(await refused(badCrc), "tarball-gzip", 400, /CRC-32/);
    const flipped = Buffer.from(good);
    flipped[20] = (flipped[20] as number) ^ 0xff;
    const e = await refused(flipped);
    assert.ok(
      e instanceof Error && "status" in e && (e as { status: number }).status === 400,
      String(e),
    );
  });

  it("refuses a second gzip member and trailing bytes (cargo reads only the first member)", async () => {
    const good = await crateOf([cargoToml]);
    const hidden = gzip(await tarBytes([{ name: `${R}/build.rs`, content: "evil" }]));
    assertPublishError(
      await refused(Buffer.concat([good, hidden])),
      "tarball-gzip",
      400,
      /second gzip member or trailing data/,
    );
    assertPublishError(
      await refused(Buffer.concat([good, Buffer.from("xx")])),
      "tarball-gzip",
      400,
      /2 bytes follow the end/,
    );
  });

  it("stops a gzip bomb early: highly compressible data over the unpacked limit", async () => {
    // 64 MiB of zeros compress to ~64 KiB; a tar of zeros is also a valid (empty) archive.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
    assert.ok(bomb.length < 256 * 1024, `bomb is ${bomb.length} bytes`);
    const started = Date.now();
    assertPublishError(
      await refused(bomb, opts({ maxUnpackedSize: 4 * MiB })),
      "tarball-too-large",
      400,
      /unpacks to more than 4 MiB.*decompression bomb/,
    );
    assert.ok(Date.now() - started < 2000, "stopped early rather than inflating everything");
  });

  it("stops a tar bomb: a huge zero-filled entry, or too many entries", async () => {
    const big = await crateOf([
      cargoToml,
      { name: `${R}/big.bin`, content: Buffer.alloc(32 * MiB) },
    ]);
    assert.ok(big.length < 256 * 1024);
    assertPublishError(
      await refused(big, opts({ maxUnpackedSize: 2 * MiB })),
      "tarball-too-large",
      400,
      /`foo-1\.0\.0\/big\.bin` is 32 MiB, more than the 2 MiB/,
    );
    const many: TarEntry[] = [cargoToml];
    for (let i = 0; i < 120; i++) many.push({ name: `${R}/f${i}.rs`, content: "" });
    assertPublishError(
      await refused(many, opts({ maxEntries: 100 })),
      "tarball-too-many-entries",
      400,
      /more than 100 entries/,
    );
  });
});

describe("inspectTarball: paths", () => {
  const cases: [string, TarEntry, RegExp][] = [
    ["path traversal", { name: `${R}/../evil.rs`, content: "x" }, /contains a `\.\.` segment/],
    ["traversal out of the root", { name: `${R}/src/../../foo-1.0.1/x`, content: "x" }, /`\.\.`/],
    ["absolute path", { name: "/etc/passwd", content: "x" }, /is an absolute path/],
    [
      "outside NAME-VERSION/",
      { name: "bar-1.0.0/src/lib.rs", content: "x" },
      /is not inside `foo-1\.0\.0\/`/,
    ],
    ["another version's directory", { name: "foo-1.0.1/src/lib.rs", content: "x" }, /not inside/],
    ["the root without separator", { name: "foo-1.0.0.rs", content: "x" }, /not inside/],
    ["a file as the root", { name: R, content: "x" }, /must be the package directory/],
    ["empty segment", { name: `${R}//x.rs`, content: "x" }, /empty or `\.` segment/],
    ["dot segment", { name: `${R}/./x.rs`, content: "x" }, /empty or `\.` segment/],
    ["leading ./", { name: `./${R}/x.rs`, content: "x" }, /`\.` segment/],
    ["backslash", { name: `${R}/..\\..\\x.rs`, content: "x" }, /backslash/],
    ["control character", { name: `${R}/a\u0001.rs`, content: "x" }, /control character/],
    ["Windows-invalid character", { name: `${R}/a:b.rs`, content: "x" }, /character `:`/],
  ];
  for (const [what, entry, detail] of cases) {
    it(`refuses ${what}`, async () => {
      assertPublishError(await refused([cargoToml, entry]), "tarball-path", 400, detail);
    });
  }

  it("refuses names that are not UTF-8", async () => {
    const t = await tarBytes([cargoToml, { name: `${R}/xx.rs`, content: "x" }]);
    // Patch the second header's name bytes to invalid UTF-8 and fix its checksum.
    const off = t.indexOf(Buffer.from(`${R}/xx.rs`));
    t[off + R.length + 1] = 0xff;
    fixChecksum(t, off);
    assertPublishError(await refused(gzip(t)), "tarball-path", 400, /not valid UTF-8/);
  });
});

describe("inspectTarball: entry types", () => {
  const cases: [string, TarEntry, RegExp][] = [
    [
      "symlink",
      { name: `${R}/link`, type: "symlink", linkname: "/etc/passwd" },
      /a symbolic link at `foo-1\.0\.0\/link`/,
    ],
    ["hardlink", { name: `${R}/hard`, type: "link", linkname: `${R}/Cargo.toml` }, /a hard link/],
    ["character device", { name: `${R}/dev`, type: "character-device" }, /a character device/],
    ["block device", { name: `${R}/blk`, type: "block-device" }, /a block device/],
    ["FIFO", { name: `${R}/pipe`, type: "fifo" }, /a FIFO/],
  ];
  for (const [what, entry, detail] of cases) {
    it(`refuses a ${what}`, async () => {
      assertPublishError(await refused([cargoToml, entry]), "tarball-entry-type", 400, detail);
    });
  }

  it("refuses setuid/setgid/sticky bits", async () => {
    assertPublishError(
      await refused([cargoToml, { name: `${R}/run.sh`, content: "#!/bin/sh", mode: 0o4755 }]),
      "tarball-entry-type",
      400,
      /setuid/,
    );
  });

  it("refuses unknown entry types (e.g. GNU sparse)", async () => {
    const t = await tarBytes([cargoToml, { name: `${R}/sparse`, content: "x" }]);
    const off = t.indexOf(Buffer.from(`${R}/sparse`));
    t[off + 156] = "S".charCodeAt(0);
    fixChecksum(t, off);
    assertPublishError(await refused(gzip(t)), "tarball-entry-type", 400, /unsupported entry type/);
  });
});

describe("inspectTarball: duplicates and tar trickery", () => {
  it("refuses the same path twice", async () => {
    assertPublishError(
      await refused([cargoToml, lib, lib]),
      "tarball-duplicate",
      400,
      /contains `foo-1\.0\.0\/src\/lib\.rs` twice/,
    );
  });

  it("refuses paths differing only in case (configurable)", async () => {
    const entries = [cargoToml, lib, { name: `${R}/src/LIB.rs`, content: "x" }];
    assertPublishError(
      await refused(entries),
      "tarball-duplicate",
      400,
      /case-insensitive file systems/,
    );
    const info = await inspectTarball(
      await crateOf(entries),
      opts({ rejectCaseInsensitiveDuplicatePaths: false }),
    );
    assert.equal(info.files, 3);
  });

  it("refuses a path that is both a file and a directory", async () => {
    assertPublishError(
      await refused([cargoToml, { name: `${R}/src`, content: "x" }, lib]),
      "tarball-duplicate",
      400,
      /`foo-1\.0\.0\/src` is both a file and a directory/,
    );
  });

  it("refuses data after the end-of-archive block", async () => {
    const first = await tarBytes([cargoToml]);
    const hidden = await tarBytes([{ name: `${R}/hidden.rs`, content: "evil" }]);
    assertPublishError(
      await refused(gzip(Buffer.concat([first, hidden]))),
      "tarball-tar",
      400,
      /data after its end-of-archive/,
    );
    // Zero padding after the end is fine (GNU tar pads to 10 KiB records).
    assert.equal(
      (await inspectTarball(gzip(Buffer.concat([first, Buffer.alloc(8192)])), opts())).files,
      1,
    );
  });

  it("refuses a pax size override and pax global headers", async () => {
    assertPublishError(
      await refused([cargoToml, { name: `${R}/a.rs`, content: "x", pax: { size: "1" } }]),
      "tarball-tar",
      400,
      /pax `size` record/,
    );
    const t = await tarBytes([
      cargoToml,
      { name: `${R}/b.rs`, content: "y", pax: { comment: "hi" } },
    ]);
    // Turn the pax header ('x') into a global one ('g').
    const paxAt = findHeader(t, 0x78);
    t[paxAt + 156] = 0x67;
    fixChecksum(t, paxAt);
    assertPublishError(await refused(gzip(t)), "tarball-tar", 400, /pax global header/);
  });

  it("refuses a truncated tar stream", async () => {
    const t = await tarBytes([cargoToml, { name: `${R}/a.rs`, content: "x".repeat(3000) }]);
    assertPublishError(await refused(gzip(t.subarray(0, 1700))), "tarball-tar", 400, /truncated/);
  });

  it("refuses a corrupted tar header", async () => {
    const t = await tarBytes([cargoToml, lib]);
    const off = t.indexOf(Buffer.from(`${R}/src/lib.rs`));
    t[off + 1] = 0x41; // checksum no longer matches
    assertPublishError(
      await refused(gzip(t)),
      "tarball-tar",
      400,
      /not a valid tar archive: Invalid tar header/,
    );
  });
});

describe("inspectTarball: Cargo.toml", () => {
  it("refuses a missing Cargo.toml", async () => {
    assertPublishError(
      await refused([lib]),
      "manifest-missing",
      400,
      /Cargo\.toml manifest is missing/,
    );
    assertPublishError(
      await refused([{ name: `${R}/sub/Cargo.toml`, content: manifestToml("foo", "1.0.0") }, lib]),
      "manifest-missing",
      400,
      /no `foo-1\.0\.0\/Cargo\.toml`/,
    );
  });

  it("refuses two Cargo.toml", async () => {
    assertPublishError(
      await refused([cargoToml, lib, cargoToml]),
      "manifest-multiple",
      400,
      /more than one Cargo\.toml/,
    );
    assertPublishError(
      await refused([
        cargoToml,
        { name: `${R}/cargo.toml`, content: manifestToml("foo", "1.0.0") },
      ]),
      "manifest-multiple",
      400,
      /more than one Cargo\.toml/,
    );
  });

  it("refuses an incorrectly cased manifest", async () => {
    assertPublishError(
      await refused([{ name: `${R}/CARGO.TOML`, content: manifestToml("foo", "1.0.0") }]),
      "manifest-invalid",
      400,
      /incorrectly cased: `foo-1\.0\.0\/CARGO\.TOML`/,
    );
  });

  it("refuses a name or version that differs from the metadata", async () => {
    assertPublishError(
      await refused([{ name: `${R}/Cargo.toml`, content: manifestToml("bar", "1.0.0") }]),
      "manifest-mismatch",
      400,
      /name in Cargo\.toml \(`bar`\) does not match the name being published \(`foo`\)/,
    );
    assertPublishError(
      await refused([{ name: `${R}/Cargo.toml`, content: manifestToml("foo", "1.0.1") }]),
      "manifest-mismatch",
      400,
      /version in Cargo\.toml \(`1\.0\.1`\) does not match the version being published \(`1\.0\.0`\)/,
    );
  });

  it("refuses invalid or unpublishable manifests", async () => {
    const cases: [string, RegExp][] = [
      ["[package\nname=", /Cargo\.toml manifest is invalid/],
      ["[workspace]\nmembers = []\n", /missing field `package`/],
      [
        `${manifestToml("foo", "1.0.0")}[patch.crates-io]\nx = { path = "x" }\n`,
        /`\[patch\]` tables/,
      ],
      [
        '[package]\nname = "foo"\nversion.workspace = true\n',
        /value from workspace hasn't been set/,
      ],
      [
        `${manifestToml("foo", "1.0.0")}[dependencies]\nserde = { workspace = true }\n`,
        /value from workspace/,
      ],
      ['[package]\nname = "foo"\n', /`package.version` is missing/],
    ];
    for (const [content, detail] of cases) {
      assertPublishError(
        await refused([{ name: `${R}/Cargo.toml`, content }]),
        "manifest-invalid",
        400,
        detail,
      );
    }
    assertPublishError(
      await refused([{ name: `${R}/Cargo.toml`, content: Buffer.from([0x5b, 0xff]) }]),
      "manifest-invalid",
      400,
      /not valid UTF-8/,
    );
    assertPublishError(
      await refused(
        [{ name: `${R}/Cargo.toml`, content: "#".repeat(2000) }],
        opts({ maxManifestSize: 1000 }),
      ),
      "manifest-invalid",
      400,
      /at most 1000 bytes/,
    );
    assertPublishError(
      await refused([{ name: `${R}/Cargo.toml`, type: "directory" }]),
      "manifest-invalid",
      400,
      /regular file/,
    );
  });
});

describe("checkPublish: Cargo.toml against the metadata", () => {
  const OWN = "sparse+http://127.0.0.1:1/index/";
  const manifest = (deps: string) => `${manifestToml("app", "1.0.0")}${deps}`;

  it("refuses dependencies the index would not show (manifest confusion)", async () => {
    const view = new MemoryView().add("base", "1.0.0");
    const crate = await crateFile("app", "1.0.0", {
      manifest: manifest(
        '[dependencies]\nbase = { version = "1", registry-index = "x" }\nevil = "1"\n',
      ),
    });
    const r = await checkPublish(
      frame(newCrateJson("app", "1.0.0", { deps: [dep("base", "^1")] }), crate),
      view,
    );
    assertPublishError(
      r,
      "manifest-mismatch",
      400,
      /Cargo\.toml declares dependency `evil`, but the publish metadata does not list it/,
    );
  });

  it("refuses requirement and feature differences", async () => {
    const view = new MemoryView().add("base", "1.0.0", "2.0.0");
    const crate = await crateFile("app", "1.0.0", {
      manifest: manifest(`[dependencies]\nbase = { version = "2", registry-index = "${OWN}" }\n`),
    });
    assertPublishError(
      await checkPublish(
        frame(newCrateJson("app", "1.0.0", { deps: [dep("base", "^1")] }), crate),
        view,
      ),
      "manifest-mismatch",
      400,
      /dependency `base`: Cargo\.toml says version requirement `\^2` but the publish metadata says `\^1`/,
    );
    const crate2 = await crateFile("app", "1.0.0", {
      manifest: manifest('[features]\ndefault = ["a"]\na = []\n'),
    });
    assertPublishError(
      await checkPublish(
        frame(newCrateJson("app", "1.0.0", { features: { a: [] } }), crate2),
        view,
      ),
      "manifest-mismatch",
      400,
      /features in Cargo\.toml \(a, default\) differ/,
    );
  });

  it("refuses a dependency whose registry differs (crates.io in Cargo.toml, local in the index)", async () => {
    const view = new MemoryView().add("serde", "1.0.0");
    const crate = await crateFile("app", "1.0.0", {
      manifest: manifest('[dependencies]\nserde = "1"\n'),
    });
    assertPublishError(
      await checkPublish(
        frame(newCrateJson("app", "1.0.0", { deps: [dep("serde", "^1")] }), crate),
        view,
      ),
      "manifest-mismatch",
      400,
      /dependency `serde`: Cargo\.toml says registry `crates\.io` but the publish metadata says `this registry`/,
    );
    const own = await checkPublish(
      frame(
        newCrateJson("app", "1.0.0", { deps: [dep("serde", "^1")] }),
        await crateFile("app", "1.0.0", {
          manifest: manifest(
            `[dependencies]\nserde = { version = "1", registry-index = "sparse+https://elsewhere.example/" }\n`,
          ),
        }),
      ),
      view,
      { ownIndexUrls: [OWN] },
    );
    assertPublishError(
      own,
      "manifest-mismatch",
      400,
      /registry `sparse\+https:\/\/elsewhere\.example\/`/,
    );
  });

  it("can be switched off", async () => {
    const crate = await crateFile("app", "1.0.0", {
      manifest: manifest('[dependencies]\nother = "1"\n'),
    });
    const r = await checkPublish(frame(newCrateJson("app", "1.0.0"), crate), new MemoryView(), {
      checkManifestConsistency: false,
    });
    assert.ok(r.ok);
  });

  it("agrees with renamed, target, dev and build dependencies written as cargo writes them", async () => {
    const view = new MemoryView().add("base", "0.1.0");
    const toml = `${manifestToml("app", "1.0.0", 'links = "z"\nrust-version = "1.70"\n')}
[dependencies.alias]
version = "0.1"
registry-index = "${OWN}"
package = "base"
optional = true
default-features = false
features = ["std"]

[dev-dependencies.base]
version = "0.1.0"
registry-index = "${OWN}"

[dependencies.serde]
version = "1.0"

[target."cfg(unix)".build-dependencies]
base = { version = "=0.1.0", registry-index = "${OWN}" }

[features]
x = ["dep:alias"]
`;
    const json = newCrateJson("app", "1.0.0", {
      deps: [
        dep("base", "^0.1", {
          explicit_name_in_toml: "alias",
          optional: true,
          default_features: false,
          features: ["std"],
        }),
        dep("base", "^0.1.0", { kind: "dev" }),
        dep("base", "=0.1.0", { kind: "build", target: "cfg(unix)" }),
        dep("serde", "^1.0", { registry: "https://github.com/rust-lang/crates.io-index" }),
      ],
      features: { x: ["dep:alias"] },
      links: "z",
      rust_version: "1.70",
    });
    const r = await checkPublish(
      frame(json, await crateFile("app", "1.0.0", { manifest: toml })),
      view,
      {
        ownIndexUrls: [OWN],
      },
    );
    assert.ok(r.ok, r.ok ? "" : r.detail);
    assert.equal(r.crate.indexLine.v, 2);
  });
});

/** Recomputes the checksum of the tar header at `off`. */
function fixChecksum(t: Buffer, off: number): void {
  t.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += t[off + i] as number;
  t.write(`${sum.toString(8).padStart(6, "0")}\0 `, off + 148, "latin1");
}

/** Offset of the first header whose type flag is `flag`. */
function findHeader(t: Buffer, flag: number): number {
  for (let off = 0; off + 512 <= t.length; off += 512) {
    if (t[off + 156] === flag && t.subarray(off + 257, off + 262).toString() === "ustar")
      return off;
  }
  throw new Error("header not found");
}

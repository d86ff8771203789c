import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  type CratesIndex,
  checkYanked,
  type IndexVersion,
  indexRelativePath,
  isSameVersion,
  LocalIndex,
  SparseIndex,
} from "../../src/crates-index/index.js";
import { sharedData } from "../support/paths.js";
import {
  cleanupTemps,
  closedPortUrl,
  indexDir,
  SampleRegistry,
  sampleLines,
  tempDir,
} from "./server.js";

const registry = new SampleRegistry();
let cacheDir = "";

before(() => registry.start());
after(async () => {
  await registry.stop();
  cleanupTemps();
});
beforeEach(() => {
  registry.reset();
  cacheDir = tempDir();
});

// Real data: a yanked and a live version of `log`, found by reading the sample file itself.
const logLines = sampleLines("3/l/log");
const yankedLog = logLines.find((l) => l.yanked)?.vers ?? "";
const liveLog = logLines.find((l) => !l.yanked)?.vers ?? "";

const NOTICE = /^couldn't check if packages are yanked: /;

describe("checkYanked", () => {
  test("the sample has what these tests need", () => {
    assert.ok(readFileSync(join(indexDir, "3/l/log"), "utf8").includes('"yanked":true'));
    assert.notEqual(yankedLog, "");
    assert.notEqual(liveLog, "");
  });

  for (const kind of ["sparse", "local"] as const) {
    test(`reports a yanked version and not a live one of the same crate (${kind})`, async () => {
      const index: CratesIndex =
        kind === "sparse" ? new SparseIndex(registry.url, { cacheDir }) : new LocalIndex(indexDir);
      const packages = [
        { name: "log", version: liveLog, source: "crates.io" },
        { name: "log", version: yankedLog, source: "crates.io" },
        { name: "log", version: yankedLog, source: "crates.io" }, // reported once
        { name: "memchr", version: "2.5.0", source: "crates.io" },
        { name: "log", version: "99.0.0", source: "crates.io" }, // not in the index: not yanked
      ];
      const result = await checkYanked(index, packages);
      assert.deepEqual(result.yanked, [packages[1]], "the caller's own objects come back");
      assert.deepEqual(result.notices, []);
      if (kind === "sparse") assert.equal(registry.requests.length, 2, "one request per crate");
    });
  }

  test("a crate missing from the index is a notice, not a yanked package", async () => {
    const result = await checkYanked(new SparseIndex(registry.url, { cacheDir }), [
      { name: "no-such-crate-zz", version: "1.0.0" },
      { name: "no-such-crate-zz", version: "1.0.1" },
      { name: "log", version: yankedLog },
    ]);
    assert.deepEqual(result.yanked, [{ name: "log", version: yankedLog }]);
    assert.equal(result.notices.length, 1);
    assert.match(result.notices[0] ?? "", /^crate no-such-crate-zz not found in index http:/);
  });

  test("an unreachable index: exactly one notice, no throw, bounded time", async () => {
    const url = await closedPortUrl();
    const packages = sampleLines("3/l/log").map((l) => ({ name: "log", version: l.vers }));
    for (let i = 0; i < 300; i++) packages.push({ name: `crate-${i}`, version: "1.0.0" });
    const start = Date.now();
    const result = await checkYanked(new SparseIndex(url, { cacheDir, timeoutMs: 2000 }), packages);
    assert.ok(Date.now() - start < 5000);
    assert.deepEqual(result.yanked, []);
    assert.equal(result.notices.length, 1, result.notices.join("\n"));
    assert.match(result.notices[0] ?? "", NOTICE);
    assert.match(result.notices[0] ?? "", /cannot reach http:\/\/127\.0\.0\.1:\d+\/.*ECONNREFUSED/);
    assert.match(result.notices[0] ?? "", /\(\d+ of 301 crates not checked\)/);
  });

  test("a registry that drops connections is asked at most once per worker", async () => {
    registry.behaviour = "destroy";
    const packages = Array.from({ length: 200 }, (_, i) => ({ name: `c-${i}`, version: "1.0.0" }));
    const result = await checkYanked(new SparseIndex(registry.url, { cacheDir }), packages, {
      concurrency: 4,
    });
    // One round of 4 workers (undici may retry a GET once on a dropped reused connection).
    assert.ok(registry.requests.length <= 8, `${registry.requests.length} requests`);
    assert.equal(result.notices.length, 1);
    assert.match(result.notices[0] ?? "", NOTICE);
    assert.match(result.notices[0] ?? "", /\(200 of 200 crates not checked\)/);
  });

  test("HTTP 500 answers: one notice", async () => {
    registry.behaviour = "http500";
    const result = await checkYanked(new SparseIndex(registry.url, { cacheDir }), [
      { name: "log", version: yankedLog },
      { name: "memchr", version: "2.5.0" },
    ]);
    assert.deepEqual(result.yanked, []);
    assert.equal(result.notices.length, 1);
    assert.match(result.notices[0] ?? "", /HTTP 500 \(2 of 2 crates not checked\)$/);
  });

  test("a hanging index is cut off by the deadline: one notice", async () => {
    registry.behaviour = "hang";
    const start = Date.now();
    const result = await checkYanked(
      new SparseIndex(registry.url, { cacheDir }),
      [{ name: "log", version: yankedLog }],
      { deadlineMs: 200 },
    );
    assert.ok(Date.now() - start < 2000);
    assert.deepEqual(result.notices, [
      "couldn't check if packages are yanked: index lookups did not finish within 200 ms",
    ]);
  });

  test("offline: yanked from the cache, one notice for crates not cached", async () => {
    await new SparseIndex(registry.url, { cacheDir }).versions("log");
    registry.reset();
    const result = await checkYanked(new SparseIndex(registry.url, { cacheDir, offline: true }), [
      { name: "log", version: yankedLog },
      { name: "memchr", version: "2.5.0" },
      { name: "libc", version: "0.2.0" },
    ]);
    assert.deepEqual(result.yanked, [{ name: "log", version: yankedLog }]);
    assert.equal(result.notices.length, 1);
    assert.match(result.notices[0] ?? "", /offline.*\(2 of 3 crates not checked\)$/);
    assert.equal(registry.requests.length, 0);
  });

  test("exact version match: precedence and build metadata", async () => {
    const line = (vers: string, yanked: boolean): IndexVersion => ({
      name: "tikv-jemalloc-sys",
      vers,
      yanked,
      cksum: null,
    });
    const index: CratesIndex = {
      location: "memory",
      versions: async () => [
        line("0.5.0+5.3.0", true),
        line("0.5.1+5.3.0-patched", false),
        line("1.0.0-alpha.1", true),
        line("1.0.0", false),
      ],
    };
    const pkgs = [
      "0.5.0+5.3.0",
      "0.5.0",
      "0.5.0+5.3.1",
      "0.5.1+5.3.0-patched",
      "1.0.0-alpha.1",
      "1.0.0-alpha.01",
      "1.0.0",
    ].map((version) => ({ name: "tikv-jemalloc-sys", version }));
    const result = await checkYanked(index, pkgs);
    assert.deepEqual(
      result.yanked.map((p) => p.version),
      ["0.5.0+5.3.0", "1.0.0-alpha.1"],
    );
    assert.equal(isSameVersion("1.0.0+001", "1.0.0+1"), false);
    assert.equal(isSameVersion("1.0.0+build.1", "1.0.0+build.1"), true);
    assert.equal(isSameVersion("not-a-version", "not-a-version"), true);
    assert.equal(isSameVersion("1.0", "1.0.0"), false);
  });

  test("the index's real build-metadata versions match exactly", async () => {
    const versions = sampleLines("ti/kv/tikv-jemalloc-sys").map((l) => l.vers);
    assert.ok(versions.some((v) => v.includes("+")));
    const index = new LocalIndex(indexDir);
    const flipped: CratesIndex = {
      location: "flipped",
      versions: async (name) =>
        (await index.versions(name))?.map((v) => ({ ...v, yanked: v.vers === versions[0] })) ??
        null,
    };
    const result = await checkYanked(
      flipped,
      versions.map((version) => ({ name: "tikv-jemalloc-sys", version })),
    );
    assert.deepEqual(result.yanked, [{ name: "tikv-jemalloc-sys", version: versions[0] }]);
  });

  test("a real lockfile against the local and the sparse index", async () => {
    const lockfile = readFileSync(
      sharedData("lockfiles", "cargo-deny-2021-03-08-40345ee.lock"),
      "utf8",
    );
    const packages = [
      ...lockfile.matchAll(/name = "([^"]+)"\nversion = "([^"]+)"\nsource = "registry\+[^"]+"/g),
    ].map((m) => ({ name: m[1] ?? "", version: m[2] ?? "" }));
    assert.ok(packages.length > 100);

    // The oracle: plain string equality on the sample files.
    const inSample = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (dir !== indexDir) inSample.add(e.name);
      }
    };
    walk(indexDir);
    const expected = packages.filter(
      (p) =>
        inSample.has(p.name) &&
        sampleLines(indexRelativePath(p.name)).some((l) => l.vers === p.version && l.yanked),
    );
    assert.ok(expected.length >= 3, JSON.stringify(expected));
    const missing = new Set(packages.filter((p) => !inSample.has(p.name)).map((p) => p.name));

    for (const index of [new LocalIndex(indexDir), new SparseIndex(registry.url, { cacheDir })]) {
      const result = await checkYanked(index, packages);
      assert.deepEqual(result.yanked, expected);
      assert.equal(result.notices.length, missing.size);
      assert.ok(result.notices.every((n) => /^crate \S+ not found in index /.test(n)));
    }
  });
});

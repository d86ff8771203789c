import assert from "node:assert/strict";
import fs, {
  existsSync,
  mkdirSync,
  type PathLike,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { deserialize, serialize } from "node:v8";
import { loadDatabase, loadDatabaseDir } from "../../src/database/index.js";
import { compiledCacheFile } from "../../src/database/paths.js";
import { advisoryDbDir } from "../support/paths.js";
import {
  advisoryText,
  cleanupTemps,
  commitAll,
  copyShared,
  daysAgo,
  initRepo,
  SAMPLE,
  tempDir,
  writeAdvisory,
  writeFile,
} from "./helpers.js";

after(cleanupTemps);

function setup() {
  const dir = tempDir();
  copyShared(dir, SAMPLE);
  const cacheDir = tempDir("cratesec-cache-");
  const load = () => loadDatabase(dir, { cacheDir });
  return { dir, cacheDir, load, cacheFile: compiledCacheFile(cacheDir, resolve(dir)) };
}

const ids = (r: ReturnType<typeof loadDatabase>) =>
  r.database.advisories().map((a) => a.metadata.id);

describe("compiled cache", () => {
  it("serves the shared database from the cache, identical to a fresh parse", () => {
    const cacheDir = tempDir("cratesec-cache-");
    const cold = loadDatabase(advisoryDbDir, { cacheDir });
    const warm = loadDatabase(advisoryDbDir, { cacheDir });
    assert.equal(cold.fromCache, false);
    assert.equal(warm.fromCache, true);
    assert.equal(warm.database.count, 588);
    assert.deepStrictEqual(
      warm.database.advisories(),
      loadDatabaseDir(advisoryDbDir).database.advisories(),
    );
    assert.deepStrictEqual(warm.diagnostics, []);
    const a = warm.database.get("RUSTSEC-2016-0002");
    assert.ok(a);
    assert.equal(warm.database.sourceOf(a), "crates/hyper/RUSTSEC-2016-0002.md");
    assert.deepEqual(warm.database.provenance, cold.database.provenance);
  });

  it("answers queries from the cache without decoding unrelated advisories", () => {
    const { load } = setup();
    load();
    const warm = load();
    assert.equal(warm.fromCache, true);
    assert.deepEqual(
      warm.database.byAlias("CVE-2016-10932").map((a) => a.metadata.id),
      ["RUSTSEC-2016-0002"],
    );
    assert.equal(warm.database.count, 3);
  });

  it("is invalidated by an edit, even one that keeps the size and restores the mtime", () => {
    const { dir, load } = setup();
    const path = join(dir, "crates", "hyper", "RUSTSEC-2016-0002.md");
    const stamp = 1_700_000_000;
    utimesSync(path, stamp, stamp);
    load();
    const before = statSync(path, { bigint: true });
    const text = readFileSync(path, "utf8");
    const edited = text.replace("HTTPS MitM", "HTTPS MITM");
    assert.equal(edited.length, text.length);
    writeFileSync(path, edited);
    utimesSync(path, stamp, stamp);
    const now = statSync(path, { bigint: true });
    assert.equal(now.mtimeNs, before.mtimeNs);
    assert.equal(now.size, before.size);
    const r = load();
    assert.equal(r.fromCache, false);
    assert.match(r.database.get("RUSTSEC-2016-0002")?.metadata.title ?? "", /HTTPS MITM/);
    assert.equal(load().fromCache, true);
  });

  it("is invalidated by adding and by deleting a file", () => {
    const { dir, load } = setup();
    load();
    writeAdvisory(dir, "crates", { id: "RUSTSEC-2024-0001", package: "foo" });
    const added = load();
    assert.equal(added.fromCache, false);
    assert.equal(added.database.count, 4);
    assert.equal(load().fromCache, true);
    rmSync(join(dir, "crates", "foo", "RUSTSEC-2024-0001.md"));
    const removed = load();
    assert.equal(removed.fromCache, false);
    assert.equal(removed.database.count, 3);
  });

  it("is invalidated by a file that appears with another extension", () => {
    const { dir, load } = setup();
    load();
    writeFile(join(dir, "crates", "foo", "x.toml"), "");
    const r = load();
    assert.equal(r.fromCache, false);
    assert.equal(r.diagnostics.length, 1);
  });

  it("rebuilds silently from a corrupt or truncated cache file", () => {
    const { load, cacheFile } = setup();
    load();
    assert.ok(existsSync(cacheFile));
    writeFileSync(cacheFile, "not a cache");
    const r = load();
    assert.equal(r.fromCache, false);
    assert.deepEqual(ids(r), ["RUSTSEC-2016-0002", "RUSTSEC-2020-0053", "RUSTSEC-2022-0012"]);
    assert.equal(load().fromCache, true);
    const bytes = readFileSync(cacheFile);
    writeFileSync(cacheFile, bytes.subarray(0, bytes.length - 10));
    assert.equal(load().fromCache, false);
    writeFileSync(cacheFile, Buffer.alloc(0));
    assert.equal(load().fromCache, false);
  });

  it("re-parses an advisory whose cached record is damaged", () => {
    const { load, cacheFile } = setup();
    const expected = load().database.advisories();
    const bytes = readFileSync(cacheFile);
    bytes.fill(0xff, bytes.length - 200);
    writeFileSync(cacheFile, bytes);
    const r = load();
    assert.equal(r.fromCache, true);
    assert.deepStrictEqual(r.database.advisories(), expected);
  });

  it("caches the diagnostics of the load, for any spelling of the directory", () => {
    const { dir, cacheDir, load } = setup();
    const bad = join(dir, "crates", "foo", "RUSTSEC-2024-0001.md");
    writeFile(bad, advisoryText({ id: "RUSTSEC-2024-0002", package: "foo" }));
    const cold = load();
    const warm = load();
    assert.equal(warm.fromCache, true);
    assert.deepEqual(warm.diagnostics, cold.diagnostics);
    assert.equal(warm.diagnostics[0]?.path, bad);
    const spelled = loadDatabase(`${dir}/./`, { cacheDir });
    assert.equal(spelled.fromCache, true);
    assert.equal(spelled.diagnostics[0]?.path, bad);
  });

  it("checks the content of files changed just before the cache was built", () => {
    const { load, cacheFile } = setup();
    load();
    // The copies are seconds old, so the cache holds their hashes: corrupt one of them, as a
    // same-tick, same-size edit that kept every stamp would look.
    const bytes = readFileSync(cacheFile);
    const headerEnd = 4 + bytes.readUInt32LE(0);
    const header = deserialize(bytes.subarray(4, headerEnd)) as { racy: { hash: string }[] };
    assert.equal(header.racy.length, 3);
    header.racy[1] = { ...header.racy[1], hash: "0".repeat(64) } as { hash: string };
    const head = serialize(header);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(head.length);
    writeFileSync(cacheFile, Buffer.concat([len, head, bytes.subarray(headerEnd)]));
    assert.equal(load().fromCache, false);
    assert.equal(load().fromCache, true);
  });

  it("with useCache false, neither reads nor writes the cache", () => {
    const { dir, cacheDir, cacheFile } = setup();
    const r = loadDatabase(dir, { cacheDir, useCache: false });
    assert.equal(r.fromCache, false);
    assert.equal(r.database.count, 3);
    assert.equal(existsSync(cacheFile), false);
  });

  it("writes no cache for a directory without advisory files", () => {
    const dir = join(tempDir(), "typo");
    const cacheDir = tempDir("cratesec-cache-");
    const r = loadDatabase(dir, { cacheDir });
    assert.equal(r.database.count, 0);
    assert.ok(r.diagnostics.length > 0);
    assert.equal(existsSync(compiledCacheFile(cacheDir, resolve(dir))), false);
  });

  it("still loads when the cache directory cannot be written", () => {
    const { dir } = setup();
    const notADir = join(tempDir(), "file");
    writeFileSync(notADir, "x");
    assert.equal(loadDatabase(dir, { cacheDir: notADir }).database.count, 3);
    assert.equal(loadDatabase(dir, { cacheDir: notADir }).fromCache, false);
  });

  it("tracks HEAD of a git checkout: provenance, and a new commit invalidates", () => {
    const { dir, load } = setup();
    initRepo(dir);
    const when = daysAgo(3);
    const sha = commitAll(dir, "initial", when);
    const cold = load();
    assert.equal(cold.database.provenance.lastCommit, sha);
    assert.equal(cold.database.provenance.lastUpdated?.getTime(), when.getTime());
    const warm = load();
    assert.equal(warm.fromCache, true);
    assert.equal(warm.database.provenance.lastCommit, sha);
    assert.equal(warm.database.provenance.lastUpdated?.getTime(), when.getTime());
    writeAdvisory(dir, "crates", { id: "RUSTSEC-2024-0001", package: "foo" });
    const sha2 = commitAll(dir, "second", daysAgo(1));
    const next = load();
    assert.equal(next.fromCache, false);
    assert.equal(next.database.provenance.lastCommit, sha2);
    assert.equal(next.database.count, 4);
  });
});

/** How many directories under `dir` are listed while `fn` runs (spies on `fs.readdirSync`). */
function listingsDuring<T>(dir: string, fn: () => T): { result: T; listed: number } {
  const original = fs.readdirSync;
  let listed = 0;
  const spy = (path: PathLike, ...rest: unknown[]): unknown => {
    if (String(path).startsWith(dir)) listed++;
    return (original as (...args: unknown[]) => unknown)(path, ...rest);
  };
  fs.readdirSync = spy as typeof fs.readdirSync;
  syncBuiltinESMExports();
  try {
    const result = fn();
    return { result, listed };
  } finally {
    fs.readdirSync = original;
    syncBuiltinESMExports();
  }
}

const HYPER = join("crates", "hyper", "RUSTSEC-2016-0002.md");
const OLD_MTIME = 1_700_000_000;

describe("compiled cache, warm check by stamps alone", () => {
  // What changed in the last 3 s is listed (directories) or hashed (files) again on every load
  // (racy.ts), so these databases are aged first: their warm loads list no directory, and every
  // change below must show in a stamp.
  const pool: ReturnType<typeof setup>[] = [];
  const aged = (): ReturnType<typeof setup> => {
    const f = pool.pop();
    assert.ok(f, "aged fixture pool exhausted");
    return f;
  };
  let settling: ReturnType<typeof setup>;
  let outside: string;
  let linked: ReturnType<typeof setup>;
  let dangling: ReturnType<typeof setup>;
  let odd: ReturnType<typeof setup>;

  before(async () => {
    for (let i = 0; i < 12; i++) {
      const f = setup();
      utimesSync(join(f.dir, HYPER), OLD_MTIME, OLD_MTIME);
      pool.push(f);
    }
    settling = setup();
    settling.load();
    outside = tempDir();
    linked = setup();
    writeAdvisory(outside, "crates", { id: "RUSTSEC-2024-0001", package: "linked" });
    symlinkSync(join(outside, "crates", "linked"), join(linked.dir, "crates", "linked"));
    dangling = setup();
    symlinkSync(join(outside, "crates", "ghost"), join(dangling.dir, "crates", "ghost"));
    odd = setup();
    symlinkSync(join(outside, "odd"), join(odd.dir, "crates", "hyper", "odd"));
    await new Promise((r) => setTimeout(r, 3200));
  });

  /** A cold load, then a warm one that must list nothing. */
  function warmUp(f: ReturnType<typeof setup>): void {
    assert.equal(f.load().fromCache, false);
    const warm = listingsDuring(f.dir, f.load);
    assert.equal(warm.result.fromCache, true);
    assert.equal(warm.listed, 0);
  }

  it("serves an unchanged database without listing or reading anything", () => {
    const f = aged();
    warmUp(f);
    const bytes = readFileSync(f.cacheFile);
    const header = deserialize(bytes.subarray(4, 4 + bytes.readUInt32LE(0))) as {
      racy: unknown[];
    };
    assert.deepEqual(header.racy, []);
    const again = listingsDuring(f.dir, f.load);
    assert.equal(again.listed, 0);
    assert.deepEqual(ids(again.result), [
      "RUSTSEC-2016-0002",
      "RUSTSEC-2020-0053",
      "RUSTSEC-2022-0012",
    ]);
  });

  it("notices a file added to a package directory", () => {
    const f = aged();
    warmUp(f);
    writeAdvisory(f.dir, "crates", { id: "RUSTSEC-2024-0001", package: "hyper" });
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.byPackage("hyper").length, 2);
    assert.equal(f.load().fromCache, true);
  });

  it("notices a new package directory", () => {
    const f = aged();
    warmUp(f);
    writeAdvisory(f.dir, "crates", { id: "RUSTSEC-2024-0001", package: "foo" });
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.count, 4);
  });

  it("notices a new collection directory", () => {
    const f = aged();
    warmUp(f);
    writeAdvisory(f.dir, "rust", { id: "CVE-2022-21658", package: "std", date: "2022-01-20" });
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.get("CVE-2022-21658")?.metadata.collection, "rust");
  });

  it("notices a deleted file and a deleted package directory", () => {
    const f = aged();
    warmUp(f);
    rmSync(join(f.dir, HYPER));
    const removed = f.load();
    assert.equal(removed.fromCache, false);
    assert.deepEqual(ids(removed), ["RUSTSEC-2020-0053", "RUSTSEC-2022-0012"]);
    const g = aged();
    warmUp(g);
    rmSync(join(g.dir, "crates", "dirs"), { recursive: true });
    const gone = g.load();
    assert.equal(gone.fromCache, false);
    assert.deepEqual(ids(gone), ["RUSTSEC-2016-0002", "RUSTSEC-2022-0012"]);
  });

  it("notices a file renamed within its package directory", () => {
    const f = aged();
    warmUp(f);
    const renamed = join(f.dir, "crates", "hyper", "RUSTSEC-2016-0003.md");
    renameSync(join(f.dir, HYPER), renamed);
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.count, 2);
    assert.equal(r.diagnostics[0]?.path, renamed);
    assert.match(r.diagnostics[0]?.message ?? "", /to be named "RUSTSEC-2016-0002\.md"/);
  });

  it("notices a renamed package directory", () => {
    const f = aged();
    warmUp(f);
    renameSync(join(f.dir, "crates", "dirs"), join(f.dir, "crates", "dirs2"));
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.count, 2);
    assert.match(r.diagnostics[0]?.message ?? "", /to be in dirs directory/);
  });

  it("notices an edit that keeps the size and restores the mtime", () => {
    const f = aged();
    warmUp(f);
    const path = join(f.dir, HYPER);
    const before = statSync(path, { bigint: true });
    const text = readFileSync(path, "utf8");
    const edited = text.replace("HTTPS MitM", "HTTPS MITM");
    assert.equal(edited.length, text.length);
    writeFileSync(path, edited);
    utimesSync(path, OLD_MTIME, OLD_MTIME);
    const now = statSync(path, { bigint: true });
    assert.equal(now.mtimeNs, before.mtimeNs);
    assert.equal(now.size, before.size);
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.match(r.database.get("RUSTSEC-2016-0002")?.metadata.title ?? "", /HTTPS MITM/);
  });

  it("notices a file replaced by a directory", () => {
    const f = aged();
    warmUp(f);
    const path = join(f.dir, HYPER);
    rmSync(path);
    mkdirSync(path);
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.count, 2);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.path, d.message]),
      [[path, "not a regular file"]],
    );
  });

  it("notices a package directory replaced by a file", () => {
    const f = aged();
    warmUp(f);
    rmSync(join(f.dir, "crates", "dirs"), { recursive: true });
    writeFileSync(join(f.dir, "crates", "dirs"), "");
    const r = f.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.count, 2);
  });

  it("still serves the cache after a change that leaves the listing as it was", () => {
    const f = aged();
    warmUp(f);
    writeFileSync(join(f.dir, "crates", "hyper", ".DS_Store"), "x");
    const r = listingsDuring(f.dir, f.load);
    assert.equal(r.result.fromCache, true);
    assert.ok(r.listed > 0);
    assert.equal(r.result.database.count, 3);
  });

  it("lists directories changed just before the cache was built until they settle", () => {
    // Built before the fixtures were aged: every directory was then too recent to trust.
    const first = listingsDuring(settling.dir, settling.load);
    assert.equal(first.result.fromCache, true);
    assert.ok(first.listed > 0);
    const settled = listingsDuring(settling.dir, settling.load);
    assert.equal(settled.result.fromCache, true);
    assert.equal(settled.listed, 0);
  });

  it("follows a symlinked package directory to its target", () => {
    warmUp(linked);
    assert.equal(linked.load().database.count, 4);
    writeAdvisory(outside, "crates", { id: "RUSTSEC-2024-0002", package: "linked" });
    const r = linked.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.byPackage("linked").length, 2);
  });

  it("lists a collection holding a dangling symlink, which may become a package", () => {
    assert.equal(dangling.load().fromCache, false);
    const warm = listingsDuring(dangling.dir, dangling.load);
    assert.equal(warm.result.fromCache, true);
    assert.ok(warm.listed > 0);
    writeAdvisory(outside, "crates", { id: "RUSTSEC-2024-0003", package: "ghost" });
    const r = dangling.load();
    assert.equal(r.fromCache, false);
    assert.equal(r.database.byPackage("ghost").length, 1);
  });

  it("lists a package directory holding a stray symlink, whose target may change kind", () => {
    const stray = join(odd.dir, "crates", "hyper", "odd");
    const cold = odd.load();
    assert.match(cold.diagnostics[0]?.message ?? "", /extension/);
    const warm = listingsDuring(odd.dir, odd.load);
    assert.equal(warm.result.fromCache, true);
    assert.ok(warm.listed > 0);
    mkdirSync(join(outside, "odd"));
    const r = odd.load();
    assert.deepEqual(
      r.diagnostics.map((d) => [d.path, d.message]),
      [[stray, "unexpected directory (expected an advisory file)"]],
    );
  });
});

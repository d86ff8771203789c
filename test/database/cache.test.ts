import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
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

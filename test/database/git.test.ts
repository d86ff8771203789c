import assert from "node:assert/strict";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { DatabaseError, openDatabase } from "../../src/database/index.js";
import { cloneDirFor } from "../../src/database/paths.js";
import {
  cleanupTemps,
  commitAll,
  copyShared,
  daysAgo,
  gitIn,
  initRepo,
  SAMPLE,
  tempDir,
  writeAdvisory,
} from "./helpers.js";

after(cleanupTemps);

/** An origin repository with the sample advisories committed `age` days ago. */
function origin(age = 1) {
  const repo = tempDir("cratesec-origin-");
  copyShared(repo, SAMPLE);
  initRepo(repo);
  const when = daysAgo(age);
  const sha = commitAll(repo, "initial", when);
  return { repo, sha, when, cacheDir: tempDir("cratesec-cache-") };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<DatabaseError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DatabaseError, `expected a DatabaseError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one-line message");
    return e;
  }
  assert.fail("expected a rejection");
}

describe("openDatabase (git source)", () => {
  it("clones into the cache directory and reports HEAD", async () => {
    const { repo, sha, when, cacheDir } = origin();
    const r = await openDatabase({ url: repo, cacheDir });
    assert.equal(r.database.count, 3);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.database.provenance.path, cloneDirFor(cacheDir, repo));
    assert.equal(r.database.provenance.lastCommit, sha);
    assert.equal(r.database.provenance.lastUpdated?.getTime(), when.getTime());
    assert.ok(existsSync(join(cloneDirFor(cacheDir, repo), ".git")));
    const again = await openDatabase({ url: repo, cacheDir });
    assert.equal(again.fromCache, true);
    assert.equal(again.database.provenance.lastCommit, sha);
  });

  it("accepts file:// URLs and an explicit path", async () => {
    const { repo, cacheDir } = origin();
    const path = join(tempDir(), "db");
    const r = await openDatabase({ url: pathToFileURL(repo).href, path, cacheDir });
    assert.equal(r.database.provenance.path, path);
    assert.equal(r.database.count, 3);
  });

  it("fetch picks up a new commit (and a rewritten history)", async () => {
    const { repo, cacheDir } = origin(5);
    await openDatabase({ url: repo, cacheDir });
    writeAdvisory(repo, "crates", { id: "RUSTSEC-2024-0001", package: "foo" });
    const sha2 = commitAll(repo, "add foo", daysAgo(2));
    const r = await openDatabase({ url: repo, cacheDir });
    assert.equal(r.fromCache, false);
    assert.equal(r.database.provenance.lastCommit, sha2);
    assert.equal(r.database.get("RUSTSEC-2024-0001")?.metadata.package, "foo");
    gitIn(repo, ["reset", "--quiet", "--hard", "HEAD~1"]);
    writeAdvisory(repo, "crates", { id: "RUSTSEC-2024-0002", package: "bar" });
    const sha3 = commitAll(repo, "add bar instead", daysAgo(1));
    const rewritten = await openDatabase({ url: repo, cacheDir });
    assert.equal(rewritten.database.provenance.lastCommit, sha3);
    assert.equal(rewritten.database.get("RUSTSEC-2024-0001"), undefined);
    assert.ok(rewritten.database.get("RUSTSEC-2024-0002"));
  });

  it("no-fetch opens what is there, without the network or git", async () => {
    const { repo, sha, cacheDir } = origin();
    await openDatabase({ url: repo, cacheDir });
    renameSync(repo, `${repo}-gone`);
    const r = await openDatabase({ url: repo, cacheDir, fetch: false });
    assert.equal(r.database.count, 3);
    assert.equal(r.database.provenance.lastCommit, sha);
    await rejectsWith(openDatabase({ url: repo, cacheDir }), /^git fetch failed: /);
    const plain = tempDir();
    copyShared(plain, SAMPLE);
    const dir = await openDatabase({ path: plain, fetch: false, cacheDir });
    assert.equal(dir.database.count, 3);
    assert.equal(dir.database.provenance.lastCommit, null);
  });

  it("no-fetch without a database is a clear error", async () => {
    const path = join(tempDir(), "missing");
    await rejectsWith(
      openDatabase({ path, fetch: false }),
      new RegExp(`^advisory database not found at ${escapeRe(path)}; run without --no-fetch$`),
    );
  });

  it("refuses a stale database unless allowed; no-fetch never checks", async () => {
    const { repo, cacheDir } = origin(120);
    await rejectsWith(openDatabase({ url: repo, cacheDir }), /stale.*120 days old.*--stale/);
    const r = await openDatabase({ url: repo, cacheDir, stale: true });
    assert.equal(r.database.count, 3);
    const offline = await openDatabase({ url: repo, cacheDir, fetch: false });
    assert.equal(offline.database.count, 3);
  });

  it("a fresh clone of a 89-day-old database is accepted", async () => {
    const { repo, cacheDir } = origin(89);
    assert.equal((await openDatabase({ url: repo, cacheDir })).database.count, 3);
  });

  it("a bad URL is a clear error, and leaves nothing behind", async () => {
    const cacheDir = tempDir("cratesec-cache-");
    const url = join(tempDir(), "no-such-repo");
    await rejectsWith(openDatabase({ url, cacheDir }), /^git clone failed: .*no-such-repo/);
    assert.equal(existsSync(cloneDirFor(cacheDir, url)), false);
  });

  it("refuses to clone over a directory that is not a repository", async () => {
    const { repo } = origin();
    const path = join(tempDir(), "occupied");
    mkdirSync(path);
    writeFileSync(join(path, "notes.txt"), "mine");
    await rejectsWith(openDatabase({ url: repo, path }), /not a git repository/);
  });
});

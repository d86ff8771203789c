import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  cleanupTemps,
  commitAll,
  copyShared,
  daysAgo,
  initRepo,
  SAMPLE,
  tempDir,
} from "../database/helpers.js";
import { runCli, STACK_TRACE } from "../support/cli.js";

after(cleanupTemps);

/** A local advisory-db repository whose only commit is `age` days old. */
function origin(age: number): string {
  const repo = tempDir("cratesec-cli-origin-");
  copyShared(repo, SAMPLE);
  initRepo(repo);
  commitAll(repo, "advisories", daysAgo(age));
  return repo;
}

describe("advisories over a git source (--url, --no-fetch, --stale)", () => {
  test("clones on first use, then --no-fetch reads the clone", () => {
    const repo = origin(1);
    const env = { XDG_CACHE_HOME: tempDir("cratesec-cli-cache-") };
    const first = runCli(
      ["advisories", "list", "--url", repo, "--json", "--withdrawn", "include"],
      { env },
    );
    assert.equal(first.code, 0, first.stderr);
    const count = (JSON.parse(first.stdout) as unknown[]).length;
    assert.equal(count, SAMPLE.length);
    const offline = runCli(
      ["advisories", "list", "--url", repo, "--no-fetch", "--json", "--withdrawn", "include"],
      {
        env,
      },
    );
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal(offline.stdout, first.stdout);
  });

  test("a stale database is refused unless --stale", () => {
    const repo = origin(200);
    const env = { XDG_CACHE_HOME: tempDir("cratesec-cli-cache-") };
    const refused = runCli(["advisories", "list", "--url", repo], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /stale.*--stale/);
    assert.doesNotMatch(refused.stderr, STACK_TRACE);
    const allowed = runCli(["advisories", "list", "--url", repo, "--stale"], { env });
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  test("an unreachable repository is a one-line error", () => {
    const env = { XDG_CACHE_HOME: tempDir("cratesec-cli-cache-") };
    const r = runCli(["advisories", "list", "--url", join(tempDir(), "no-such-repo")], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: .*git clone failed/);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
  });
});

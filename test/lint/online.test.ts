import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import { IndexUnavailableError, LocalIndex, SparseIndex } from "../../src/crates-index/index.js";
import { runCliAsync } from "../support/cli.js";
import { sharedData } from "../support/paths.js";

const indexDir = sharedData("crates-index-sample");
const work = mkdtempSync(join(tmpdir(), "cratesec-online-"));
const db = join(work, "db");
// SparseIndex caches index files on disk: keep them (and the CLI's) out of the user's cache.
const cacheDir = join(work, "cache");
const env = { XDG_CACHE_HOME: cacheDir };

function advisory(pkg: string, n: number, extra = ""): void {
  const id = `RUSTSEC-2021-${String(n).padStart(4, "0")}`;
  mkdirSync(join(db, "crates", pkg), { recursive: true });
  writeFileSync(
    join(db, "crates", pkg, `${id}.md`),
    `\`\`\`toml\n[advisory]\nid = "${id}"\npackage = "${pkg}"\ndate = "2021-01-01"\n${extra}\n[versions]\npatched = []\n\`\`\`\n\n# Title\n\nBody.\n`,
  );
}

let server: Server;
let baseUrl = "";
let failing = false;

before(async () => {
  advisory("libc", 1);
  advisory("LibC", 2);
  advisory("no-such-crate-zz", 3);
  advisory("removed-malware", 4, "expect-deleted = true");
  // A tiny sparse registry over the sample index: files at their index paths, 404 otherwise.
  server = createServer((req, res) => {
    if (failing) {
      res.writeHead(503).end();
      return;
    }
    const rel = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^\/+/,
      "",
    );
    try {
      const body = readFileSync(join(indexDir, rel));
      res.writeHead(200, { "content-type": "text/plain" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

function checkReport(stdout: string): void {
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 2, stdout);
  assert.match(
    stdout,
    /crates\/LibC\/RUSTSEC-2021-0002\.md:4:1: error: package `LibC` is spelled `libc`/,
  );
  assert.match(
    stdout,
    /crates\/no-such-crate-zz\/RUSTSEC-2021-0003\.md:4:1: error: crate `no-such-crate-zz` does not exist/,
  );
}

describe("lint --online (crate existence, §1.5 C)", () => {
  test("is off by default", async () => {
    const r = await runCliAsync(["advisories", "lint", db], { env });
    assert.equal(r.code, 0, r.stdout);
  });

  test("against a local index directory", async () => {
    const r = await runCliAsync(["advisories", "lint", "--index-dir", indexDir, db], { env });
    assert.equal(r.code, 1);
    checkReport(r.stdout);
  });

  test("against a sparse index over HTTP", async () => {
    const r = await runCliAsync(["advisories", "lint", "--online", "--index-url", baseUrl, db], {
      env,
    });
    assert.equal(r.code, 1, r.stderr);
    checkReport(r.stdout);
  });

  test("an unavailable index is reported per crate, not as a crash", async () => {
    failing = true;
    try {
      const r = await runCliAsync(["advisories", "lint", "--online", "--index-url", baseUrl, db], {
        env,
      });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /could not check that crate `libc` exists: .*HTTP 503/);
      assert.doesNotMatch(r.stdout, /removed-malware/);
    } finally {
      failing = false;
    }
  });
});

describe("crates index readers", () => {
  test("local and sparse readers agree on a real index file", async () => {
    const local = await new LocalIndex(indexDir).versions("memchr");
    const sparse = await new SparseIndex(`sparse+${baseUrl}`, { cacheDir }).versions("memchr");
    assert.ok(local && local.length > 10);
    assert.deepEqual(sparse, local);
    assert.ok(local.every((v) => v.name === "memchr" && /^[0-9a-f]{64}$/.test(v.cksum ?? "")));
  });

  test("names that are not crate names never become paths", async () => {
    assert.equal(await new LocalIndex(indexDir).versions("../../etc/passwd"), null);
    assert.equal(await new SparseIndex(baseUrl, { cacheDir }).versions("a/b"), null);
  });

  test("an unreachable registry is IndexUnavailableError", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(
      new SparseIndex(`http://127.0.0.1:${port}/`, { cacheDir }).versions("libc"),
      IndexUnavailableError,
    );
  });
});

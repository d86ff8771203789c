import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  IndexFileCache,
  IndexUnavailableError,
  indexCacheDir,
  LocalIndex,
  SparseIndex,
} from "../../src/crates-index/index.js";
import { cleanupTemps, indexDir, SampleRegistry, tempDir } from "./server.js";

const MEMCHR = "me/mc/memchr";
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

const cacheFile = (path: string): string => join(indexCacheDir(registry.url, cacheDir), path);

/** The memchr file with its first line flipped to yanked. */
function changedMemchr(): string {
  const text = readFileSync(join(indexDir, MEMCHR), "utf8");
  const [first = "", ...rest] = text.split("\n");
  return [first.replace('"yanked":false', '"yanked":true'), ...rest].join("\n");
}

describe("SparseIndex on-disk HTTP cache", () => {
  test("200 is cached; the next lookup sends If-None-Match and a 304 is served from the cache", async () => {
    const expected = await new LocalIndex(indexDir).versions("memchr");
    assert.ok(expected && expected.length > 10);

    const first = await new SparseIndex(registry.url, { cacheDir }).versions("memchr");
    assert.deepEqual(first, expected);
    const [r1] = registry.requestsFor(MEMCHR);
    assert.equal(r1?.status, 200);
    assert.equal(r1?.headers["if-none-match"], undefined);
    assert.ok(existsSync(cacheFile(MEMCHR)), "cache file written at <root>/index/<slug>/<path>");

    // A new instance (a new process, in effect) revalidates instead of downloading.
    const second = await new SparseIndex(`sparse+${registry.url}`, { cacheDir }).versions("memchr");
    const [, r2] = registry.requestsFor(MEMCHR);
    assert.equal(r2?.status, 304);
    assert.match(String(r2?.headers["if-none-match"]), /^"[0-9a-f]{16}"$/);
    assert.deepEqual(second, expected);
  });

  test("a changed file is downloaded again, then revalidated against its new ETag", async () => {
    const index = new SparseIndex(registry.url, { cacheDir });
    const before = await index.versions("memchr");
    assert.equal(before?.[0]?.yanked, false);

    registry.overrides.set(MEMCHR, changedMemchr());
    const changed = await index.versions("memchr");
    assert.equal(changed?.[0]?.yanked, true);
    assert.equal(changed?.length, before?.length);
    const again = await index.versions("memchr");
    assert.deepEqual(again, changed);

    const log = registry.requestsFor(MEMCHR);
    assert.deepEqual(
      log.map((r) => r.status),
      [200, 200, 304],
    );
    assert.notEqual(log[1]?.headers["if-none-match"], log[2]?.headers["if-none-match"]);
  });

  test("Last-Modified alone is revalidated with If-Modified-Since", async () => {
    registry.etags = false;
    registry.lastModified = true;
    const index = new SparseIndex(registry.url, { cacheDir });
    const first = await index.versions("log");
    const second = await index.versions("log");
    assert.deepEqual(second, first);
    const log = registry.requestsFor("3/l/log");
    assert.deepEqual(
      log.map((r) => r.status),
      [200, 304],
    );
    assert.equal(log[1]?.headers["if-none-match"], undefined);
    assert.match(String(log[1]?.headers["if-modified-since"]), /GMT$/);
  });

  test("offline mode reads only the cache", async () => {
    const online = await new SparseIndex(registry.url, { cacheDir }).versions("memchr");
    registry.reset();
    const offline = new SparseIndex(registry.url, { cacheDir, offline: true });
    assert.deepEqual(await offline.versions("memchr"), online);
    await assert.rejects(offline.versions("libc"), (err: unknown) => {
      assert.ok(err instanceof IndexUnavailableError);
      assert.equal(err.kind, "offline");
      assert.match(err.message, /libc .*not in the local index cache \(offline\)/);
      return true;
    });
    assert.equal(registry.requests.length, 0, "offline never touches the network");
    // Invalid names are still rejected before any path is built.
    assert.equal(await offline.versions("../../etc/passwd"), null);
  });

  test("a corrupt cache entry is ignored and refetched", async () => {
    const index = new SparseIndex(registry.url, { cacheDir });
    const expected = await index.versions("memchr");
    const file = cacheFile(MEMCHR);
    const bytes = readFileSync(file);

    for (const corrupt of [
      bytes.subarray(0, bytes.length - 10), // truncated body
      Buffer.concat([bytes.subarray(0, bytes.length - 2), Buffer.from("XX")]), // damaged body
      Buffer.from("not a cache file at all"),
      Buffer.from('cratesec-index-cache/1 {"etag":\n'),
    ]) {
      writeFileSync(file, corrupt);
      registry.requests.length = 0;
      // Offline, a corrupt entry is a miss, not garbage.
      await assert.rejects(
        new SparseIndex(registry.url, { cacheDir, offline: true }).versions("memchr"),
        IndexUnavailableError,
      );
      assert.deepEqual(await index.versions("memchr"), expected);
      const [r] = registry.requestsFor(MEMCHR);
      assert.equal(r?.status, 200, "unconditional request: the corrupt validators are not used");
      assert.equal(r?.headers["if-none-match"], undefined);
      assert.deepEqual(readFileSync(file), bytes, "the entry was rewritten whole");
    }
    assert.deepEqual(
      (await new SparseIndex(registry.url, { cacheDir, offline: true }).versions("memchr"))?.length,
      expected?.length,
    );
  });

  test("a crate that disappears (404) is null and its cache entry is dropped", async () => {
    const index = new SparseIndex(registry.url, { cacheDir });
    assert.ok(await index.versions("memchr"));
    registry.overrides.set(MEMCHR, "");
    assert.equal(await index.versions("memchr"), null);
    assert.equal(existsSync(cacheFile(MEMCHR)), false);
    assert.equal(await index.versions("no-such-crate-zz"), null);
  });

  test("the default cache root is $XDG_CACHE_HOME/cratesec/index/<slug>", async () => {
    const xdg = tempDir();
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = xdg;
    try {
      const index = new SparseIndex(registry.url);
      assert.equal(index.cache?.dir, indexCacheDir(registry.url, join(xdg, "cratesec")));
      assert.ok(index.cache?.dir.startsWith(join(xdg, "cratesec", "index", "127.0.0.1-")));
      await index.versions("log");
      assert.ok(existsSync(join(index.cache?.dir ?? "", "3/l/log")));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  test("cacheDir: false disables the cache", async () => {
    const index = new SparseIndex(registry.url, { cacheDir: false });
    assert.equal(index.cache, null);
    await index.versions("log");
    await index.versions("log");
    assert.deepEqual(
      registry.requestsFor("3/l/log").map((r) => r.status),
      [200, 200],
    );
    await assert.rejects(
      new SparseIndex(registry.url, { cacheDir: false, offline: true }).versions("log"),
      /offline/,
    );
  });

  test("index paths can never leave the cache directory", async () => {
    const cache = new IndexFileCache(cacheDir);
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "..", "a//b", "A/b", "a/.hidden", ""]) {
      assert.throws(() => cache.pathFor(bad), /unsafe/, bad);
      assert.equal(await cache.read(bad), null);
      assert.equal(await cache.write(bad, { body: "x", etag: null, lastModified: null }), false);
    }
    assert.equal(cache.pathFor("se/rd/serde"), join(cacheDir, "se/rd/serde"));
    const index = new SparseIndex(registry.url, { cacheDir });
    assert.equal(await index.versions("../../../../tmp/x"), null);
    assert.equal(await index.versions("a/b"), null);
    assert.equal(registry.requests.length, 0);
  });

  test("config.json is read (and cached)", async () => {
    const index = new SparseIndex(registry.url, { cacheDir });
    assert.deepEqual(await index.config(), {
      dl: "https://crates.io/api/v1/crates",
      api: "https://crates.io",
      authRequired: false,
    });
    await index.config();
    assert.deepEqual(
      registry.requestsFor("config.json").map((r) => r.status),
      [200, 304],
    );
  });

  test("auth-required registries: the raw token is sent; 401 names the login URL", async () => {
    registry.requiredToken = "cio-secret";
    await assert.rejects(
      new SparseIndex(registry.url, { cacheDir }).versions("log"),
      (err: unknown) =>
        err instanceof IndexUnavailableError &&
        err.kind === "auth" &&
        /HTTP 401: the registry requires a token \(log in at https:\/\/registry\.example\/me\)/.test(
          err.message,
        ),
    );
    const index = new SparseIndex(registry.url, { cacheDir, token: "cio-secret" });
    assert.ok(await index.versions("log"));
    assert.equal(registry.requestsFor("3/l/log").at(-1)?.headers.authorization, "cio-secret");
  });

  test("HTTP errors are IndexUnavailableError, not 'not found'", async () => {
    registry.behaviour = "http500";
    await assert.rejects(
      new SparseIndex(registry.url, { cacheDir }).versions("log"),
      (err: unknown) =>
        err instanceof IndexUnavailableError && err.kind === "http" && /HTTP 500/.test(err.message),
    );
  });
});

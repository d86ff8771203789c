import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  type CratesIndex,
  IndexUnavailableError,
  LocalIndex,
  lookupMany,
  SparseIndex,
} from "../../src/crates-index/index.js";
import { cleanupTemps, closedPortUrl, indexDir, SampleRegistry, tempDir } from "./server.js";

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

/** The crate names of the sample (every data file). */
function sampleCrates(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), depth + 1);
      else if (depth > 0) out.push(e.name);
    }
  };
  walk(indexDir, 0);
  return out.sort();
}

const errorKinds = (results: Map<string, unknown>): Set<string> =>
  new Set(
    [...results.values()].map((v) => (v instanceof IndexUnavailableError ? v.kind : "answer")),
  );

describe("versionsMany / lookupMany", () => {
  test("500 crates: every name answered, never more than 16 requests at once", async () => {
    const real = sampleCrates();
    assert.ok(real.length >= 60);
    const names = [...real];
    for (let i = 0; names.length < 500; i++) names.push(`missing-crate-${i}`);
    registry.delayMs = 5;
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(names);
    assert.equal(results.size, 500);
    assert.deepEqual([...results.keys()], names, "keys keep the caller's order");
    for (const name of real) {
      const v = results.get(name);
      assert.ok(Array.isArray(v) && v.length > 0, name);
    }
    assert.equal(results.get("missing-crate-0"), null);
    assert.equal(registry.requests.length, 500);
    assert.ok(registry.maxInFlight <= 16, `max in flight ${registry.maxInFlight}`);
    assert.ok(registry.maxInFlight >= 8, "requests do run in parallel");
  });

  test("the concurrency option is honoured and duplicate names are asked once", async () => {
    registry.delayMs = 5;
    const names = sampleCrates().slice(0, 30);
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(
      [...names, ...names],
      { concurrency: 3 },
    );
    assert.equal(results.size, 30);
    assert.equal(registry.requests.length, 30);
    assert.ok(registry.maxInFlight <= 3);
  });

  test("one overall deadline bounds the batch", async () => {
    registry.delayMs = 100;
    const names = sampleCrates().slice(0, 40);
    const start = Date.now();
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(names, {
      concurrency: 2,
      deadlineMs: 250,
    });
    const elapsed = Date.now() - start;
    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
    assert.equal(results.size, 40);
    const answered = [...results.values()].filter((v) => Array.isArray(v)).length;
    assert.ok(answered >= 2 && answered < 40, `answered ${answered}`);
    const late = [...results.values()].filter((v) => v instanceof IndexUnavailableError);
    assert.equal(answered + late.length, 40);
    assert.ok(late.every((e) => e.kind === "deadline" && /within 250 ms/.test(e.message)));
    assert.ok(registry.requests.length < 12, `${registry.requests.length} requests`);
  });

  test("per-request timeout, then fail fast: a hanging registry costs one round", async () => {
    registry.behaviour = "hang";
    const names = sampleCrates();
    const start = Date.now();
    const results = await new SparseIndex(registry.url, { cacheDir, timeoutMs: 150 }).versionsMany(
      names,
    );
    assert.ok(Date.now() - start < 3000);
    assert.equal(results.size, names.length);
    assert.ok(registry.requests.length <= 16, `${registry.requests.length} requests`);
    const kinds = errorKinds(results);
    assert.ok(kinds.has("timeout"));
    assert.deepEqual(
      [...kinds].filter((k) => k !== "timeout" && k !== "skipped"),
      [],
    );
  });

  test("fail fast on connection failures (connections dropped)", async () => {
    registry.behaviour = "destroy";
    const names = sampleCrates();
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(names);
    assert.equal(results.size, names.length);
    // One round of 16 workers (undici may retry a GET once on a dropped reused connection).
    assert.ok(registry.requests.length <= 32, `${registry.requests.length} requests`);
    const kinds = errorKinds(results);
    assert.ok(kinds.has("network"));
    assert.ok(kinds.has("skipped"));
    const skipped = [...results.values()].find(
      (v) => v instanceof IndexUnavailableError && v.kind === "skipped",
    ) as IndexUnavailableError;
    assert.ok(skipped.cause instanceof IndexUnavailableError);
  });

  test("failFast: false keeps asking", async () => {
    registry.behaviour = "destroy";
    const names = sampleCrates().slice(0, 20);
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(names, {
      failFast: false,
      concurrency: 4,
    });
    // Every crate is asked (undici may retry a GET once when a reused connection is dropped).
    assert.ok(registry.requests.length >= 20);
    assert.equal(new Set(registry.requests.map((r) => r.path)).size, 20);
    assert.deepEqual(errorKinds(results), new Set(["network"]));
  });

  test("HTTP 500 is per crate: the batch goes on", async () => {
    registry.behaviour = "http500";
    const names = sampleCrates().slice(0, 20);
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(names);
    assert.equal(registry.requests.length, 20);
    assert.deepEqual(errorKinds(results), new Set(["http"]));
  });

  test("an unreachable registry never rejects", async () => {
    const url = await closedPortUrl();
    const results = await new SparseIndex(url, { cacheDir }).versionsMany(sampleCrates());
    const kinds = errorKinds(results);
    assert.ok(kinds.has("network"));
    assert.deepEqual(
      [...kinds].filter((k) => k !== "network" && k !== "skipped"),
      [],
    );
  });

  test("the caller's signal aborts the batch", async () => {
    registry.delayMs = 50;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user pressed ^C")), 80);
    const results = await new SparseIndex(registry.url, { cacheDir }).versionsMany(sampleCrates(), {
      concurrency: 1,
      signal: controller.signal,
    });
    const aborted = [...results.values()].filter(
      (v) => v instanceof IndexUnavailableError && v.kind === "aborted",
    );
    assert.ok(aborted.length > 50);
    assert.match((aborted[0] as Error).message, /\^C/);
  });

  test("LocalIndex and any CratesIndex work too; foreign errors are wrapped", async () => {
    const local = await new LocalIndex(indexDir).versionsMany(["log", "nope-zz", "../x"]);
    assert.ok(Array.isArray(local.get("log")));
    assert.equal(local.get("nope-zz"), null);
    assert.equal(local.get("../x"), null);

    const broken: CratesIndex = {
      location: "broken",
      versions: async (name) => {
        if (name === "bad") throw new TypeError("oops");
        return [];
      },
    };
    const results = await lookupMany(broken, ["ok", "bad"]);
    assert.deepEqual(results.get("ok"), []);
    const bad = results.get("bad");
    assert.ok(bad instanceof IndexUnavailableError && /oops/.test(bad.message));
  });
});

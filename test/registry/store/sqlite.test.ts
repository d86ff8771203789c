/**
 * SQLite-specific behaviour: URL forms, connection settings, and crash safety of the file under
 * SIGKILL (the engine-independent behaviour is in store.test.ts).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { isStoreError, openStore, parseStoreUrl } from "../../../src/registry/store/index.js";
import { CRASH_CRATE } from "./sigkill-writer.js";

const dir = mkdtempSync(join(tmpdir(), "cratesec-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const writerScript = fileURLToPath(new URL("./sigkill-writer.js", import.meta.url));

describe("database URLs", () => {
  it("accepts sqlite: URLs, plain paths and postgres URLs", () => {
    assert.deepEqual(parseStoreUrl("sqlite:/var/lib/cratesec/registry.db"), {
      engine: "sqlite",
      path: "/var/lib/cratesec/registry.db",
    });
    assert.deepEqual(parseStoreUrl("sqlite:///abs/r.db"), { engine: "sqlite", path: "/abs/r.db" });
    assert.deepEqual(parseStoreUrl("sqlite:data/r.db"), {
      engine: "sqlite",
      path: resolve("data/r.db"),
    });
    assert.deepEqual(parseStoreUrl("./data/r.db"), {
      engine: "sqlite",
      path: resolve("data/r.db"),
    });
    assert.deepEqual(parseStoreUrl("sqlite::memory:"), { engine: "sqlite", path: ":memory:" });
    assert.deepEqual(parseStoreUrl("postgres://u@h:5432/db"), {
      engine: "postgres",
      url: "postgres://u@h:5432/db",
    });
    assert.equal(parseStoreUrl("postgresql://h/db").engine, "postgres");
    for (const bad of ["", "sqlite:", "mysql://h/db", "https://example.com/x"]) {
      assert.throws(
        () => parseStoreUrl(bad),
        (e) => isStoreError(e, "invalid"),
        bad,
      );
    }
  });
});

describe("SQLite connection settings", () => {
  it("creates the file in a new directory with WAL, FULL sync, foreign keys and a busy timeout", async () => {
    const path = join(dir, "settings", "nested", "registry.db");
    const store = await openStore({ url: `sqlite:${path}` });
    try {
      assert.ok(existsSync(path));
      const pragma = async (name: string) => {
        const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(
          store.db,
        );
        return Object.values(rows[0] ?? {})[0];
      };
      assert.equal(await pragma("journal_mode"), "wal");
      assert.equal(await pragma("synchronous"), 2, "FULL");
      assert.equal(await pragma("foreign_keys"), 1);
      assert.equal(await pragma("busy_timeout"), 5000);
      // Foreign keys are enforced.
      await assert.rejects(
        store.db
          .insertInto("crate_owners")
          .values({ crate_id: 42, user_id: 42, created_at: 0, created_by: null })
          .execute(),
        /FOREIGN KEY/,
      );
    } finally {
      await store.close();
    }
    const normal = await openStore({ url: path, sqliteSynchronous: "normal" });
    try {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(normal.db);
      assert.equal(rows[0]?.synchronous, 1, "NORMAL on request");
    } finally {
      await normal.close();
    }
  });

  it("works in memory (no WAL) for throw-away use", async () => {
    const store = await openStore({ url: "sqlite::memory:" });
    try {
      const user = await store.createUser({ name: "alice" });
      assert.equal((await store.findUserByName("alice"))?.id, user.id);
    } finally {
      await store.close();
    }
  });
});

interface Acks {
  published: string[];
  yanked: string[];
}

/** Runs the writer until it has acknowledged `minAcks` publishes, then SIGKILLs it mid-stream. */
function runAndKill(url: string, round: number, minAcks: number): Promise<Acks> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [writerScript, "--sigkill-writer", url, String(round)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acks: Acks = { published: [], yanked: [] };
    let buffer = "";
    let stderr = "";
    let killScheduled = false;
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buffer += d;
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const [kind, version] = buffer.slice(0, nl).split(" ");
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        if (kind === "publish" && version) acks.published.push(version);
        if (kind === "yank" && version) acks.yanked.push(version);
      }
      if (!killScheduled && acks.published.length >= minAcks) {
        killScheduled = true;
        // A varying delay so the kill lands at different points of a transaction.
        setTimeout(() => child.kill("SIGKILL"), (round * 7) % 23);
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") {
        reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
        return;
      }
      resolvePromise(acks);
    });
  });
}

describe("crash safety", () => {
  it("survives SIGKILL mid-write: integrity_check ok, no acknowledged write lost, no half publish", async () => {
    const url = `sqlite:${join(dir, "crash", "registry.db")}`;
    const all: Acks = { published: [], yanked: [] };
    for (let round = 1; round <= 4; round++) {
      const acks = await runAndKill(url, round, 25);
      assert.ok(acks.published.length >= 25);
      all.published.push(...acks.published);
      all.yanked.push(...acks.yanked);
    }

    const store = await openStore({ url });
    try {
      const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(
        store.db,
      );
      assert.deepEqual(rows, [{ integrity_check: "ok" }]);
      const fk = await sql`pragma foreign_key_check`.execute(store.db);
      assert.deepEqual(fk.rows, []);

      const records = await store.listVersions(CRASH_CRATE);
      const present = new Map(records.map((r) => [r.version, r]));
      for (const v of all.published) assert.ok(present.has(v), `acknowledged publish ${v} lost`);
      for (const v of all.yanked) assert.equal(present.get(v)?.yanked, true, `yank of ${v} lost`);

      // All-or-nothing: every stored version has exactly one publish audit row, and its index
      // line agrees with the row.
      const audit = await store.db
        .selectFrom("audit_log")
        .select(["version"])
        .where("action", "=", "publish")
        .execute();
      assert.deepEqual(audit.map((a) => a.version).sort(), records.map((r) => r.version).sort());
      const index = await store.getIndexLines(CRASH_CRATE);
      assert.equal(index?.lines.length, records.length);
      for (const [i, line] of (index?.lines ?? []).entries()) {
        const parsed = JSON.parse(line) as { vers: string; yanked: boolean };
        assert.equal(parsed.vers, records[i]?.version);
        assert.equal(parsed.yanked, records[i]?.yanked);
      }
      // The store is writable after the crashes.
      const user = await store.findUserByName("crasher");
      assert.ok(user);
      await store.yank(CRASH_CRATE, "1.0.1", { userId: user.id });
    } finally {
      await store.close();
    }
  });
});

/**
 * Crash safety of `cratesec serve` (issue 5, Acceptance): the built CLI runs as a child process on
 * a temp data directory; a user and a token are made with `cratesec user add` / `token create`;
 * workers publish generated crates and yank / unyank versions over HTTP (plain fetch) while the
 * server is SIGKILLed at random moments and restarted on the same data directory. At the end:
 * - every acknowledged (2xx) publish is in the index, and its download's SHA-256 is the index
 *   line's `cksum`; every acknowledged yank / unyank whose version saw no later unacknowledged
 *   request is reflected in the index line's `yanked`;
 * - every index line (acknowledged or not) points at a stored file whose bytes hash to `cksum`;
 * - every non-temporary file in storage is complete (its name is its SHA-256); temp files, if a
 *   kill left any, are never reachable through the download route;
 * - SQLite: `PRAGMA integrity_check` is `ok`; the restarted server answers normally.
 * SQLite always; PostgreSQL (its own `cratesec_crash_<random>` database) when
 * CRATESEC_TEST_DATABASE_URL is set.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { crateFile, frame, manifestToml, newCrateJson } from "../publish/helpers.js";
import { PG_ADMIN_URL } from "./helpers.js";

// dist/test/registry/server/crash.test.js -> dist/cratesec.cjs
const CLI = fileURLToPath(new URL("../../../cratesec.cjs", import.meta.url));

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

const KILLS = 5;
const WORKERS = 4;
const CRATES_PER_WORKER = 3;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`cratesec ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  output: () => string;
}

function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(
    process.execPath,
    [CLI, "serve", ...args, "--host", "127.0.0.1", "--port", "0"],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not start within 20 s:\n${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited, output: () => out });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
}

interface VersionState {
  readonly crate: string;
  readonly version: string;
  readonly cksum: string;
  readonly body: Buffer;
  /** "yes": a publish got a 2xx; "maybe": a publish was sent without a 2xx. */
  published: "no" | "maybe" | "yes";
  /** The yanked state an acknowledged yank/unyank left, or "unknown" after an unacknowledged one. */
  yanked: boolean | "unknown";
}

interface Engine {
  readonly label: string;
  readonly skip: string | false;
  /** Extra CLI flags (`--database …`) and setup / teardown of the database. */
  setup(): Promise<string[]>;
  teardown(): Promise<void>;
}

const sqliteEngine: Engine = {
  label: "SQLite",
  skip: false,
  async setup() {
    return [];
  },
  async teardown() {},
};

function postgresEngine(): Engine {
  const database = `cratesec_crash_${randomBytes(6).toString("hex")}`;
  const adminUrl = PG_ADMIN_URL ?? "";
  const withAdmin = async (sql: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  let created = false;
  return {
    label: "PostgreSQL",
    skip:
      adminUrl === ""
        ? "CRATESEC_TEST_DATABASE_URL is not set: the PostgreSQL crash-safety run is skipped"
        : false,
    async setup() {
      await withAdmin(`create database ${database}`);
      created = true;
      const u = new URL(adminUrl);
      u.pathname = `/${database}`;
      return ["--database", u.toString()];
    },
    async teardown() {
      if (created) await withAdmin(`drop database if exists ${database} with (force)`);
    },
  };
}

for (const engine of [sqliteEngine, postgresEngine()]) {
  describe(`crash safety of cratesec serve (${engine.label})`, { skip: engine.skip }, () => {
    let dir = "";
    let args: string[] = [];
    const env: NodeJS.ProcessEnv = { ...process.env, CRATESEC_LOG_LEVEL: "warn" };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cratesec-crash-"));
      const config = join(dir, "cratesec.toml");
      // The default rate limits would refuse the stream of publishes.
      writeFileSync(
        config,
        ["publish_new", "publish_update", "yank"]
          .map((k) => `[rate_limits.${k}]\nmax = 1000000\nwindow_seconds = 1\n`)
          .join("\n"),
      );
      args = ["--config", config, "--data", join(dir, "data"), ...(await engine.setup())];
    });

    after(async () => {
      await engine.teardown();
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    });

    it("loses no acknowledged publish or yank across repeated SIGKILLs", {
      timeout: 120_000,
    }, async () => {
      await cli(["user", "add", "crashy", ...args], env);
      const token = (
        await cli(
          ["token", "create", "--user", "crashy", "--name", "crash", "--expires", "never", ...args],
          env,
        )
      ).trim();
      assert.match(token, /^\S{20,}$/);

      // The versions each worker will publish, built up front (real .crate files).
      const tag = randomBytes(3).toString("hex");
      const plans: VersionState[][] = [];
      for (let w = 0; w < WORKERS; w++) {
        const list: VersionState[] = [];
        for (let c = 0; c < CRATES_PER_WORKER; c++) {
          const crate = `crash_${tag}_${w}_${c}`;
          for (let v = 0; v < 40; v++) {
            const version = `0.${v}.0`;
            const bytes = await crateFile(crate, version, {
              manifest: `${manifestToml(crate, version)}description = "crash test"\nlicense = "MIT"\n`,
              extra: [
                { name: `${crate}-${version}/data.bin`, content: randomBytes(rand(1, 4096)) },
              ],
            });
            list.push({
              crate,
              version,
              cksum: sha256(bytes),
              body: frame(newCrateJson(crate, version), bytes),
              published: "no",
              yanked: false,
            });
          }
        }
        // Interleave the crates so every crate gets versions early on.
        list.sort((a, b) => a.version.localeCompare(b.version, "en", { numeric: true }));
        plans.push(list);
      }

      let server = await startServer(args, env);
      let base = server.url;
      let stop = false;
      const stats = { acked: 0, failed: 0, yanks: 0, refusedUnexpectedly: [] as string[] };

      /** One request; null when the connection failed (server down or killed mid-request). */
      const send = async (method: string, path: string, body?: Buffer) => {
        try {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: { authorization: token, "user-agent": "crash-test" },
            ...(body === undefined ? {} : { body }),
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          return { status: res.status, text };
        } catch {
          return null;
        }
      };

      const worker = async (plan: VersionState[]) => {
        let next = 0;
        while (!stop) {
          const published = plan.filter((v) => v.published !== "no");
          const doYank = published.length > 0 && (next >= plan.length || Math.random() < 0.3);
          if (doYank) {
            const v = published[rand(0, published.length - 1)] as VersionState;
            const yank = v.yanked === "unknown" ? Math.random() < 0.5 : !v.yanked;
            const path = `/api/v1/crates/${v.crate}/${v.version}/${yank ? "yank" : "unyank"}`;
            const res = await send(yank ? "DELETE" : "PUT", path);
            if (res !== null && res.status >= 200 && res.status < 300) {
              v.yanked = yank;
              stats.acked += 1;
              stats.yanks += 1;
            } else {
              // Sent but not acknowledged: it may or may not have committed. A 404 is possible
              // when the version's publish was never acknowledged and did not commit.
              if (res === null) v.yanked = "unknown";
              else if (!(res.status === 404 && v.published === "maybe")) {
                stats.refusedUnexpectedly.push(`${path}: ${res.status} ${res.text}`);
              }
              stats.failed += 1;
              if (res === null) await sleep(20);
            }
            continue;
          }
          if (next >= plan.length) {
            await sleep(10);
            continue;
          }
          const v = plan[next] as VersionState;
          const res = await send("PUT", "/api/v1/crates/new", v.body);
          if (res !== null && res.status >= 200 && res.status < 300) {
            v.published = "yes";
            stats.acked += 1;
            next += 1;
          } else if (res === null) {
            // Killed or down: the publish may have committed. Retrying the same bytes tells
            // which (a 2xx, or a refusal because the version exists).
            v.published = "maybe";
            stats.failed += 1;
            await sleep(20);
          } else if (/already (exists|uploaded)|already.*published/i.test(res.text)) {
            next += 1;
          } else {
            stats.refusedUnexpectedly.push(
              `publish ${v.crate}@${v.version}: ${res.status} ${res.text}`,
            );
            next += 1;
          }
        }
      };

      const started = Date.now();
      const workers = plans.map((p) => worker(p));
      for (let k = 0; k < KILLS; k++) {
        await sleep(rand(50, 400));
        server.child.kill("SIGKILL");
        await server.exited;
        server = await startServer(args, env);
        base = server.url;
      }
      await sleep(500);
      stop = true;
      await Promise.all(workers);
      const elapsed = Date.now() - started;

      const all = plans.flat();
      const acked = all.filter((v) => v.published === "yes");
      assert.ok(acked.length >= 5, `too few acknowledged publishes (${acked.length})`);
      assert.deepEqual(stats.refusedUnexpectedly, [], "requests refused for no good reason");

      // ----- verification against the restarted server -----
      const indexOf = async (crate: string) => {
        const path = `${crate.slice(0, 2)}/${crate.slice(2, 4)}/${crate}`;
        const res = await fetch(`${base}/index/${path}`);
        if (res.status === 404) return new Map<string, Record<string, unknown>>();
        assert.equal(res.status, 200, `index of ${crate}`);
        const lines = (await res.text()).split("\n").filter((l) => l !== "");
        return new Map(
          lines.map((l) => {
            const j = JSON.parse(l) as Record<string, unknown>;
            return [j.vers as string, j] as const;
          }),
        );
      };

      const crates = [...new Set(all.map((v) => v.crate))];
      const storageRoot = join(args[3] as string, "crates");
      let indexLines = 0;
      for (const crate of crates) {
        const index = await indexOf(crate);
        for (const v of all.filter((x) => x.crate === crate)) {
          const line = index.get(v.version);
          if (v.published === "yes") {
            assert.ok(line, `acknowledged publish ${crate}@${v.version} is missing`);
          }
          if (v.published === "no") {
            assert.equal(line, undefined, `${crate}@${v.version} was never sent`);
          }
          if (line === undefined) continue;
          assert.equal(line.cksum, v.cksum, `${crate}@${v.version}: cksum`);
          if (v.yanked !== "unknown") {
            assert.equal(line.yanked, v.yanked, `${crate}@${v.version}: yanked`);
          }
        }
        for (const [version, line] of index) {
          indexLines += 1;
          const cksum = line.cksum as string;
          const res = await fetch(`${base}/api/v1/crates/${crate}/${version}/download`);
          assert.equal(res.status, 200, `download ${crate}@${version}`);
          const bytes = Buffer.from(await res.arrayBuffer());
          assert.equal(sha256(bytes), cksum, `download ${crate}@${version}: SHA-256`);
          const file = join(storageRoot, cksum.slice(0, 2), cksum.slice(2, 4), cksum);
          assert.ok(statSync(file).isFile(), `stored file of ${crate}@${version}`);
        }
      }

      // Every completed file in storage is whole; temp files are never reachable.
      let files = 0;
      let temps = 0;
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith(".tmp")) temps += 1;
          else {
            files += 1;
            assert.equal(sha256(readFileSync(p)), e.name, `stored file ${p} is torn`);
          }
        }
      };
      walk(storageRoot);
      assert.ok(files >= indexLines, "fewer stored files than index lines");
      const anyVersion = acked[0] as VersionState;
      for (const probe of [".tmp", `.${anyVersion.cksum}.abc.tmp`, `../${anyVersion.cksum}`]) {
        const res = await fetch(
          `${base}/api/v1/crates/${anyVersion.crate}/${encodeURIComponent(probe)}/download`,
        );
        assert.equal(res.status, 404, `download of ${probe}`);
      }

      // The server still serves everything normally (no orphan state breaks it).
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const search = await fetch(`${base}/api/v1/crates?q=crash_${tag}&per_page=100`);
      assert.equal(search.status, 200);

      server.child.kill("SIGTERM");
      await server.exited;
      if (engine.label === "SQLite") {
        const db = new Database(join(args[3] as string, "registry.db"), { readonly: true });
        try {
          assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
          const n = db.prepare("select count(*) as n from versions").get() as { n: number };
          assert.equal(n.n, indexLines, "versions rows vs index lines");
        } finally {
          db.close();
        }
      }
      console.log(
        `crash test (${engine.label}): ${KILLS} kills in ${elapsed} ms, ${stats.acked} acknowledged ` +
          `requests (${acked.length} publishes, ${stats.yanks} yanks/unyanks), ${stats.failed} ` +
          `unacknowledged, ${indexLines} index lines, ${files} stored files, ${temps} temp files`,
      );
    });
  });
}

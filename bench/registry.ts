/**
 * `npm run bench -- registry`: the registry server under load (issue 5).
 * 1. Seeds a temp data directory with 1,000 crates × 10 versions straight through the store and
 *    the file storage (no HTTP).
 * 2. Starts the server in a child process (`registry-child.js`, `logger: false`) on loopback.
 * 3. Sparse-index GETs over the 1,000 index files with autocannon (in this process, not the
 *    server's): about half carry the file's current `If-None-Match` and get 304, the rest 200.
 *    A few connection counts; each figure is the median of several runs.
 * 4. Sequential publishes of a ~50 KB crate over HTTP with a token, on SQLite (and on PostgreSQL
 *    when CRATESEC_TEST_DATABASE_URL is set).
 * 5. Peak RSS of the server process.
 * Options: --crates N --versions N --connections 10,50,100 --duration S --runs N --publishes N
 *          --cpu-prof DIR (profile the server child)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { indexPathOf } from "../src/registry/server/index.js";
import { FileCrateStorage, sha256Hex } from "../src/registry/storage/index.js";
import { openStore, type RegistryStore } from "../src/registry/store/index.js";
import { generateToken, hashToken } from "../src/registry/tokens/index.js";
import { crateFile, frame, manifestToml, newCrateJson } from "../test/registry/publish/helpers.js";
import { formatMiB, median } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, "registry-child.js");
const rssReporter = join(here, "rss-reporter.js");

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

// ----- the server child ---------------------------------------------------------------------------

interface ServerChild {
  readonly url: string;
  /** SIGTERMs the child and resolves to its peak RSS in KiB. */
  stop(): Promise<number>;
}

async function startServer(
  storeUrl: string,
  dataDir: string,
  cpuProfDir?: string,
): Promise<ServerChild> {
  const nodeArgs = ["--import", rssReporter];
  if (cpuProfDir !== undefined) nodeArgs.push("--cpu-prof", "--cpu-prof-dir", cpuProfDir);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, childScript, storeUrl, dataDir],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(() => reject(new Error(`the server child exited early: ${stderr}`)));
  });
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      const m = /cratesec-bench-maxrss-kib=(\d+)/.exec(stderr);
      return m ? Number(m[1]) : Number.NaN;
    },
  };
}

// ----- seeding ------------------------------------------------------------------------------------

const crateName = (i: number) => `bench-crate-${String(i).padStart(4, "0")}`;

async function benchUser(
  store: RegistryStore,
  name: string,
): Promise<{ id: number; token: string }> {
  const user = (await store.findUserByName(name)) ?? (await store.createUser({ name }));
  const token = generateToken("api");
  await store.createToken({
    userId: user.id,
    name: `bench-${randomBytes(3).toString("hex")}`,
    tokenHash: hashToken(token),
    endpointScopes: null,
    crateScopes: null,
    expiresAt: null,
  });
  return { id: user.id, token };
}

/** Seeds CRATES × VERSIONS small crates; returns each index path with its current ETag. */
async function seed(
  store: RegistryStore,
  storage: FileCrateStorage,
  crates: number,
  versions: number,
): Promise<{ path: string; etag: string }[]> {
  const user = await benchUser(store, "bench-seeder");
  for (let i = 0; i < crates; i++) {
    const name = crateName(i);
    const files = await Promise.all(
      Array.from({ length: versions }, async (_, v) => {
        const vers = `0.${v}.0`;
        const bytes = await crateFile(name, vers, { manifest: manifestToml(name, vers) });
        return { vers, bytes, cksum: sha256Hex(bytes) };
      }),
    );
    await Promise.all(files.map((f) => storage.put(f.cksum, f.bytes)));
    for (const f of files) {
      await store.createCrateVersion(
        {
          name,
          version: f.vers,
          cksum: f.cksum,
          size: f.bytes.length,
          indexLine: {
            name,
            vers: f.vers,
            deps: [],
            cksum: f.cksum,
            features: {},
            yanked: false,
            links: null,
            v: 2,
            features2: {},
            rust_version: null,
          },
          description: "a benchmark crate",
        },
        { userId: user.id },
      );
    }
  }
  const out: { path: string; etag: string }[] = [];
  for (let i = 0; i < crates; i++) {
    const file = await store.getIndexLines(crateName(i));
    if (file === null) throw new Error(`seeding lost ${crateName(i)}`);
    out.push({ path: `/index/${indexPathOf(crateName(i))}`, etag: file.etag });
  }
  return out;
}

// ----- sparse-index load ----------------------------------------------------------------------

interface IndexRun {
  rps: number;
  p50: number;
  p99: number;
  s200: number;
  s304: number;
  other: number;
}

async function indexRun(
  url: string,
  requests: { method: string; path: string; headers?: Record<string, string> }[],
  connections: number,
  duration: number,
): Promise<IndexRun> {
  const r = await autocannon({ url, connections, duration, pipelining: 1, requests });
  const codes = (r as unknown as { statusCodeStats: Record<string, { count: number }> })
    .statusCodeStats;
  const s200 = codes["200"]?.count ?? 0;
  const s304 = codes["304"]?.count ?? 0;
  const all = Object.values(codes).reduce((a, c) => a + c.count, 0);
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    s200,
    s304,
    other: all - s200 - s304 + r.errors + r.timeouts,
  };
}

async function checkIndex(url: string, files: { path: string; etag: string }[]): Promise<void> {
  const sample = files[Math.floor(files.length / 2)] as { path: string; etag: string };
  const plain = await fetch(`${url}${sample.path}`);
  const body = await plain.text();
  if (plain.status !== 200 || plain.headers.get("etag") !== sample.etag || body === "") {
    throw new Error(`unexpected index answer: ${plain.status} ${plain.headers.get("etag")}`);
  }
  const cond = await fetch(`${url}${sample.path}`, {
    headers: { "if-none-match": sample.etag },
  });
  if (cond.status !== 304) throw new Error(`conditional GET answered ${cond.status}, not 304`);
}

// ----- publishes ------------------------------------------------------------------------------

/** A ~50 KB .crate: manifest, lib.rs and incompressible padding (so gzip keeps it ~50 KB). */
async function fiftyKbBody(name: string, vers: string, padding: Buffer): Promise<Buffer> {
  const root = `${name}-${vers}`;
  const crate = await crateFile(name, vers, {
    manifest: `${manifestToml(name, vers)}description = "a benchmark crate"\nlicense = "MIT"\n`,
    extra: [{ name: `${root}/assets/blob.bin`, content: padding }],
  });
  return frame(newCrateJson(name, vers), crate);
}

interface PublishFigures {
  perSecond: number;
  p50: number;
  p99: number;
  crateBytes: number;
}

async function publishRun(url: string, token: string, count: number): Promise<PublishFigures> {
  const name = `bench-publish-${randomBytes(4).toString("hex")}`;
  const padding = randomBytes(50 * 1024 - 1200);
  // Bodies are built before timing: the figure is the server's, not the client's gzip.
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i++) bodies.push(await fiftyKbBody(name, `1.0.${i}`, padding));
  const crateBytes = (bodies[0] as Buffer).length;
  const times: number[] = [];
  const start = performance.now();
  for (const body of bodies) {
    const t = performance.now();
    const res = await fetch(`${url}/api/v1/crates/new`, {
      method: "PUT",
      headers: { authorization: token },
      body,
    });
    const text = await res.text();
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`publish failed: ${res.status} ${text}`);
  }
  const total = performance.now() - start;
  return {
    perSecond: count / (total / 1000),
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    crateBytes,
  };
}

async function publishBench(
  label: string,
  storeUrl: string,
  dataDir: string,
  count: number,
  runs: number,
): Promise<void> {
  const store = await openStore({ url: storeUrl });
  const { token } = await benchUser(store, "bench-publisher");
  await store.close();
  const server = await startServer(storeUrl, dataDir);
  const results: PublishFigures[] = [];
  try {
    await publishRun(server.url, token, 10); // warm-up: JIT, first-crate path
    for (let r = 0; r < runs; r++) results.push(await publishRun(server.url, token, count));
  } finally {
    const rss = await server.stop();
    const size = results[0]?.crateBytes ?? 0;
    console.log(
      `  ${label.padEnd(11)} ${median(results.map((r) => r.perSecond)).toFixed(0)} publishes/s ` +
        `(${results.map((r) => r.perSecond.toFixed(0)).join(", ")}), ` +
        `p50 ${median(results.map((r) => r.p50)).toFixed(1)} ms, ` +
        `p99 ${median(results.map((r) => r.p99)).toFixed(1)} ms; body ${(size / 1024).toFixed(1)} KiB; ` +
        `server peak RSS ${formatMiB(rss)}`,
    );
  }
}

// ----- the suite ------------------------------------------------------------------------------

export async function runRegistryBench(args: string[]): Promise<void> {
  const crates = Number(argValue(args, "--crates") ?? 1000);
  const versions = Number(argValue(args, "--versions") ?? 10);
  const connectionCounts = (argValue(args, "--connections") ?? "10,50,100").split(",").map(Number);
  const duration = Number(argValue(args, "--duration") ?? 10);
  const runs = Number(argValue(args, "--runs") ?? 3);
  const publishes = Number(argValue(args, "--publishes") ?? 200);
  const cpuProf = argValue(args, "--cpu-prof");

  const dir = mkdtempSync(join(tmpdir(), "cratesec-bench-registry-"));
  try {
    const storeUrl = `sqlite:${join(dir, "registry.db")}`;
    const seedStart = performance.now();
    const store = await openStore({ url: storeUrl });
    const files = await seed(store, new FileCrateStorage(join(dir, "crates")), crates, versions);
    await store.close();
    console.log(
      `seeded ${crates} crates × ${versions} versions (SQLite, through the store) in ` +
        `${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    // Half the requests carry the current ETag (→ 304), half none (→ 200), shuffled.
    const requests = files.flatMap((f) => [
      { method: "GET", path: f.path },
      { method: "GET", path: f.path, headers: { "if-none-match": f.etag } },
    ]);
    for (let i = requests.length - 1; i > 0; i--) {
      const j = (i * 7919 + 13) % (i + 1);
      [requests[i], requests[j]] = [
        requests[j] as (typeof requests)[0],
        requests[i] as (typeof requests)[0],
      ];
    }

    const server = await startServer(storeUrl, dir, cpuProf);
    let rss = Number.NaN;
    const rows: { connections: number; runs: IndexRun[] }[] = [];
    try {
      await checkIndex(server.url, files);
      await indexRun(server.url, requests, 10, 3); // warm-up
      for (const connections of connectionCounts) {
        const rs: IndexRun[] = [];
        for (let r = 0; r < runs; r++) {
          rs.push(await indexRun(server.url, requests, connections, duration));
        }
        rows.push({ connections, runs: rs });
      }
    } finally {
      rss = await server.stop();
    }
    console.log(
      `sparse-index GET, ${files.length} index files, ~50% conditional (autocannon, loopback, ` +
        `${duration} s × ${runs} runs per row, median; latency resolution 1 ms):`,
    );
    const summary = rows.map(({ connections, runs: rs }) => ({
      connections,
      rps: median(rs.map((r) => r.rps)),
      each: rs.map((r) => r.rps.toFixed(0)).join(", "),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      s200: rs.reduce((a, r) => a + r.s200, 0),
      s304: rs.reduce((a, r) => a + r.s304, 0),
      other: rs.reduce((a, r) => a + r.other, 0),
    }));
    for (const s of summary) {
      const total = s.s200 + s.s304 + s.other;
      console.log(
        `  ${String(s.connections).padStart(4)} connections: ${s.rps.toFixed(0).padStart(6)} req/s (${s.each})  ` +
          `p50 ${s.p50.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  ` +
          `200 ${((s.s200 / total) * 100).toFixed(1)}% / 304 ${((s.s304 / total) * 100).toFixed(1)}%` +
          (s.other > 0 ? ` / other+errors ${s.other}` : ""),
      );
    }
    const meeting = summary.filter((s) => s.p99 <= 20);
    const best = (meeting.length > 0 ? meeting : summary).reduce((a, b) => (b.rps > a.rps ? b : a));
    console.log(
      `  best${meeting.length > 0 ? " with p99 ≤ 20 ms" : ""}: ${best.connections} connections, ` +
        `${best.rps.toFixed(0)} req/s, p99 ${best.p99.toFixed(1)} ms ` +
        `(target ≥ 10,000 req/s and p99 ≤ 20 ms: ${best.rps >= 10_000 && best.p99 <= 20 ? "met" : "NOT met"})`,
    );
    console.log(`  server peak RSS ${formatMiB(rss)}`);

    console.log(
      `sequential publish of a ~50 KB crate over HTTP (${publishes} versions × ${runs} runs, median; target ≥ 50/s on SQLite):`,
    );
    await publishBench("SQLite:", storeUrl, dir, publishes, runs);
    const pgAdmin = process.env.CRATESEC_TEST_DATABASE_URL;
    if (pgAdmin !== undefined && pgAdmin !== "") {
      const database = `cratesec_bench_${randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: pgAdmin });
      await admin.connect();
      await admin.query(`create database ${database}`);
      try {
        const u = new URL(pgAdmin);
        u.pathname = `/${database}`;
        await publishBench("PostgreSQL:", u.toString(), dir, publishes, runs);
      } finally {
        await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      }
    } else {
      console.log("  PostgreSQL: skipped (CRATESEC_TEST_DATABASE_URL is not set)");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

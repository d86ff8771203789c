import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { auditPackages } from "../src/audit/audit.js";
import { lockfileAuditInput } from "../src/audit/lockfile-input.js";
import { loadDatabase } from "../src/database/index.js";
import { parseLockfile } from "../src/lockfile/index.js";
import { renderAuditJson } from "../src/report/audit-json.js";
import { formatMiB, formatMs, median } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const cli = join(repo, "dist", "cratesec.cjs");
const rssReporter = join(here, "rss-reporter.js");

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** (a) One whole `cratesec audit` process, as a user or CI job runs it, with the database cache warm. */
function wholeProcess(db: string, lockfile: string, runs: number, cacheHome: string): void {
  const args = [cli, "audit", "--db", db, "--no-yanked", "-f", lockfile];
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: "1" };
  spawnSync(process.execPath, args, { env }); // warm the compiled database cache
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { env, encoding: "utf8" });
    walls.push(performance.now() - start);
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`audit failed (${r.status}): ${r.stderr}`);
  }
  // Peak RSS from separate runs, so the reporter's own start-up is not in the wall times.
  const rss: number[] = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    const r = spawnSync(process.execPath, ["--import", rssReporter, ...args], {
      env,
      encoding: "utf8",
    });
    const m = /cratesec-bench-maxrss-kib=(\d+)/.exec(r.stderr);
    if (m) rss.push(Number(m[1]));
  }
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ["-e", ""]);
    bare.push(performance.now() - start);
  }
  console.log(`(a) one \`cratesec audit\` process, warm database cache (${runs} runs, median)`);
  console.log(`    lockfile: ${lockfile} (${statSync(lockfile).size} bytes)`);
  console.log(`    wall time ${formatMs(median(walls))}   peak RSS ${formatMiB(median(rss))}`);
  console.log(
    `    (for scale: \`node -e ""\` alone takes ${formatMs(median(bare))} on this machine)`,
  );
}

/** (b) Many audits in one process after the database is loaded: parse, graph, audit, JSON. */
function batch(db: string, lockDir: string, repeat: number): void {
  const database = loadDatabase(db, { useCache: false }).database;
  const files = readdirSync(lockDir)
    .filter((f) => f.endsWith(".lock"))
    .map((f) => ({ path: join(lockDir, f), text: readFileSync(join(lockDir, f), "utf8") }));
  const rounds: number[] = [];
  let findings = 0;
  for (let r = 0; r < repeat; r++) {
    const start = performance.now();
    for (const { path, text } of files) {
      const report = auditPackages(database, lockfileAuditInput(parseLockfile(text, path)), {
        today: "2026-11-23",
      });
      renderAuditJson(report);
      findings += report.vulnerabilities.length;
    }
    rounds.push(performance.now() - start);
  }
  const total = rounds.reduce((a, b) => a + b, 0);
  const perSecond = (files.length * repeat) / (total / 1000);
  console.log(
    `(b) batch: ${files.length} lockfiles × ${repeat} in one process, database already loaded`,
  );
  console.log(
    `    ${perSecond.toFixed(0)} lockfiles/s overall; median round ${formatMs(median(rounds))} ` +
      `(${((files.length / median(rounds)) * 1000).toFixed(0)} lockfiles/s); peak RSS ${formatMiB(process.resourceUsage().maxRSS)}`,
  );
  if (findings === 0)
    throw new Error("no findings at all: the benchmark is not exercising the matcher");
}

export async function runAuditBench(args: string[]): Promise<void> {
  const runs = Number(argValue(args, "--runs") ?? 11);
  const shared = resolve(repo, "..", "shared", "data");
  const db = resolve(argValue(args, "--db") ?? join(shared, "advisory-db"));
  const lockDir = resolve(argValue(args, "--lockfiles") ?? join(shared, "lockfiles"));
  const largest = readdirSync(lockDir)
    .filter((f) => f.endsWith(".lock"))
    .map((f) => join(lockDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!largest) throw new Error(`no lockfiles in ${lockDir}`);
  const cacheHome = mkdtempSync(join(tmpdir(), "cratesec-bench-"));
  try {
    wholeProcess(db, largest, runs, cacheHome);
    batch(db, lockDir, 20);
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
}

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatMiB, formatMs, median } from "./stats.js";
import { buildSyntheticDb } from "./synthetic-db.js";

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, "advisories-child.js");

interface ChildResult {
  loadMs: number;
  allMs: number;
  maxRssKib: number;
  count: number;
  fromCache: boolean;
}

function runChild(db: string, cacheDir: string, useCache: boolean): ChildResult {
  const out = execFileSync(
    process.execPath,
    [child, db, cacheDir, useCache ? "cache" : "nocache"],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(out) as ChildResult;
}

function measure(label: string, db: string, runs: number): void {
  const cold: ChildResult[] = [];
  const warm: ChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    const cacheDir = mkdtempSync(join(tmpdir(), "cratesec-bench-cache-"));
    try {
      const first = runChild(db, cacheDir, true);
      if (first.fromCache) throw new Error("cold run was served from cache");
      cold.push(first);
      const second = runChild(db, cacheDir, true);
      if (!second.fromCache) throw new Error("warm run was not served from cache");
      warm.push(second);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  const count = cold[0]?.count ?? 0;
  console.log(`${label}: ${count} advisories, ${runs} runs each (median)`);
  const row = (name: string, rs: ChildResult[]): void => {
    console.log(
      `  ${name.padEnd(46)} load+index ${formatMs(median(rs.map((r) => r.loadMs))).padStart(9)}` +
        `   + decode all ${formatMs(median(rs.map((r) => r.allMs))).padStart(9)}` +
        `   peak RSS ${formatMiB(median(rs.map((r) => r.maxRssKib)))}`,
    );
  };
  row("cold (parse every file, write the cache):", cold);
  row("warm (compiled cache):", warm);
}

export async function runAdvisoriesBench(args: string[]): Promise<void> {
  const runsArg = args.indexOf("--runs");
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 7;
  const dbArg = args.indexOf("--db");
  const shared = resolve(here, "..", "..", "..", "shared", "data", "advisory-db");
  const db = dbArg >= 0 ? resolve(args[dbArg + 1] as string) : shared;
  if (!existsSync(db)) throw new Error(`advisory database not found: ${db} (pass --db PATH)`);
  measure(db, db, runs);
  if (dbArg < 0) {
    const synthetic = mkdtempSync(join(tmpdir(), "cratesec-bench-db-"));
    try {
      buildSyntheticDb(db, synthetic, 1225);
      // Files modified in the last few seconds are re-hashed on every load (a same-size edit
      // within one timestamp tick is otherwise invisible); a real checkout is older than that.
      await new Promise((r) => setTimeout(r, 3500));
      measure(
        "synthetic full-size database (shared advisories plus renamed copies)",
        synthetic,
        runs,
      );
    } finally {
      rmSync(synthetic, { recursive: true, force: true });
    }
  }
}

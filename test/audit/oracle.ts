/**
 * An independent oracle for audit results: reads Cargo.lock with a few regular expressions and
 * decides "affected" from the official OSV export's SEMVER events with its own tiny SemVer
 * comparison. It shares no code with cratesec, so agreement means something.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface OraclePackage {
  name: string;
  version: string;
  source: string | null;
}

export function oracleLockPackages(text: string): OraclePackage[] {
  const out: OraclePackage[] = [];
  for (const block of text.split(/^\[\[package\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0] ?? "";
    const field = (key: string): string | null =>
      new RegExp(`^${key} = "([^"]*)"`, "m").exec(body)?.[1] ?? null;
    const name = field("name");
    const version = field("version");
    if (name && version) out.push({ name, version, source: field("source") });
  }
  return out;
}

function parts(v: string): { core: number[]; pre: string[] } {
  const noBuild = v.split("+")[0] as string;
  const dash = noBuild.indexOf("-");
  const core = (dash < 0 ? noBuild : noBuild.slice(0, dash)).split(".").map(Number);
  const pre = dash < 0 ? [] : noBuild.slice(dash + 1).split(".");
  return { core, pre };
}

/** SemVer 2.0 precedence (§11), written independently of src/semver. */
export function oracleCompare(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre.length === 0 || y.pre.length === 0)
    return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d !== 0) return Math.sign(d);
    } else if (pn !== qn) {
      return pn ? -1 : 1;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  return 0;
}

interface OsvLite {
  id: string;
  name: string;
  withdrawn: boolean;
  informational: string | null;
  events: Record<string, string>[];
}

export function loadOsvOracle(dir: string): Map<string, OsvLite[]> {
  const byName = new Map<string, OsvLite[]>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".json")) continue;
    const rec = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const affected = rec.affected[0];
    const lite: OsvLite = {
      id: rec.id,
      name: affected.package.name,
      withdrawn: rec.withdrawn !== undefined,
      informational: affected.database_specific?.informational ?? null,
      events: affected.ranges.flatMap((r: { events: Record<string, string>[] }) => r.events),
    };
    const list = byName.get(lite.name) ?? [];
    list.push(lite);
    byName.set(lite.name, list);
  }
  return byName;
}

function affectedBy(events: Record<string, string>[], version: string): boolean {
  let introduced: string | null = null;
  for (const e of events) {
    if (e.introduced !== undefined) {
      introduced = e.introduced;
    } else if (e.fixed !== undefined && introduced !== null) {
      if (oracleCompare(version, introduced) >= 0 && oracleCompare(version, e.fixed) < 0)
        return true;
      introduced = null;
    }
  }
  return introduced !== null && oracleCompare(version, introduced) >= 0;
}

const CRATES_IO = new Set([
  "registry+https://github.com/rust-lang/crates.io-index",
  "sparse+https://index.crates.io/",
]);

/** `ID name version kind` lines RustSec would report with default settings. */
export function oracleFindings(lockText: string, osv: Map<string, OsvLite[]>): string[] {
  const out = new Set<string>();
  for (const pkg of oracleLockPackages(lockText)) {
    if (pkg.source === null || !CRATES_IO.has(pkg.source)) continue;
    for (const rec of osv.get(pkg.name) ?? []) {
      if (rec.withdrawn || !affectedBy(rec.events, pkg.version)) continue;
      out.add(`${rec.id} ${pkg.name} ${pkg.version} ${rec.informational ?? "vulnerability"}`);
    }
  }
  return [...out].sort();
}

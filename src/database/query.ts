/**
 * Queries against the database, modelled on rustsec's `database/query.rs`: every field is an
 * optional constraint, absent means "don't care" (rustsec's `Query::new()`); `crateScope()` is
 * the default scope cargo-audit uses (`Query::crate_scope()`).
 */
import type { Advisory, Collection, Severity } from "../advisory/model.js";
import { isAffected, type Version } from "../semver/index.js";
import { idYear } from "./ids.js";
import { matchesText } from "./search.js";

export interface Query {
  /** Only advisories of this collection; `"any"` or absent for both. */
  readonly collection?: Collection | "any";
  /** Exact package (crate) name. */
  readonly package?: string;
  /** Only advisories whose §2 ranges include this version. */
  readonly version?: Version;
  /** Year of the id (RUSTSEC/CVE/TALOS), or of `date` for ids without one. */
  readonly year?: number;
  readonly category?: string;
  /** `false`: vulnerabilities only; `true`: informational only; `"any"`/absent: both. */
  readonly informational?: boolean | "any";
  /** A specific informational kind (`unmaintained`, `unsound`, `notice`, or any other string). */
  readonly informationalKind?: string;
  /** `false`: exclude withdrawn; `true`: only withdrawn; `"any"`/absent: both. */
  readonly withdrawn?: boolean | "any";
  /** Minimum CVSS severity; advisories without CVSS always match (as in rustsec). */
  readonly severity?: Severity;
  /** Dropped only when the advisory lists arches and none of these is among them. */
  readonly targetArch?: readonly string[];
  readonly targetOs?: readonly string[];
  /** Case-insensitive free text: every word must occur in id/aliases/package/title/description/keywords. */
  readonly text?: string;
}

/** rustsec's default scope: `crates/` only, withdrawn and informational advisories excluded. */
export function crateScope(extra: Query = {}): Query {
  return { collection: "crates", withdrawn: false, informational: false, ...extra };
}

const SEVERITY_RANK: Record<Severity, number> = {
  none: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[threshold];
}

function platformMatches(listed: readonly string[], wanted: readonly string[] | undefined) {
  if (!wanted || wanted.length === 0 || listed.length === 0) return true;
  return listed.some((x) => wanted.includes(x));
}

export function advisoryYear(a: Advisory): number {
  return idYear(a.metadata.id) ?? Number(a.metadata.date.slice(0, 4));
}

export function matchesQuery(a: Advisory, q: Query): boolean {
  const m = a.metadata;
  if (q.collection !== undefined && q.collection !== "any" && m.collection !== q.collection) {
    return false;
  }
  if (q.package !== undefined && m.package !== q.package) return false;
  if (q.year !== undefined && advisoryYear(a) !== q.year) return false;
  if (q.category !== undefined && !m.categories.includes(q.category)) return false;
  if (
    q.withdrawn !== undefined &&
    q.withdrawn !== "any" &&
    q.withdrawn !== (m.withdrawn !== null)
  ) {
    return false;
  }
  if (
    q.informational !== undefined &&
    q.informational !== "any" &&
    q.informational !== (m.informational !== null)
  ) {
    return false;
  }
  if (q.informationalKind !== undefined && m.informational !== q.informationalKind) return false;
  if (q.severity !== undefined && m.cvss && !severityAtLeast(m.cvss.severity, q.severity)) {
    return false;
  }
  if (a.affected) {
    if (!platformMatches(a.affected.arch, q.targetArch)) return false;
    if (!platformMatches(a.affected.os, q.targetOs)) return false;
  }
  if (q.version !== undefined && !isAffected(a.versions.ranges, q.version)) return false;
  if (q.text !== undefined && !matchesText(a, q.text)) return false;
  return true;
}

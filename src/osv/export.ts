/** RustSec → OSV export, matching `rustsec-admin osv` output (specs/rustsec.md §4). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Advisory, KNOWN_INFORMATIONAL } from "../advisory/model.js";
import type { Database } from "../database/database.js";
import { DRAFT_ID } from "../database/ids.js";
import { modifiedTimes } from "./modified.js";
import { osvReferences } from "./references.js";
import type { OsvEvent, OsvRecord, OsvSeverity } from "./types.js";
import { CRATES_IO } from "./types.js";

/** RFC 3339 in UTC, whole seconds, as rustsec prints git times. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

const dateToRfc3339 = (date: string): string => `${date}T12:00:00Z`;

const SEVERITY_TYPE: Record<string, OsvSeverity["type"]> = {
  "2.0": "CVSS_V2",
  "3.0": "CVSS_V3",
  "3.1": "CVSS_V3",
  "4.0": "CVSS_V4",
};

/** rustsec keeps function paths in a BTreeMap of segment vectors: compare segment by segment. */
function compareFunctionPaths(a: string, b: string): number {
  const sa = a.split("::");
  const sb = b.split("::");
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string;
    const y = sb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

function events(advisory: Advisory): OsvEvent[] {
  const out: OsvEvent[] = [];
  for (const r of advisory.versions.ranges) {
    out.push({ introduced: r.introduced?.toString() ?? "0.0.0-0" });
    if (r.fixed) out.push({ fixed: r.fixed.toString() });
  }
  return out;
}

/** The OSV record of one advisory, keys in rustsec's order. */
export function advisoryToOsv(advisory: Advisory, modified: Date): OsvRecord {
  const m = advisory.metadata;
  const affected = advisory.affected;
  const record: OsvRecord = {
    id: m.id,
    modified: rfc3339(modified),
    published: dateToRfc3339(m.date),
    ...(m.withdrawn === null ? {} : { withdrawn: dateToRfc3339(m.withdrawn) }),
    aliases: [...m.aliases],
    related: [...m.related],
    summary: m.title,
    details: m.description,
    severity: m.cvss
      ? [{ type: SEVERITY_TYPE[m.cvss.version] ?? "CVSS_V3", score: m.cvss.vector }]
      : [],
    affected: [
      {
        package: { ecosystem: CRATES_IO, name: m.package, purl: `pkg:cargo/${m.package}` },
        ecosystem_specific: {
          affects: {
            arch: [...(affected?.arch ?? [])],
            os: [...(affected?.os ?? [])],
            functions: [...(affected?.functions.keys() ?? [])].sort(compareFunctionPaths),
          },
          affected_functions: null,
        },
        database_specific: {
          categories: [...m.categories],
          cvss: m.cvss?.vector ?? null,
          informational: m.informational,
        },
        ranges: [{ type: "SEMVER", events: events(advisory) }],
        versions: [],
      },
    ],
    references: osvReferences(advisory),
    database_specific: { license: m.license },
  };
  return record;
}

/** What `rustsec-admin osv` exports: crates/ only, no drafts, no unknown informational kinds. */
export function isExported(advisory: Advisory): boolean {
  const m = advisory.metadata;
  if (m.collection !== "crates" || m.id === DRAFT_ID) return false;
  return (
    m.informational === null || (KNOWN_INFORMATIONAL as readonly string[]).includes(m.informational)
  );
}

/** `JSON.stringify(…, null, 2)` is byte-identical to serde_json's pretty printer here (no final newline). */
export const formatOsv = (record: OsvRecord): string => JSON.stringify(record, null, 2);

/**
 * Writes `<ID>.json` for every exported advisory of `db` into `outDir`; returns the ids written.
 * `modified` comes from git history when the database is a checkout, else from file mtimes.
 */
export async function exportOsv(db: Database, outDir: string): Promise<string[]> {
  const dir = db.provenance.path;
  const times = dir === null ? null : await modifiedTimes(dir);
  const now = new Date();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const advisory of db.advisories()) {
    if (!isExported(advisory)) continue;
    const rel = db.sourceOf(advisory);
    const modified = times && rel !== null ? times(rel) : now;
    writeFileSync(
      join(outDir, `${advisory.metadata.id}.json`),
      formatOsv(advisoryToOsv(advisory, modified)),
    );
    written.push(advisory.metadata.id);
  }
  return written;
}

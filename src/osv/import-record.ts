/**
 * One OSV record → Advisories (one per crates.io package it names). Accepts RustSec's own export
 * and GHSA-style records: SEMVER/ECOSYSTEM ranges (crates.io versions are SemVer, so both read
 * the same), `introduced`/`fixed`/`last_affected` events, `versions` lists, CVSS severities.
 * GIT ranges carry no crate versions and are ignored.
 */
import { CvssError, parseCvss } from "../advisory/cvss.js";
import { idKind } from "../advisory/id.js";
import type { Advisory, Affected, Cvss, Severity } from "../advisory/model.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { type AffectedRange, increment, SemverError, VersionReq } from "../semver/index.js";
import { locateValue } from "./json-location.js";
import {
  type Event,
  eventsToRanges,
  parseOsvVersion,
  requirementsFor,
  sortRanges,
} from "./ranges.js";
import { CRATES_IO } from "./types.js";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

class RecordError extends Error {
  constructor(
    message: string,
    readonly needle?: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

export interface ImportedRecord {
  readonly advisories: Advisory[];
  readonly diagnostics: Diagnostic[];
  /** `modified` of the record, when valid. */
  readonly modified: Date | null;
}

/** GHSA's qualitative `database_specific.severity`, for records without a CVSS vector. */
const GHSA_SEVERITY: Record<string, Severity> = {
  LOW: "low",
  MODERATE: "medium",
  MEDIUM: "medium",
  HIGH: "high",
  CRITICAL: "critical",
};

// The Advisory model has no field for a severity without a vector; imported labels live here.
const labels = new WeakMap<Advisory, Severity>();

/** The qualitative severity an OSV record gave without a CVSS vector (GHSA `MODERATE`…), if any. */
export function osvSeverityLabel(advisory: Advisory): Severity | null {
  return labels.get(advisory) ?? null;
}

function parseVersionAt(text: string, key: string) {
  try {
    return parseOsvVersion(text);
  } catch (e) {
    if (e instanceof SemverError)
      throw new RecordError(`invalid version "${text}": ${e.message}`, text, key);
    throw e;
  }
}

function rangesOf(entry: Json, warn: (msg: string) => void): AffectedRange[] {
  const out: AffectedRange[] = [];
  const ranges = entry.ranges ?? [];
  if (!Array.isArray(ranges)) throw new RecordError("`ranges` must be an array", "ranges");
  for (const range of ranges) {
    if (!isObject(range)) throw new RecordError("a range must be an object", "ranges");
    if (range.type === "GIT") continue;
    if (range.type !== "SEMVER" && range.type !== "ECOSYSTEM") {
      warn(`range type ${JSON.stringify(range.type)} ignored`);
      continue;
    }
    if (!Array.isArray(range.events)) throw new RecordError("`events` must be an array", "events");
    const events: Event[] = [];
    for (const ev of range.events) {
      if (!isObject(ev)) throw new RecordError("an event must be an object", "events");
      const [kind, value] = Object.entries(ev)[0] ?? [];
      if (kind === "limit") continue;
      if (kind !== "introduced" && kind !== "fixed" && kind !== "last_affected") {
        throw new RecordError(`unknown event ${JSON.stringify(kind)}`, String(kind));
      }
      if (typeof value !== "string") throw new RecordError(`\`${kind}\` must be a string`, kind);
      const unbounded = kind === "introduced" && (value === "0" || value === "0.0.0-0");
      events.push({ kind, version: unbounded ? null : parseVersionAt(value, kind) });
    }
    out.push(...eventsToRanges(events));
  }
  for (const v of strings(entry.versions)) {
    const version = parseVersionAt(v, "versions");
    out.push({ introduced: version, fixed: increment(version) });
  }
  // OSV: an entry with neither ranges nor versions affects every version.
  if (ranges.length === 0 && strings(entry.versions).length === 0) {
    out.push({ introduced: null, fixed: null });
  }
  return out;
}

function cvssOf(record: Json, entry: Json, warn: (msg: string) => void): Cvss | null {
  const dbs = isObject(entry.database_specific) ? entry.database_specific : {};
  const vectors = [str(dbs.cvss)];
  if (Array.isArray(record.severity)) {
    for (const s of record.severity) {
      if (isObject(s) && /^CVSS_V[234]$/.test(String(s.type))) vectors.push(str(s.score));
    }
  }
  for (const v of vectors) {
    if (v === null) continue;
    try {
      return parseCvss(v);
    } catch (e) {
      if (!(e instanceof CvssError)) throw e;
      warn(`CVSS vector ${JSON.stringify(v)} ignored: ${e.message}`);
    }
  }
  return null;
}

function affectedOf(entry: Json): Affected | null {
  const eco = isObject(entry.ecosystem_specific) ? entry.ecosystem_specific : {};
  const affects = isObject(eco.affects) ? eco.affects : {};
  const paths = [...strings(affects.functions), ...strings(eco.affected_functions)];
  const arch = strings(affects.arch);
  const os = strings(affects.os);
  if (paths.length === 0 && arch.length === 0 && os.length === 0) return null;
  // The export drops the per-function requirements, so an imported function applies to all versions.
  return { arch, os, functions: new Map(paths.map((p) => [p, [VersionReq.STAR]])) };
}

const datePart = (v: unknown): string | null => {
  const s = str(v);
  return s !== null && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : null;
};

/** The references minus the first crates.io page and rustsec.org page (rustsec adds those itself). */
function splitReferences(
  record: Json,
  id: string,
  pkg: string,
): { url: string | null; rest: string[] } {
  const synthetic = [
    `https://crates.io/crates/${pkg}`,
    `https://rustsec.org/advisories/${id}.html`,
  ];
  const urls = (Array.isArray(record.references) ? record.references : [])
    .map((r) => (isObject(r) ? str(r.url) : null))
    .filter((u): u is string => u !== null);
  for (const s of synthetic) {
    const i = urls.indexOf(s);
    if (i !== -1) urls.splice(i, 1);
  }
  return { url: urls[0] ?? null, rest: urls.slice(1) };
}

function licenseOf(record: Json, id: string): string {
  const dbs = isObject(record.database_specific) ? record.database_specific : {};
  // GitHub's advisory data is CC-BY-4.0; RustSec's export states its license.
  return str(dbs.license) ?? (id.startsWith("GHSA-") ? "CC-BY-4.0" : "CC0-1.0");
}

function toAdvisories(record: Json, warn: (msg: string) => void): Advisory[] {
  const id = str(record.id);
  if (!id) throw new RecordError("missing `id`", "id");
  const affected = Array.isArray(record.affected) ? record.affected : [];
  const byPackage = new Map<string, Json[]>();
  for (const entry of affected) {
    if (!isObject(entry) || !isObject(entry.package) || entry.package.ecosystem !== CRATES_IO)
      continue;
    const name = str(entry.package.name);
    if (!name) throw new RecordError("crates.io package without a `name`", "package");
    byPackage.set(name, [...(byPackage.get(name) ?? []), entry]);
  }
  if (byPackage.size === 0) return [];
  const date = datePart(record.published) ?? datePart(record.modified);
  if (!date) throw new RecordError("missing or invalid `published` date", "published");
  const out: Advisory[] = [];
  for (const [pkg, entries] of byPackage) {
    const first = entries[0] as Json;
    const dbs = isObject(first.database_specific) ? first.database_specific : {};
    const ranges = sortRanges(entries.flatMap((e) => rangesOf(e, warn)));
    const { url, rest } = splitReferences(record, id, pkg);
    const advisory: Advisory = {
      metadata: {
        id,
        idKind: idKind(id),
        package: pkg,
        title: str(record.summary) ?? id,
        description: str(record.details) ?? "",
        date,
        aliases: strings(record.aliases),
        related: strings(record.related),
        collection: "crates",
        categories: strings(dbs.categories),
        keywords: [],
        cvss: cvssOf(record, first, warn),
        informational: str(dbs.informational),
        references: rest,
        source: null,
        url,
        withdrawn: datePart(record.withdrawn),
        license: licenseOf(record, id),
        expectDeleted: false,
      },
      affected: affectedOf(first),
      versions: { ...requirementsFor(ranges), ranges },
    };
    const label = isObject(record.database_specific)
      ? str(record.database_specific.severity)
      : null;
    const severity = label ? GHSA_SEVERITY[label.toUpperCase()] : undefined;
    if (!advisory.metadata.cvss && severity) labels.set(advisory, severity);
    out.push(advisory);
  }
  return out;
}

/**
 * Converts a parsed OSV record. `text` (the file's JSON) only serves to locate diagnostics.
 * A record without crates.io packages yields nothing; an invalid one yields one error.
 */
export function importOsvRecord(record: unknown, path: string, text = ""): ImportedRecord {
  const diagnostics: Diagnostic[] = [];
  const warn = (msg: string) => diagnostics.push(diagnostic(path, 1, 1, msg, "warning"));
  if (!isObject(record)) {
    return {
      advisories: [],
      diagnostics: [diagnostic(path, 1, 1, "an OSV record must be a JSON object")],
      modified: null,
    };
  }
  const modifiedText = str(record.modified);
  const modified =
    modifiedText && !Number.isNaN(Date.parse(modifiedText)) ? new Date(modifiedText) : null;
  try {
    return { advisories: toAdvisories(record, warn), diagnostics, modified };
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    const at = e.needle ? locateValue(text, e.needle, e.key) : { line: 1, col: 1 };
    diagnostics.push(diagnostic(path, at.line, at.col, `invalid OSV record: ${e.message}`));
    return { advisories: [], diagnostics, modified };
  }
}

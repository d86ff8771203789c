/**
 * The JSON audit report: exactly cargo-audit's (`serde_json` of `rustsec::Report`, one line and a
 * newline; specs/rustsec.md §3), so tools that read cargo-audit output read this unchanged.
 *
 * cratesec's additions, all placed after cargo-audit's own keys so positional readers are safe:
 * - `dependency_paths` on every vulnerability and warning: `[["root@1.0.0", "mid@2.1.0",
 *   "vuln@0.3.1"], …]`, `name@version` strings, root first, the finding's package last
 *   (cargo-audit's JSON has no dependency information at all, rustsec#227);
 * - a top-level `cratesec` object: `ignored` (findings an ignore entry suppressed),
 *   `unused_ignores`, `expired_ignores` and `notices`.
 */

import type { Advisory } from "../advisory/model.js";
import type { IgnoreEntry } from "../audit/config.js";
import type {
  AuditedPackage,
  AuditReport,
  DependencyPath,
  IgnoredFinding,
  PackageRef,
  Vulnerability,
  Warning,
} from "../audit/report.js";
import { advisoryMetadataJson, affectedJson, versionsJson } from "./advisory-json.js";
import { packageSpec, warningsByKind } from "./audit-common.js";

/**
 * `humantime::format_rfc3339` of the commit time: UTC, no fraction when it is whole seconds
 * (git times always are), milliseconds otherwise.
 */
export function rfc3339(date: Date | null): string | null {
  if (date === null || Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.000Z$/, "Z");
}

const dependencyJson = (d: PackageRef): Record<string, unknown> => ({
  name: d.name,
  version: d.version,
  source: d.source,
});

/** cargo-lock's `Package`: `dependencies` is left out when empty; cratesec never sees `replace`. */
export function packageJson(p: AuditedPackage): Record<string, unknown> {
  const json: Record<string, unknown> = {
    name: p.name,
    version: p.version.toString(),
    source: p.source,
    checksum: p.checksum,
  };
  if (p.dependencies.length > 0) json.dependencies = p.dependencies.map(dependencyJson);
  json.replace = null;
  return json;
}

const pathsJson = (paths: readonly DependencyPath[]): string[][] =>
  paths.map((path) => path.map(packageSpec));

function vulnerabilityJson(v: Vulnerability): Record<string, unknown> {
  return {
    advisory: advisoryMetadataJson(v.advisory),
    versions: versionsJson(v.advisory),
    affected: affectedJson(v.advisory.affected),
    package: packageJson(v.package),
    dependency_paths: pathsJson(v.paths), // cratesec addition
  };
}

function warningJson(w: Warning): Record<string, unknown> {
  return {
    kind: w.kind,
    package: packageJson(w.package),
    advisory: w.advisory ? advisoryMetadataJson(w.advisory) : null,
    affected: w.advisory ? affectedJson(w.advisory.affected) : null,
    versions: w.advisory ? versionsJson(w.advisory) : null,
    dependency_paths: pathsJson(w.paths), // cratesec addition
  };
}

const ignoreEntryJson = (e: IgnoreEntry): Record<string, unknown> => ({
  id: e.id,
  reason: e.reason,
  until: e.until,
  origin: e.origin,
});

const ignoredJson = (f: IgnoredFinding): Record<string, unknown> => ({
  id: f.advisory.metadata.id,
  package: { name: f.package.name, version: f.package.version.toString() },
  ignore: ignoreEntryJson(f.entry),
});

/** The report as a JSON value (key order is the contract; see the module comment). */
export function auditReportJson(report: AuditReport): Record<string, unknown> {
  const warnings: Record<string, unknown> = {};
  for (const [kind, list] of warningsByKind(report.warnings))
    warnings[kind] = list.map(warningJson);
  return {
    database: {
      "advisory-count": report.database.advisoryCount,
      "last-commit": report.database.lastCommit,
      "last-updated": rfc3339(report.database.lastUpdated),
    },
    lockfile: { "dependency-count": report.lockfile.dependencyCount },
    settings: {
      target_arch: [...report.settings.targetArch],
      target_os: [...report.settings.targetOs],
      severity: report.settings.severity,
      ignore: [...report.settings.ignore],
      informational_warnings: [...report.settings.informationalWarnings],
    },
    vulnerabilities: {
      found: report.vulnerabilities.length > 0,
      count: report.vulnerabilities.length,
      list: report.vulnerabilities.map(vulnerabilityJson),
    },
    warnings,
    // cratesec addition: what cargo-audit would drop silently.
    cratesec: {
      ignored: report.ignored.map(ignoredJson),
      unused_ignores: report.unusedIgnores.map(ignoreEntryJson),
      expired_ignores: report.expiredIgnores.map(ignoreEntryJson),
      notices: [...report.notices],
    },
  };
}

/**
 * The serialised advisory parts of a finding. Advisories are immutable and recur across the
 * reports of a batch (and across findings of one report), and their long descriptions are most
 * of the JSON, so each is serialised once.
 */
interface AdvisoryJsonText {
  readonly metadata: string;
  readonly versions: string;
  readonly affected: string;
}
const advisoryTexts = new WeakMap<Advisory, AdvisoryJsonText>();

function advisoryText(advisory: Advisory): AdvisoryJsonText {
  let text = advisoryTexts.get(advisory);
  if (!text) {
    text = {
      metadata: JSON.stringify(advisoryMetadataJson(advisory)),
      versions: JSON.stringify(versionsJson(advisory)),
      affected: JSON.stringify(affectedJson(advisory.affected)),
    };
    advisoryTexts.set(advisory, text);
  }
  return text;
}

function vulnerabilityText(v: Vulnerability): string {
  const a = advisoryText(v.advisory);
  return (
    `{"advisory":${a.metadata},"versions":${a.versions},"affected":${a.affected},` +
    `"package":${JSON.stringify(packageJson(v.package))},"dependency_paths":${JSON.stringify(pathsJson(v.paths))}}`
  );
}

function warningText(w: Warning): string {
  const a = w.advisory ? advisoryText(w.advisory) : null;
  return (
    `{"kind":${JSON.stringify(w.kind)},"package":${JSON.stringify(packageJson(w.package))},` +
    `"advisory":${a?.metadata ?? "null"},"affected":${a?.affected ?? "null"},"versions":${a?.versions ?? "null"},` +
    `"dependency_paths":${JSON.stringify(pathsJson(w.paths))}}`
  );
}

/**
 * `--format json`: one line, then `\n` (cargo-audit 0.22.1+). Byte for byte
 * `JSON.stringify(auditReportJson(report))` (a test holds it to that), assembled from cached
 * advisory texts so batch audits do not re-serialise the same descriptions.
 */
export function renderAuditJson(report: AuditReport): string {
  // The small parts come from the object form, so the two cannot drift apart.
  const { database, lockfile, settings, cratesec } = auditReportJson({
    ...report,
    vulnerabilities: [],
    warnings: [],
  });
  const warningGroups = [...warningsByKind(report.warnings)].map(
    ([kind, list]) => `${JSON.stringify(kind)}:[${list.map(warningText).join(",")}]`,
  );
  const found = report.vulnerabilities.length > 0;
  return (
    `{"database":${JSON.stringify(database)},"lockfile":${JSON.stringify(lockfile)},` +
    `"settings":${JSON.stringify(settings)},` +
    `"vulnerabilities":{"found":${found},"count":${report.vulnerabilities.length},` +
    `"list":[${report.vulnerabilities.map(vulnerabilityText).join(",")}]},` +
    `"warnings":{${warningGroups.join(",")}},"cratesec":${JSON.stringify(cratesec)}}\n`
  );
}

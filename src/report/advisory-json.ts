import type { Advisory, Affected } from "../advisory/model.js";

/**
 * The advisory as JSON, in rustsec's serde layout (the `Metadata` field order cargo-audit's JSON
 * report uses), so consumers of cargo-audit output can read it unchanged.
 */
export function advisoryMetadataJson(advisory: Advisory): Record<string, unknown> {
  const m = advisory.metadata;
  return {
    id: m.id,
    package: m.package,
    title: m.title,
    description: m.description,
    date: m.date,
    aliases: [...m.aliases],
    related: [...m.related],
    collection: m.collection,
    categories: [...m.categories],
    keywords: [...m.keywords],
    cvss: m.cvss?.vector ?? null,
    informational: m.informational,
    references: [...m.references],
    source: m.source,
    url: m.url,
    withdrawn: m.withdrawn,
    license: m.license,
    "expect-deleted": m.expectDeleted,
  };
}

export function affectedJson(affected: Affected | null): Record<string, unknown> | null {
  if (affected === null) return null;
  const functions: Record<string, string[]> = {};
  for (const [path, reqs] of affected.functions) functions[path] = reqs.map(String);
  return { arch: [...affected.arch], os: [...affected.os], functions };
}

export function versionsJson(advisory: Advisory): Record<string, string[]> {
  return {
    patched: advisory.versions.patched.map(String),
    unaffected: advisory.versions.unaffected.map(String),
  };
}

/** `advisories show --json`: everything cratesec knows about one advisory. */
export function advisoryJson(advisory: Advisory): Record<string, unknown> {
  const cvss = advisory.metadata.cvss;
  return {
    advisory: advisoryMetadataJson(advisory),
    affected: affectedJson(advisory.affected),
    versions: versionsJson(advisory),
    severity: cvss
      ? { score: cvss.baseScore, severity: cvss.severity, version: cvss.version }
      : null,
    affected_ranges: advisory.versions.ranges.map((r) => ({
      introduced: r.introduced?.toString() ?? null,
      fixed: r.fixed?.toString() ?? null,
    })),
  };
}

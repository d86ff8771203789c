/**
 * The OSV records RustSec exports (specs/rustsec.md §4), with keys declared in the order
 * rustsec's serializer writes them. Import reads a wider shape (see import.ts).
 */

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string };

export interface OsvRange {
  type: "SEMVER" | "ECOSYSTEM" | "GIT";
  events: OsvEvent[];
}

export type OsvReferenceType = "ADVISORY" | "ARTICLE" | "REPORT" | "FIX" | "PACKAGE" | "WEB";

export interface OsvReference {
  type: OsvReferenceType;
  url: string;
}

export interface OsvSeverity {
  type: "CVSS_V2" | "CVSS_V3" | "CVSS_V4";
  score: string;
}

export interface OsvAffected {
  package: { ecosystem: string; name: string; purl: string };
  ecosystem_specific: {
    affects: { arch: string[]; os: string[]; functions: string[] };
    affected_functions: null;
  };
  database_specific: { categories: string[]; cvss: string | null; informational: string | null };
  ranges: OsvRange[];
  versions: string[];
}

export interface OsvRecord {
  id: string;
  modified: string;
  published: string;
  withdrawn?: string;
  aliases: string[];
  related: string[];
  summary: string;
  details: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: OsvReference[];
  database_specific: { license: string };
}

export const CRATES_IO = "crates.io";

/**
 * The validated, in-memory model of one RustSec advisory (specs/rustsec.md §1.2–1.4).
 * Only `parseAdvisory` creates these; everything downstream may trust them.
 */
import type { AffectedRange, VersionReq } from "../semver/index.js";

export type IdKind = "RUSTSEC" | "CVE" | "GHSA" | "TALOS" | "Other";

export type Collection = "crates" | "rust";

export const KNOWN_CATEGORIES = [
  "code-execution",
  "crypto-failure",
  "denial-of-service",
  "file-disclosure",
  "format-injection",
  "malicious",
  "memory-corruption",
  "memory-exposure",
  "privilege-escalation",
  "thread-safety",
] as const;

export const KNOWN_INFORMATIONAL = ["notice", "unmaintained", "unsound"] as const;
export type InformationalKind = (typeof KNOWN_INFORMATIONAL)[number];

export const LICENSES = ["CC0-1.0", "CC-BY-4.0"] as const;
export type License = (typeof LICENSES)[number];

export type CvssVersion = "2.0" | "3.0" | "3.1" | "4.0";
export type Severity = "none" | "low" | "medium" | "high" | "critical";

export interface Cvss {
  /** The vector exactly as written in the advisory. */
  readonly vector: string;
  readonly version: CvssVersion;
  readonly baseScore: number;
  readonly severity: Severity;
}

export interface AdvisoryMetadata {
  readonly id: string;
  readonly idKind: IdKind;
  readonly package: string;
  /** From the Markdown `# ` heading. */
  readonly title: string;
  /** The Markdown after the heading, trimmed. */
  readonly description: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  /** Inferred from the directory when loaded from a database; null for a lone file. */
  readonly collection: Collection | null;
  /** Known categories and, verbatim, unknown ones (the linter flags those). */
  readonly categories: readonly string[];
  readonly keywords: readonly string[];
  readonly cvss: Cvss | null;
  /** `notice` | `unmaintained` | `unsound`, or an unknown kind verbatim (linter-flagged). */
  readonly informational: string | null;
  readonly references: readonly string[];
  /** Cargo SourceId string; null means crates.io. */
  readonly source: string | null;
  readonly url: string | null;
  /** `YYYY-MM-DD` when the advisory was withdrawn. */
  readonly withdrawn: string | null;
  /** `CC0-1.0` (the default) or `CC-BY-4.0`; an unknown value verbatim (the linter flags it). */
  readonly license: License | (string & {});
  readonly expectDeleted: boolean;
}

export interface Affected {
  readonly arch: readonly string[];
  readonly os: readonly string[];
  /** Canonical path (`crate::Type::method`) → Cargo requirements (matched with `VersionReq.matches`). */
  readonly functions: ReadonlyMap<string, readonly VersionReq[]>;
}

export interface Versions {
  readonly patched: readonly VersionReq[];
  readonly unaffected: readonly VersionReq[];
  /** The §2 affected ranges, computed once at parse time (the parse fails when they cannot be). */
  readonly ranges: readonly AffectedRange[];
}

export interface Advisory {
  readonly metadata: AdvisoryMetadata;
  readonly affected: Affected | null;
  readonly versions: Versions;
}

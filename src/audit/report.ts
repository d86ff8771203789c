/**
 * The result of an audit: what was found, in a form every renderer (terminal, JSON, SARIF,
 * Markdown) takes as it is. Produced by `auditPackages`; never printed here.
 */
import type { Advisory, Severity } from "../advisory/model.js";
import type { Version } from "../semver/index.js";
import type { IgnoreEntry, InformationalWarningKind } from "./config.js";

export type WarningKind = "notice" | "unmaintained" | "unsound" | "yanked";
export const WARNING_KINDS: readonly WarningKind[] = [
  "notice",
  "unmaintained",
  "unsound",
  "yanked",
];

/** A dependency reference as Cargo.lock writes it. */
export interface PackageRef {
  readonly name: string;
  readonly version: string;
  readonly source: string | null;
}

/** One package of the audited project (a Cargo.lock `[[package]]` or an entry of a binary's audit data). */
export interface AuditedPackage {
  readonly name: string;
  readonly version: Version;
  /** The source string as Cargo.lock writes it (`registry+https://…`, `sparse+https://…`, `git+…`), null for path/workspace crates. */
  readonly source: string | null;
  readonly checksum: string | null;
  readonly dependencies: readonly PackageRef[];
  /** 1-based line of the package's `[[package]]` header in the lockfile; null when not from a lockfile. */
  readonly line: number | null;
}

/** A chain of packages from a root (workspace member / binary) down to the finding's package. */
export type DependencyPath = readonly AuditedPackage[];

/** The inverse dependency tree: a package and, recursively, what depends on it (up to the roots). */
export interface DependentsTree {
  readonly package: AuditedPackage;
  readonly dependents: readonly DependentsTree[];
  /** True when this package's dependents were already printed higher up in the tree. */
  readonly elided: boolean;
}

interface FindingBase {
  readonly package: AuditedPackage;
  /** Shortest paths from a root to the package, at most a few. */
  readonly paths: readonly DependencyPath[];
  /** Null with `--quiet` / `show_tree = false`. */
  readonly tree: DependentsTree | null;
}

export interface Vulnerability extends FindingBase {
  readonly advisory: Advisory;
}

export interface Warning extends FindingBase {
  readonly kind: WarningKind;
  /** Null for yanked warnings. */
  readonly advisory: Advisory | null;
  /** True when `--deny` makes this warning fail the audit. */
  readonly denied: boolean;
}

/** A finding an ignore entry suppressed: still shown as a note, never silently dropped. */
export interface IgnoredFinding {
  readonly advisory: Advisory;
  readonly package: AuditedPackage;
  readonly entry: IgnoreEntry;
}

export interface AuditSettingsSummary {
  readonly targetArch: readonly string[];
  readonly targetOs: readonly string[];
  readonly severity: Severity | null;
  readonly ignore: readonly string[];
  readonly informationalWarnings: readonly InformationalWarningKind[];
}

export interface AuditReport {
  readonly database: {
    readonly advisoryCount: number;
    readonly lastCommit: string | null;
    readonly lastUpdated: Date | null;
    readonly path: string | null;
  };
  readonly lockfile: {
    /** The audited file (Cargo.lock, a binary, or `-` for stdin). */
    readonly path: string;
    readonly dependencyCount: number;
  };
  readonly settings: AuditSettingsSummary;
  readonly vulnerabilities: readonly Vulnerability[];
  readonly warnings: readonly Warning[];
  readonly ignored: readonly IgnoredFinding[];
  /** Ignore entries that matched nothing (worth deleting). */
  readonly unusedIgnores: readonly IgnoreEntry[];
  /** Ignore entries past their `until` date: they no longer apply. */
  readonly expiredIgnores: readonly IgnoreEntry[];
  /** One-line notes for the user, e.g. "couldn't check if packages are yanked: …". */
  readonly notices: readonly string[];
}

/** cargo-audit's rule: any vulnerability, or any warning made fatal by `--deny`, fails the audit. */
export function auditFailed(report: AuditReport): boolean {
  return report.vulnerabilities.length > 0 || report.warnings.some((w) => w.denied);
}

/** Small pieces the audit renderers share: package labels, dependency paths, warning groups. */
import {
  type AuditedPackage,
  type AuditReport,
  type DependencyPath,
  WARNING_KINDS,
  type Warning,
  type WarningKind,
} from "../audit/report.js";

/** `name version`, as cargo-audit and cargo-lock print a package. */
export const packageLabel = (p: AuditedPackage): string => `${p.name} ${p.version.toString()}`;

/** `name@version`, the form of cratesec's `dependency_paths`. */
export const packageSpec = (p: AuditedPackage): string => `${p.name}@${p.version.toString()}`;

/** `root 1.0.0 → mid 2.1.0 → vuln 0.3.1`. */
export const pathLabel = (path: DependencyPath): string => path.map(packageLabel).join(" → ");

/** Identity of a package across findings (cargo-lock's `Dependency`: name, version, source). */
export const packageKey = (p: AuditedPackage): string =>
  `${p.name}\u0000${p.version.toString()}\u0000${p.source ?? ""}`;

/**
 * The warnings grouped as rustsec's `BTreeMap<WarningKind, Vec<Warning>>`: kinds in the order
 * notice, unmaintained, unsound, yanked; only non-empty kinds; report order within a kind.
 */
export function warningsByKind(
  warnings: readonly Warning[],
): Array<readonly [WarningKind, readonly Warning[]]> {
  const groups: Array<readonly [WarningKind, readonly Warning[]]> = [];
  for (const kind of WARNING_KINDS) {
    const list = warnings.filter((w) => w.kind === kind);
    if (list.length > 0) groups.push([kind, list]);
  }
  return groups;
}

/** Warnings in rendering order (grouped by kind). */
export const orderedWarnings = (warnings: readonly Warning[]): Warning[] =>
  warningsByKind(warnings).flatMap(([, list]) => list);

/** cargo-audit's `count_warnings`: (denied, allowed). */
export function countWarnings(report: AuditReport): { denied: number; allowed: number } {
  const denied = report.warnings.filter((w) => w.denied).length;
  return { denied, allowed: report.warnings.length - denied };
}

/** `1 vulnerability`, `2 vulnerabilities`, `1 warning`, `3 warnings`. */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

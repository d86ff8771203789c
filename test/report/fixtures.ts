/**
 * Hand-built audit reports over real advisories of the shared advisory database, for the
 * renderer tests. Packages, paths and trees are made up; the advisories are real.
 */
import type { Advisory } from "../../src/advisory/model.js";
import type { IgnoreEntry } from "../../src/audit/config.js";
import type {
  AuditedPackage,
  AuditReport,
  DependencyPath,
  DependentsTree,
  PackageRef,
  Vulnerability,
  Warning,
  WarningKind,
} from "../../src/audit/report.js";
import { loadDatabase } from "../../src/database/index.js";
import { Version } from "../../src/semver/index.js";
import { advisoryDbDir } from "../support/paths.js";

const { database } = loadDatabase(advisoryDbDir, { useCache: false });

export function advisory(id: string): Advisory {
  const found = database.get(id);
  if (!found) throw new Error(`advisory ${id} is not in the shared database`);
  return found;
}

/** CVSS 3.1 7.5 high, patched `>= 0.9.1`, CC0. */
export const ABI_STABLE = advisory("RUSTSEC-2020-0105");
/** Informational `unmaintained`, no patched versions. */
export const JSON_UNMAINTAINED = advisory("RUSTSEC-2022-0081");
/** Informational `unsound`, `[affected] os = ["windows"]`. */
export const ATTY_UNSOUND = advisory("RUSTSEC-2021-0145");
/** CC-BY-4.0: the `url` must be shown instead of the RUSTSEC page. CVSS 3.1. */
export const ML_DSA_CC_BY = advisory("RUSTSEC-2025-0144");
/** `[affected.functions]`, CVSS 4.0, two patched ranges. */
export const LZ4_FUNCTIONS = advisory("RUSTSEC-2026-0041");

export const CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";

export function pkg(
  name: string,
  version: string,
  opts: {
    source?: string | null;
    checksum?: string | null;
    deps?: readonly AuditedPackage[];
    line?: number | null;
  } = {},
): AuditedPackage {
  const deps: PackageRef[] = (opts.deps ?? []).map((d) => ({
    name: d.name,
    version: d.version.toString(),
    source: d.source,
  }));
  return {
    name,
    version: Version.parse(version),
    source: opts.source === undefined ? CRATES_IO : opts.source,
    checksum: opts.checksum ?? null,
    dependencies: deps,
    line: opts.line === undefined ? null : opts.line,
  };
}

export function tree(
  p: AuditedPackage,
  dependents: readonly DependentsTree[] = [],
  elided = false,
): DependentsTree {
  return { package: p, dependents, elided };
}

// The made-up project: app → {abi_stable, mid, json}; mid → {abi_stable, yanked-crate}.
export const ABI = pkg("abi_stable", "0.9.0", {
  checksum: "8c0e4d4a9cf26d7b4a3d58a3c7c7d8aa2f2a8b6d6f0d7c9dc5e9bba1e0a4f5c1",
  line: 5,
});
export const JSON_PKG = pkg("json", "0.12.4", {
  checksum: "078e285eafdfb6c4b434e0d31e8cfcb5115b651496faca5749b88fafd4f23bfd",
  line: 17,
});
export const YANKED = pkg("yanked-crate", "0.1.0", {
  checksum: "0000000000000000000000000000000000000000000000000000000000000001",
  line: 29,
});
export const MID = pkg("mid", "2.1.0", {
  checksum: "1111111111111111111111111111111111111111111111111111111111111111",
  deps: [ABI, YANKED],
  line: 23,
});
export const APP = pkg("app", "0.1.0", {
  source: null,
  deps: [ABI, JSON_PKG, MID],
  line: 1,
});

export function vulnerability(
  adv: Advisory,
  p: AuditedPackage,
  paths: readonly DependencyPath[],
  t: DependentsTree | null,
): Vulnerability {
  return { advisory: adv, package: p, paths, tree: t };
}

export function warning(
  kind: WarningKind,
  adv: Advisory | null,
  p: AuditedPackage,
  paths: readonly DependencyPath[],
  t: DependentsTree | null,
  denied = false,
): Warning {
  return { kind, advisory: adv, package: p, paths, tree: t, denied };
}

export function ignoreEntry(
  id: string,
  reason: string | null = null,
  until: string | null = null,
  origin = ".cargo/audit.toml",
): IgnoreEntry {
  return { id, reason, until, origin };
}

export function report(parts: Partial<AuditReport> = {}): AuditReport {
  return {
    database: {
      advisoryCount: 1001,
      lastCommit: "be6e70abbbc6be4aa1b768b234766d087731da2d",
      lastUpdated: new Date("2026-05-27T15:33:53Z"),
      path: "/home/ci/.cargo/advisory-db",
    },
    lockfile: { path: "Cargo.lock", dependencyCount: 5 },
    settings: {
      targetArch: [],
      targetOs: [],
      severity: null,
      ignore: [],
      informationalWarnings: ["unmaintained", "unsound", "notice"],
    },
    vulnerabilities: [],
    warnings: [],
    ignored: [],
    unusedIgnores: [],
    expiredIgnores: [],
    notices: [],
    ...parts,
  };
}

export const ABI_TREE = tree(ABI, [tree(APP), tree(MID, [tree(APP)])]);
export const ABI_PATHS: DependencyPath[] = [
  [APP, ABI],
  [APP, MID, ABI],
];

/** The small report of the JSON fixture: one vulnerability, one unmaintained, one yanked. */
export function smallReport(): AuditReport {
  return report({
    vulnerabilities: [vulnerability(ABI_STABLE, ABI, ABI_PATHS, ABI_TREE)],
    // Deliberately out of kind order: renderers group yanked after unmaintained.
    warnings: [
      warning("yanked", null, YANKED, [[APP, MID, YANKED]], tree(YANKED, [tree(MID, [tree(APP)])])),
      warning(
        "unmaintained",
        JSON_UNMAINTAINED,
        JSON_PKG,
        [[APP, JSON_PKG]],
        tree(JSON_PKG, [tree(APP)]),
      ),
    ],
  });
}

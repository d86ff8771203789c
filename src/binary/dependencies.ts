/**
 * §5 step 5: the scan result as lockfile-like packages for the audit layer. Only `crates.io`
 * packages are crates.io packages; every other source gets no registry, so advisories (which
 * only match the default registry, §2) never match them.
 */
import type { Version } from "../semver/index.js";
import type { BinaryScanResult, DependencyKind } from "./model.js";

/** A dependency edge as a lockfile records it: the target's name and version. */
export interface BinaryDependencyRef {
  readonly name: string;
  readonly version: Version;
}

export interface BinaryDependency {
  readonly name: string;
  readonly version: Version;
  readonly isCratesIo: boolean;
  readonly root: boolean;
  readonly kind: DependencyKind;
  readonly dependencies: readonly BinaryDependencyRef[];
}

/**
 * Every package of the result, dependency indexes resolved to name and version.
 * Build-time packages are kept, as cargo-audit keeps them.
 */
export function binaryPackagesAsDependencies(result: BinaryScanResult): BinaryDependency[] {
  const packages = result.packages;
  return packages.map((p) => ({
    name: p.name,
    version: p.version,
    isCratesIo: p.source === "crates.io",
    root: p.root,
    kind: p.kind,
    dependencies: p.dependencies.flatMap((i) => {
      const d = packages[i];
      return d === undefined ? [] : [{ name: d.name, version: d.version }];
    }),
  }));
}

import { Version } from "../../semver/index.js";
import { StoreError } from "./errors.js";

/**
 * The canonical form of a crate name, used for uniqueness: ASCII-lowercased with `-` and `_`
 * treated as the same character (crates.io's rule: `Foo-Bar`, `foo_bar` and `FOO-bar` collide).
 */
export function canonicalCrateName(name: string): string {
  return name.toLowerCase().replaceAll("-", "_");
}

/** The canonical form of a user name (case-insensitive uniqueness). */
export function canonicalUserName(name: string): string {
  return name.toLowerCase();
}

/**
 * A version without its build metadata (`1.0.0+abc` → `1.0.0`): SemVer ignores build metadata
 * for precedence, so two versions of one crate may not differ only in it. Throws
 * StoreError("invalid") for a string that is not a SemVer version.
 */
export function versionWithoutBuild(version: string): string {
  const v = Version.tryParse(version);
  if (v === null) throw new StoreError("invalid", `\`${version}\` is not a valid SemVer version`);
  const core = `${v.major}.${v.minor}.${v.patch}`;
  return v.pre === "" ? core : `${core}-${v.pre}`;
}

/** SemVer precedence of two version strings that are already known to be valid. */
export function compareVersionStrings(a: string, b: string): number {
  const va = Version.tryParse(a);
  const vb = Version.tryParse(b);
  if (va === null || vb === null) return a < b ? -1 : a > b ? 1 : 0;
  return va.compare(vb);
}

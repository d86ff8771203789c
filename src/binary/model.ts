/** The validated result model of a binary scan. */
import type { Version } from "../semver/index.js";
import type { BinaryFormat } from "./format.js";

/**
 * Where a package came from, as cargo-auditable records it: `crates.io`, `git`, `local`,
 * `registry` (any other registry), or any other string for sources added later.
 */
export type PackageSource = "crates.io" | "git" | "local" | "registry" | (string & {});

/** `build` for build-time only (build scripts, proc-macros in format >= 1), else `runtime`. */
export type DependencyKind = "runtime" | "build";

export interface BinaryPackage {
  readonly name: string;
  readonly version: Version;
  readonly source: PackageSource;
  readonly kind: DependencyKind;
  /** Indexes into the same `packages` array. */
  readonly dependencies: readonly number[];
  /** Exactly one package of complete audit data is the root (the binary's own crate). */
  readonly root: boolean;
}

/**
 * The audit data format revision (schema `format`), normalised the way the schema asks:
 * an unknown value counts as the highest known one below it.
 * 0: `cargo metadata`; 1: proc-macros recorded as build deps; 8: Cargo's SBOM precursor.
 */
export type AuditDataFormat = 0 | 1 | 8;

/** Full dependency list embedded by `cargo auditable`. */
export interface CompleteBinaryScan {
  readonly kind: "complete";
  readonly format: BinaryFormat;
  readonly complete: true;
  readonly auditFormat: AuditDataFormat;
  /** The `format` value as written in the payload (0 when absent). */
  readonly declaredAuditFormat: number;
  readonly packages: readonly BinaryPackage[];
}

/**
 * Crates recovered from panic-message paths: no graph, no root, all assumed from crates.io.
 * The caller warns "… was not built with 'cargo auditable', the report will be incomplete
 * (N dependencies recovered)".
 */
export interface IncompleteBinaryScan {
  readonly kind: "incomplete";
  readonly format: BinaryFormat;
  readonly complete: false;
  readonly packages: readonly BinaryPackage[];
  readonly recovered: number;
}

/** Neither audit data nor panic paths: probably not a Rust executable. */
export interface NoDependencyInfo {
  readonly kind: "none";
  readonly format: BinaryFormat;
  readonly complete: false;
  readonly packages: readonly [];
  readonly recovered: 0;
}

export type BinaryScanResult = CompleteBinaryScan | IncompleteBinaryScan | NoDependencyInfo;

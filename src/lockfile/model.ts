/**
 * A parsed Cargo.lock: packages with their dependencies resolved to the packages themselves, the
 * line of each `[[package]]` header, and (lazily, once) the dependency graph.
 */
import type { Version } from "../semver/index.js";
import { DependencyGraph } from "./graph.js";
import type { SourceId } from "./source.js";

/** 1 = checksums in `[metadata]`, 2 = inline checksums and short dependency entries (both without
 * a `version` key), 3 = `version = 3` (git `?branch=master` kept), 4 = `version = 4`. */
export type FormatVersion = 1 | 2 | 3 | 4;

export interface LockPackage {
  readonly name: string;
  readonly version: Version;
  /** null for path packages, i.e. workspace members and other local crates. */
  readonly source: SourceId | null;
  /** SHA-256 of the `.crate` as lowercase or uppercase hex as written; null when none (path, git). */
  readonly checksum: string | null;
  /** The packages this one depends on, resolved, in the lockfile's order, without repeats. */
  readonly dependencies: readonly LockPackage[];
  /** The package that replaces this one (the old `[replace]` feature); null normally. */
  readonly replace: LockPackage | null;
  /** 1-based line of this package's `[[package]]` header (0 if it could not be found). */
  readonly line: number;
  /** Position in `Lockfile.packages`. */
  readonly index: number;
  /** `name@version`, plus ` (source)` when another package has the same name and version. */
  readonly key: string;
}

/** An entry of `[[patch.unused]]`: a `[patch]` in Cargo.toml that the resolver did not use. */
export interface UnusedPatch {
  readonly name: string;
  readonly version: Version;
  readonly source: SourceId | null;
  readonly checksum: string | null;
  readonly line: number;
}

export class Lockfile {
  #graph: DependencyGraph | null = null;

  constructor(
    /** The path the lockfile was read from, as given (used in error and report locations). */
    readonly path: string,
    readonly formatVersion: FormatVersion,
    /** In file order; a legacy `[root]` package comes first. */
    readonly packages: readonly LockPackage[],
    /** The legacy `[root]` package (Cargo before 2017), also in `packages`; null normally. */
    readonly root: LockPackage | null,
    readonly patchUnused: readonly UnusedPatch[],
    /** `[metadata]` without the V1 `checksum …` entries (which became `LockPackage.checksum`). */
    readonly metadata: ReadonlyMap<string, string>,
  ) {}

  /** The dependency graph, built on first use and kept. */
  get graph(): DependencyGraph {
    if (this.#graph === null) this.#graph = new DependencyGraph(this);
    return this.#graph;
  }

  /** Packages nothing depends on, i.e. the workspace members (see `DependencyGraph.roots`). */
  roots(): readonly LockPackage[] {
    return this.graph.roots;
  }

  /** Packages named `name`, optionally of exactly this version (e.g. `"1.0.0"`). */
  find(name: string, version?: string): LockPackage[] {
    return this.packages.filter(
      (p) => p.name === name && (version === undefined || p.version.toString() === version),
    );
  }
}

/** A stable identifier for a package, unique within its lockfile: `name@version` or
 * `name@version (source)` when the lockfile has that name and version from several sources. */
export function packageKey(p: LockPackage): string {
  return p.key;
}

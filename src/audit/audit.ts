/**
 * The audit itself: which packages RustSec says are vulnerable, unmaintained, unsound or
 * yanked (specs/rustsec.md §2 "Query filter"). Pure logic over a loaded Database and a list of
 * packages; lockfiles, binaries and the yanked lookup are adapters around it.
 */
import type { Advisory, Severity } from "../advisory/model.js";
import type { Database } from "../database/index.js";
import { isCratesIo } from "../lockfile/index.js";
import type { DenyKind, IgnoreEntry, InformationalWarningKind } from "./config.js";
import { DEFAULT_INFORMATIONAL } from "./config.js";
import { IgnoreList } from "./ignores.js";
import type {
  AuditedPackage,
  AuditReport,
  DependencyPath,
  DependentsTree,
  IgnoredFinding,
  Vulnerability,
  Warning,
  WarningKind,
} from "./report.js";

export interface AuditOptions {
  readonly ignore?: readonly IgnoreEntry[];
  readonly informationalWarnings?: readonly InformationalWarningKind[];
  readonly severityThreshold?: Severity | null;
  readonly targetArch?: readonly string[];
  readonly targetOs?: readonly string[];
  readonly deny?: readonly DenyKind[];
  /** `YYYY-MM-DD`; ignore entries with an earlier `until` no longer apply. Default: today (UTC). */
  readonly today?: string;
  /** Extra advisory filter, e.g. "can this advisory's OS list run this binary format" (§5). */
  readonly advisoryApplies?: (advisory: Advisory) => boolean;
  /** Dependency trees are left out (`--quiet`, `show_tree = false`). */
  readonly withoutTrees?: boolean;
}

/** How packages relate, for paths and trees; a binary without a graph can use `noGraph`. */
export interface DependencyGraph {
  paths(pkg: AuditedPackage): readonly DependencyPath[];
  tree(pkg: AuditedPackage): DependentsTree | null;
}

export const noGraph: DependencyGraph = { paths: () => [], tree: () => null };

export interface AuditInput {
  /** What is being audited, for the report (`Cargo.lock`, a binary path, `-`). */
  readonly path: string;
  readonly packages: readonly AuditedPackage[];
  readonly graph: DependencyGraph;
  /** Packages the index says are yanked (from `checkYanked`), already filtered to this input. */
  readonly yanked?: readonly AuditedPackage[];
  readonly notices?: readonly string[];
}

function deniedKinds(deny: readonly DenyKind[]): Set<WarningKind> {
  const out = new Set<WarningKind>();
  for (const d of deny) {
    // `warnings` covers unmaintained, unsound and yanked; notices are never fatal (cargo-audit).
    if (d === "warnings")
      for (const k of ["unmaintained", "unsound", "yanked"] as const) out.add(k);
    else out.add(d);
  }
  return out;
}

/** The advisory's own `source` (rarely set) must be crates.io too, in either spelling. */
function advisoryForCratesIo(advisory: Advisory): boolean {
  const source = advisory.metadata.source;
  return source === null || isCratesIo(source) || isCratesIo(`registry+${source}`);
}

/** Where a finding's package sits in the dependency graph, worked out on first use. */
class FindingContext {
  #paths: readonly DependencyPath[] | undefined;
  #tree: DependentsTree | null | undefined;

  constructor(
    readonly pkg: AuditedPackage,
    private readonly graph: DependencyGraph,
    private readonly withoutTrees: boolean,
  ) {}

  get paths(): readonly DependencyPath[] {
    this.#paths ??= this.graph.paths(this.pkg);
    return this.#paths;
  }

  get tree(): DependentsTree | null {
    if (this.#tree === undefined) this.#tree = this.withoutTrees ? null : this.graph.tree(this.pkg);
    return this.#tree;
  }
}

/** The package, paths and tree of a finding, read through to the package's shared context. */
abstract class Finding {
  constructor(protected readonly ctx: FindingContext) {}

  get package(): AuditedPackage {
    return this.ctx.pkg;
  }

  get paths(): readonly DependencyPath[] {
    return this.ctx.paths;
  }

  get tree(): DependentsTree | null {
    return this.ctx.tree;
  }
}

class VulnerabilityFinding extends Finding implements Vulnerability {
  constructor(
    readonly advisory: Advisory,
    ctx: FindingContext,
  ) {
    super(ctx);
  }
}

class WarningFinding extends Finding implements Warning {
  constructor(
    readonly kind: WarningKind,
    readonly advisory: Advisory | null,
    readonly denied: boolean,
    ctx: FindingContext,
  ) {
    super(ctx);
  }
}

export function auditPackages(
  db: Database,
  input: AuditInput,
  opts: AuditOptions = {},
): AuditReport {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const ignores = new IgnoreList(opts.ignore ?? [], today);
  const denied = deniedKinds(opts.deny ?? []);
  const informational = new Set<string>(opts.informationalWarnings ?? DEFAULT_INFORMATIONAL);
  for (const kind of denied) if (kind !== "yanked") informational.add(kind);
  const query = {
    severity: opts.severityThreshold ?? undefined,
    targetArch: opts.targetArch,
    targetOs: opts.targetOs,
    informational: "any" as const,
  };
  const applies = (a: Advisory): boolean =>
    advisoryForCratesIo(a) && (opts.advisoryApplies === undefined || opts.advisoryApplies(a));

  const vulnerabilities: Vulnerability[] = [];
  const warnings: Warning[] = [];
  const ignored: IgnoredFinding[] = [];
  // Paths and trees are walks over the whole graph: computed when a renderer first asks, and
  // once per package however many findings it has.
  const contexts = new Map<AuditedPackage, FindingContext>();
  const context = (pkg: AuditedPackage): FindingContext => {
    let found = contexts.get(pkg);
    if (!found) {
      found = new FindingContext(pkg, input.graph, opts.withoutTrees === true);
      contexts.set(pkg, found);
    }
    return found;
  };

  for (const pkg of input.packages) {
    // Path, git, workspace and alternative-registry packages are never matched (§2 step 1).
    if (!isCratesIo(pkg.source) || !db.hasPackage(pkg.name)) continue;
    for (const advisory of db.affecting(pkg.name, pkg.version, query)) {
      if (!applies(advisory)) continue;
      const kind = advisory.metadata.informational;
      if (kind !== null && !informational.has(kind)) continue;
      const entry = ignores.match(advisory);
      if (entry) {
        ignored.push({ advisory, package: pkg, entry });
        continue;
      }
      if (kind === null) {
        vulnerabilities.push(new VulnerabilityFinding(advisory, context(pkg)));
      } else {
        const warningKind = kind as WarningKind;
        warnings.push(
          new WarningFinding(warningKind, advisory, denied.has(warningKind), context(pkg)),
        );
      }
    }
  }
  for (const pkg of input.yanked ?? []) {
    warnings.push(new WarningFinding("yanked", null, denied.has("yanked"), context(pkg)));
  }

  const provenance = db.provenance;
  return {
    database: {
      advisoryCount: db.count,
      lastCommit: provenance.lastCommit,
      lastUpdated: provenance.lastUpdated,
      path: provenance.path,
    },
    lockfile: { path: input.path, dependencyCount: input.packages.length },
    settings: {
      targetArch: opts.targetArch ?? [],
      targetOs: opts.targetOs ?? [],
      severity: opts.severityThreshold ?? null,
      ignore: (opts.ignore ?? []).map((e) => e.id),
      informationalWarnings: (opts.informationalWarnings ?? DEFAULT_INFORMATIONAL).slice(),
    },
    vulnerabilities,
    warnings,
    ignored,
    unusedIgnores: ignores.unused(),
    expiredIgnores: ignores.expired,
    notices: [...(input.notices ?? [])],
  };
}

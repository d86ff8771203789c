/**
 * The fix plan of `cratesec audit fix` (specs/rustsec.md §3 `fix`, §6 item 12): for every
 * vulnerable package of an audit report, the smallest upgrade that leaves it affected by none of
 * its vulnerabilities, and the `cargo update -p NAME@OLD --precise NEW` command that makes it.
 * Pure logic over an AuditReport; looking versions up in an index and running cargo are the
 * CLI's business.
 *
 * Rules:
 * - One step per vulnerable package (name, version and source), grouping all its vulnerabilities.
 * - The target is the smallest version above the current one that none of them affects
 *   (`isAffected` over the advisories' §2 ranges, plain SemVer precedence).
 * - A semver-compatible target is preferred: one Cargo's caret requirement `^CURRENT` accepts (same
 *   major if major > 0, same minor for 0.y, same patch for 0.0.z; a pre-release only when the
 *   current version is a pre-release of the same major.minor.patch). Only such a step gets a
 *   command: `cargo update --precise` cannot leave the range the manifests' requirements allow.
 * - Otherwise the smallest breaking target (stable versions first, unless the current version is a
 *   pre-release), flagged `breaking`: the requirement in Cargo.toml must be raised by hand.
 * - Otherwise the package is `unfixable`, with the reason.
 *
 * Candidate versions come from a crates index when the caller has one (only versions that exist
 * and are not yanked); without an index they are derived from the advisories: the lower bound of
 * every `patched`/`unaffected` requirement (`>=X`, `^X`, `~X`, `=X` give X; `>X` gives the next
 * patch version, or X's release for a pre-release X). Without an index, the plan proposes the
 * lowest bound of a patched range, which may not have been published.
 */
import type { Advisory } from "../advisory/model.js";
import { isAffected, Version, VersionReq } from "../semver/index.js";
import type { AuditedPackage, AuditReport, Vulnerability } from "./report.js";

/** One published version of a crate, as a crates index lists it. */
export interface AvailableVersion {
  readonly version: Version;
  readonly yanked: boolean;
}

export interface PlanFixesOptions {
  /**
   * Published versions per crate name, from a crates index. A crate that is not a key here gets
   * candidates derived from its advisories instead.
   */
  readonly available?: ReadonlyMap<string, readonly AvailableVersion[]>;
  /**
   * The vulnerabilities an audit with the same settings would report for `pkg` at `version`.
   * When given, a target that some other advisory of the crate affects is skipped too, so the
   * upgrade does not trade one vulnerability for another (the re-audit after `--apply` would
   * report it).
   */
  readonly vulnerabilitiesAt?: (pkg: AuditedPackage, version: Version) => readonly Advisory[];
}

/** Where a package's candidate versions came from. */
export type CandidateBasis = "index" | "advisories";

export interface FixStep {
  readonly package: AuditedPackage;
  readonly name: string;
  readonly from: Version;
  readonly to: Version;
  /** True when `to` is not semver-compatible with `from`: Cargo.toml must change first. */
  readonly breaking: boolean;
  /** The package's vulnerabilities the upgrade fixes (all of them), one per advisory id. */
  readonly advisories: readonly Advisory[];
  readonly basis: CandidateBasis;
  /** `cargo update -p NAME@OLD --precise NEW` as an argument vector; null for breaking steps. */
  readonly command: readonly string[] | null;
  /** What the user has to do by hand (breaking steps), else null. */
  readonly note: string | null;
}

export interface UnfixablePackage {
  readonly package: AuditedPackage;
  readonly name: string;
  readonly version: Version;
  readonly advisories: readonly Advisory[];
  readonly basis: CandidateBasis;
  readonly reason: string;
}

export interface FixPlan {
  /** The audited lockfile. */
  readonly lockfile: string;
  /** Fixable packages, compatible and breaking, in name/version order. */
  readonly steps: readonly FixStep[];
  readonly unfixable: readonly UnfixablePackage[];
  /** General remarks, e.g. that candidates were derived without an index. */
  readonly notes: readonly string[];
}

/** What running one step's command did (`audit fix --apply`). */
export interface AppliedStep {
  readonly step: FixStep;
  /** The argument vector that ran (the step's command, perhaps with `--offline`). */
  readonly command: readonly string[];
  /** cargo's exit status; null when it was killed by a signal. */
  readonly exitCode: number | null;
  readonly ok: boolean;
  /** cargo's stderr (it reports there), trimmed. */
  readonly output: string;
}

export const NOTE_WITHOUT_INDEX =
  "without an index, the plan proposes the lowest bound of a patched range, which may not have been published";

/** The commands of the plan's semver-compatible steps, in order. */
export function fixCommands(plan: FixPlan): (readonly string[])[] {
  return plan.steps.flatMap((s) => (s.command === null ? [] : [s.command]));
}

/** True when every vulnerable package has a semver-compatible fix (vacuously for a clean audit). */
export function planFixesEverything(plan: FixPlan): boolean {
  return plan.unfixable.length === 0 && plan.steps.every((s) => !s.breaking);
}

/** Cargo's `^CURRENT`: what a manifest requirement the current version satisfies can move to. */
export function isSemverCompatible(current: Version, candidate: Version): boolean {
  return new VersionReq([
    {
      op: "^",
      major: current.major,
      minor: current.minor,
      patch: current.patch,
      pre: current.pre,
    },
  ]).matches(candidate);
}

/**
 * The candidate versions an advisory's requirements suggest: the lower bound of each `patched`
 * and `unaffected` requirement. Partial versions are zero-filled, as rustsec's ranges do.
 */
export function advisoryCandidates(advisory: Advisory): Version[] {
  const out: Version[] = [];
  for (const req of [...advisory.versions.patched, ...advisory.versions.unaffected]) {
    for (const c of req.comparators) {
      const minor = c.minor ?? 0n;
      const patch = c.patch ?? 0n;
      switch (c.op) {
        case ">=":
        case "^":
        case "~":
        case "=":
          out.push(new Version(c.major, minor, patch, c.pre));
          break;
        case ">": {
          // The smallest release above X: X itself when X is a pre-release, else the next patch.
          const next = Version.tryParse(`${c.major}.${minor}.${c.pre === "" ? patch + 1n : patch}`);
          if (next !== null) out.push(next);
          break;
        }
        default:
          // `<`, `<=` have no lower bound; `*` never survives advisory parsing.
          break;
      }
    }
  }
  return out;
}

interface Group {
  readonly package: AuditedPackage;
  readonly advisories: Advisory[];
}

function groupByPackage(vulnerabilities: readonly Vulnerability[]): Group[] {
  const groups = new Map<string, Group>();
  for (const v of vulnerabilities) {
    const p = v.package;
    const key = `${p.name}\u0000${p.version.toString()}\u0000${p.source ?? ""}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { package: p, advisories: [] };
      groups.set(key, group);
    }
    if (!group.advisories.some((a) => a.metadata.id === v.advisory.metadata.id))
      group.advisories.push(v.advisory);
  }
  return [...groups.values()].sort(
    (a, b) =>
      (a.package.name < b.package.name ? -1 : a.package.name > b.package.name ? 1 : 0) ||
      a.package.version.compare(b.package.version),
  );
}

const ids = (advisories: readonly Advisory[]): string =>
  advisories.map((a) => a.metadata.id).join(", ");

const patchedText = (advisories: readonly Advisory[]): string => {
  const reqs = [...new Set(advisories.flatMap((a) => a.versions.patched.map(String)))];
  return reqs.length === 0 ? "none" : reqs.join(" OR ");
};

/** The smallest acceptable version among candidates, growing the pool as advisories turn up. */
class CandidatePool {
  readonly #versions = new Map<string, Version>();
  readonly #verdicts = new Map<string, boolean>();
  readonly #seenAdvisories = new Set<string>();

  constructor(
    private readonly current: Version,
    private readonly acceptable: (v: Version) => readonly Advisory[] | null,
    /** Derived pools learn from advisories met on the way; index pools are fixed. */
    private readonly derived: boolean,
  ) {}

  add(v: Version): void {
    if (v.compare(this.current) <= 0) return;
    const key = v.toString();
    if (!this.#versions.has(key)) this.#versions.set(key, v);
  }

  learn(advisory: Advisory): boolean {
    if (!this.derived || this.#seenAdvisories.has(advisory.metadata.id)) return false;
    this.#seenAdvisories.add(advisory.metadata.id);
    const before = this.#versions.size;
    for (const v of advisoryCandidates(advisory)) this.add(v);
    return this.#versions.size !== before;
  }

  get size(): number {
    return this.#versions.size;
  }

  #ok(v: Version): boolean {
    const key = v.toString();
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    const blockers = this.acceptable(v);
    const ok = blockers === null || blockers.length === 0;
    for (const a of blockers ?? []) this.learn(a);
    this.#verdicts.set(key, ok);
    return ok;
  }

  /** The smallest acceptable candidate that `eligible` admits, or null. */
  pick(eligible: (v: Version) => boolean): Version | null {
    for (;;) {
      const size = this.size;
      const sorted = [...this.#versions.values()]
        .filter(eligible)
        .sort((a, b) => a.compareWithBuild(b));
      let restarted = false;
      for (const v of sorted) {
        if (this.#ok(v)) return v;
        // A newly learned bound may sit below the versions still to try: start over.
        if (this.size !== size) {
          restarted = true;
          break;
        }
      }
      if (!restarted) return null;
    }
  }
}

function planPackage(group: Group, opts: PlanFixesOptions): FixStep | UnfixablePackage {
  const { package: pkg, advisories } = group;
  const current = pkg.version;
  const listed = opts.available?.get(pkg.name);
  const basis: CandidateBasis = listed === undefined ? "advisories" : "index";

  const blockers = (v: Version): readonly Advisory[] | null => {
    const own = advisories.filter((a) => isAffected(a.versions.ranges, v));
    if (own.length > 0) return own;
    return opts.vulnerabilitiesAt?.(pkg, v) ?? null;
  };
  const pool = new CandidatePool(current, blockers, basis === "advisories");
  if (listed === undefined) for (const a of advisories) pool.learn(a);
  else for (const entry of listed) if (!entry.yanked) pool.add(entry.version);

  const common = { package: pkg, name: pkg.name, advisories, basis };
  const compatible = pool.pick((v) => isSemverCompatible(current, v));
  if (compatible !== null) {
    return {
      ...common,
      from: current,
      to: compatible,
      breaking: false,
      command: [
        "cargo",
        "update",
        "-p",
        `${pkg.name}@${current.toString()}`,
        "--precise",
        compatible.toString(),
      ],
      note: null,
    };
  }
  const stableFirst = current.isPrerelease()
    ? pool.pick(() => true)
    : (pool.pick((v) => !v.isPrerelease()) ?? pool.pick(() => true));
  if (stableFirst !== null) {
    return {
      ...common,
      from: current,
      to: stableFirst,
      breaking: true,
      command: null,
      note: `${stableFirst} is not semver-compatible with ${current}: raise the requirement on ${pkg.name} in Cargo.toml (or upgrade the crate that depends on it); \`cargo update --precise\` cannot cross it`,
    };
  }

  let reason: string;
  if (basis === "index") {
    const newest = (listed ?? [])
      .filter((e) => !e.yanked)
      .reduce<Version | null>(
        (m, e) => (m === null || e.version.compare(m) > 0 ? e.version : m),
        null,
      );
    reason = `no published, non-yanked version newer than ${current} is unaffected (patched: ${patchedText(advisories)}; newest in the index: ${newest ?? "none"})`;
  } else if (advisories.every((a) => a.versions.patched.length === 0)) {
    reason = `no fixed version exists (${ids(advisories)}: patched = [])`;
  } else {
    reason = `the advisories name no version newer than ${current} that fixes all of ${ids(advisories)} (patched: ${patchedText(advisories)})`;
  }
  return { ...common, version: current, reason };
}

/** The fix plan for a report's vulnerabilities (warnings and ignored findings are left alone). */
export function planFixes(report: AuditReport, opts: PlanFixesOptions = {}): FixPlan {
  const steps: FixStep[] = [];
  const unfixable: UnfixablePackage[] = [];
  for (const group of groupByPackage(report.vulnerabilities)) {
    const planned = planPackage(group, opts);
    if ("to" in planned) steps.push(planned);
    else unfixable.push(planned);
  }
  const derived = [...steps, ...unfixable].some((p) => p.basis === "advisories");
  return {
    lockfile: report.lockfile.path,
    steps,
    unfixable,
    notes: derived ? [NOTE_WITHOUT_INDEX] : [],
  };
}

/**
 * The yanked check of `cargo audit` (rustsec.md §2 step 10): which locked packages are versions
 * the registry has yanked. Like cargo-audit it never fails the run: a crate missing from the
 * index is a notice, and an index that cannot be consulted is ONE notice for the whole run.
 *
 * Which packages to check is the caller's business (cargo-audit checks only crates.io-sourced
 * ones, and `--no-yanked` / `[yanked] enabled = false` skip the check; `[yanked] update_index =
 * false` or `--no-fetch` map to a `SparseIndex` with `offline: true`).
 */
import { Version } from "../semver/index.js";
import { type LookupManyOptions, lookupMany } from "./many.js";
import { type CratesIndex, IndexUnavailableError } from "./source.js";

/** Bounded parallelism (default 16), per-request timeout, one overall deadline, abort signal. */
export type YankedCheckOptions = Omit<LookupManyOptions, "failFast">;

export interface YankedCheckResult<P> {
  /** The packages whose exact version is yanked, once per name@version, in input order. */
  readonly yanked: P[];
  /** Human-readable notices: crates missing from the index, then at most one "couldn't check". */
  readonly notices: string[];
}

/**
 * Whether a locked version and an index version are the same release: equal SemVer precedence
 * AND equal build metadata (`Version.compareWithBuild(...) === 0`, i.e. the semver crate's `Eq`),
 * so `0.5.0+5.3.0` matches only `0.5.0+5.3.0`, never `0.5.0` nor `0.5.0+5.3.1`. A string that is
 * not a valid version matches only itself, byte for byte.
 */
export function isSameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  const va = Version.tryParse(a);
  const vb = va === null ? null : Version.tryParse(b);
  return va !== null && vb !== null && va.compareWithBuild(vb) === 0;
}

/**
 * Looks every package's crate up once (bounded parallelism, fail fast when the index is
 * unreachable: after the first connection-level failure the remaining lookups are skipped) and
 * reports the packages whose version is marked `"yanked": true`. A version the index does not
 * list is not reported (the index may be older than the lockfile), as in cargo-audit.
 *
 * Never rejects.
 */
export async function checkYanked<P extends { readonly name: string; readonly version: string }>(
  index: CratesIndex,
  packages: readonly P[],
  options: YankedCheckOptions = {},
): Promise<YankedCheckResult<P>> {
  const yanked: P[] = [];
  const notices: string[] = [];
  try {
    const names = packages.map((p) => p.name);
    const results = await lookupMany(index, names, { ...options, failFast: true });
    const seen = new Set<string>();
    const missing = new Set<string>();
    const unavailable = new Map<string, IndexUnavailableError>();
    for (const pkg of packages) {
      const key = `${pkg.name}@${pkg.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const result = results.get(pkg.name);
      if (result instanceof IndexUnavailableError) {
        unavailable.set(pkg.name, result);
        continue;
      }
      if (result === undefined || result === null || result.length === 0) {
        if (!missing.has(pkg.name)) {
          missing.add(pkg.name);
          notices.push(`crate ${pkg.name} not found in index ${index.location}`);
        }
        continue;
      }
      if (result.some((line) => line.yanked && isSameVersion(pkg.version, line.vers))) {
        yanked.push(pkg);
      }
    }
    if (unavailable.size > 0) {
      notices.push(unavailableNotice([...unavailable.values()], new Set(names).size));
    }
  } catch (err) {
    notices.push(
      `couldn't check if packages are yanked: ${(err as Error)?.message ?? String(err)}`,
    );
  }
  return { yanked, notices };
}

/** One notice for every crate that could not be checked, led by the most telling reason. */
function unavailableNotice(errors: readonly IndexUnavailableError[], crates: number): string {
  const primary = errors.find((e) => e.kind !== "skipped") ?? errors[0];
  const reason =
    primary?.kind === "skipped" && primary.cause instanceof Error ? primary.cause : primary;
  const count = errors.length;
  const suffix = count > 1 ? ` (${count} of ${crates} crates not checked)` : "";
  return `couldn't check if packages are yanked: ${reason?.message ?? "index unavailable"}${suffix}`;
}

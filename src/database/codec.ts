/**
 * Advisory ↔ structured-clone data for the compiled cache (`v8.serialize` keeps bigints). Versions
 * and requirements are stored as their fields and rebuilt without re-parsing: they were validated
 * when the advisory was parsed.
 */
import type { Advisory, AdvisoryMetadata } from "../advisory/model.js";
import { type AffectedRange, type Comparator, type Version, VersionReq } from "../semver/index.js";
import { trustedVersion } from "../semver/version.js";

type StoredVersion = Pick<Version, "major" | "minor" | "patch" | "pre" | "build">;
type StoredReq = readonly Comparator[];

export interface StoredAdvisory {
  readonly metadata: AdvisoryMetadata;
  readonly affected: {
    readonly arch: readonly string[];
    readonly os: readonly string[];
    readonly functions: readonly (readonly [string, readonly StoredReq[]])[];
  } | null;
  readonly patched: readonly StoredReq[];
  readonly unaffected: readonly StoredReq[];
  /** `[introduced, fixed]` pairs, flattened. */
  readonly ranges: readonly (StoredVersion | null)[];
}

const storeVersion = (v: Version | null): StoredVersion | null =>
  v && { major: v.major, minor: v.minor, patch: v.patch, pre: v.pre, build: v.build };
const loadVersion = (v: StoredVersion | null | undefined): Version | null =>
  v ? trustedVersion(v.major, v.minor, v.patch, v.pre, v.build) : null;
const storeReqs = (reqs: readonly VersionReq[]): StoredReq[] => reqs.map((r) => r.comparators);
const loadReqs = (reqs: readonly StoredReq[]): VersionReq[] =>
  reqs.map((c) => (c.length === 0 ? VersionReq.STAR : new VersionReq(c)));

export function encodeAdvisory(advisory: Advisory): StoredAdvisory {
  const { affected, versions } = advisory;
  return {
    metadata: advisory.metadata,
    affected: affected && {
      arch: affected.arch,
      os: affected.os,
      functions: [...affected.functions].map(([path, reqs]) => [path, storeReqs(reqs)] as const),
    },
    patched: storeReqs(versions.patched),
    unaffected: storeReqs(versions.unaffected),
    ranges: versions.ranges.flatMap((r) => [storeVersion(r.introduced), storeVersion(r.fixed)]),
  };
}

export function decodeAdvisory(s: StoredAdvisory): Advisory {
  const ranges: AffectedRange[] = [];
  for (let i = 0; i < s.ranges.length; i += 2) {
    ranges.push({ introduced: loadVersion(s.ranges[i]), fixed: loadVersion(s.ranges[i + 1]) });
  }
  return {
    metadata: s.metadata,
    affected: s.affected && {
      arch: s.affected.arch,
      os: s.affected.os,
      functions: new Map(s.affected.functions.map(([path, reqs]) => [path, loadReqs(reqs)])),
    },
    versions: { patched: loadReqs(s.patched), unaffected: loadReqs(s.unaffected), ranges },
  };
}

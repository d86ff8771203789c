import { VersionRangeError } from "./errors.js";
import { U64_MAX } from "./numeric.js";
import { trustedVersion, type Version } from "./version.js";

/**
 * The smallest version with higher precedence than `v` (rustsec `ranges_for_advisory.rs`):
 * `1.2.3` → `1.2.4-0`, `1.2.3-a` → `1.2.3-a.0`. Build metadata is dropped.
 * Where the crate's `patch + 1` would overflow, the carry goes to minor, then major.
 */
export function increment(v: Version): Version {
  // More pre-release fields rank higher when the shared ones are equal, and `0` is the lowest.
  if (v.pre !== "") return trustedVersion(v.major, v.minor, v.patch, `${v.pre}.0`, "");
  if (v.patch < U64_MAX) return trustedVersion(v.major, v.minor, v.patch + 1n, "0", "");
  if (v.minor < U64_MAX) return trustedVersion(v.major, v.minor + 1n, 0n, "0", "");
  if (v.major < U64_MAX) return trustedVersion(v.major + 1n, 0n, 0n, "0", "");
  throw new VersionRangeError(`No version has higher precedence than ${v}`);
}

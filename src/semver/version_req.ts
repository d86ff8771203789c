/** A Cargo version requirement (crate `semver::VersionReq`). */
import { type Comparator, comparatorToString } from "./comparator.js";
import { SemverError } from "./errors.js";
import { matchesComparators } from "./matches.js";
import { parseComparators } from "./parse_req.js";
import type { Version } from "./version.js";

export class VersionReq {
  /** All must match (comma means AND). Empty for `*`. */
  readonly comparators: readonly Comparator[];

  /** `*`: matches every version that is not a pre-release. */
  static readonly STAR: VersionReq = new VersionReq([]);

  /** Takes the comparators as given; only `parse` validates. */
  constructor(comparators: readonly Comparator[]) {
    this.comparators = Object.freeze([...comparators]);
  }

  /** Parses exactly as the crate's `VersionReq::parse`; throws SemverError. */
  static parse(text: string): VersionReq {
    const comparators = parseComparators(text);
    return comparators.length === 0 ? VersionReq.STAR : new VersionReq(comparators);
  }

  /** `VersionReq.parse`, or null when the text is not a valid requirement. */
  static tryParse(text: string): VersionReq | null {
    try {
      return VersionReq.parse(text);
    } catch (e) {
      if (e instanceof SemverError) return null;
      throw e;
    }
  }

  /** Cargo semantics: a pre-release matches only if a comparator with its major.minor.patch opts in. */
  matches(v: Version): boolean {
    return matchesComparators(this.comparators, v);
  }

  /** The crate's Display: normalised comparators joined by ", ", or `*`. */
  toString(): string {
    if (this.comparators.length === 0) return "*";
    return this.comparators.map(comparatorToString).join(", ");
  }
}

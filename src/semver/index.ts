export { type AffectedRange, affectedRanges, isAffected } from "./affected_ranges.js";
export { type Comparator, comparatorToString, type Op } from "./comparator.js";
export { SemverError, VersionRangeError } from "./errors.js";
export { increment } from "./increment.js";
export {
  type Bound,
  formatUnaffectedRange,
  rangesOverlap,
  type UnaffectedRange,
  unaffectedRange,
} from "./unaffected_range.js";
export { compareVersions, Version } from "./version.js";
export { VersionReq } from "./version_req.js";

/**
 * `cratesec bin`: dependency lists of compiled Rust executables (spec §5), from the
 * `.dep-v0` data `cargo auditable` embeds, or failing that from panic-message paths.
 */
export { type AuditData, parseAuditData, validateAuditData } from "./audit-data.js";
export { DEFAULT_AUDIT_DATA_SIZE_LIMIT, inflateAuditData } from "./decompress.js";
export {
  type BinaryDependency,
  type BinaryDependencyRef,
  binaryPackagesAsDependencies,
} from "./dependencies.js";
export { BinaryScanError, type BinaryScanErrorReason } from "./errors.js";
export { type BinaryFormat, detectFormat } from "./format.js";
export { incompleteScanWarning, NO_DEPENDENCY_INFO } from "./messages.js";
export type {
  AuditDataFormat,
  BinaryPackage,
  BinaryScanResult,
  CompleteBinaryScan,
  DependencyKind,
  IncompleteBinaryScan,
  NoDependencyInfo,
  PackageSource,
} from "./model.js";
export { APPLE_OSES, osApplies } from "./os-filter.js";
export { cratesFromPanicPaths, type RecoveredCrate } from "./panic-paths.js";
export {
  DEFAULT_MAX_BINARY_SIZE,
  type ScanFileOptions,
  type ScanOptions,
  scanBinary,
  scanBinaryFile,
} from "./scan.js";
export { AUDIT_SECTION, AUDIT_SEGMENT, findAuditSections } from "./section.js";

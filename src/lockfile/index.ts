/** Cargo.lock: parsing every format version, the package model and the dependency graph. */

export { LockfileError } from "./errors.js";
export {
  DependencyGraph,
  type DependencyTreeNode,
  renderTree,
  TREE_SYMBOLS,
  type TreeSymbols,
} from "./graph.js";
export {
  type FormatVersion,
  Lockfile,
  type LockPackage,
  packageKey,
  type UnusedPatch,
} from "./model.js";
export {
  DEFAULT_MAX_BYTES,
  NEWEST_FORMAT_VERSION,
  type ParseOptions,
  parseLockfile,
  parseLockfileBytes,
  readLockfile,
} from "./parse.js";
export {
  CRATES_IO_GIT_INDEX,
  CRATES_IO_REGISTRY_SOURCE,
  CRATES_IO_SPARSE_INDEX,
  CRATES_IO_SPARSE_SOURCE,
  type GitReference,
  isCratesIo,
  parseSourceId,
  type SourceId,
  SourceIdError,
  type SourceKind,
} from "./source.js";

export {
  type CachedIndexFile,
  defaultCacheRoot,
  IndexFileCache,
  indexCacheDir,
  indexUrlSlug,
} from "./cache.js";
export { type IndexVersion, parseIndexFile } from "./entry.js";
export { LocalIndex } from "./local.js";
export { type LookupManyOptions, type LookupResult, lookupMany } from "./many.js";
export { indexRelativePath, isValidCrateName } from "./path.js";
export {
  type CratesIndex,
  IndexUnavailableError,
  type IndexUnavailableKind,
  type LookupOptions,
} from "./source.js";
export {
  CRATES_IO_SPARSE_INDEX,
  type IndexConfig,
  SparseIndex,
  type SparseIndexOptions,
} from "./sparse.js";
export {
  checkYanked,
  isSameVersion,
  type YankedCheckOptions,
  type YankedCheckResult,
} from "./yanked.js";

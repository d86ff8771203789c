export { type IndexVersion, parseIndexFile } from "./entry.js";
export { LocalIndex } from "./local.js";
export { indexRelativePath, isValidCrateName } from "./path.js";
export { type CratesIndex, IndexUnavailableError } from "./source.js";
export { CRATES_IO_SPARSE_INDEX, SparseIndex, type SparseIndexOptions } from "./sparse.js";

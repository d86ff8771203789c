/** Publish validation for the registry: `checkPublish` and the pieces it is made of. */

export {
  CRATES_IO_INDEX_URL,
  CRATES_IO_SPARSE_INDEX_URL,
  DEFAULT_PUBLISH_CONFIG,
  type PublishConfig,
  type PublishLimits,
  resolvePublishConfig,
} from "./config.js";
export {
  formatBytes,
  isPublishError,
  PublishError,
  type PublishErrorCode,
  type PublishErrorStatus,
} from "./errors.js";
export {
  decodeMetadataJson,
  type FramingLimits,
  maxPublishBodySize,
  type PublishBody,
  parsePublishBody,
  splitPublishBody,
} from "./framing.js";
export { checkGzipTrailer, crc32, gzipHeaderLength } from "./gzip.js";
export {
  compareIndexDependencies,
  compareUtf8,
  type FeatureMap,
  formatPubtime,
  type IndexDependency,
  type IndexLine,
  type IndexLineOptions,
  indexLineFor,
  serializeIndexLine,
  splitFeatures,
} from "./index-line.js";
export {
  type CargoManifest,
  checkManifestConsistency,
  manifestConsistencyProblem,
  parseCargoToml,
  type RegistryUrls,
} from "./manifest.js";
export {
  checkMetadataAgainstRegistry,
  type DependencyKind,
  type ExistingCrate,
  licenseExpressionProblem,
  MAX_VERSION_LENGTH,
  type MaybePromise,
  type PublishDependency,
  type PublishMetadata,
  type RegistryCheck,
  type RegistryView,
  rustVersionProblem,
  validateMetadata,
  versionWithoutBuild,
} from "./metadata.js";
export {
  CRATES_IO_RESERVED_NAMES,
  canonicalCrateName,
  crateNameProblem,
  dependencyNameProblem,
  featureNameProblem,
  featureValueProblem,
  hasControlCharacter,
  MAX_NAME_LENGTH,
  reservedNameSet,
  WINDOWS_RESERVED_NAMES,
} from "./names.js";
export {
  type CheckedCrate,
  checkPublish,
  type PublishCheckResult,
} from "./publish-check.js";
export { inspectTarball, type TarballInfo, type TarballOptions } from "./tarball.js";

/**
 * Limits and switches of the publish checks, with defaults taken from crates.io where it has
 * one (§2 "Other publish-time checks") and chosen conservatively where it has none.
 */

/** The crates.io index URL cargo sends as a dependency's `registry` and the index line carries. */
export const CRATES_IO_INDEX_URL = "https://github.com/rust-lang/crates.io-index";
/** The sparse spelling of the same registry; accepted as an alias and written as the above. */
export const CRATES_IO_SPARSE_INDEX_URL = "sparse+https://index.crates.io/";

const MiB = 1024 * 1024;

export interface PublishLimits {
  /** Bytes of the metadata JSON. crates.io: 1 MB. Default 1 MiB. Over it → 413. */
  readonly maxMetadataSize: number;
  /** Bytes of the `.crate` file. crates.io: 10 MB (per-crate overrides exist). Default 10 MiB. → 413. */
  readonly maxUploadSize: number;
}

export interface PublishConfig extends PublishLimits {
  /** Decompressed bytes of the `.crate` (tar headers included). crates.io: 512 MiB. */
  readonly maxUnpackedSize: number;
  /** Tar entries. crates.io: optional `MAX_TARBALL_ENTRIES`. Default 50,000. */
  readonly maxTarballEntries: number;
  /** Bytes of `Cargo.toml` read into memory. Default 1 MiB. */
  readonly maxManifestSize: number;
  /** Bytes of the README kept from the tarball (longer ones are cut, `readmeTruncated`). Default 1 MiB. */
  readonly maxReadmeSize: number;
  /** crates.io: 500. */
  readonly maxDependencies: number;
  /** crates.io: 300 features, and 300 values per feature. */
  readonly maxFeatures: number;
  readonly maxFeatureValues: number;
  /** crates.io: 1000 (bytes of UTF-8). */
  readonly maxDescriptionLength: number;
  /** crates.io: ≤ 5 keywords of ≤ 20 characters; ≤ 5 categories. */
  readonly maxKeywords: number;
  readonly maxKeywordLength: number;
  readonly maxCategories: number;
  /** Extra reserved names on top of crates.io's list and the Windows device names. */
  readonly reservedNames: readonly string[];
  /** When set, every category must be one of these slugs (crates.io refuses unknown slugs). */
  readonly knownCategories: ReadonlySet<string> | null;
  /** crates.io requires both; a private registry usually does not. Default false. */
  readonly requireDescription: boolean;
  readonly requireLicense: boolean;
  /** Written as `registry` in index lines for dependencies on crates.io. */
  readonly cratesIoIndexUrl: string;
  /**
   * Other registries (exact index URLs as cargo sends them) whose crates may be depended on;
   * written to the index line unchanged. crates.io itself is always allowed.
   */
  readonly allowedExternalRegistries: readonly string[];
  /** This registry's own index URL(s): a dependency naming it counts as a local dependency. */
  readonly ownIndexUrls: readonly string[];
  /** Refuse `src/Lib.rs` next to `src/lib.rs` (they collide on Windows and macOS). Default true. */
  readonly rejectCaseInsensitiveDuplicatePaths: boolean;
  /**
   * Require the dependencies, features, `links` and `rust-version` of the tarball's Cargo.toml
   * to agree with the metadata JSON the index line is made from (defends against "manifest
   * confusion": an index that says one thing while the code builds another). Default true.
   */
  readonly checkManifestConsistency: boolean;
  /** The publish time written as `pubtime`. */
  readonly now: () => Date;
}

export const DEFAULT_PUBLISH_CONFIG: PublishConfig = Object.freeze({
  maxMetadataSize: MiB,
  maxUploadSize: 10 * MiB,
  maxUnpackedSize: 512 * MiB,
  maxTarballEntries: 50_000,
  maxManifestSize: MiB,
  maxReadmeSize: MiB,
  maxDependencies: 500,
  maxFeatures: 300,
  maxFeatureValues: 300,
  maxDescriptionLength: 1000,
  maxKeywords: 5,
  maxKeywordLength: 20,
  maxCategories: 5,
  reservedNames: Object.freeze([]) as readonly string[],
  knownCategories: null,
  requireDescription: false,
  requireLicense: false,
  cratesIoIndexUrl: CRATES_IO_INDEX_URL,
  allowedExternalRegistries: Object.freeze([]) as readonly string[],
  ownIndexUrls: Object.freeze([]) as readonly string[],
  rejectCaseInsensitiveDuplicatePaths: true,
  checkManifestConsistency: true,
  now: () => new Date(),
});

export function resolvePublishConfig(partial: Partial<PublishConfig> = {}): PublishConfig {
  const config: PublishConfig = { ...DEFAULT_PUBLISH_CONFIG, ...definedOnly(partial) };
  for (const key of [
    "maxMetadataSize",
    "maxUploadSize",
    "maxUnpackedSize",
    "maxTarballEntries",
    "maxManifestSize",
    "maxReadmeSize",
    "maxDependencies",
    "maxFeatures",
    "maxFeatureValues",
    "maxDescriptionLength",
    "maxKeywords",
    "maxKeywordLength",
    "maxCategories",
  ] as const) {
    const v = config[key];
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`publish config: ${key} must be a non-negative integer, got ${v}`);
    }
  }
  // The framing stores both lengths as u32.
  if (config.maxMetadataSize > 0xffff_ffff || config.maxUploadSize > 0xffff_ffff) {
    throw new RangeError("publish config: maxMetadataSize and maxUploadSize must fit in a u32");
  }
  return config;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

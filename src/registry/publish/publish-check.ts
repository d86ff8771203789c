/**
 * The publish checks in one call, cheapest first:
 *
 *   1. framing — lengths, sizes (no parsing yet);
 *   2. metadata JSON — UTF-8, JSON, then every field (names, reserved names, version,
 *      dependencies, features, lengths);
 *   3. registry state — reserved names held by the registry, canonical-name collision,
 *      duplicate version, dependencies that exist here;
 *   4. the `.crate` file — streamed through gzip and tar with the size limits;
 *   5. Cargo.toml against the metadata (manifest confusion);
 *   6. the index line.
 *
 * Nothing is written: the caller stores the crate and index line only on `ok: true`.
 */

import { type PublishConfig, resolvePublishConfig } from "./config.js";
import { PublishError } from "./errors.js";
import { decodeMetadataJson, splitPublishBody } from "./framing.js";
import { type IndexLine, indexLineFor, serializeIndexLine } from "./index-line.js";
import { checkManifestConsistency } from "./manifest.js";
import {
  checkMetadataAgainstRegistry,
  type PublishMetadata,
  type RegistryView,
  validateMetadata,
} from "./metadata.js";
import { canonicalCrateName } from "./names.js";
import { inspectTarball, type TarballInfo } from "./tarball.js";

export interface CheckedCrate {
  readonly name: string;
  /** Normalised version. */
  readonly version: string;
  readonly canonicalName: string;
  /** No crate with this canonical name existed: a `publish-new` (else `publish-update`). */
  readonly isNew: boolean;
  readonly metadata: PublishMetadata;
  readonly indexLine: IndexLine;
  /** `serializeIndexLine(indexLine)`: the line to append to the crate's index file. */
  readonly indexLineJson: string;
  /** SHA-256 of the `.crate`, lower-case hex. */
  readonly cksum: string;
  /** The `.crate` bytes (a view into the request body): what the registry stores. */
  readonly crateBytes: Buffer;
  /** Bytes of the `.crate`. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: number;
  readonly tarball: TarballInfo;
  /** The README: cargo's copy in the metadata, else the one found in the tarball. */
  readonly readme: string | null;
  /** For `warnings.other` in the publish response. */
  readonly warnings: readonly string[];
  /** The `pubtime` written to the index line. */
  readonly publishedAt: Date;
}

export type PublishCheckResult = { readonly ok: true; readonly crate: CheckedCrate } | PublishError;

/**
 * Runs every publish check on a `PUT /api/v1/crates/new` body. Returns `{ ok: true, crate }`
 * or the `PublishError` to answer with; rejects only when the `RegistryView` itself fails.
 */
export async function checkPublish(
  body: Uint8Array,
  view: RegistryView,
  config: Partial<PublishConfig> = {},
): Promise<PublishCheckResult> {
  const cfg = resolvePublishConfig(config);
  try {
    const { metadataBytes, crateBytes } = splitPublishBody(body, cfg);
    const metadata = validateMetadata(decodeMetadataJson(metadataBytes), cfg);
    const registry = await checkMetadataAgainstRegistry(metadata, view);
    const tarball = await inspectTarball(crateBytes, {
      name: metadata.name,
      version: metadata.vers,
      maxUnpackedSize: cfg.maxUnpackedSize,
      maxEntries: cfg.maxTarballEntries,
      maxManifestSize: cfg.maxManifestSize,
      maxReadmeSize: cfg.maxReadmeSize,
      readmePath: metadata.readmeFile,
      rejectCaseInsensitiveDuplicatePaths: cfg.rejectCaseInsensitiveDuplicatePaths,
    });
    if (cfg.checkManifestConsistency) checkManifestConsistency(tarball.cargoToml, metadata, cfg);

    const publishedAt = cfg.now();
    const indexLine = indexLineFor(metadata, {
      cksum: tarball.cksum,
      pubtime: publishedAt,
      cratesIoIndexUrl: cfg.cratesIoIndexUrl,
    });
    return {
      ok: true,
      crate: {
        name: metadata.name,
        version: metadata.vers,
        canonicalName: canonicalCrateName(metadata.name),
        isNew: registry.isNew,
        metadata,
        indexLine,
        indexLineJson: serializeIndexLine(indexLine),
        cksum: tarball.cksum,
        crateBytes,
        size: crateBytes.length,
        unpackedSize: tarball.unpackedSize,
        files: tarball.files,
        tarball,
        readme: metadata.readme ?? tarball.readme ?? null,
        warnings: registry.warnings,
        publishedAt,
      },
    };
  } catch (e) {
    if (e instanceof PublishError) return e;
    throw e;
  }
}

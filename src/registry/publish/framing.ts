/**
 * The body of `PUT /api/v1/crates/new` (§5): `u32 LE json_len`, the metadata JSON,
 * `u32 LE crate_len`, the `.crate` bytes — and nothing else.
 *
 * crates.io (`split_body`) ignores bytes after the `.crate`; here they are refused, since a
 * body that does not frame exactly was not made by cargo.
 */

import { formatBytes, PublishError } from "./errors.js";

export interface FramingLimits {
  readonly maxMetadataSize: number;
  readonly maxUploadSize: number;
}

export interface PublishBody {
  /** The metadata JSON, still undecoded. */
  readonly metadataBytes: Buffer;
  /** The `.crate` file (a view into the body, not a copy). */
  readonly crateBytes: Buffer;
}

/** Longest body worth reading for these limits: the HTTP layer can stop reading beyond it. */
export function maxPublishBodySize(limits: FramingLimits): number {
  return 4 + limits.maxMetadataSize + 4 + limits.maxUploadSize;
}

/** Splits a publish body into metadata bytes and crate bytes, checking every length exactly. */
export function splitPublishBody(body: Uint8Array, limits: FramingLimits): PublishBody {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  const max = maxPublishBodySize(limits);
  if (buf.length > max) {
    throw new PublishError(
      "body-too-large",
      `the publish request is ${formatBytes(buf.length)}, more than this registry accepts (${formatBytes(max)}: metadata up to ${formatBytes(limits.maxMetadataSize)} and a .crate file up to ${formatBytes(limits.maxUploadSize)})`,
      413,
    );
  }
  if (buf.length < 4) {
    throw new PublishError(
      "body-truncated",
      `the publish request is truncated: it is ${buf.length} bytes long, too short to hold the 4-byte metadata length that starts it`,
    );
  }
  const jsonLen = buf.readUInt32LE(0);
  if (jsonLen > limits.maxMetadataSize) {
    throw new PublishError(
      "metadata-too-large",
      `the metadata JSON is ${formatBytes(jsonLen)}, more than the ${formatBytes(limits.maxMetadataSize)} this registry accepts`,
      413,
    );
  }
  if (jsonLen > buf.length - 4) {
    throw new PublishError(
      "body-truncated",
      `invalid metadata length: the request says the metadata JSON is ${jsonLen} bytes, but only ${buf.length - 4} bytes follow the length`,
    );
  }
  const metadataBytes = buf.subarray(4, 4 + jsonLen);
  const afterJson = 4 + jsonLen;
  if (buf.length - afterJson < 4) {
    throw new PublishError(
      "body-truncated",
      `the publish request is truncated: the 4-byte .crate length that must follow the ${jsonLen}-byte metadata JSON is missing`,
    );
  }
  const crateLen = buf.readUInt32LE(afterJson);
  if (crateLen > limits.maxUploadSize) {
    throw new PublishError(
      "crate-too-large",
      `the .crate file is ${formatBytes(crateLen)}; the maximum upload size is ${formatBytes(limits.maxUploadSize)}`,
      413,
    );
  }
  const crateStart = afterJson + 4;
  const remaining = buf.length - crateStart;
  if (crateLen > remaining) {
    throw new PublishError(
      "body-truncated",
      `invalid .crate length: the request says the .crate file is ${crateLen} bytes, but only ${remaining} bytes follow the length`,
    );
  }
  if (crateLen < remaining) {
    throw new PublishError(
      "body-trailing-bytes",
      `the publish request has ${remaining - crateLen} unexpected bytes after the ${crateLen}-byte .crate file`,
    );
  }
  return { metadataBytes, crateBytes: buf.subarray(crateStart, crateStart + crateLen) };
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes the metadata bytes as strict UTF-8 JSON (no BOM, no invalid sequences). */
export function decodeMetadataJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new PublishError("metadata-json", "the metadata JSON is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new PublishError(
      "metadata-json",
      `invalid upload request: the metadata is not valid JSON (${why})`,
    );
  }
}

/**
 * `parsePublishBody(buffer, limits)`: the framing plus JSON decoding. Throws `PublishError`
 * (400, or 413 for sizes over the limits).
 */
export function parsePublishBody(
  body: Uint8Array,
  limits: FramingLimits,
): { metadata: unknown; crateBytes: Buffer } {
  const { metadataBytes, crateBytes } = splitPublishBody(body, limits);
  return { metadata: decodeMetadataJson(metadataBytes), crateBytes };
}

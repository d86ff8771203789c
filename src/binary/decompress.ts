/**
 * zlib decompression of the audit payload with an output cap, so a zip bomb is refused as
 * soon as the output passes the limit instead of after it has been allocated
 * (auditable-info's `decompress_to_vec_zlib_with_limit`).
 */
import { constants as bufferConstants } from "node:buffer";
import { inflateSync } from "node:zlib";
import { BinaryScanError } from "./errors.js";

/** cargo-audit's default `--audit-data-size-limit`: 8 MiB of decompressed JSON. */
export const DEFAULT_AUDIT_DATA_SIZE_LIMIT = 8 * 1024 * 1024;

/**
 * Inflates `compressed`, refusing output over `limit` bytes; `limit` 0 means no limit of our
 * own (Node's maximum buffer size still applies). Trailing bytes after the zlib stream, such
 * as section padding, are ignored.
 */
export function inflateAuditData(compressed: Uint8Array, limit: number): Uint8Array {
  const cap =
    limit === 0 ? bufferConstants.MAX_LENGTH : Math.min(limit, bufferConstants.MAX_LENGTH);
  // Compressed data never shrinks below this bound, so larger input is over the limit for sure.
  if (limit !== 0 && compressed.length > limit) {
    throw overLimit(limit, `the compressed section alone is ${compressed.length} bytes`);
  }
  try {
    return inflateSync(compressed, { maxOutputLength: cap });
  } catch (e) {
    if ((e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw overLimit(limit, "decompression stopped at the limit");
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new BinaryScanError("decompress", `.dep-v0 audit data is not valid zlib data: ${why}`, {
      cause: e,
    });
  }
}

function overLimit(limit: number, why: string): BinaryScanError {
  const cap =
    limit === 0
      ? "Node's maximum buffer size"
      : `the ${limit}-byte limit (--audit-data-size-limit)`;
  return new BinaryScanError("limit", `decompressed audit data is larger than ${cap}: ${why}`);
}

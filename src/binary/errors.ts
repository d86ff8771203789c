/**
 * The one error type binary scanning throws for bad input. Every malformed, truncated or
 * oversized binary ends here, never as a RangeError from an out-of-bounds read.
 */

/** What went wrong, so a caller can tell a broken file from an I/O problem or a limit. */
export type BinaryScanErrorReason =
  /** The file could not be opened or read. */
  | "io"
  /** The file or the decompressed audit data is over a configured size limit. */
  | "limit"
  /** The executable's headers or section tables are truncated or inconsistent. */
  | "malformed"
  /** The `.dep-v0` payload is not a valid zlib stream. */
  | "decompress"
  /** The decompressed payload is not UTF-8 JSON of the cargo-auditable schema. */
  | "audit-data";

export class BinaryScanError extends Error {
  override readonly name = "BinaryScanError";
  readonly reason: BinaryScanErrorReason;
  /** The scanned file, when known; it prefixes the message. */
  readonly path: string | undefined;
  /** The message without the path prefix. */
  readonly detail: string;

  constructor(
    reason: BinaryScanErrorReason,
    detail: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(
      options.path === undefined ? detail : `${options.path}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.reason = reason;
    this.path = options.path;
    this.detail = detail;
  }

  /** The same error, attributed to `path`. */
  withPath(path: string): BinaryScanError {
    return new BinaryScanError(this.reason, this.detail, { path, cause: this.cause });
  }
}

/** Shorthand for the most common reason. */
export function malformed(detail: string): BinaryScanError {
  return new BinaryScanError("malformed", detail);
}

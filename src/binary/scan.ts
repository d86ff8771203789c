/**
 * §5 steps 1–6: read a binary, find and decode its cargo-auditable data, or fall back to the
 * crates named in panic-message paths (rustsec `binary_scanning/binary_deps.rs`).
 */
import { open } from "node:fs/promises";
import { mergeAuditData, parseAuditData } from "./audit-data.js";
import { DEFAULT_AUDIT_DATA_SIZE_LIMIT, inflateAuditData } from "./decompress.js";
import { BinaryScanError } from "./errors.js";
import { detectFormat } from "./format.js";
import type { BinaryPackage, BinaryScanResult } from "./model.js";
import { cratesFromPanicPaths } from "./panic-paths.js";
import { findAuditSections } from "./section.js";

/** cargo-audit's default `--max-binary-size` ("100MB", in binary megabytes like its 8MB). */
export const DEFAULT_MAX_BINARY_SIZE = 100 * 1024 * 1024;

export interface ScanOptions {
  /**
   * Largest decompressed audit data accepted, in bytes (`--audit-data-size-limit`).
   * Default 8 MiB; 0 means no limit.
   */
  readonly auditDataSizeLimit?: number;
}

export interface ScanFileOptions extends ScanOptions {
  /**
   * Largest file read, in bytes (`--max-binary-size`), checked before reading.
   * Default 100 MiB; 0 means no limit, as cargo-audit's help says (its code treats 0 as a
   * zero-byte cap, a bug this does not copy).
   */
  readonly maxBinarySize?: number;
}

/**
 * Scans an executable already in memory.
 *
 * - With `.dep-v0` audit data: `kind: "complete"`, the validated dependency graph. A fat
 *   Mach-O whose slices each have audit data gets the union of their graphs.
 * - Without it (including files of unknown format, where cargo-audit stops with "Not an
 *   executable file"): `kind: "incomplete"` with the crates found in panic-message paths,
 *   or `kind: "none"` when there are none either.
 *
 * Throws BinaryScanError, and nothing else, for malformed binaries, oversized or corrupt
 * audit data, and audit data that breaks the schema or the graph rules (a RangeError only for
 * an invalid option, which is the caller's mistake, not the file's).
 */
export function scanBinary(bytes: Uint8Array, opts: ScanOptions = {}): BinaryScanResult {
  const limit = sizeOption(
    opts.auditDataSizeLimit,
    DEFAULT_AUDIT_DATA_SIZE_LIMIT,
    "auditDataSizeLimit",
  );
  const format = detectFormat(bytes);
  const sections = findAuditSections(bytes, format);
  if (sections.length > 0) {
    const data = mergeAuditData(sections.map((s) => parseAuditData(inflateAuditData(s, limit))));
    return {
      kind: "complete",
      format,
      complete: true,
      auditFormat: data.format,
      declaredAuditFormat: data.declaredFormat,
      packages: data.packages,
    };
  }
  const crates = cratesFromPanicPaths(bytes);
  if (crates.length === 0) {
    return { kind: "none", format, complete: false, packages: [], recovered: 0 };
  }
  const packages: BinaryPackage[] = crates.map((c) => ({
    name: c.name,
    version: c.version,
    source: "crates.io",
    kind: "runtime",
    dependencies: [],
    root: false,
  }));
  return { kind: "incomplete", format, complete: false, packages, recovered: packages.length };
}

/**
 * Reads and scans the file at `path`. The size cap is checked against the file's size before
 * anything is read, and reading stops one byte past the cap in case the file grew meanwhile.
 * Every BinaryScanError carries `path` and is prefixed with it.
 */
export async function scanBinaryFile(
  path: string,
  opts: ScanFileOptions = {},
): Promise<BinaryScanResult> {
  const max = sizeOption(opts.maxBinarySize, DEFAULT_MAX_BINARY_SIZE, "maxBinarySize");
  const auditDataSizeLimit = sizeOption(
    opts.auditDataSizeLimit,
    DEFAULT_AUDIT_DATA_SIZE_LIMIT,
    "auditDataSizeLimit",
  );
  const bytes = await readCapped(path, max);
  try {
    return scanBinary(bytes, { auditDataSizeLimit });
  } catch (e) {
    throw e instanceof BinaryScanError ? e.withPath(path) : e;
  }
}

async function readCapped(path: string, max: number): Promise<Uint8Array> {
  const ioError = (e: unknown) =>
    new BinaryScanError("io", `cannot read: ${e instanceof Error ? e.message : String(e)}`, {
      path,
      cause: e,
    });
  const tooLarge = (size: string) =>
    new BinaryScanError(
      "limit",
      `file is ${size} bytes, over the ${max}-byte limit (raise --max-binary-size, 0 for no limit)`,
      { path },
    );
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (e) {
    throw ioError(e);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new BinaryScanError("io", "is a directory", { path });
    if (max !== 0 && stat.size > max) throw tooLarge(String(stat.size));
    const cap = max === 0 ? Number.POSITIVE_INFINITY : max + 1;
    let buf = Buffer.allocUnsafe(Math.min(cap, stat.isFile() ? stat.size + 1 : 1 << 16));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total >= cap) break;
        const grown = Buffer.allocUnsafe(Math.min(cap, Math.max(buf.length * 2, 1 << 16)));
        buf.copy(grown, 0, 0, total);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (max !== 0 && total > max) throw tooLarge(`more than ${max}`);
    return buf.subarray(0, total);
  } catch (e) {
    throw e instanceof BinaryScanError ? e : ioError(e);
  } finally {
    await handle.close();
  }
}

/** A byte-count option: a non-negative safe integer, 0 meaning no limit. */
function sizeOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer number of bytes, got ${value}`);
  }
  return value;
}

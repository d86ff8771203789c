/**
 * Inspection of a `.crate` file, streaming: gzip → tar → entries, never holding more than
 * the limits allow (only `Cargo.toml`, a bounded README and `.cargo_vcs_info.json` are kept).
 *
 * crates.io's checks (`crates_io_tarball::process_tarball`) plus stricter ones, so that the
 * registry sees exactly what cargo will unpack:
 * - one gzip member, nothing after it (see gzip.ts); decompressed size limited while inflating;
 * - every entry under `NAME-VERSION/`; no absolute paths, `..`, `.` or empty segments,
 *   backslashes, control characters, non-UTF-8 names, or characters Windows cannot store
 *   (`<>:"|?*`, which `cargo package` itself refuses);
 * - regular files and directories only: no symlinks, hard links, devices, FIFOs, contiguous or
 *   sparse files, no setuid/setgid/sticky bits;
 * - no duplicate paths (also case-insensitively, by default), no path that is both a file and
 *   a directory;
 * - no pax `size` overrides, pax global headers or repeated long-name headers, no data after
 *   the end-of-archive block (places where tar readers disagree);
 * - exactly one `NAME-VERSION/Cargo.toml`, spelled so (crates.io also takes `cargo.toml`),
 *   valid TOML, whose package name and version equal the metadata.
 */

import { createHash } from "node:crypto";
import zlib from "node:zlib";
import tar from "tar-stream";
import { formatBytes, PublishError, type PublishErrorCode, quote } from "./errors.js";
import { checkGzipTrailer, crc32, gzipHeaderLength } from "./gzip.js";
import { type CargoManifest, parseCargoToml } from "./manifest.js";
import { hasControlCharacter } from "./names.js";

export interface TarballOptions {
  /** Crate name and normalised version: entries must be under `NAME-VERSION/`. */
  readonly name: string;
  readonly version: string;
  /** Decompressed bytes (tar headers included). */
  readonly maxUnpackedSize: number;
  readonly maxEntries?: number;
  readonly maxManifestSize?: number;
  readonly maxReadmeSize?: number;
  /** The README's path in the package (metadata `readme_file`); default `README.md` and kin. */
  readonly readmePath?: string | null;
  readonly rejectCaseInsensitiveDuplicatePaths?: boolean;
}

export interface TarballInfo {
  /** SHA-256 of the `.crate` bytes, lower-case hex: the index line's `cksum`. */
  readonly cksum: string;
  /** Bytes of the `.crate` file. */
  readonly size: number;
  /** Regular files. */
  readonly files: number;
  readonly directories: number;
  /** Sum of the regular files' sizes. */
  readonly unpackedSize: number;
  /** Bytes of the decompressed tar stream (what the unpacked-size limit applies to). */
  readonly decompressedSize: number;
  /** File paths relative to `NAME-VERSION/`, in archive order. */
  readonly paths: readonly string[];
  readonly cargoToml: CargoManifest;
  readonly hasCargoTomlOrig: boolean;
  /** The README from the tarball, cut at `maxReadmeSize` (`readmeTruncated`), lossy UTF-8. */
  readonly readme?: string;
  readonly readmePath?: string;
  readonly readmeTruncated?: boolean;
  /** `.cargo_vcs_info.json` when present and valid JSON (`{git:{sha1,dirty},path_in_vcs}`). */
  readonly vcsInfo?: unknown;
}

const DEFAULT_MAX_ENTRIES = 50_000;
const DEFAULT_MAX_MANIFEST = 1024 * 1024;
const DEFAULT_MAX_README = 1024 * 1024;
const MAX_VCS_INFO = 64 * 1024;
const MAX_PATH_BYTES = 4096;
const INPUT_CHUNK = 64 * 1024;
const DEFAULT_README_NAMES = ["README.md", "README", "README.txt", "README.markdown", "readme.md"];

const fail = (code: PublishErrorCode, detail: string): never => {
  throw new PublishError(code, detail);
};

/**
 * Walks the decompressed bytes block by block alongside tar-stream, to refuse what tar-stream
 * would silently accept but other tar readers (cargo's `tar` crate) read differently.
 */
class TarBlockScanner {
  private readonly header = Buffer.alloc(512);
  private fill = 0;
  private skip = 0;
  private ended = false;
  private pendingLongName = false;
  private pendingPax = false;

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.ended) {
        for (; i < chunk.length; i++) {
          if (chunk[i] !== 0) {
            fail(
              "tarball-tar",
              "the tar archive has data after its end-of-archive block; other tar readers stop there, so the registry refuses it",
            );
          }
        }
        return;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(512 - this.fill, chunk.length - i);
      chunk.copy(this.header, this.fill, i, i + n);
      this.fill += n;
      i += n;
      if (this.fill === 512) {
        this.fill = 0;
        this.onHeader();
      }
    }
  }

  private onHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      if (this.pendingLongName || this.pendingPax) {
        fail(
          "tarball-tar",
          "the tar archive ends after an extended header that describes no entry",
        );
      }
      this.ended = true;
      return;
    }
    const size = tarSize(h);
    if (size === null)
      fail("tarball-tar", "the tar archive has a header with an invalid size field");
    const flag = String.fromCharCode(h[156] as number);
    if (flag === "g") {
      fail(
        "tarball-tar",
        "the tar archive has a pax global header; the registry does not accept them",
      );
    }
    if (flag === "L") {
      if (this.pendingLongName)
        fail("tarball-tar", "the tar archive has two long-name headers for one entry");
      this.pendingLongName = true;
    } else if (flag === "x") {
      if (this.pendingPax) fail("tarball-tar", "the tar archive has two pax headers for one entry");
      this.pendingPax = true;
    } else if (flag !== "K") {
      this.pendingLongName = false;
      this.pendingPax = false;
      if (flag === "5" && (size as number) > 0) {
        fail("tarball-tar", "the tar archive has a directory entry that carries data");
      }
    }
    this.skip = Math.ceil((size as number) / 512) * 512;
  }

  /** At the end of the decompressed data: no entry may be cut short. */
  finish(): void {
    if (this.fill !== 0 || this.skip !== 0) {
      fail("tarball-tar", "the tar archive is truncated (an entry is cut short)");
    }
    if (this.pendingLongName || this.pendingPax) {
      fail("tarball-tar", "the tar archive ends after an extended header that describes no entry");
    }
  }
}

/** The size field of a tar header: octal text, or base-256 when the high bit is set. */
function tarSize(h: Buffer): number | null {
  const field = h.subarray(124, 136);
  if ((field[0] as number) & 0x80) {
    if (field[0] !== 0x80) return null; // negative
    let n = 0;
    for (let i = 1; i < 12; i++) n = n * 256 + (field[i] as number);
    return Number.isSafeInteger(n) ? n : null;
  }
  const text = field.toString("latin1").replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return Number.parseInt(text, 8);
}

/** Characters `cargo package` refuses in file names (they cannot exist on Windows). */
const WINDOWS_BAD = /[<>:"|?*]/;

const TYPE_NAMES: Record<string, string> = {
  link: "a hard link",
  symlink: "a symbolic link",
  "character-device": "a character device",
  "block-device": "a block device",
  fifo: "a FIFO (named pipe)",
  "contiguous-file": "a contiguous file",
};

/** Normalises the README path from the metadata to a path inside the package, or null. */
function readmeTarget(path: string | null | undefined): string | null {
  if (path === null || path === undefined || path === "") return null;
  let p = path.replaceAll("\\", "/");
  while (p.startsWith("./")) p = p.slice(2);
  // cargo copies a README from outside the package into its root.
  if (p.startsWith("/") || p.split("/").includes("..")) p = p.slice(p.lastIndexOf("/") + 1);
  return p === "" ? null : p;
}

type EntryStream = AsyncIterable<unknown>;

async function readBounded(
  entry: EntryStream,
  max: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let n = 0;
  let truncated = false;
  for await (const data of entry) {
    const chunk = data as Buffer;
    const room = max - n;
    if (room <= 0) {
      truncated = true;
      continue;
    }
    const take = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (take.length < chunk.length) truncated = true;
    chunks.push(take);
    n += take.length;
  }
  return { bytes: Buffer.concat(chunks, n), truncated };
}

/**
 * Inspects a `.crate` file. Resolves to what was found, or rejects with a `PublishError`
 * (never anything else, whatever the bytes).
 */
export async function inspectTarball(
  crateBytes: Uint8Array,
  options: TarballOptions,
): Promise<TarballInfo> {
  const bytes = Buffer.isBuffer(crateBytes)
    ? crateBytes
    : Buffer.from(crateBytes.buffer, crateBytes.byteOffset, crateBytes.length);
  const root = `${options.name}-${options.version}`;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxManifest = options.maxManifestSize ?? DEFAULT_MAX_MANIFEST;
  const maxReadme = options.maxReadmeSize ?? DEFAULT_MAX_README;
  const caseInsensitive = options.rejectCaseInsensitiveDuplicatePaths ?? true;
  const wantedReadme = readmeTarget(options.readmePath);
  const maxUnpacked = options.maxUnpackedSize;

  const headerLength = gzipHeaderLength(bytes);
  const cksum = createHash("sha256").update(bytes).digest("hex");

  const inflater = zlib.createInflateRaw({ chunkSize: INPUT_CHUNK });
  const extract = tar.extract();
  const scanner = new TarBlockScanner();
  let failure: PublishError | null = null;
  let decompressed = 0;
  let crc = 0;

  const abort = (err: PublishError): void => {
    if (failure !== null) return;
    failure = err;
    inflater.destroy();
    extract.destroy(err);
  };

  inflater.on("data", (chunk: Buffer) => {
    if (failure !== null) return;
    decompressed += chunk.length;
    if (decompressed > maxUnpacked) {
      abort(
        new PublishError(
          "tarball-too-large",
          `the .crate file unpacks to more than ${formatBytes(maxUnpacked)}, the limit of this registry (a .crate that compresses this well is refused as a decompression bomb)`,
        ),
      );
      return;
    }
    crc = crc32(chunk, crc);
    try {
      scanner.feed(chunk);
    } catch (e) {
      abort(e as PublishError);
      return;
    }
    if (!extract.write(chunk)) inflater.pause();
  });
  extract.on("drain", () => {
    if (failure === null) inflater.resume();
  });
  inflater.on("error", (e: Error) => {
    abort(
      new PublishError("tarball-gzip", `the .crate file is not a valid gzip stream: ${e.message}`),
    );
  });
  inflater.on("end", () => {
    if (failure !== null) return;
    try {
      checkGzipTrailer(bytes, headerLength + inflater.bytesWritten, crc, decompressed);
      scanner.finish();
    } catch (e) {
      abort(e as PublishError);
      return;
    }
    extract.end(undefined);
  });

  // Feed the deflate data in chunks, respecting backpressure, until done or failed.
  const feed = async (): Promise<void> => {
    for (let off = headerLength; off < bytes.length; off += INPUT_CHUNK) {
      if (failure !== null || inflater.destroyed) return;
      const more = inflater.write(bytes.subarray(off, Math.min(off + INPUT_CHUNK, bytes.length)));
      if (!more) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            inflater.off("drain", done);
            inflater.off("close", done);
            resolve();
          };
          inflater.on("drain", done);
          inflater.on("close", done);
        });
      }
    }
    if (failure === null && !inflater.destroyed) inflater.end();
  };
  void feed();

  const paths: string[] = [];
  const seen = new Set<string>();
  const seenFolded = new Map<string, string>();
  const files = new Set<string>();
  const dirs = new Set<string>();
  let entries = 0;
  let fileCount = 0;
  let dirCount = 0;
  let unpackedSize = 0;
  let manifest: CargoManifest | null = null;
  let hasOrig = false;
  let readme: { path: string; text: string; truncated: boolean } | undefined;
  let readmeRank = Number.POSITIVE_INFINITY;
  let vcsInfo: unknown;

  try {
    for await (const entry of extract) {
      const header = entry.header;
      entries++;
      if (entries > maxEntries) {
        fail(
          "tarball-too-many-entries",
          `the .crate file has more than ${maxEntries} entries, the limit of this registry`,
        );
      }
      const rawName = header.name;
      const shown = quote(rawName, 200);
      const type = header.type as string | null;

      if (type !== "file" && type !== "directory") {
        const what =
          type === null ? "an unsupported entry type" : (TYPE_NAMES[type] ?? `a ${type}`);
        fail(
          "tarball-entry-type",
          `the .crate file contains ${what} at ${shown}; only regular files and directories are allowed${type === "symlink" || type === "link" ? " (cargo packages the files links point to, never links)" : ""}`,
        );
      }
      const pax = header.pax as Record<string, string> | null | undefined;
      if (pax) {
        for (const key of Object.keys(pax)) {
          if (key === "size" || key.startsWith("GNU.sparse") || key === "hdrcharset") {
            fail(
              "tarball-tar",
              `the tar entry ${shown} has a pax \`${key}\` record; the registry refuses them because tar readers disagree on them`,
            );
          }
        }
      }
      if ((header.mode ?? 0) & 0o7000) {
        fail(
          "tarball-entry-type",
          `the tar entry ${shown} has the setuid, setgid or sticky bit set`,
        );
      }

      // Path checks.
      if (rawName.includes("\uFFFD"))
        fail("tarball-path", `invalid path found: ${shown} is not valid UTF-8`);
      if (hasControlCharacter(rawName) || rawName.includes("\\")) {
        fail(
          "tarball-path",
          `invalid path found: ${shown} contains a control character or a backslash`,
        );
      }
      if (Buffer.byteLength(rawName) > MAX_PATH_BYTES) {
        fail("tarball-path", `invalid path found: a path is longer than ${MAX_PATH_BYTES} bytes`);
      }
      if (rawName.startsWith("/")) {
        fail("tarball-path", `invalid path found: ${shown} is an absolute path`);
      }
      const name = type === "directory" && rawName.endsWith("/") ? rawName.slice(0, -1) : rawName;
      const segments = name.split("/");
      for (const s of segments) {
        if (s === "..")
          fail("tarball-path", `invalid path found: ${shown} contains a \`..\` segment`);
        if (s === "." || s === "") {
          fail("tarball-path", `invalid path found: ${shown} contains an empty or \`.\` segment`);
        }
      }
      if (segments[0] !== root) {
        fail("tarball-path", `invalid path found: ${shown} is not inside \`${root}/\``);
      }
      const rel = segments.slice(1).join("/");
      if (rel === "" && type !== "directory") {
        fail(
          "tarball-path",
          `invalid path found: ${shown} must be the package directory \`${root}/\``,
        );
      }
      for (const s of segments.slice(1)) {
        const bad = WINDOWS_BAD.exec(s);
        if (bad) {
          fail(
            "tarball-path",
            `invalid path found: ${shown} contains the character \`${bad[0]}\`, which cannot be used in file names on Windows`,
          );
        }
      }

      // Cargo.toml: exactly one, spelled so, at the package root.
      const isRootFile = segments.length === 2;
      if (isRootFile && rel.toLowerCase() === "cargo.toml") {
        if (type !== "file") fail("manifest-invalid", `\`${root}/${rel}\` must be a regular file`);
        if (manifest !== null || seen.has("Cargo.toml")) {
          fail("manifest-multiple", `more than one Cargo.toml manifest in tarball (${shown})`);
        }
        if (rel !== "Cargo.toml") {
          fail("manifest-invalid", `Cargo.toml manifest is incorrectly cased: ${shown}`);
        }
      }

      // Duplicates.
      if (seen.has(rel)) fail("tarball-duplicate", `the .crate file contains ${shown} twice`);
      if (caseInsensitive) {
        const folded = rel.toLowerCase();
        const other = seenFolded.get(folded);
        if (other !== undefined) {
          fail(
            "tarball-duplicate",
            `the .crate file contains both ${quote(`${root}/${other}`, 200)} and ${shown}, which are the same path on case-insensitive file systems`,
          );
        }
        seenFolded.set(folded, rel);
      }
      seen.add(rel);
      if (type === "file") {
        if (dirs.has(rel)) fail("tarball-duplicate", `${shown} is both a file and a directory`);
        files.add(rel);
      } else if (rel !== "") {
        if (files.has(rel)) fail("tarball-duplicate", `${shown} is both a file and a directory`);
        dirs.add(rel);
      }
      for (let i = 1; i < segments.length - 1; i++) {
        const parent = segments.slice(1, i + 1).join("/");
        if (files.has(parent)) {
          fail(
            "tarball-duplicate",
            `${quote(`${root}/${parent}`, 200)} is both a file and a directory`,
          );
        }
        dirs.add(parent);
      }

      if (type === "directory") {
        dirCount++;
        entry.resume();
        continue;
      }

      fileCount++;
      paths.push(rel);
      unpackedSize += header.size;
      if (header.size > maxUnpacked) {
        fail(
          "tarball-too-large",
          `${shown} is ${formatBytes(header.size)}, more than the ${formatBytes(maxUnpacked)} a .crate may unpack to`,
        );
      }

      if (isRootFile && rel === "Cargo.toml") {
        if (header.size > maxManifest) {
          fail(
            "manifest-invalid",
            `Cargo.toml is ${formatBytes(header.size)}; at most ${formatBytes(maxManifest)} is accepted`,
          );
        }
        const { bytes: toml } = await readBounded(entry, maxManifest);
        manifest = parseCargoToml(toml, options.name, options.version);
        continue;
      }
      if (isRootFile && rel === "Cargo.toml.orig") hasOrig = true;
      if (isRootFile && rel === ".cargo_vcs_info.json" && header.size <= MAX_VCS_INFO) {
        const { bytes: json } = await readBounded(entry, MAX_VCS_INFO);
        try {
          vcsInfo = JSON.parse(json.toString("utf8"));
        } catch {
          vcsInfo = undefined; // best effort, unverified (as crates.io)
        }
        continue;
      }
      const rank =
        wantedReadme !== null ? (rel === wantedReadme ? 0 : -1) : DEFAULT_README_NAMES.indexOf(rel);
      if (rank >= 0 && rank < readmeRank) {
        const { bytes: text, truncated } = await readBounded(entry, maxReadme);
        readme = { path: rel, text: text.toString("utf8"), truncated };
        readmeRank = rank;
        continue;
      }
      entry.resume();
    }
  } catch (e) {
    if (failure !== null) throw failure;
    const err =
      e instanceof PublishError
        ? e
        : new PublishError(
            "tarball-tar",
            `the .crate file is not a valid tar archive: ${e instanceof Error ? e.message : String(e)}`,
          );
    abort(err);
    throw err;
  } finally {
    if (!inflater.destroyed) inflater.destroy();
  }
  if (failure !== null) throw failure;

  if (manifest === null) {
    return fail(
      "manifest-missing",
      `Cargo.toml manifest is missing: the .crate file has no \`${root}/Cargo.toml\``,
    );
  }

  return {
    cksum,
    size: bytes.length,
    files: fileCount,
    directories: dirCount,
    unpackedSize,
    decompressedSize: decompressed,
    paths,
    cargoToml: manifest,
    hasCargoTomlOrig: hasOrig,
    ...(readme === undefined
      ? {}
      : { readme: readme.text, readmePath: readme.path, readmeTruncated: readme.truncated }),
    ...(vcsInfo === undefined ? {} : { vcsInfo }),
  };
}

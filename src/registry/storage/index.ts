/**
 * Where `.crate` files live: content-addressed by their SHA-256 (the index line's `cksum`) behind
 * a small interface, so an S3-compatible store can replace the local directory.
 *
 * Crash safety: `put` returns only once the file is durable (temp file, fsync, rename, fsync of
 * the directory). The server stores the file before it commits the publish transaction, so an
 * index line never points at a missing file; a crash in between leaves an unreferenced file,
 * which is harmless (a retried publish of the same bytes finds it already there).
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface StoredCrate {
  readonly size: number;
  readonly stream: Readable;
}

export interface CrateStorage {
  /** Stores `bytes` under `cksum`; refuses bytes whose SHA-256 is not `cksum`. Idempotent. */
  put(cksum: string, bytes: Uint8Array): Promise<void>;
  /** The stored file, or null. */
  get(cksum: string): Promise<StoredCrate | null>;
  has(cksum: string): Promise<boolean>;
}

export class StorageError extends Error {
  override readonly name = "StorageError";
}

function checkCksum(cksum: string): string {
  if (!SHA256_HEX.test(cksum)) throw new StorageError("a checksum must be 64 lowercase hex digits");
  return cksum;
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash("sha256").update(bytes).digest("hex");

async function fsyncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/** `<root>/ab/cd/<sha256>` on the local disk (root is usually `<data>/crates`). */
export class FileCrateStorage implements CrateStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathFor(cksum: string): string {
    const c = checkCksum(cksum);
    return join(this.root, c.slice(0, 2), c.slice(2, 4), c);
  }

  async has(cksum: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(cksum))).isFile();
    } catch {
      return false;
    }
  }

  async put(cksum: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathFor(cksum);
    if (sha256Hex(bytes) !== cksum) {
      throw new StorageError("the crate bytes do not match their checksum");
    }
    if (await this.has(cksum)) return;
    const dir = join(path, "..");
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${cksum}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx", 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (e) {
      await handle.close();
      await rm(temp, { force: true });
      throw e;
    }
    await handle.close();
    try {
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    await fsyncDir(dir);
  }

  async get(cksum: string): Promise<StoredCrate | null> {
    if (!SHA256_HEX.test(cksum)) return null;
    const path = this.pathFor(cksum);
    try {
      const s = await stat(path);
      if (!s.isFile()) return null;
      return { size: s.size, stream: createReadStream(path) };
    } catch {
      return null;
    }
  }
}

/** In-memory storage for tests. */
export class MemoryCrateStorage implements CrateStorage {
  readonly files = new Map<string, Buffer>();

  async put(cksum: string, bytes: Uint8Array): Promise<void> {
    checkCksum(cksum);
    if (sha256Hex(bytes) !== cksum) {
      throw new StorageError("the crate bytes do not match their checksum");
    }
    this.files.set(cksum, Buffer.from(bytes));
  }

  async get(cksum: string): Promise<StoredCrate | null> {
    const file = this.files.get(cksum);
    if (file === undefined) return null;
    return { size: file.length, stream: Readable.from([file]) };
  }

  async has(cksum: string): Promise<boolean> {
    return this.files.has(cksum);
  }
}

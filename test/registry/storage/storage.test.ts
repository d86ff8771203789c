import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { after, describe, it } from "node:test";
import {
  FileCrateStorage,
  MemoryCrateStorage,
  StorageError,
} from "../../../src/registry/storage/index.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("FileCrateStorage", () => {
  const dir = mkdtempSync(join(tmpdir(), "cratesec-storage-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const storage = new FileCrateStorage(dir);

  it("stores content-addressed under ab/cd/<sha256> and reads it back", async () => {
    const bytes = Buffer.from("crate bytes");
    const cksum = sha(bytes);
    assert.equal(await storage.has(cksum), false);
    assert.equal(await storage.get(cksum), null);
    await storage.put(cksum, bytes);
    const path = join(dir, cksum.slice(0, 2), cksum.slice(2, 4), cksum);
    assert.equal(storage.pathFor(cksum), path);
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(await storage.has(cksum), true);
    const got = await storage.get(cksum);
    assert.equal(got?.size, bytes.length);
    assert.equal(await text(got?.stream as NodeJS.ReadableStream), "crate bytes");
    await storage.put(cksum, bytes); // idempotent
    assert.deepEqual(readdirSync(join(dir, cksum.slice(0, 2), cksum.slice(2, 4))), [cksum]);
  });

  it("refuses bytes that do not match the checksum and malformed checksums", async () => {
    const cksum = sha(Buffer.from("a"));
    await assert.rejects(storage.put(cksum, Buffer.from("b")), StorageError);
    assert.equal(await storage.has(cksum), false);
    await assert.rejects(storage.put("../../etc/passwd", Buffer.from("a")), StorageError);
    assert.equal(await storage.get("../x"), null);
    assert.equal(await storage.has("ABC"), false);
    // No temp files left behind.
    const leftovers = readdirSync(dir, { recursive: true }).filter((p) =>
      String(p).endsWith(".tmp"),
    );
    assert.deepEqual(leftovers, []);
  });
});

describe("MemoryCrateStorage", () => {
  it("behaves like the file storage", async () => {
    const s = new MemoryCrateStorage();
    const b = Buffer.from("x");
    await s.put(sha(b), b);
    assert.equal(await s.has(sha(b)), true);
    assert.equal(await text((await s.get(sha(b)))?.stream as NodeJS.ReadableStream), "x");
    await assert.rejects(s.put(sha(b), Buffer.from("y")), StorageError);
  });
});

import assert from "node:assert/strict";
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  BinaryScanError,
  DEFAULT_MAX_BINARY_SIZE,
  scanBinaryFile,
} from "../../src/binary/index.js";
import { allFixtures, elf, SAMPLE_PACKAGES, SAMPLE_PAYLOAD } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "cratesec-binfile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsWith(
  promise: Promise<unknown>,
  reason: string,
  message: RegExp,
  path?: string,
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof BinaryScanError, `expected BinaryScanError, got ${String(e)}`);
    assert.equal(e.reason, reason);
    assert.match(e.message, message);
    if (path !== undefined) {
      assert.equal(e.path, path);
      assert.ok(e.message.startsWith(`${path}: `), e.message);
    }
    return true;
  });
}

/** A sparse file of `size` bytes: no disk space, and fast to create. */
function sparse(name: string, size: number): string {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  ftruncateSync(fd, size);
  closeSync(fd);
  return path;
}

describe("scanBinaryFile", () => {
  it("scans every fixture from disk", async () => {
    for (const f of allFixtures()) {
      const path = join(dir, f.name.replaceAll(/\W+/g, "_"));
      writeFileSync(path, f.bytes);
      const result = await scanBinaryFile(path);
      assert.equal(result.kind, "complete", f.name);
      assert.equal(result.packages.length, SAMPLE_PACKAGES.length);
    }
  });

  it("refuses a file over the default 100 MiB cap before reading it", async () => {
    assert.equal(DEFAULT_MAX_BINARY_SIZE, 100 * 1024 * 1024);
    const path = sparse("huge", DEFAULT_MAX_BINARY_SIZE + 1);
    await rejectsWith(
      scanBinaryFile(path),
      "limit",
      /file is 104857601 bytes, over the 104857600-byte limit \(raise --max-binary-size, 0 for no limit\)/,
      path,
    );
  });

  it("accepts a file exactly at the cap, and treats 0 as no cap", async () => {
    const path = join(dir, "small");
    const bytes = elf({
      bits: 64,
      littleEndian: true,
      sections: [{ name: ".dep-v0", data: SAMPLE_PAYLOAD }],
    });
    writeFileSync(path, bytes);
    assert.equal((await scanBinaryFile(path, { maxBinarySize: bytes.length })).kind, "complete");
    await rejectsWith(
      scanBinaryFile(path, { maxBinarySize: bytes.length - 1 }),
      "limit",
      /over the/,
    );
    const big = sparse("big-unlimited", DEFAULT_MAX_BINARY_SIZE + 4096);
    const result = await scanBinaryFile(big, { maxBinarySize: 0 });
    assert.equal(result.kind, "none");
  });

  it("caps files whose size stat does not report", {
    skip: !existsSync("/proc/version"),
  }, async () => {
    await rejectsWith(
      scanBinaryFile("/proc/version", { maxBinarySize: 10 }),
      "limit",
      /more than 10/,
    );
    assert.equal((await scanBinaryFile("/proc/version")).kind, "none");
  });

  it("passes the audit data size limit through", async () => {
    const path = join(dir, "limited");
    writeFileSync(
      path,
      elf({ bits: 32, littleEndian: true, sections: [{ name: ".dep-v0", data: SAMPLE_PAYLOAD }] }),
    );
    await rejectsWith(
      scanBinaryFile(path, { auditDataSizeLimit: 10 }),
      "limit",
      /10-byte limit/,
      path,
    );
  });

  it("prefixes errors with the path", async () => {
    const path = join(dir, "broken.elf");
    const bytes = elf({
      bits: 64,
      littleEndian: true,
      sections: [{ name: ".dep-v0", data: SAMPLE_PAYLOAD }],
    });
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    await rejectsWith(
      scanBinaryFile(path),
      "malformed",
      /truncated ELF section header table/,
      path,
    );
  });

  it("reports unreadable paths as I/O errors", async () => {
    const missing = join(dir, "does-not-exist");
    await rejectsWith(scanBinaryFile(missing), "io", /cannot read: .*ENOENT/, missing);
    await rejectsWith(scanBinaryFile(dir), "io", /is a directory/, dir);
  });

  it("rejects nonsensical size options as a caller error", async () => {
    await assert.rejects(scanBinaryFile(join(dir, "x"), { maxBinarySize: -5 }), RangeError);
  });
});

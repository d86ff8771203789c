import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkPublish,
  maxPublishBodySize,
  parsePublishBody,
  splitPublishBody,
} from "../../../src/registry/publish/index.js";
import {
  assertPublishError,
  crateFile,
  describeResult,
  frame,
  MemoryView,
  newCrateJson,
  thrown,
} from "./helpers.js";

const limits = { maxMetadataSize: 1024 * 1024, maxUploadSize: 10 * 1024 * 1024 };

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe("publish body framing", () => {
  it("splits a well-formed body exactly", () => {
    const crate = Buffer.from([1, 2, 3, 4, 5]);
    const body = frame({ name: "x" }, crate);
    const { metadata, crateBytes } = parsePublishBody(body, limits);
    assert.deepEqual(metadata, { name: "x" });
    assert.deepEqual([...crateBytes], [1, 2, 3, 4, 5]);
  });

  it("accepts an empty metadata length only to fail on the JSON", () => {
    const body = Buffer.concat([u32(0), u32(0)]);
    assertPublishError(
      thrown(() => parsePublishBody(body, limits)),
      "metadata-json",
      400,
      /not valid JSON/,
    );
  });

  it("refuses bodies too short for the first length", () => {
    for (const body of [Buffer.alloc(0), Buffer.from([1]), Buffer.from([1, 0, 0])]) {
      assertPublishError(
        thrown(() => splitPublishBody(body, limits)),
        "body-truncated",
        400,
        /truncated.*4-byte metadata length/,
      );
    }
  });

  it("refuses a metadata length pointing past the end", () => {
    const body = Buffer.concat([u32(100), Buffer.from("{}")]);
    assertPublishError(
      thrown(() => splitPublishBody(body, limits)),
      "body-truncated",
      400,
      /metadata JSON is 100 bytes, but only 2 bytes follow/,
    );
  });

  it("refuses a body that ends before the .crate length", () => {
    for (const tail of [Buffer.alloc(0), Buffer.from([5, 0])]) {
      const body = Buffer.concat([u32(2), Buffer.from("{}"), tail]);
      assertPublishError(
        thrown(() => splitPublishBody(body, limits)),
        "body-truncated",
        400,
        /4-byte \.crate length .* is missing/,
      );
    }
  });

  it("refuses a .crate length pointing past the end (truncated upload)", () => {
    const body = Buffer.concat([u32(2), Buffer.from("{}"), u32(1000), Buffer.alloc(10)]);
    assertPublishError(
      thrown(() => splitPublishBody(body, limits)),
      "body-truncated",
      400,
      /\.crate file is 1000 bytes, but only 10 bytes follow/,
    );
  });

  it("refuses bytes after the .crate", () => {
    const body = Buffer.concat([frame("{}", Buffer.alloc(10)), Buffer.from("junk")]);
    assertPublishError(
      thrown(() => splitPublishBody(body, limits)),
      "body-trailing-bytes",
      400,
      /4 unexpected bytes after the 10-byte \.crate/,
    );
  });

  it("refuses metadata over the limit with 413, before reading it", () => {
    const small = { maxMetadataSize: 16, maxUploadSize: 1024 };
    const json = JSON.stringify({ name: "a".repeat(40) });
    const body = frame(json, Buffer.alloc(4));
    assertPublishError(
      thrown(() => splitPublishBody(body, small)),
      "metadata-too-large",
      413,
      new RegExp(`metadata JSON is ${json.length} bytes, more than the 16 bytes`),
    );
    // Even when the length lies: a huge declared JSON length is refused by size first.
    const lying = Buffer.concat([u32(0xffffffff), Buffer.alloc(8)]);
    assertPublishError(
      thrown(() => splitPublishBody(lying, limits)),
      "metadata-too-large",
      413,
      /4\.0 GiB|GiB/,
    );
  });

  it("refuses a .crate over the upload limit with 413", () => {
    const small = { maxMetadataSize: 1024, maxUploadSize: 100 };
    const body = frame("{}", Buffer.alloc(101));
    assertPublishError(
      thrown(() => splitPublishBody(body, small)),
      "crate-too-large",
      413,
      /\.crate file is 101 bytes; the maximum upload size is 100 bytes/,
    );
    // The declared length is enough: the bytes need not be there.
    const declared = Buffer.concat([u32(2), Buffer.from("{}"), u32(50 * 1024 * 1024)]);
    assertPublishError(
      thrown(() => splitPublishBody(declared, limits)),
      "crate-too-large",
      413,
      /50 MiB; the maximum upload size is 10 MiB/,
    );
  });

  it("refuses a 100 MB body with 413 (and names the limit)", async () => {
    const body = Buffer.alloc(100 * 1024 * 1024);
    assert.ok(body.length > maxPublishBodySize(limits));
    const result = await checkPublish(body, new MemoryView());
    assertPublishError(result, "body-too-large", 413, /100 MiB, more than this registry accepts/);
  });

  it("a 100 MB body declaring a 100 MB .crate is refused as too large a .crate", async () => {
    const crate = Buffer.alloc(100 * 1024 * 1024);
    const body = frame("{}", crate);
    const result = await checkPublish(body, new MemoryView(), {
      maxUploadSize: 200 * 1024 * 1024,
    });
    // Allowed upload size: then the JSON is what fails.
    assertPublishError(result, "metadata-invalid", 400, /missing field `name`/);
    const strict = await checkPublish(body, new MemoryView());
    assertPublishError(strict, "body-too-large", 413, /more than this registry accepts/);
  });

  it("refuses metadata that is not UTF-8, not JSON, or has a BOM", async () => {
    const crate = await crateFile("a", "1.0.0");
    const cases: [Buffer, RegExp][] = [
      [Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
      [Buffer.from("{not json"), /not valid JSON/],
      [Buffer.from('\uFEFF{"name":"a"}'), /not valid JSON/],
      [Buffer.from(""), /not valid JSON/],
    ];
    for (const [json, detail] of cases) {
      assertPublishError(
        await checkPublish(frame(json, crate), new MemoryView()),
        "metadata-json",
        400,
        detail,
      );
    }
  });

  it("refuses JSON that is not an object", async () => {
    const crate = await crateFile("a", "1.0.0");
    for (const json of ["[]", "null", "42", '"a"']) {
      assertPublishError(
        await checkPublish(frame(json, crate), new MemoryView()),
        "metadata-invalid",
        400,
        /metadata must be a JSON object/,
      );
    }
  });

  it("a correct body passes", async () => {
    const crate = await crateFile("a", "1.0.0");
    const result = await checkPublish(frame(newCrateJson("a", "1.0.0"), crate), new MemoryView());
    assert.ok(result.ok, describeResult(result));
  });
});

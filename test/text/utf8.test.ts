import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { firstInvalidUtf8 } from "../../src/text/utf8.js";

const strict = new TextDecoder("utf-8", { fatal: true });
const decodes = (bytes: Uint8Array): boolean => {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

test("agrees with the platform's strict decoder, and the prefix before the offset is valid", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const offset = firstInvalidUtf8(bytes);
      assert.equal(offset === bytes.length, decodes(bytes));
      assert.ok(decodes(bytes.subarray(0, offset)));
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (text) => {
      const bytes = new TextEncoder().encode(text);
      assert.equal(firstInvalidUtf8(bytes), bytes.length);
    }),
  );
});

test("points at overlong forms and surrogates", () => {
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0xc0, 0x80])), 1);
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xed, 0xa0, 0x80])), 2);
  assert.equal(firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), 0);
});

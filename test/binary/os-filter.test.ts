import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { APPLE_OSES, type BinaryFormat, osApplies } from "../../src/binary/index.js";

describe("osApplies (§5 step 7)", () => {
  const formats: BinaryFormat[] = ["pe", "macho", "elf32", "elf64", "wasm", "unknown"];
  // Expected result per format, in the order of `formats`.
  const table: [string[], boolean[]][] = [
    [[], [true, true, true, true, true, true]],
    [["windows"], [true, false, false, false, false, true]],
    [["macos"], [false, true, false, false, false, true]],
    [["ios"], [false, true, false, false, false, true]],
    [["tvos"], [false, true, false, false, false, true]],
    [["watchos"], [false, true, false, false, false, true]],
    [["visionos"], [false, true, false, false, false, true]],
    [["linux"], [false, false, true, true, false, true]],
    [["android"], [false, false, true, true, false, true]],
    [["freebsd"], [false, false, true, true, false, true]],
    [["unknown"], [false, false, true, true, true, true]],
    [["none"], [false, false, true, true, true, true]],
    [["wasi"], [false, false, true, true, false, true]],
    [["emscripten"], [false, false, true, true, false, true]],
    [
      ["windows", "macos"],
      [true, true, false, false, false, true],
    ],
    [
      ["windows", "linux"],
      [true, false, true, true, false, true],
    ],
    [
      ["macos", "ios", "windows"],
      [true, true, false, false, false, true],
    ],
    [
      ["linux", "macos"],
      [false, true, true, true, false, true],
    ],
    [
      ["windows", "none"],
      [true, false, true, true, true, true],
    ],
  ];
  for (const [os, expected] of table) {
    it(`os = [${os.join(", ")}]`, () => {
      assert.deepEqual(
        formats.map((f) => osApplies(f, os)),
        expected,
        formats.map((f, i) => `${f}: ${expected[i]}`).join(", "),
      );
    });
  }

  it("uses the Apple OSes of the platforms crate's *apple* targets", () => {
    assert.deepEqual([...APPLE_OSES].sort(), ["ios", "macos", "tvos", "visionos", "watchos"]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BinaryScanError, scanBinary } from "../../src/binary/index.js";
import {
  allFixtures,
  elf,
  fat,
  macho,
  pe,
  SAMPLE_PAYLOAD,
  uleb,
  wasm,
  wasmCustom,
} from "./fixtures.js";

/** Scans and returns the error, failing the test on anything that is not a BinaryScanError. */
function scanOrError(bytes: Uint8Array): BinaryScanError | null {
  try {
    scanBinary(bytes);
    return null;
  } catch (e) {
    if (e instanceof BinaryScanError) return e;
    throw new Error(`scan threw ${String(e)} instead of a BinaryScanError`, { cause: e });
  }
}

function malformed(bytes: Uint8Array, message: RegExp): void {
  const e = scanOrError(bytes);
  assert.ok(e !== null, "expected a BinaryScanError");
  assert.equal(e.reason, "malformed");
  assert.match(e.message, message);
}

const fixtures = allFixtures();

describe("damaged binaries only ever raise BinaryScanError", () => {
  for (const f of fixtures) {
    it(`${f.name}: every truncation`, () => {
      for (let length = 0; length < f.bytes.length; length++) {
        scanOrError(f.bytes.subarray(0, length));
      }
    });

    it(`${f.name}: random byte flips and truncations`, () => {
      const edit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), fc.nat(), (edits, cut) => {
          const bytes = Buffer.from(f.bytes);
          for (const { at, value } of edits) bytes[at % bytes.length] = value;
          scanOrError(bytes);
          scanOrError(bytes.subarray(0, cut % (bytes.length + 1)));
        }),
        { numRuns: 300 },
      );
    });

    it(`${f.name}: every header field set to extreme values`, () => {
      // The first 256 bytes hold every header and table the scanner reads in these fixtures.
      for (let at = 0; at < Math.min(256, f.bytes.length); at++) {
        for (const value of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
          const bytes = Buffer.from(f.bytes);
          bytes[at] = value;
          scanOrError(bytes);
        }
      }
    });
  }
});

describe("clear messages for malformed files", () => {
  const elf64 = () =>
    elf({ bits: 64, littleEndian: true, sections: [{ name: ".dep-v0", data: SAMPLE_PAYLOAD }] });

  it("ELF: truncated section header table", () => {
    const bytes = elf64();
    malformed(bytes.subarray(0, bytes.length - 10), /truncated ELF section header table/);
  });

  it("ELF: section data past the end of the file", () => {
    const bytes = elf64();
    // The first real section header follows the null one; push its offset far out.
    const shoff = Number(bytes.readBigUInt64LE(40));
    bytes.writeBigUInt64LE(0xffff_ffffn, shoff + 64 + 24);
    malformed(bytes, /truncated ELF section \.dep-v0 \(offset 0xffffffff/);
  });

  it("ELF: a u64 offset beyond 2^53", () => {
    const bytes = elf64();
    bytes.writeBigUInt64LE(0xffff_ffff_ffff_ff00n, 40);
    malformed(bytes, /truncated ELF section header table/);
  });

  it("ELF: string table index out of range", () => {
    const bytes = elf64();
    bytes.writeUInt16LE(200, 62);
    malformed(bytes, /ELF section name table index 200 is out of range \(3 sections\)/);
  });

  it("ELF: .dep-v0 without file data", () => {
    const bytes = elf({
      bits: 32,
      littleEndian: false,
      sections: [{ name: ".dep-v0", data: SAMPLE_PAYLOAD, type: 8 }],
    });
    malformed(bytes, /SHT_NOBITS/);
  });

  it("ELF: truncated header", () => {
    malformed(elf64().subarray(0, 40), /truncated ELF header/);
  });

  it("ELF: no section header table means no audit data", () => {
    const bytes = elf64();
    bytes.writeBigUInt64LE(0n, 40);
    bytes.writeUInt16LE(0, 60);
    assert.equal(scanBinary(bytes).kind, "none");
    bytes.writeUInt16LE(3, 60);
    malformed(bytes, /lists 3 sections but no section header table/);
  });

  const pe32 = () =>
    pe({ plus: false, sections: [{ name: ".dep-v0", data: SAMPLE_PAYLOAD, longName: true }] });

  it("PE: missing signature", () => {
    const bytes = pe32();
    bytes.write("XX", 0x80, "latin1");
    malformed(bytes, /no PE signature at 0x80/);
  });

  it("PE: e_lfanew past the end", () => {
    const bytes = pe32();
    bytes.writeUInt32LE(0x7fff_fff0, 0x3c);
    malformed(bytes, /truncated PE signature/);
  });

  it("PE: truncated section table", () => {
    const bytes = pe32();
    bytes.writeUInt16LE(5000, 0x84 + 2);
    malformed(bytes, /truncated PE section table/);
  });

  it("PE: long name outside the COFF string table", () => {
    const bytes = pe32();
    const table = 0x84 + 20 + 224;
    bytes.write("/999\0\0\0\0", table, "latin1");
    malformed(bytes, /long name \/999 points outside the COFF string table/);
  });

  it("PE: long name without a string table", () => {
    const bytes = pe32();
    bytes.writeUInt32LE(0, 0x84 + 8);
    malformed(bytes, /has a long name \(\/4\) but there is no COFF string table/);
  });

  it("PE: unknown optional header magic", () => {
    const bytes = pe32();
    bytes.writeUInt16LE(0x1234, 0x84 + 20);
    malformed(bytes, /unknown PE optional header magic 0x1234/);
  });

  it("PE: an MS-DOS program is not a PE image", () => {
    const dos = Buffer.alloc(0x40);
    dos.write("MZ", 0, "latin1");
    malformed(dos, /no PE signature|truncated PE signature/);
  });

  const thin = () =>
    macho({
      bits: 64,
      littleEndian: true,
      sections: [{ segment: "__DATA", section: ".dep-v0", data: SAMPLE_PAYLOAD }],
    });

  it("Mach-O: more load commands than fit", () => {
    // Without .dep-v0 in the first command, the scan walks on into the bogus ones.
    const bytes = macho({
      bits: 64,
      littleEndian: true,
      sections: [{ segment: "__TEXT", section: "__text", data: Buffer.from([0xc3]) }],
    });
    bytes.writeUInt32LE(1000, 16);
    malformed(bytes, /truncated Mach-O load command 1 \(of 1000\)/);
  });

  it("Mach-O: a zero-size load command", () => {
    const bytes = thin();
    bytes.writeUInt32LE(0, 32 + 4);
    malformed(bytes, /Mach-O load command 0 has an invalid size 0/);
  });

  it("Mach-O: more sections than the segment command holds", () => {
    const bytes = thin();
    bytes.writeUInt32LE(9, 32 + 64);
    malformed(bytes, /declares 9 sections, more than fit/);
  });

  it("Mach-O: load commands past the end of the file", () => {
    const bytes = thin();
    bytes.writeUInt32LE(0x10_0000, 20);
    malformed(bytes, /truncated Mach-O load commands/);
  });

  it("Mach-O: zero-fill .dep-v0", () => {
    const bytes = thin();
    bytes.writeUInt32LE(0x1, 32 + 72 + 64);
    malformed(bytes, /zero-fill/);
  });

  it("Mach-O fat: a slice past the end, a nested fat file", () => {
    const bytes = fat([thin()]);
    const broken = Buffer.from(bytes);
    broken.writeUInt32BE(0xffff, 8 + 12);
    malformed(broken, /truncated Mach-O fat slice 0/);
    malformed(
      fat([fat([thin()])]),
      /Mach-O fat slice 0: not a thin Mach-O image \(magic cafebabe\)/,
    );
  });

  it("Wasm: section runs past the end", () => {
    const bytes = wasm([wasmCustom(".dep-v0", SAMPLE_PAYLOAD)]);
    malformed(bytes.subarray(0, bytes.length - 1), /truncated WebAssembly section 2 \(id 0\)/);
  });

  it("Wasm: oversized LEB128", () => {
    const bytes = Buffer.concat([wasm([]), Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 0x7f])]);
    malformed(bytes, /does not fit in 32 bits/);
  });

  it("Wasm: custom section name longer than the section", () => {
    const bytes = Buffer.concat([wasm([]), Buffer.from([0, 2]), uleb(50), Buffer.from("x")]);
    malformed(bytes, /name runs past the section end/);
  });

  it("Wasm: custom section name that is not UTF-8", () => {
    const bytes = Buffer.concat([wasm([]), Buffer.from([0, 3, 2, 0xc3, 0x28])]);
    malformed(bytes, /name is not valid UTF-8/);
  });

  it("Wasm: unsupported version", () => {
    const bytes = wasm([]);
    bytes[4] = 2;
    malformed(bytes, /unsupported WebAssembly version/);
    malformed(Buffer.from([0, 0x61, 0x73, 0x6d]), /truncated WebAssembly header/);
  });
});

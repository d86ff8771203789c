import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type BinaryScanResult,
  binaryPackagesAsDependencies,
  detectFormat,
  findAuditSections,
  scanBinary,
  scanBinaryFile,
} from "../../src/binary/index.js";
import {
  allFixtures,
  auditPayload,
  elf,
  fat,
  macho,
  pe,
  SAMPLE_PACKAGES,
  SAMPLE_PAYLOAD,
  wasm,
  wasmCustom,
} from "./fixtures.js";

function assertSample(result: BinaryScanResult): void {
  assert.equal(result.kind, "complete");
  assert.equal(result.complete, true);
  if (result.kind !== "complete") return;
  assert.equal(result.auditFormat, 1);
  assert.deepEqual(
    result.packages.map((p) => ({
      name: p.name,
      version: p.version.toString(),
      source: p.source,
      kind: p.kind,
      dependencies: p.dependencies,
      root: p.root,
    })),
    SAMPLE_PACKAGES.map((p) => ({
      name: p.name,
      version: p.version,
      source: p.source,
      kind: p.kind ?? "runtime",
      dependencies: p.dependencies ?? [],
      root: p.root ?? false,
    })),
  );
}

describe("format detection", () => {
  for (const f of allFixtures()) {
    it(`${f.name} is ${f.format}`, () => assert.equal(detectFormat(f.bytes), f.format));
  }

  it("follows binfarce's magic rules", () => {
    const b = (...xs: number[]) => Uint8Array.from([...xs, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(detectFormat(b(0x7f, 0x45, 0x4c, 0x46, 1, 1)), "elf32");
    assert.equal(detectFormat(b(0x7f, 0x45, 0x4c, 0x46, 2, 2)), "elf64");
    assert.equal(detectFormat(b(0x7f, 0x45, 0x4c, 0x46, 3, 1)), "unknown", "bad ELF class");
    assert.equal(detectFormat(b(0x7f, 0x45, 0x4c, 0x46, 2, 0)), "unknown", "bad ELF data");
    assert.equal(detectFormat(b(0x4d, 0x5a)), "pe");
    assert.equal(detectFormat(b(0xcf, 0xfa, 0xed, 0xfe)), "macho");
    assert.equal(detectFormat(b(0xfe, 0xed, 0xfa, 0xce)), "macho");
    assert.equal(detectFormat(b(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2)), "macho");
    assert.equal(detectFormat(b(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52)), "unknown", "Java class");
    assert.equal(detectFormat(Uint8Array.from([0, 0x61, 0x73, 0x6d])), "wasm");
    assert.equal(
      detectFormat(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2])),
      "unknown",
      "< 8 bytes",
    );
    assert.equal(detectFormat(new Uint8Array()), "unknown");
    assert.equal(detectFormat(Buffer.from("#!/bin/sh\necho hi\n")), "unknown");
  });
});

describe("audit data round-trips through every format", () => {
  for (const f of allFixtures()) {
    it(f.name, () => {
      const result = scanBinary(f.bytes);
      assert.equal(result.format, f.format);
      assertSample(result);
    });
  }

  it("finds the section in every slice of a fat binary", () => {
    const slice = macho({
      bits: 64,
      littleEndian: true,
      sections: [{ segment: "__DATA", section: ".dep-v0", data: SAMPLE_PAYLOAD }],
    });
    const plain = macho({ bits: 64, littleEndian: true, sections: [] });
    assert.equal(findAuditSections(fat([slice, plain, slice]), "macho").length, 2);
  });

  it("merges fat slices whose targets have different dependencies", () => {
    const x86 = auditPayload({
      packages: [
        { name: "app", version: "1.0.0", source: "local", dependencies: [1], root: true },
        { name: "libc", version: "0.2.150", source: "crates.io", kind: "build" },
      ],
    });
    const arm = auditPayload({
      packages: [
        { name: "libc", version: "0.2.150", source: "crates.io" },
        { name: "app", version: "1.0.0", source: "local", dependencies: [0, 2], root: true },
        { name: "arm-only", version: "2.0.0", source: "crates.io" },
      ],
    });
    const slice = (data: Buffer) =>
      macho({
        bits: 64,
        littleEndian: true,
        sections: [{ segment: "__DATA", section: ".dep-v0", data }],
      });
    const result = scanBinary(fat([slice(x86), slice(arm)]));
    assert.equal(result.kind, "complete");
    const deps = binaryPackagesAsDependencies(result);
    assert.deepEqual(
      deps.map((d) => [d.name, d.kind, d.root, d.dependencies.map((x) => x.name)]),
      [
        ["app", "runtime", true, ["libc", "arm-only"]],
        ["libc", "runtime", false, []],
        ["arm-only", "runtime", false, []],
      ],
    );
  });

  it("ignores a Mach-O section of the right name in another segment", () => {
    const bytes = macho({
      bits: 64,
      littleEndian: true,
      sections: [{ segment: "__TEXT", section: ".dep-v0", data: SAMPLE_PAYLOAD }],
    });
    assert.equal(scanBinary(bytes).kind, "none");
  });

  it("takes the first .dep-v0 custom section of a Wasm module", () => {
    const bytes = wasm([
      wasmCustom(".dep-v0x", Buffer.from("junk")),
      wasmCustom(".dep-v0", SAMPLE_PAYLOAD),
      wasmCustom(".dep-v0", Buffer.from("second")),
    ]);
    assertSample(scanBinary(bytes));
  });

  it("tolerates section padding after the zlib stream", () => {
    const padded = Buffer.concat([SAMPLE_PAYLOAD, Buffer.alloc(100)]);
    assertSample(
      scanBinary(
        elf({ bits: 64, littleEndian: true, sections: [{ name: ".dep-v0", data: padded }] }),
      ),
    );
  });
});

describe("binaries without audit data", () => {
  const panicPath = Buffer.from(
    "\0/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.130/src/de.rs\0",
  );
  const withoutAudit = [
    [
      "ELF",
      elf({ bits: 64, littleEndian: true, sections: [{ name: ".rodata", data: panicPath }] }),
    ],
    ["PE", pe({ plus: true, sections: [{ name: ".rdata", data: panicPath }] })],
    [
      "Mach-O",
      macho({
        bits: 64,
        littleEndian: true,
        sections: [{ segment: "__TEXT", section: "__const", data: panicPath }],
      }),
    ],
    ["Wasm", wasm([wasmSection11(panicPath)])],
  ] as const;
  for (const [name, bytes] of withoutAudit) {
    it(`${name} falls back to panic-message paths`, () => {
      const result = scanBinary(bytes);
      assert.equal(result.kind, "incomplete");
      assert.equal(result.complete, false);
      if (result.kind !== "incomplete") return;
      assert.equal(result.recovered, 1);
      assert.equal(result.packages[0]?.name, "serde");
      assert.equal(result.packages[0]?.version.toString(), "1.0.130");
      assert.equal(result.packages[0]?.source, "crates.io");
    });
  }
});

/** A Wasm data section (id 11) holding raw bytes, enough for the scanner to skip over. */
function wasmSection11(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([11]), Buffer.from([data.length]), data]);
}

describe("a real toolchain binary", () => {
  const dir = mkdtempSync(join(tmpdir(), "cratesec-binary-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const have = (tool: string) => {
    try {
      execFileSync(tool, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  const objcopy = have("objcopy");
  const skip = objcopy
    ? false
    : "objcopy (binutils) is not installed; skipping the real-binary test";

  it("reads .dep-v0 added by objcopy to a gcc (or /bin/true) executable", { skip }, async () => {
    const exe = join(dir, "prog");
    if (have("gcc")) {
      writeFileSync(join(dir, "prog.c"), "int main(void) { return 0; }\n");
      execFileSync("gcc", ["-O1", "-o", exe, join(dir, "prog.c")]);
    } else {
      writeFileSync(exe, readFileSync("/bin/true"));
    }
    assert.equal(scanBinary(readFileSync(exe)).kind, "none", "no audit data before objcopy");
    const payload = join(dir, "payload.bin");
    writeFileSync(payload, SAMPLE_PAYLOAD);
    const audited = join(dir, "prog-audited");
    execFileSync("objcopy", [
      "--add-section",
      `.dep-v0=${payload}`,
      "--set-section-flags",
      ".dep-v0=noload,readonly",
      exe,
      audited,
    ]);
    const result = await scanBinaryFile(audited);
    assert.match(result.format, /^elf(32|64)$/);
    assertSample(result);
  });

  const peTarget = objcopy && /\bpei-x86-64\b/.test(execFileSync("objcopy", ["--help"]).toString());
  it("reads .dep-v0 from a PE image written by objcopy, long section names and all", {
    skip: peTarget && have("gcc") ? false : "objcopy without the pei-x86-64 target, or no gcc",
  }, () => {
    writeFileSync(join(dir, "obj.c"), "int main(void) { return 0; }\n");
    const obj = join(dir, "obj.o");
    execFileSync("gcc", ["-g", "-c", "-o", obj, join(dir, "obj.c")]);
    const payload = join(dir, "payload-pe.bin");
    writeFileSync(payload, SAMPLE_PAYLOAD);
    const exe = join(dir, "prog.exe");
    execFileSync("objcopy", ["-O", "pei-x86-64", "--add-section", `.dep-v0=${payload}`, obj, exe]);
    const bytes = readFileSync(exe);
    // binutils stores names such as .debug_abbrev as "/4"-style COFF string table references.
    assert.ok(bytes.includes(Buffer.from(".debug_abbrev\0")), "expected long section names");
    const result = scanBinary(bytes);
    assert.equal(result.format, "pe");
    assertSample(result);
  });
});

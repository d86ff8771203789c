/**
 * Writers for minimal, valid executables carrying a cargo-auditable `.dep-v0` section, so the
 * tests generate every fixture instead of committing binary blobs. Each writer lays out only
 * what the scanner reads: headers, section tables and section data.
 */
import { deflateSync } from "node:zlib";

export interface AuditPackageJson {
  name: string;
  version: string;
  source: string;
  kind?: string;
  dependencies?: number[];
  root?: boolean;
}

/** A small but realistic dependency graph: root -> serde -> serde_derive (build), root -> local. */
export const SAMPLE_PACKAGES: AuditPackageJson[] = [
  { name: "app", version: "0.1.0", source: "local", dependencies: [1, 3], root: true },
  { name: "serde", version: "1.0.130", source: "crates.io", dependencies: [2] },
  { name: "serde_derive", version: "1.0.130", source: "crates.io", kind: "build" },
  { name: "gitdep", version: "0.3.0-alpha.1+build.5", source: "git" },
];

/** zlib-compresses a JSON value (or raw text) the way cargo-auditable stores it. */
export function auditPayload(json: unknown, level = 9): Buffer {
  const text = typeof json === "string" ? json : JSON.stringify(json);
  return deflateSync(Buffer.from(text, "utf8"), { level });
}

export const SAMPLE_PAYLOAD = auditPayload({ format: 1, packages: SAMPLE_PACKAGES });

// ---------------------------------------------------------------------------------------------
// A little byte writer

class Writer {
  private buf: Buffer;
  private readonly le: boolean;
  length = 0;

  constructor(littleEndian: boolean, size = 256) {
    this.buf = Buffer.alloc(size);
    this.le = littleEndian;
  }

  private ensure(end: number): void {
    if (end <= this.buf.length) return;
    const grown = Buffer.alloc(Math.max(end, this.buf.length * 2));
    this.buf.copy(grown);
    this.buf = grown;
  }

  private track(end: number): void {
    this.length = Math.max(this.length, end);
  }

  u8(at: number, v: number): void {
    this.ensure(at + 1);
    this.buf.writeUInt8(v, at);
    this.track(at + 1);
  }

  u16(at: number, v: number): void {
    this.ensure(at + 2);
    if (this.le) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
    this.track(at + 2);
  }

  u32(at: number, v: number): void {
    this.ensure(at + 4);
    if (this.le) this.buf.writeUInt32LE(v >>> 0, at);
    else this.buf.writeUInt32BE(v >>> 0, at);
    this.track(at + 4);
  }

  u64(at: number, v: number): void {
    this.ensure(at + 8);
    if (this.le) this.buf.writeBigUInt64LE(BigInt(v), at);
    else this.buf.writeBigUInt64BE(BigInt(v), at);
    this.track(at + 8);
  }

  bytes(at: number, data: Uint8Array | string): void {
    const b = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    this.ensure(at + b.length);
    this.buf.set(b, at);
    this.track(at + b.length);
  }

  /** Reserves zeroed space up to `end`. */
  pad(end: number): void {
    this.ensure(end);
    this.track(end);
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

// ---------------------------------------------------------------------------------------------
// ELF

export interface ElfSection {
  name: string;
  data: Uint8Array;
  /** sh_type; PROGBITS (1) by default. */
  type?: number;
}

export interface ElfOptions {
  bits: 32 | 64;
  littleEndian: boolean;
  sections: ElfSection[];
}

/** An ELF executable header, the sections' data, `.shstrtab`, then the section header table. */
export function elf({ bits, littleEndian, sections }: ElfOptions): Buffer {
  const is64 = bits === 64;
  const w = new Writer(littleEndian);
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  w.bytes(0, "\x7fELF");
  w.u8(4, is64 ? 2 : 1);
  w.u8(5, littleEndian ? 1 : 2);
  w.u8(6, 1); // EV_CURRENT
  w.u16(16, 2); // ET_EXEC
  w.u16(18, is64 ? 62 : 3); // x86-64 / i386 (the scanner does not care)
  w.u32(20, 1);

  // Section data, then the name table.
  const all: ElfSection[] = [...sections, { name: ".shstrtab", data: new Uint8Array(), type: 3 }];
  let strtab = "\0";
  const nameOffsets = all.map((s) => {
    const at = strtab.length;
    strtab += `${s.name}\0`;
    return at;
  });
  const shstrtab = all[all.length - 1] as ElfSection;
  shstrtab.data = Buffer.from(strtab, "latin1");
  let at = ehsize;
  const offsets = all.map((s) => {
    const here = at;
    w.bytes(here, s.data);
    at = align(here + s.data.length, 8);
    return here;
  });
  w.pad(at);

  const shoff = at;
  const shnum = all.length + 1; // plus the null section
  const word = (p: number, v: number) => (is64 ? w.u64(p, v) : w.u32(p, v));
  all.forEach((s, i) => {
    const h = shoff + (i + 1) * shentsize;
    w.u32(h, nameOffsets[i] as number);
    w.u32(h + 4, s.type ?? 1);
    word(is64 ? h + 24 : h + 16, offsets[i] as number);
    word(is64 ? h + 32 : h + 20, s.data.length);
    word(is64 ? h + 48 : h + 32, 1); // addralign
  });
  w.pad(shoff + shnum * shentsize);
  word(is64 ? 40 : 32, shoff);
  w.u16(is64 ? 52 : 40, ehsize);
  w.u16(is64 ? 58 : 46, shentsize);
  w.u16(is64 ? 60 : 48, shnum);
  w.u16(is64 ? 62 : 50, shnum - 1);
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// PE

export interface PeSection {
  name: string;
  data: Uint8Array;
  /** Store the name in the COFF string table (`/123`) even if it fits in 8 bytes. */
  longName?: boolean;
}

export interface PeOptions {
  plus: boolean;
  sections: PeSection[];
}

const FILE_ALIGNMENT = 0x200;

/**
 * A PE image: DOS header with `e_lfanew`, PE signature, COFF header, PE32 or PE32+ optional
 * header, section table, section data at FileAlignment, and a COFF string table holding any
 * name longer than 8 bytes (as MinGW's ld writes them).
 */
export function pe({ plus, sections }: PeOptions): Buffer {
  const w = new Writer(true);
  const peOffset = 0x80;
  w.bytes(0, "MZ");
  w.u32(0x3c, peOffset);
  w.bytes(0x40, "This program cannot be run in DOS mode.");
  w.bytes(peOffset, "PE\0\0");
  const coff = peOffset + 4;
  const optSize = plus ? 240 : 224;
  w.u16(coff, plus ? 0x8664 : 0x14c);
  w.u16(coff + 2, sections.length);
  w.u16(coff + 16, optSize);
  w.u16(coff + 18, 0x0102);
  const opt = coff + 20;
  w.u16(opt, plus ? 0x20b : 0x10b);
  w.u32(opt + 32, 0x1000); // SectionAlignment
  w.u32(opt + 36, FILE_ALIGNMENT);
  w.u32(opt + (plus ? 108 : 92), 16); // NumberOfRvaAndSizes
  const table = opt + optSize;
  let at = align(table + sections.length * 40, FILE_ALIGNMENT);

  let strtab = Buffer.alloc(4);
  sections.forEach((s, i) => {
    const h = table + i * 40;
    if (s.longName || s.name.length > 8) {
      w.bytes(h, `/${strtab.length}`);
      strtab = Buffer.concat([strtab, Buffer.from(`${s.name}\0`, "latin1")]);
    } else {
      w.bytes(h, s.name);
    }
    const rawSize = align(s.data.length, FILE_ALIGNMENT);
    w.u32(h + 8, s.data.length); // VirtualSize
    w.u32(h + 12, 0x1000 * (i + 1)); // VirtualAddress
    w.u32(h + 16, rawSize);
    w.u32(h + 20, rawSize === 0 ? 0 : at);
    w.u32(h + 36, 0x40000040); // initialized data, readable
    w.bytes(at, s.data);
    at += rawSize;
    w.pad(at);
  });
  if (strtab.length > 4) {
    strtab.writeUInt32LE(strtab.length, 0);
    w.u32(coff + 8, at); // PointerToSymbolTable; zero symbols, then the string table
    w.u32(coff + 12, 0);
    w.bytes(at, strtab);
  }
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// Mach-O

export interface MachoSection {
  segment: string;
  section: string;
  data: Uint8Array;
}

export interface MachoOptions {
  bits: 32 | 64;
  littleEndian: boolean;
  sections: MachoSection[];
}

/** A thin Mach-O: header, one LC_SEGMENT(_64) per segment with its sections, then the data. */
export function macho({ bits, littleEndian, sections }: MachoOptions): Buffer {
  const is64 = bits === 64;
  const w = new Writer(littleEndian);
  w.u32(0, is64 ? 0xfeedfacf : 0xfeedface);
  w.u32(4, is64 ? 0x01000007 : 7); // x86_64 / i386
  w.u32(12, 2); // MH_EXECUTE
  const headerSize = is64 ? 32 : 28;
  const segHeader = is64 ? 72 : 56;
  const sectSize = is64 ? 80 : 68;
  const segments = [...new Set(sections.map((s) => s.segment))];
  const cmdsSize = segments.reduce(
    (n, seg) => n + segHeader + sections.filter((s) => s.segment === seg).length * sectSize,
    0,
  );
  w.u32(16, segments.length);
  w.u32(20, cmdsSize);
  w.pad(headerSize + cmdsSize);
  let data = align(headerSize + cmdsSize, 16);
  let at = headerSize;
  for (const seg of segments) {
    const own = sections.filter((s) => s.segment === seg);
    const cmdsize = segHeader + own.length * sectSize;
    w.u32(at, is64 ? 0x19 : 0x1);
    w.u32(at + 4, cmdsize);
    w.bytes(at + 8, seg);
    w.u32(at + (is64 ? 64 : 48), own.length);
    own.forEach((s, i) => {
      const h = at + segHeader + i * sectSize;
      w.bytes(h, s.section.slice(0, 16));
      w.bytes(h + 16, s.segment);
      if (is64) {
        w.u64(h + 40, s.data.length);
        w.u32(h + 48, data);
      } else {
        w.u32(h + 36, s.data.length);
        w.u32(h + 40, data);
      }
      w.bytes(data, s.data);
      data = align(data + s.data.length, 16);
      w.pad(data);
    });
    at += cmdsize;
  }
  return w.done();
}

/** A fat (universal) file holding `slices`, with the 64-bit header if `fat64`. */
export function fat(slices: Uint8Array[], fat64 = false): Buffer {
  const w = new Writer(false);
  const entry = fat64 ? 32 : 20;
  w.u32(0, fat64 ? 0xcafebabf : 0xcafebabe);
  w.u32(4, slices.length);
  let at = align(8 + slices.length * entry, 16);
  slices.forEach((s, i) => {
    const h = 8 + i * entry;
    w.u32(h, 0x01000007 + i);
    if (fat64) {
      w.u64(h + 8, at);
      w.u64(h + 16, s.length);
      w.u32(h + 24, 4);
    } else {
      w.u32(h + 8, at);
      w.u32(h + 12, s.length);
      w.u32(h + 16, 4);
    }
    w.bytes(at, s);
    at = align(at + s.length, 16);
    w.pad(at);
  });
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// WebAssembly

export function uleb(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return Buffer.from(out);
}

export function wasmSection(id: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([id]), uleb(content.length), content]);
}

export function wasmCustom(name: string, data: Uint8Array): Buffer {
  const n = Buffer.from(name, "utf8");
  return wasmSection(0, Buffer.concat([uleb(n.length), n, data]));
}

/** A module with an empty type section, a `name`-like custom section, then `sections`. */
export function wasm(sections: Buffer[], component = false): Buffer {
  const header = Buffer.from(
    component ? [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0] : [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  );
  return Buffer.concat([
    header,
    wasmSection(1, Buffer.from([0])),
    wasmCustom("producers", Buffer.from([0])),
    ...sections,
  ]);
}

// ---------------------------------------------------------------------------------------------
// One fixture per format, all carrying `payload` in `.dep-v0`

export interface Fixture {
  name: string;
  format: "elf32" | "elf64" | "macho" | "pe" | "wasm";
  bytes: Buffer;
}

export function allFixtures(payload: Uint8Array = SAMPLE_PAYLOAD): Fixture[] {
  const text = { name: ".text", data: Buffer.from([0x90, 0x90, 0xc3]) };
  const dep = { name: ".dep-v0", data: payload };
  const mach = (bits: 32 | 64, littleEndian: boolean) =>
    macho({
      bits,
      littleEndian,
      sections: [
        { segment: "__TEXT", section: "__text", data: text.data },
        { segment: "__DATA", section: "__data", data: Buffer.alloc(8) },
        { segment: "__DATA", section: ".dep-v0", data: payload },
      ],
    });
  return [
    {
      name: "ELF32 LE",
      format: "elf32",
      bytes: elf({ bits: 32, littleEndian: true, sections: [text, dep] }),
    },
    {
      name: "ELF32 BE",
      format: "elf32",
      bytes: elf({ bits: 32, littleEndian: false, sections: [text, dep] }),
    },
    {
      name: "ELF64 LE",
      format: "elf64",
      bytes: elf({ bits: 64, littleEndian: true, sections: [text, dep] }),
    },
    {
      name: "ELF64 BE",
      format: "elf64",
      bytes: elf({ bits: 64, littleEndian: false, sections: [text, dep] }),
    },
    { name: "PE32+", format: "pe", bytes: pe({ plus: true, sections: [text, dep] }) },
    {
      name: "PE32 with long section names",
      format: "pe",
      bytes: pe({
        plus: false,
        sections: [
          text,
          { name: ".debug_abbrev", data: Buffer.alloc(5) },
          { ...dep, longName: true },
        ],
      }),
    },
    { name: "Mach-O 64 LE", format: "macho", bytes: mach(64, true) },
    { name: "Mach-O 32 BE", format: "macho", bytes: mach(32, false) },
    { name: "Mach-O fat", format: "macho", bytes: fat([mach(64, true), mach(64, true)]) },
    { name: "Mach-O fat64", format: "macho", bytes: fat([mach(32, true), mach(64, false)], true) },
    { name: "Wasm module", format: "wasm", bytes: wasm([wasmCustom(".dep-v0", payload)]) },
    { name: "Wasm component", format: "wasm", bytes: wasm([wasmCustom(".dep-v0", payload)], true) },
  ];
}

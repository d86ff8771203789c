/**
 * ELF section lookup by name through the section header string table, for 32- and 64-bit,
 * little- and big-endian files (binfarce `elf32.rs`/`elf64.rs`, hardened: every table is
 * bounds-checked before it is walked, and extended section numbering is honoured).
 */
import { malformed } from "./errors.js";
import { asciiEquals, ByteReader, hex } from "./reader.js";

const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff;
const SHT_NOBITS = 8;

interface Layout {
  readonly headerSize: number;
  readonly shoff: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
  /** Standard section header size; `e_shentsize` may be larger, never smaller. */
  readonly sectionHeaderSize: number;
  readonly shType: number;
  readonly shOffset: number;
  readonly shSize: number;
  readonly shLink: number;
}

const ELF32: Layout = {
  headerSize: 52,
  shoff: 32,
  shentsize: 46,
  shnum: 48,
  shstrndx: 50,
  sectionHeaderSize: 40,
  shType: 4,
  shOffset: 16,
  shSize: 20,
  shLink: 24,
};

const ELF64: Layout = {
  headerSize: 64,
  shoff: 40,
  shentsize: 58,
  shnum: 60,
  shstrndx: 62,
  sectionHeaderSize: 64,
  shType: 4,
  shOffset: 24,
  shSize: 32,
  shLink: 40,
};

/** The contents of the ELF section called `name`, or null when there is no such section. */
export function findElfSection(bytes: Uint8Array, name: string): Uint8Array | null {
  if (bytes.length < 6) throw malformed("truncated ELF identification");
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw malformed(`unknown ELF class ${cls}`);
  if (data !== 1 && data !== 2) throw malformed(`unknown ELF data encoding ${data}`);
  const is64 = cls === 2;
  const L = is64 ? ELF64 : ELF32;
  const r = new ByteReader(bytes, data === 1);
  const word = (at: number, what: string) => (is64 ? r.u64(at, what) : r.u32(at, what));

  r.need(0, L.headerSize, "ELF header");
  const shoff = word(L.shoff, "ELF header");
  const shentsize = r.u16(L.shentsize, "ELF header");
  let shnum = r.u16(L.shnum, "ELF header");
  let shstrndx = r.u16(L.shstrndx, "ELF header");

  if (shoff === 0) {
    if (shnum === 0) return null; // no section header table at all (e.g. sstrip'ed)
    throw malformed(`ELF header lists ${shnum} sections but no section header table`);
  }
  if (shentsize < L.sectionHeaderSize) {
    throw malformed(
      `ELF section header entry size ${shentsize} is smaller than ${L.sectionHeaderSize}`,
    );
  }
  // Extended numbering: the real count and string table index live in section 0.
  if (shnum === 0 || shstrndx === SHN_XINDEX) {
    r.need(shoff, L.sectionHeaderSize, "ELF section header table");
    if (shnum === 0) shnum = word(shoff + L.shSize, "ELF section header table");
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + L.shLink, "ELF section header table");
  }
  r.need(shoff, shnum * shentsize, "ELF section header table");
  if (shstrndx === SHN_UNDEF) return null; // sections have no names, so none is `name`
  if (shstrndx >= shnum) {
    throw malformed(`ELF section name table index ${shstrndx} is out of range (${shnum} sections)`);
  }

  const header = (i: number) => shoff + i * shentsize;
  const strtab = r.slice(
    word(header(shstrndx) + L.shOffset, "ELF section header table"),
    word(header(shstrndx) + L.shSize, "ELF section header table"),
    "ELF section name string table",
  );

  for (let i = 0; i < shnum; i++) {
    const at = header(i);
    const nameOffset = r.u32(at, "ELF section header table");
    if (nameOffset >= strtab.length) continue; // unreadable name: cannot be `name`
    const end = strtab.indexOf(0, nameOffset);
    if (end === -1) continue;
    if (!asciiEquals(strtab.subarray(nameOffset, end), name)) continue;
    if (r.u32(at + L.shType, "ELF section header table") === SHT_NOBITS) {
      throw malformed(`ELF section ${name} has no data in the file (SHT_NOBITS)`);
    }
    const offset = word(at + L.shOffset, "ELF section header table");
    const size = word(at + L.shSize, "ELF section header table");
    return r.slice(offset, size, `ELF section ${name} (offset ${hex(offset)}, size ${size})`);
  }
  return null;
}

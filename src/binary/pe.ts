/**
 * PE (PE32 and PE32+) section lookup by name (binfarce `pe.rs`, hardened), including long
 * section names stored in the COFF string table as `/123` or LLVM's `//base64`.
 */
import { malformed } from "./errors.js";
import { asciiEquals, ByteReader, hex } from "./reader.js";

const E_LFANEW = 0x3c;
const COFF_HEADER_SIZE = 20;
const SECTION_HEADER_SIZE = 40;
const COFF_SYMBOL_SIZE = 18;
const PE32_MAGIC = 0x10b;
const PE32_PLUS_MAGIC = 0x20b;
const SLASH = 0x2f;

/** The contents of the PE section called `name`, or null when there is no such section. */
export function findPeSection(bytes: Uint8Array, name: string): Uint8Array | null {
  const r = new ByteReader(bytes, true);
  r.need(0, E_LFANEW + 4, "DOS header");
  const peOffset = r.u32(E_LFANEW, "DOS header");
  const signature = r.slice(peOffset, 4, "PE signature");
  if (!asciiEquals(signature, "PE\0\0")) {
    throw malformed(`no PE signature at ${hex(peOffset)} (an MS-DOS executable?)`);
  }
  const coff = peOffset + 4;
  r.need(coff, COFF_HEADER_SIZE, "COFF file header");
  const sectionCount = r.u16(coff + 2, "COFF file header");
  const symbolTable = r.u32(coff + 8, "COFF file header");
  const symbolCount = r.u32(coff + 12, "COFF file header");
  const optionalHeaderSize = r.u16(coff + 16, "COFF file header");

  const optional = coff + COFF_HEADER_SIZE;
  r.need(optional, optionalHeaderSize, "PE optional header");
  if (optionalHeaderSize >= 2) {
    const magic = r.u16(optional, "PE optional header");
    if (magic !== PE32_MAGIC && magic !== PE32_PLUS_MAGIC) {
      throw malformed(`unknown PE optional header magic ${hex(magic)}`);
    }
  }
  const table = optional + optionalHeaderSize;
  r.need(table, sectionCount * SECTION_HEADER_SIZE, "PE section table");

  const stringTable = symbolTable + symbolCount * COFF_SYMBOL_SIZE;
  for (let i = 0; i < sectionCount; i++) {
    const at = table + i * SECTION_HEADER_SIZE;
    const shortName = r.fixedName(at, 8, "PE section table");
    const sectionName =
      shortName[0] === SLASH ? longName(r, shortName, symbolTable, stringTable, i) : shortName;
    if (!asciiEquals(sectionName, name)) continue;
    const virtualSize = r.u32(at + 8, "PE section table");
    const rawSize = r.u32(at + 16, "PE section table");
    const rawPointer = r.u32(at + 20, "PE section table");
    // The raw size is rounded up to the file alignment; the virtual size is the real one.
    const size = virtualSize > 0 && virtualSize < rawSize ? virtualSize : rawSize;
    return r.slice(
      rawPointer,
      size,
      `PE section ${name} (offset ${hex(rawPointer)}, size ${size})`,
    );
  }
  return null;
}

/**
 * Resolves `/123` (decimal) or `//ABCDEF` (base64) into the name stored at that offset of the
 * COFF string table. A `/` name of another shape is an ordinary 8-byte name.
 */
function longName(
  r: ByteReader,
  field: Uint8Array,
  symbolTable: number,
  stringTable: number,
  index: number,
): Uint8Array {
  const text = String.fromCharCode(...field);
  let offset: number | null = null;
  if (/^\/[0-9]{1,7}$/.test(text)) offset = Number(text.slice(1));
  else if (/^\/\/[A-Za-z0-9+/]{1,6}$/.test(text)) offset = base64Offset(text.slice(2));
  if (offset === null) return field;
  if (symbolTable === 0) {
    throw malformed(
      `PE section ${index} has a long name (${text}) but there is no COFF string table`,
    );
  }
  const size = r.u32(stringTable, "COFF string table");
  if (size < 4) throw malformed(`COFF string table size ${size} is smaller than its own header`);
  const strtab = r.slice(stringTable, size, "COFF string table");
  if (offset < 4 || offset >= strtab.length) {
    throw malformed(
      `PE section ${index} long name ${text} points outside the COFF string table (${size} bytes)`,
    );
  }
  const end = strtab.indexOf(0, offset);
  if (end === -1) throw malformed(`PE section ${index} long name ${text} is not NUL-terminated`);
  return strtab.subarray(offset, end);
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64Offset(digits: string): number {
  let n = 0;
  for (const c of digits) n = n * 64 + BASE64.indexOf(c);
  return n;
}

/**
 * Mach-O section lookup by segment and section name (binfarce `macho.rs`, extended): 32- and
 * 64-bit images of either byte order, and fat (universal) files, where every slice is searched.
 * Names are the fixed 16-byte fields of the section header, NUL-padded or filling all 16 bytes.
 */
import { BinaryScanError, malformed } from "./errors.js";
import { FAT_MAGIC, FAT_MAGIC_64 } from "./format.js";
import { asciiEquals, ByteReader, hex } from "./reader.js";

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const SECTION_TYPE_MASK = 0xff;
/** S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL: no bytes in the file. */
const ZEROFILL_TYPES: ReadonlySet<number> = new Set([0x1, 0xc, 0x12]);

interface SegmentLayout {
  readonly commandHeaderSize: number;
  readonly nsects: number;
  readonly sectionSize: number;
  readonly sectionAddrSize: 4 | 8;
  readonly sectionOffset: number;
  readonly sectionFlags: number;
}

const SEGMENT_32: SegmentLayout = {
  commandHeaderSize: 56,
  nsects: 48,
  sectionSize: 68,
  sectionAddrSize: 4,
  sectionOffset: 40,
  sectionFlags: 56,
};

const SEGMENT_64: SegmentLayout = {
  commandHeaderSize: 72,
  nsects: 64,
  sectionSize: 80,
  sectionAddrSize: 8,
  sectionOffset: 48,
  sectionFlags: 64,
};

/**
 * The contents of section `segment,section` in every image of the file: one entry for a thin
 * image that has it, one per matching slice of a fat file, none when no image has it.
 */
export function findMachoSections(
  bytes: Uint8Array,
  segment: string,
  section: string,
): Uint8Array[] {
  const r = new ByteReader(bytes, false);
  const magic = r.u32(0, "Mach-O header");
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) {
    const found = findThinSection(bytes, segment, section);
    return found === null ? [] : [found];
  }
  const is64 = magic === FAT_MAGIC_64;
  const count = r.u32(4, "Mach-O fat header");
  const entrySize = is64 ? 32 : 20;
  r.need(8, count * entrySize, "Mach-O fat architecture table");
  const found: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * entrySize;
    const what = "Mach-O fat architecture table";
    const offset = is64 ? r.u64(at + 8, what) : r.u32(at + 8, what);
    const size = is64 ? r.u64(at + 16, what) : r.u32(at + 12, what);
    const slice = r.slice(
      offset,
      size,
      `Mach-O fat slice ${i} (offset ${hex(offset)}, size ${size})`,
    );
    try {
      const data = findThinSection(slice, segment, section);
      if (data !== null) found.push(data);
    } catch (e) {
      throw e instanceof BinaryScanError ? malformed(`Mach-O fat slice ${i}: ${e.detail}`) : e;
    }
  }
  return found;
}

/** A thin image's section, or null. Offsets in the image are relative to its first byte. */
function findThinSection(bytes: Uint8Array, segment: string, section: string): Uint8Array | null {
  if (bytes.length < 4) throw malformed("truncated Mach-O header");
  const b0 = bytes[0];
  const b3 = bytes[3];
  let littleEndian: boolean;
  if (b0 === 0xfe && bytes[1] === 0xed && bytes[2] === 0xfa && (b3 === 0xce || b3 === 0xcf)) {
    littleEndian = false;
  } else if (
    (b0 === 0xce || b0 === 0xcf) &&
    bytes[1] === 0xfa &&
    bytes[2] === 0xed &&
    b3 === 0xfe
  ) {
    littleEndian = true;
  } else {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
    throw malformed(`not a thin Mach-O image (magic ${magic.join("")})`);
  }
  const is64 = (littleEndian ? b0 : b3) === 0xcf;
  const r = new ByteReader(bytes, littleEndian);
  const headerSize = is64 ? 32 : 28;
  r.need(0, headerSize, "Mach-O header");
  const ncmds = r.u32(16, "Mach-O header");
  const sizeofcmds = r.u32(20, "Mach-O header");
  r.need(headerSize, sizeofcmds, "Mach-O load commands");
  const commandsEnd = headerSize + sizeofcmds;

  let at = headerSize;
  for (let i = 0; i < ncmds; i++) {
    if (at + 8 > commandsEnd) throw malformed(`truncated Mach-O load command ${i} (of ${ncmds})`);
    const cmd = r.u32(at, "Mach-O load command");
    const cmdsize = r.u32(at + 4, "Mach-O load command");
    if (cmdsize < 8 || cmdsize > commandsEnd - at) {
      throw malformed(`Mach-O load command ${i} has an invalid size ${cmdsize}`);
    }
    if (cmd === LC_SEGMENT || cmd === LC_SEGMENT_64) {
      const found = segmentSection(
        r,
        at,
        cmdsize,
        cmd === LC_SEGMENT_64 ? SEGMENT_64 : SEGMENT_32,
        segment,
        section,
        i,
      );
      if (found !== null) return found;
    }
    at += cmdsize;
  }
  return null;
}

function segmentSection(
  r: ByteReader,
  at: number,
  cmdsize: number,
  L: SegmentLayout,
  segment: string,
  section: string,
  index: number,
): Uint8Array | null {
  if (cmdsize < L.commandHeaderSize) {
    throw malformed(`Mach-O segment command ${index} is shorter than its header`);
  }
  const nsects = r.u32(at + L.nsects, "Mach-O segment command");
  if (nsects > (cmdsize - L.commandHeaderSize) / L.sectionSize) {
    throw malformed(`Mach-O segment command ${index} declares ${nsects} sections, more than fit`);
  }
  for (let s = 0; s < nsects; s++) {
    const h = at + L.commandHeaderSize + s * L.sectionSize;
    const sectname = r.fixedName(h, 16, "Mach-O section header");
    const segname = r.fixedName(h + 16, 16, "Mach-O section header");
    if (!asciiEquals(segname, segment) || !asciiEquals(sectname, section)) continue;
    const size =
      L.sectionAddrSize === 8
        ? r.u64(h + 40, "Mach-O section header")
        : r.u32(h + 36, "Mach-O section header");
    const offset = r.u32(h + L.sectionOffset, "Mach-O section header");
    const flags = r.u32(h + L.sectionFlags, "Mach-O section header");
    if (ZEROFILL_TYPES.has(flags & SECTION_TYPE_MASK)) {
      throw malformed(`Mach-O section ${segment},${section} is zero-fill and has no file data`);
    }
    return r.slice(
      offset,
      size,
      `Mach-O section ${segment},${section} (offset ${hex(offset)}, size ${size})`,
    );
  }
  return null;
}

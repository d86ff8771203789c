/** §5 step 3: finds the zlib-compressed `.dep-v0` payload(s) that cargo-auditable embeds. */
import { findElfSection } from "./elf.js";
import type { BinaryFormat } from "./format.js";
import { findMachoSections } from "./macho.js";
import { findPeSection } from "./pe.js";
import { findWasmCustomSection } from "./wasm.js";

/** The section name cargo-auditable uses in every format. */
export const AUDIT_SECTION = ".dep-v0";
/** The Mach-O segment holding it (`StandardSegment::Data`). */
export const AUDIT_SEGMENT = "__DATA";

/**
 * The raw `.dep-v0` contents: none when the binary carries no audit data, one for a single
 * image, and one per slice that has it for a fat Mach-O. Throws BinaryScanError for a
 * malformed binary. Unknown formats have no sections, so no audit data.
 */
export function findAuditSections(bytes: Uint8Array, format: BinaryFormat): Uint8Array[] {
  let found: Uint8Array | null;
  switch (format) {
    case "elf32":
    case "elf64":
      found = findElfSection(bytes, AUDIT_SECTION);
      break;
    case "pe":
      found = findPeSection(bytes, AUDIT_SECTION);
      break;
    case "wasm":
      found = findWasmCustomSection(bytes, AUDIT_SECTION);
      break;
    case "macho":
      return findMachoSections(bytes, AUDIT_SEGMENT, AUDIT_SECTION);
    case "unknown":
      found = null;
      break;
  }
  return found === null ? [] : [found];
}

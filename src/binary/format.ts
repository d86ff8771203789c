/**
 * Executable format detection, following binfarce's `detect_format` (what rustsec uses) plus
 * rustsec's own `\0asm` check for WebAssembly.
 */

/** rustsec's `BinaryFormat`; the OS filter (`osApplies`) is keyed on it. */
export type BinaryFormat = "elf32" | "elf64" | "macho" | "pe" | "wasm" | "unknown";

/** Mach-O magics as they appear in the file's first four bytes. */
const MACHO_MAGICS: readonly (readonly number[])[] = [
  [0xfe, 0xed, 0xfa, 0xce], // 32-bit, big-endian
  [0xfe, 0xed, 0xfa, 0xcf], // 64-bit, big-endian
  [0xce, 0xfa, 0xed, 0xfe], // 32-bit, little-endian
  [0xcf, 0xfa, 0xed, 0xfe], // 64-bit, little-endian
];

/** Fat (universal) header magics; the header itself is always big-endian. */
export const FAT_MAGIC = 0xcafebabe;
export const FAT_MAGIC_64 = 0xcafebabf;

/**
 * Java class files share the 0xCAFEBABE magic. There the next word is the class version
 * (major >= 45), while a fat header holds a small architecture count, so a count above this
 * means "not Mach-O" (the same cut-off file(1) uses).
 */
export const MAX_FAT_ARCHES = 30;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

function beU32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] ?? 0) << 24) |
      ((bytes[at + 1] ?? 0) << 16) |
      ((bytes[at + 2] ?? 0) << 8) |
      (bytes[at + 3] ?? 0)) >>>
    0
  );
}

/**
 * Detects the executable format from the leading magic bytes only; whether the rest of the
 * file is well formed is checked when the `.dep-v0` section is looked up.
 *
 * Like binfarce, ELF, PE and Mach-O need at least 8 bytes. ELF with an unknown class or data
 * encoding is `"unknown"`. Any `MZ` file counts as PE. 0xCAFEBABE counts as a fat Mach-O
 * only when its architecture count is plausible, so Java class files stay `"unknown"`.
 */
export function detectFormat(bytes: Uint8Array): BinaryFormat {
  if (startsWith(bytes, [0x00, 0x61, 0x73, 0x6d])) return "wasm";
  if (bytes.length < 8) return "unknown";
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) {
    const data = bytes[5];
    if (data !== 1 && data !== 2) return "unknown";
    const cls = bytes[4];
    return cls === 1 ? "elf32" : cls === 2 ? "elf64" : "unknown";
  }
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) return "pe";
  const magic = beU32(bytes, 0);
  if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) {
    const count = beU32(bytes, 4);
    return count >= 1 && count <= MAX_FAT_ARCHES ? "macho" : "unknown";
  }
  return MACHO_MAGICS.some((m) => startsWith(bytes, m)) ? "macho" : "unknown";
}

/**
 * WebAssembly custom section lookup (cargo-auditable `auditable-extract/src/wasm.rs`, which
 * walks the module's sections with wasmparser and returns the first custom section named
 * `.dep-v0`).
 */
import { malformed } from "./errors.js";
import { hex } from "./reader.js";

const CUSTOM_SECTION = 0;
const MODULE_VERSION = [0x01, 0x00, 0x00, 0x00];
/** Component model binaries: version 0x0d, layer 1. */
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The payload of the first custom section called `name`, or null when there is none. */
export function findWasmCustomSection(bytes: Uint8Array, name: string): Uint8Array | null {
  if (bytes.length < 8) throw malformed("truncated WebAssembly header");
  const version = Array.from(bytes.subarray(4, 8));
  const known = [MODULE_VERSION, COMPONENT_VERSION].some((v) =>
    v.every((b, i) => b === version[i]),
  );
  if (!known) {
    throw malformed(`unsupported WebAssembly version ${version.map((b) => hex(b)).join(" ")}`);
  }
  let at = 8;
  for (let index = 0; at < bytes.length; index++) {
    const id = bytes[at] as number;
    const size = readU32Leb(bytes, at + 1, `WebAssembly section ${index} size`);
    const start = size.next;
    if (size.value > bytes.length - start) {
      throw malformed(
        `truncated WebAssembly section ${index} (id ${id}): declares ${size.value} bytes at ${hex(start)}, only ${bytes.length - start} remain`,
      );
    }
    const end = start + size.value;
    if (id === CUSTOM_SECTION) {
      const section = bytes.subarray(0, end);
      const nameLength = readU32Leb(section, start, `WebAssembly custom section ${index} name`);
      if (nameLength.value > end - nameLength.next) {
        throw malformed(`WebAssembly custom section ${index} name runs past the section end`);
      }
      const nameEnd = nameLength.next + nameLength.value;
      let sectionName: string;
      try {
        sectionName = utf8.decode(bytes.subarray(nameLength.next, nameEnd));
      } catch {
        throw malformed(`WebAssembly custom section ${index} name is not valid UTF-8`);
      }
      if (sectionName === name) return bytes.subarray(nameEnd, end);
    }
    at = end;
  }
  return null;
}

/** Unsigned LEB128 of at most 5 bytes that fits in 32 bits, read within `bytes`. */
function readU32Leb(bytes: Uint8Array, at: number, what: string): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) throw malformed(`truncated ${what} (LEB128 at ${hex(at)})`);
    if (i === 4 && byte > 0x0f) throw malformed(`${what} does not fit in 32 bits`);
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  throw malformed(`${what} does not fit in 32 bits`);
}

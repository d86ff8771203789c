/**
 * Bounds-checked integer reads over an untrusted byte array. Each read names what it was
 * reading, so a truncated file reports "truncated ELF section header table" rather than a bare
 * offset, and no read can go past the end of the data.
 */
import { malformed } from "./errors.js";

const TWO_32 = 0x1_0000_0000;

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, littleEndian: boolean) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws "truncated <what>" unless `[offset, offset + size)` lies inside the data. */
  need(offset: number, size: number, what: string): void {
    if (!fits(offset, size, this.bytes.length)) {
      throw malformed(
        `truncated ${what} (needs bytes ${hex(offset)}..${hex(offset + size)}, file has ${this.bytes.length} bytes)`,
      );
    }
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, this.littleEndian);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, this.littleEndian);
  }

  /**
   * A u64 as a number. Values above 2^53 lose precision, but they are far past any buffer
   * length, so every bounds check that uses them still fails as it should.
   */
  u64(offset: number, what: string): number {
    this.need(offset, 8, what);
    const a = this.view.getUint32(offset, this.littleEndian);
    const b = this.view.getUint32(offset + 4, this.littleEndian);
    return this.littleEndian ? b * TWO_32 + a : a * TWO_32 + b;
  }

  /** A fixed-size, NUL-padded name field (PE section names, Mach-O segment/section names). */
  fixedName(offset: number, size: number, what: string): Uint8Array {
    this.need(offset, size, what);
    const field = this.bytes.subarray(offset, offset + size);
    const nul = field.indexOf(0);
    return nul === -1 ? field : field.subarray(0, nul);
  }

  /** `[offset, offset + size)` as a view, or "truncated <what>". */
  slice(offset: number, size: number, what: string): Uint8Array {
    this.need(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }
}

/** True when `[offset, offset + size)` is a valid range of a `length`-byte buffer. */
export function fits(offset: number, size: number, length: number): boolean {
  return (
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(size) &&
    offset >= 0 &&
    size >= 0 &&
    offset <= length &&
    size <= length - offset
  );
}

export function hex(n: number): string {
  return Number.isFinite(n) ? `0x${n.toString(16)}` : String(n);
}

/** Compares raw name bytes against an ASCII name without decoding. */
export function asciiEquals(bytes: Uint8Array, name: string): boolean {
  if (bytes.length !== name.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== name.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Exactly one gzip member and nothing after it (RFC 1952).
 *
 * cargo unpacks `.crate` files with flate2's single-member `GzDecoder`, which stops after the
 * first member; Node's gunzip would go on into a second member. To make the registry see
 * exactly the bytes cargo will see, the header is parsed here, the deflate data inflated raw,
 * and the 8-byte trailer (CRC-32, length) required to end the file.
 */

import zlib from "node:zlib";
import { PublishError } from "./errors.js";

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED = 0xe0;

const notGzip = (why: string): never => {
  throw new PublishError("tarball-not-gzip", `the .crate file is not a gzip file (${why})`);
};
const badGzip = (why: string): never => {
  throw new PublishError("tarball-gzip", `the .crate file is not a valid gzip stream: ${why}`);
};

/** Length of the gzip member header at the start of `bytes`. Throws `PublishError`. */
export function gzipHeaderLength(bytes: Uint8Array): number {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    notGzip("it does not start with the gzip signature 1f 8b");
  }
  if (bytes.length < 10) badGzip("the gzip header is truncated");
  if (bytes[2] !== 8)
    badGzip(`unsupported compression method ${bytes[2]} (only deflate, 8, exists)`);
  const flags = bytes[3] as number;
  if (flags & RESERVED) badGzip("reserved header flags are set");
  let pos = 10;
  if (flags & FEXTRA) {
    if (pos + 2 > bytes.length) badGzip("the gzip header is truncated");
    const xlen = (bytes[pos] as number) | ((bytes[pos + 1] as number) << 8);
    pos += 2 + xlen;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      while (pos < bytes.length && bytes[pos] !== 0) pos++;
      pos++; // the terminating zero
    }
  }
  if (flags & FHCRC) {
    if (pos + 2 > bytes.length) badGzip("the gzip header is truncated");
    const stored = (bytes[pos] as number) | ((bytes[pos + 1] as number) << 8);
    if ((crc32(bytes.subarray(0, pos)) & 0xffff) !== stored)
      badGzip("the header checksum is wrong");
    pos += 2;
  }
  if (pos > bytes.length) badGzip("the gzip header is truncated");
  return pos;
}

let table: Uint32Array | null = null;
function crc32Js(data: Uint8Array, value: number): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) {
    c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}

type Crc32 = (data: Uint8Array, value?: number) => number;
/** zlib's CRC-32 (Node ≥ 20.15), or a table-driven one. */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof (zlib as { crc32?: Crc32 }).crc32 === "function"
    ? (data, value = 0) => (zlib as unknown as { crc32: Crc32 }).crc32(data, value)
    : (data, value = 0) => crc32Js(data, value);

/** Verifies the member trailer at `end` (CRC-32 and size mod 2³²) and that the file ends there. */
export function checkGzipTrailer(
  bytes: Uint8Array,
  end: number,
  outputCrc: number,
  outputLength: number,
): void {
  if (end + 8 > bytes.length) badGzip("the gzip trailer is truncated");
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.readUInt32LE(end) !== outputCrc >>> 0)
    badGzip("the CRC-32 checksum does not match the data");
  if (view.readUInt32LE(end + 4) !== outputLength % 2 ** 32) {
    badGzip("the stored uncompressed length does not match the data");
  }
  if (end + 8 !== bytes.length) {
    badGzip(
      `${bytes.length - end - 8} bytes follow the end of the gzip stream (a second gzip member or trailing data); cargo would ignore them, so the registry refuses them`,
    );
  }
}

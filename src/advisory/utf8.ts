/** Strict UTF-8 decoding that reports where the first invalid byte is, instead of throwing. */

import { firstInvalidUtf8 } from "../text/utf8.js";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export type DecodeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly line: number; readonly col: number };

/** Decodes `bytes`; a BOM is kept (rustsec would then reject the file's first line). */
export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return { ok: false, line, col: offset - lineStart + 1 };
  }
}

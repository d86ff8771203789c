/**
 * A cheap content fingerprint of a database directory: the layout plus (path, size, mtime, ctime,
 * inode) of every advisory file. ctime cannot be set by tools that restore mtime (`touch -r`,
 * `utimes`), so an edit always changes the fingerprint.
 */
import { createHash } from "node:crypto";
import { type BigIntStats, statSync } from "node:fs";
import type { Listing } from "./layout.js";

export function fileStamp(rel: string, s: BigIntStats | undefined): string {
  return s ? `${rel}\0${s.size}\0${s.mtimeNs}\0${s.ctimeNs}\0${s.ino}` : `${rel}\0gone`;
}

export function fingerprint(listing: Listing, stamps: readonly string[]): string {
  const text = `${listing.shape.join("\n")}\n--\n${stamps.join("\n")}`;
  return createHash("sha256").update(text).digest("hex");
}

/** Stamps every advisory file of a listing without reading it (the warm-cache check). */
export function statStamps(listing: Listing): string[] {
  return listing.files.map((f) =>
    fileStamp(f.rel, statSync(f.path, { bigint: true, throwIfNoEntry: false })),
  );
}

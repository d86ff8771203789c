/**
 * Identifies the code that produced a compiled cache: the parser, the semver rules or this module
 * may change between cratesec builds, and a cache made by other code must not be served.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const MODULE_DIRS = ["advisory", "semver", "database", "diagnostics"];

let memo: string | null = null;

export function codeStamp(): string {
  if (memo !== null) return memo;
  const srcRoot = fileURLToPath(new URL("../", import.meta.url));
  const h = createHash("sha256");
  // The file this code runs from: in the single-file CLI bundle it holds all the code (and the
  // module directories below do not exist next to it).
  const self = statSync(fileURLToPath(import.meta.url), { bigint: true, throwIfNoEntry: false });
  if (self) h.update(`self\0${self.size}\0${self.mtimeNs}\n`);
  for (const dir of MODULE_DIRS) {
    let names: string[];
    try {
      names = readdirSync(srcRoot + dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".js")) continue;
      const s = statSync(`${srcRoot}${dir}/${name}`, { bigint: true, throwIfNoEntry: false });
      if (s) h.update(`${dir}/${name}\0${s.size}\0${s.mtimeNs}\n`);
    }
  }
  memo = h.digest("hex");
  return memo;
}

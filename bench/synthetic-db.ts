import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Builds a database of at least `target` advisories from a real one by adding renamed copies
 * (new ids and package names), so the benchmark runs at the size of the full RustSec database
 * even when only a subset is at hand. Returns the number of advisories written.
 */
export function buildSyntheticDb(sourceDir: string, outDir: string, target: number): number {
  const originals: { pkg: string; file: string; text: string }[] = [];
  const crates = join(sourceDir, "crates");
  for (const pkg of readdirSync(crates)) {
    for (const file of readdirSync(join(crates, pkg))) {
      if (file.endsWith(".md"))
        originals.push({ pkg, file, text: readFileSync(join(crates, pkg, file), "utf8") });
    }
  }
  let written = 0;
  for (let copy = 0; written < target; copy++) {
    for (const { pkg, file, text } of originals) {
      if (written >= target) break;
      const newPkg = copy === 0 ? pkg : `${pkg}-copy${copy}`;
      const oldId = file.slice(0, -3);
      const newId =
        copy === 0
          ? oldId
          : oldId.replace(/-(\d{4})$/, (_, n: string) => `-${Number(n) + copy * 10000}`);
      const newText =
        copy === 0
          ? text
          : text
              .replace(`id = "${oldId}"`, `id = "${newId}"`)
              .replace(`package = "${pkg}"`, `package = "${newPkg}"`)
              .replaceAll(`"${pkg.replaceAll("-", "_")}::`, `"${newPkg.replaceAll("-", "_")}::`);
      mkdirSync(join(outDir, "crates", newPkg), { recursive: true });
      writeFileSync(join(outDir, "crates", newPkg, `${newId}.md`), newText);
      written++;
    }
  }
  return written;
}

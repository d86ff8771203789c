import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this compiled file (dist/test/support/paths.js) or its source. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("repository root not found");
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot();
/** `../shared` beside the repository, as on CI. */
export const sharedDir = resolve(repoRoot, "..", "shared");
export const sharedData = (...parts: string[]): string => join(sharedDir, "data", ...parts);
export const advisoryDbDir = sharedData("advisory-db");
export const advisoryDbOsvDir = sharedData("advisory-db-osv");

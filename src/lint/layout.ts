import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";

const COLLECTIONS = ["crates", "rust"] as const;

/**
 * rustsec-admin's repository rules (§1.5 C): every entry of a collection is a directory, and
 * every entry of a package directory is a file. The loader skips such strays silently (as
 * rustsec does); the linter must not.
 */
export function lintLayout(root: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const collection of COLLECTIONS) {
    const dir = join(root, collection);
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // missing collections are reported by the loader
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (!entry.isDirectory()) {
        out.push(
          diagnostic(path, 0, 0, `every entry of \`${collection}/\` must be a package directory`),
        );
        continue;
      }
      for (const inner of readdirSync(path, { withFileTypes: true })) {
        if (inner.name.startsWith(".")) continue;
        if (!inner.isFile()) {
          out.push(
            diagnostic(
              join(path, inner.name),
              0,
              0,
              "every entry of a package directory must be an advisory file",
            ),
          );
        }
      }
    }
  }
  return out;
}

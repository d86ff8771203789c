/**
 * Walks an advisory-db directory (specs/rustsec.md §1.5 A): `crates/<package>/<ID>.md` and
 * `rust/<package>/<ID>.md`. Only names are checked here; the contents are checked by `load.ts`.
 */
import { type Dirent, readdirSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import type { Collection } from "../advisory/model.js";
import { checkExtension } from "../advisory/path-rules.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { DirStamps } from "./fingerprint.js";

export const COLLECTIONS: readonly Collection[] = ["crates", "rust"];

export interface AdvisoryFileRef {
  /** `crates/<package>/<file>`, always with `/`. */
  readonly rel: string;
  /** `dir` joined with `rel`, as shown in diagnostics. */
  readonly path: string;
  readonly collection: Collection;
  /** Name of the directory holding the file, which must equal the advisory's `package`. */
  readonly packageDir: string;
  readonly fileName: string;
}

export interface Listing {
  readonly files: AdvisoryFileRef[];
  readonly diagnostics: Diagnostic[];
  /** Besides the files, everything found that the load result depends on (kept by the cache). */
  readonly shape: string[];
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function isDirectory(path: string, e?: Dirent): boolean {
  if (e?.isDirectory()) return true;
  if (e && !e.isSymbolicLink()) return false;
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * Lists `dir`. With `dirStamps`, also stamps each directory read (see fingerprint.ts), and
 * distrusts those whose entries could change kind without the directory changing: symlinks.
 */
export function listDatabaseDir(dir: string, dirStamps?: DirStamps): Listing {
  const files: AdvisoryFileRef[] = [];
  const diagnostics: Diagnostic[] = [];
  const shape: string[] = [];
  const root = statSync(dir, { throwIfNoEntry: false });
  if (!root?.isDirectory()) {
    const what = root ? "is not a directory" : "does not exist";
    diagnostics.push(diagnostic(dir, 0, 0, `advisory database directory ${what}`));
    return { files, diagnostics, shape: [`missing:${what}`] };
  }
  for (const collection of COLLECTIONS) {
    const collectionPath = join(dir, collection);
    const collectionIndex = dirStamps?.add(collection, collectionPath) ?? 0;
    let packages: Dirent[];
    try {
      packages = readdirSync(collectionPath, { withFileTypes: true }).sort(byName);
    } catch {
      shape.push(`no ${collection}`);
      // A missing rust/ is normal (and the subset used in tests has none).
      if (collection === "crates") {
        diagnostics.push(diagnostic(collectionPath, 0, 0, "missing `crates/` directory"));
      }
      continue;
    }
    for (const pkg of packages) {
      const pkgPath = collectionPath + sep + pkg.name;
      // Dotfiles (e.g. .DS_Store) and non-directories inside a collection are skipped.
      if (pkg.name.startsWith(".")) continue;
      if (!isDirectory(pkgPath, pkg)) {
        // A dangling symlink turns into a package when its target appears.
        if (pkg.isSymbolicLink()) dirStamps?.distrust(collectionIndex);
        continue;
      }
      const pkgIndex = dirStamps?.add(`${collection}/${pkg.name}`, pkgPath) ?? 0;
      // Plain names (no Dirent objects): this loop runs for every crate.
      let names: string[];
      try {
        names = readdirSync(pkgPath).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith(".")) continue;
        const rel = `${collection}/${pkg.name}/${name}`;
        const path = pkgPath + sep + name;
        if (name.endsWith(".md")) {
          // A directory named `*.md` is reported by the reader ("not a regular file").
          files.push({ rel, path, collection, packageDir: pkg.name, fileName: name });
          continue;
        }
        // Anything else is an error, possibly a symlink whose target may change kind.
        dirStamps?.distrust(pkgIndex);
        if (isDirectory(path)) {
          shape.push(`dir ${rel}`);
          diagnostics.push(
            diagnostic(path, 0, 0, "unexpected directory (expected an advisory file)"),
          );
        } else {
          shape.push(`ext ${rel}`);
          diagnostics.push(...checkExtension(path));
        }
      }
    }
  }
  return { files, diagnostics, shape };
}

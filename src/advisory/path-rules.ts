/**
 * Rules that relate an advisory to where its file lives (rustsec `database/entries.rs` and
 * `Linter::lint_file`, specs/rustsec.md §1.5 A). `Database::open` treats these as hard errors.
 */
import { basename, dirname, extname, resolve } from "node:path";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { PLACEHOLDER_ID } from "./id.js";
import type { Pos } from "./locator.js";
import type { Advisory, Collection } from "./model.js";

const COLLECTIONS: readonly string[] = ["crates", "rust"];

/** Drafts are named `RUSTSEC-0000-0000.md`; they parse but are not loaded into a database. */
export const isDraftPath = (path: string): boolean =>
  basename(path).startsWith(`${PLACEHOLDER_ID}.`);

/** The collection implied by `<collection>/<package>/<file>`, or null. */
export function collectionOfPath(path: string): Collection | null {
  const dir = basename(dirname(dirname(resolve(path))));
  return COLLECTIONS.includes(dir) ? (dir as Collection) : null;
}

/** Only the extension rule, which needs no parsed advisory. */
export function checkExtension(path: string): Diagnostic[] {
  const ext = extname(path);
  if (ext === ".md") return [];
  const shown = ext === "" ? "(missing)" : ext.slice(1);
  return [diagnostic(path, 0, 0, `invalid advisory file extension: ${shown}`)];
}

/**
 * Checks extension, file name, package directory, collection directory and an explicit
 * `collection`. `at(key)` locates a front-matter key for better positions.
 */
export function checkAdvisoryPath(
  path: string,
  advisory: Advisory,
  at: (key: string) => Pos | undefined = () => undefined,
): Diagnostic[] {
  const out = checkExtension(path);
  if (out.length > 0) return out;
  const report = (pos: Pos | undefined, message: string): void => {
    out.push(diagnostic(path, pos?.line ?? 0, pos?.col ?? 0, message));
  };
  const { id, package: pkg } = advisory.metadata;
  const abs = resolve(path);
  const expected = `${id}.md`;
  if (basename(abs) !== expected && !isDraftPath(abs)) {
    report(at("id"), `expected ${path} to be named ${JSON.stringify(expected)}`);
  }
  const packageDir = basename(dirname(abs));
  if (packageDir !== pkg) {
    report(
      at("package"),
      `expected ${id} to be in ${pkg} directory (instead of ${JSON.stringify(packageDir)})`,
    );
  }
  const collectionDir = basename(dirname(dirname(abs)));
  if (!COLLECTIONS.includes(collectionDir)) {
    report(undefined, `invalid package collection: ${JSON.stringify(collectionDir)}`);
  } else if (
    advisory.metadata.collection !== null &&
    advisory.metadata.collection !== collectionDir
  ) {
    report(at("collection"), `collection mismatch for ${id}`);
  }
  return out;
}

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

/** What the path rules need from an advisory; null when unknown (missing or invalid). */
export interface PathFacts {
  readonly id: string | null;
  readonly package: string | null;
  /** Explicit (or, for a parsed advisory, inferred) collection. */
  readonly collection: Collection | null;
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
  const { id, package: pkg, collection } = advisory.metadata;
  return checkPathFacts(path, { id, package: pkg, collection }, at);
}

/** `checkAdvisoryPath` on partial facts: a rule whose input is unknown is skipped. */
export function checkPathFacts(
  path: string,
  facts: PathFacts,
  at: (key: string) => Pos | undefined = () => undefined,
): Diagnostic[] {
  const out = checkExtension(path);
  if (out.length > 0) return out;
  const report = (pos: Pos | undefined, message: string): void => {
    out.push(diagnostic(path, pos?.line ?? 0, pos?.col ?? 0, message));
  };
  const { id, package: pkg, collection } = facts;
  const name = id ?? "advisory";
  const abs = resolve(path);
  if (id !== null && basename(abs) !== `${id}.md` && !isDraftPath(abs)) {
    report(at("id"), `expected ${path} to be named ${JSON.stringify(`${id}.md`)}`);
  }
  const packageDir = basename(dirname(abs));
  if (pkg !== null && packageDir !== pkg) {
    report(
      at("package"),
      `expected ${name} to be in ${pkg} directory (instead of ${JSON.stringify(packageDir)})`,
    );
  }
  const collectionDir = basename(dirname(dirname(abs)));
  if (!COLLECTIONS.includes(collectionDir)) {
    report(undefined, `invalid package collection: ${JSON.stringify(collectionDir)}`);
  } else if (collection !== null && collection !== collectionDir) {
    report(at("collection"), `collection mismatch for ${name}`);
  }
  return out;
}

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type Database, DatabaseError, loadDatabase, openDatabase } from "../database/index.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { loadOsvDatabase } from "../osv/index.js";
import { CliError } from "./errors.js";

export interface DatabaseCliOptions {
  readonly db?: string;
  readonly url?: string;
  readonly fetch: boolean;
  readonly stale?: boolean;
}

export function addDatabaseOptions(cmd: Command): Command {
  return cmd
    .option(
      "-d, --db <PATH>",
      "advisory database directory, read as is: an advisory-db layout or OSV JSON records (with --url: where to clone/fetch it)",
    )
    .option(
      "-u, --url <URL>",
      "git URL of the advisory database to clone/fetch (default: the RustSec advisory-db)",
    )
    .option("-n, --no-fetch", "do not clone or fetch the database; use what is on disk")
    .option("--stale", "allow a database whose last commit is more than 90 days old");
}

export interface OpenedDatabase {
  readonly database: Database;
  readonly diagnostics: readonly Diagnostic[];
}

function looksLikeOsvDir(dir: string): boolean {
  const names = readdirSync(dir);
  if (names.includes("crates") && statSync(join(dir, "crates")).isDirectory()) {
    // rustsec's osv branch keeps its JSON in crates/, the advisory-db keeps directories there.
    return readdirSync(join(dir, "crates")).some((n) => n.endsWith(".json"));
  }
  return !names.includes("rust") && names.some((n) => n.endsWith(".json"));
}

/**
 * `--db PATH` opens a directory as it is (fetching only a git checkout, as cargo-audit does unless
 * `--no-fetch`); without it the RustSec database (or `--url`) is cloned/fetched into the cache.
 */
export async function openDatabaseFromOptions(opts: DatabaseCliOptions): Promise<OpenedDatabase> {
  try {
    if (opts.db !== undefined && opts.url !== undefined) {
      // Both given: clone/fetch that URL into that directory, as cargo-audit's --db/--url do.
      return await openDatabase({
        path: opts.db,
        url: opts.url,
        fetch: opts.fetch,
        stale: opts.stale ?? false,
      });
    }
    if (opts.db !== undefined) {
      if (!existsSync(opts.db)) throw new CliError(`advisory database not found: ${opts.db}`);
      if (!statSync(opts.db).isDirectory())
        throw new CliError(`advisory database is not a directory: ${opts.db}`);
      return looksLikeOsvDir(opts.db) ? loadOsvDatabase(opts.db) : loadDatabase(opts.db);
    }
    return await openDatabase({ url: opts.url, fetch: opts.fetch, stale: opts.stale ?? false });
  } catch (err) {
    if (err instanceof DatabaseError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * Opening the registry database: one schema and one code path on two engines.
 *
 * - `sqlite:/path/to/file.db`, `sqlite:relative.db`, `sqlite:///abs/path.db` or a plain path →
 *   SQLite through better-sqlite3 (the embedded default: a file in the data directory).
 * - `postgres://…` / `postgresql://…` → PostgreSQL through a `pg` Pool.
 *
 * SQLite settings, applied on every open:
 * - `journal_mode=WAL`: readers never block the writer and a crash leaves either the old or the
 *   new state of each transaction (the WAL is replayed or ignored on the next open).
 * - `synchronous=FULL` (default; `NORMAL` on request): in WAL mode NORMAL is already safe against
 *   corruption and against a *process* crash (SIGKILL: committed pages are in the OS cache), but an
 *   OS crash or power loss may roll back the last commits. FULL fsyncs the WAL at every commit, so
 *   an acknowledged publish survives power loss too. The registry acknowledges a publish to cargo
 *   only after the commit, so losing one would leave a client with a "published" version that no
 *   longer exists; the cost (one fsync per write transaction, ~ms) is small next to a publish.
 * - `foreign_keys=ON` (off by default in SQLite), `busy_timeout=5000` (a second process, e.g.
 *   `cratesec user add` while the server runs, waits for the write lock instead of failing).
 * - Write transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so two
 *   processes never both read under a shared lock and then deadlock on the upgrade (which SQLite
 *   reports as SQLITE_BUSY without waiting).
 *
 * PostgreSQL: int8 values (bigint timestamps, COUNT(*)) are parsed into JS numbers by a pool-level
 * type parser (not the global `pg.types`), so rows look the same as on SQLite.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
} from "kysely";
import { StoreError, toStoreError } from "./errors.js";
import { migrateToLatest } from "./migrations.js";
import { RegistryStore, type StoreOptions } from "./registry-store.js";
import type { Database, Engine } from "./schema.js";

export type StoreLocation =
  | { readonly engine: "sqlite"; readonly path: string }
  | { readonly engine: "postgres"; readonly url: string };

/** Parses a `--database` value. Throws StoreError("invalid") for an unsupported scheme. */
export function parseStoreUrl(url: string): StoreLocation {
  const text = url.trim();
  if (text === "") throw new StoreError("invalid", "the database URL is empty");
  if (/^postgres(ql)?:\/\//i.test(text)) return { engine: "postgres", url: text };
  const sqlite = /^sqlite:(.*)$/i.exec(text);
  if (sqlite) {
    let path = sqlite[1] ?? "";
    if (path.startsWith("//")) path = path.slice(2); // sqlite:///abs → /abs; sqlite://rel → rel
    if (path === "") throw new StoreError("invalid", "the sqlite: URL has no file path");
    return { engine: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  // Any other `scheme://` is refused; a plain path (also `C:\…`) is a SQLite file.
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(text);
  if (scheme) {
    throw new StoreError(
      "invalid",
      `unsupported database URL scheme \`${scheme[1]}\`: use a file path, sqlite:PATH or postgres://…`,
    );
  }
  return { engine: "sqlite", path: resolve(text) };
}

export interface OpenStoreOptions extends StoreOptions {
  /** `sqlite:/path/file.db`, a plain path, or `postgres://user@host:port/db`. */
  readonly url: string;
  /** SQLite `synchronous` level; FULL by default (see the module comment). */
  readonly sqliteSynchronous?: "full" | "normal";
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** Apply pending migrations on open (default true). */
  readonly migrate?: boolean;
}

/** SQLite adapter that lets the migrator run inside a transaction (SQLite DDL is transactional). */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** SQLite driver whose transactions take the write lock at BEGIN. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class RegistrySqliteDialect extends SqliteDialect {
  readonly #database: BetterSqlite3.Database;
  constructor(database: BetterSqlite3.Database) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

async function openSqlite(path: string, options: OpenStoreOptions): Promise<Kysely<Database>> {
  const { default: Sqlite } = await import("better-sqlite3");
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let database: BetterSqlite3.Database;
  try {
    database = new Sqlite(path, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw new StoreError("unavailable", "cannot open the SQLite database file", { cause: e });
  }
  try {
    database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (path !== ":memory:") {
      const mode = database.pragma("journal_mode = WAL", { simple: true });
      if (String(mode).toLowerCase() !== "wal") {
        throw new StoreError("unavailable", "the SQLite database cannot use WAL mode");
      }
    }
    database.pragma(`synchronous = ${options.sqliteSynchronous === "normal" ? "NORMAL" : "FULL"}`);
    database.pragma("foreign_keys = ON");
  } catch (e) {
    database.close();
    throw toStoreError(e);
  }
  return new Kysely<Database>({ dialect: new RegistrySqliteDialect(database) });
}

const INT8_OID = 20;

async function openPostgres(url: string, options: OpenStoreOptions): Promise<Kysely<Database>> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: "cratesec",
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID && format !== "binary"
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process.
  pool.on("error", () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens (and by default migrates) the registry database. Throws StoreError: "invalid" for a bad
 * URL, "unavailable" when the database cannot be reached, "internal" when a migration fails.
 */
export async function openStore(options: OpenStoreOptions): Promise<RegistryStore> {
  const location = parseStoreUrl(options.url);
  const engine: Engine = location.engine;
  const db =
    location.engine === "sqlite"
      ? await openSqlite(location.path, options)
      : await openPostgres(location.url, options);
  try {
    if (options.migrate !== false) {
      try {
        await migrateToLatest(db as Kysely<unknown>, engine);
      } catch (e) {
        const cause = e instanceof StoreError ? e.cause : e;
        const mapped = toStoreError(cause);
        throw mapped.code === "unavailable" ? mapped : toStoreError(e);
      }
    }
  } catch (e) {
    await db.destroy().catch(() => {});
    throw e;
  }
  return new RegistryStore(db, engine, options);
}

/**
 * The registry's database layer: `openStore({ url })` on SQLite or PostgreSQL, one schema, one
 * repository API (`RegistryStore`), typed `StoreError`s.
 *
 * Crash safety:
 * - Every state change is one transaction with its audit row, so a crash (or an exception)
 *   between two statements leaves nothing visible (tested by injecting a failure after every
 *   step of a publish and a yank).
 * - SQLite runs in WAL mode with synchronous=FULL: a SIGKILLed process leaves a file that passes
 *   `PRAGMA integrity_check` and still holds every acknowledged commit (tested by killing a child
 *   process that publishes and yanks in a loop); FULL also covers power loss.
 * - Migrations run in one transaction (also on SQLite, whose DDL is transactional): a failing
 *   migration leaves neither tables nor a record of itself.
 */
export { isStoreError, StoreError, type StoreErrorCode, toStoreError } from "./errors.js";
export {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrateToLatest,
  migrationsFor,
} from "./migrations.js";
export {
  canonicalCrateName,
  canonicalUserName,
  compareVersionStrings,
  versionWithoutBuild,
} from "./names.js";
export { type OpenStoreOptions, openStore, parseStoreUrl, type StoreLocation } from "./open.js";
export * from "./registry-store.js";
export type { Database, Engine } from "./schema.js";

/**
 * Schema migrations, written once with Kysely's schema builder and compiled into the code (no
 * migration files are read at run time, so the single-file CLI bundle carries them). The only
 * engine-specific parts are the identity columns and the trigger syntax that makes `audit_log`
 * append-only.
 *
 * Rules for adding a migration: append a new key that sorts after the last one
 * (`0002_…`); never edit an applied migration. The admin console's tables (flags, …) go into
 * later migrations; crate/user locks and name holds already exist.
 *
 * `openStore` runs the migrator on every open: already-applied migrations are skipped, pending
 * ones run inside one transaction (PostgreSQL: plus an advisory lock; SQLite: `BEGIN IMMEDIATE`,
 * which serialises concurrent openers across processes).
 */
import {
  type ColumnDefinitionBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
} from "kysely";
import { StoreError } from "./errors.js";
import type { Engine } from "./schema.js";

export const MIGRATION_TABLE = "cratesec_migration";
export const MIGRATION_LOCK_TABLE = "cratesec_migration_lock";

type Db = Parameters<Migration["up"]>[0];

function identity(engine: Engine) {
  return (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    engine === "postgres"
      ? col.primaryKey().generatedByDefaultAsIdentity()
      : col.primaryKey().autoIncrement();
}

const flag = (name: string) => (col: ColumnDefinitionBuilder) =>
  col
    .notNull()
    .defaultTo(0)
    .check(sql`${sql.ref(name)} in (0, 1)`);

async function initial(db: Db, engine: Engine): Promise<void> {
  const id = identity(engine);

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", id)
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("name_canonical", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("is_admin", "integer", flag("is_admin"))
    .addColumn("locked_at", "bigint")
    .addColumn("locked_until", "bigint")
    .addColumn("lock_reason", "text")
    .execute();

  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "integer", id)
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('api', 'trusted-publishing')`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("endpoint_scopes", "text")
    .addColumn("crate_scopes", "text")
    .addColumn("trusted_claims", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .addCheckConstraint("api_tokens_user_for_api", sql`kind <> 'api' or user_id is not null`)
    .execute();
  await db.schema.createIndex("api_tokens_user").on("api_tokens").column("user_id").execute();

  await db.schema
    .createTable("crates")
    .addColumn("id", "integer", id)
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("canonical_name", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("homepage", "text")
    .addColumn("repository", "text")
    .addColumn("documentation", "text")
    .addColumn("trusted_publishing_only", "integer", flag("trusted_publishing_only"))
    .addColumn("locked_at", "bigint")
    .addColumn("lock_reason", "text")
    .execute();

  await db.schema
    .createTable("crate_owners")
    .addColumn("crate_id", "integer", (c) =>
      c.notNull().references("crates.id").onDelete("cascade"),
    )
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "integer")
    .addPrimaryKeyConstraint("crate_owners_pk", ["crate_id", "user_id"])
    .execute();
  await db.schema.createIndex("crate_owners_user").on("crate_owners").column("user_id").execute();

  await db.schema
    .createTable("versions")
    .addColumn("id", "integer", id)
    .addColumn("crate_id", "integer", (c) =>
      c.notNull().references("crates.id").onDelete("cascade"),
    )
    .addColumn("num", "text", (c) => c.notNull())
    .addColumn("num_no_build", "text", (c) => c.notNull())
    .addColumn("cksum", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("yanked", "integer", flag("yanked"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("index_line", "text", (c) => c.notNull())
    .addColumn("links", "text")
    .addColumn("rust_version", "text")
    .addColumn("published_by", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("token_id", "integer")
    .addColumn("trusted_claims", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addUniqueConstraint("versions_crate_num_no_build", ["crate_id", "num_no_build"])
    .execute();
  await db.schema
    .createIndex("versions_published_by")
    .on("versions")
    .column("published_by")
    .execute();

  await db.schema
    .createTable("trusted_publishers")
    .addColumn("id", "integer", id)
    .addColumn("crate_id", "integer", (c) =>
      c.notNull().references("crates.id").onDelete("cascade"),
    )
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("issuer", "text", (c) => c.notNull())
    .addColumn("repository_owner", "text", (c) => c.notNull())
    .addColumn("repository_owner_id", "text", (c) => c.notNull())
    .addColumn("repository", "text", (c) => c.notNull())
    .addColumn("workflow_filename", "text", (c) => c.notNull())
    .addColumn("environment", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "integer")
    .execute();
  await db.schema
    .createIndex("trusted_publishers_crate")
    .on("trusted_publishers")
    .column("crate_id")
    .execute();
  await db.schema
    .createIndex("trusted_publishers_repository")
    .on("trusted_publishers")
    .expression(sql`lower(repository)`)
    .execute();

  await db.schema
    .createTable("used_jtis")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("used_jtis_expires").on("used_jtis").column("expires_at").execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "integer", id)
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "integer")
    .addColumn("actor_name", "text")
    .addColumn("token_id", "integer")
    .addColumn("trusted_claims", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("crate", "text")
    .addColumn("version", "text")
    .addColumn("details", "text")
    .execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
  await db.schema.createIndex("audit_log_actor").on("audit_log").column("actor_user_id").execute();
  await db.schema.createIndex("audit_log_action").on("audit_log").column("action").execute();
  await db.schema
    .createIndex("audit_log_crate")
    .on("audit_log")
    .expression(sql`lower(replace(crate, '-', '_'))`)
    .execute();
  if (engine === "postgres") {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end
    $$`.execute(db);
    await sql`create trigger audit_log_no_update_delete before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }

  await db.schema
    .createTable("name_holds")
    .addColumn("canonical_name", "text", (c) => c.primaryKey())
    .addColumn("until", "bigint")
    .addColumn("reason", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "integer")
    .execute();

  await db.schema
    .createTable("rate_limits")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .execute();
}

/** Every migration, by name (applied in name order). */
export function migrationsFor(engine: Engine): Record<string, Migration> {
  return {
    "0001_initial": { up: (db) => initial(db, engine) },
  };
}

export function migrationProvider(engine: Engine): MigrationProvider {
  return { getMigrations: async () => migrationsFor(engine) };
}

/** Applies every pending migration; a no-op when the schema is current. */
export async function migrateToLatest(db: Kysely<unknown>, engine: Engine): Promise<string[]> {
  // On PostgreSQL the migration tables live in the schema the registry's tables go to (the first
  // schema of the search_path). Naming it explicitly matters: Kysely otherwise looks for its
  // tables in *every* schema and would take another schema's for ours.
  let schema: string | undefined;
  if (engine === "postgres") {
    const { rows } = await sql<{
      schema: string | null;
    }>`select current_schema() as schema`.execute(db);
    schema = rows[0]?.schema ?? undefined;
    if (schema === undefined) {
      throw new StoreError("invalid", "the PostgreSQL search_path names no existing schema");
    }
  }
  const migrator = new Migrator({
    db,
    provider: migrationProvider(engine),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw new StoreError("internal", "database migration failed", { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * Engines for the store tests. SQLite always runs; PostgreSQL runs when
 * CRATESEC_TEST_DATABASE_URL points at a server where that role may create databases: each test
 * file creates its own `cratesec_test_<random>` database, gives every test a fresh schema in it
 * (through the connection's `search_path`) and drops the database at the end.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import pg from "pg";
import {
  type Engine,
  type OpenStoreOptions,
  openStore,
  type RegistryStore,
} from "../../../src/registry/store/index.js";

export const PG_ADMIN_URL = process.env.CRATESEC_TEST_DATABASE_URL;
export const PG_SKIP_MESSAGE = "CRATESEC_TEST_DATABASE_URL is not set: PostgreSQL tests skipped";

export interface EngineHarness {
  readonly engine: Engine;
  readonly label: string;
  /** False when the engine cannot run here (PostgreSQL without the variable). */
  readonly available: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** The URL of a new, empty database. */
  freshUrl(): Promise<string>;
}

class SqliteHarness implements EngineHarness {
  readonly engine = "sqlite" as const;
  readonly label = "SQLite";
  readonly available = true;
  #dir = "";
  #n = 0;
  async setup(): Promise<void> {
    this.#dir = mkdtempSync(join(tmpdir(), "cratesec-store-"));
  }
  async teardown(): Promise<void> {
    if (this.#dir !== "") rmSync(this.#dir, { recursive: true, force: true });
  }
  async freshUrl(): Promise<string> {
    this.#n += 1;
    return `sqlite:${join(this.#dir, `t${this.#n}`, "registry.db")}`;
  }
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

class PostgresHarness implements EngineHarness {
  readonly engine = "postgres" as const;
  readonly label = "PostgreSQL";
  readonly available = PG_ADMIN_URL !== undefined && PG_ADMIN_URL !== "";
  readonly database = `cratesec_test_${randomBytes(6).toString("hex")}`;
  #client: pg.Client | null = null;
  #url = "";
  #n = 0;

  async setup(): Promise<void> {
    if (!this.available || PG_ADMIN_URL === undefined) return;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${this.database}`);
    } finally {
      await admin.end();
    }
    this.#url = withDatabase(PG_ADMIN_URL, this.database);
    this.#client = new pg.Client({ connectionString: this.#url });
    await this.#client.connect();
  }

  async teardown(): Promise<void> {
    if (!this.available || PG_ADMIN_URL === undefined) return;
    await this.#client?.end();
    this.#client = null;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${this.database} with (force)`);
    } finally {
      await admin.end();
    }
  }

  async freshUrl(): Promise<string> {
    if (!this.#client) throw new Error("PostgreSQL harness not set up");
    this.#n += 1;
    const schema = `t${this.#n}`;
    await this.#client.query(`create schema ${schema}`);
    const u = new URL(this.#url);
    u.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    return u.toString();
  }
}

export const ENGINES: readonly EngineHarness[] = [new SqliteHarness(), new PostgresHarness()];

/** A settable clock starting at 2025-01-01T00:00:00Z. */
export class TestClock {
  t = Date.UTC(2025, 0, 1);
  readonly now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

export interface Fixture {
  readonly store: RegistryStore;
  readonly url: string;
  readonly clock: TestClock;
}

/** Opens a store on a fresh database, closed when the test ends. */
export async function freshStore(
  h: EngineHarness,
  t: TestContext,
  options: Partial<OpenStoreOptions> = {},
): Promise<Fixture> {
  const url = await h.freshUrl();
  const clock = new TestClock();
  const store = await openStore({ now: clock.now, ...options, url });
  t.after(() => store.close());
  return { store, url, clock };
}

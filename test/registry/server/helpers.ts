/**
 * Fixtures for the server tests: a store on SQLite (always) or PostgreSQL (when
 * CRATESEC_TEST_DATABASE_URL is set: this file's own `cratesec_srv_<random>` database, one schema
 * per server, dropped at the end), a temp data directory and tokens made through the store.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  createRegistryServer,
  type RegistryServer,
  type RegistryServerConfig,
} from "../../../src/registry/server/index.js";
import { FileCrateStorage } from "../../../src/registry/storage/index.js";
import { openStore, type RegistryStore, type User } from "../../../src/registry/store/index.js";
import { generateToken, hashToken } from "../../../src/registry/tokens/index.js";
import { crateFile, frame, manifestToml, newCrateJson } from "../publish/helpers.js";

export const PG_ADMIN_URL = process.env.CRATESEC_TEST_DATABASE_URL;
export const PG_SKIP =
  "CRATESEC_TEST_DATABASE_URL is not set: the PostgreSQL run of the server tests is skipped";

export interface Engine {
  readonly label: string;
  readonly available: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  freshUrl(dir: string): Promise<string>;
}

class Sqlite implements Engine {
  readonly label = "SQLite";
  readonly available = true;
  async setup(): Promise<void> {}
  async teardown(): Promise<void> {}
  async freshUrl(dir: string): Promise<string> {
    return `sqlite:${join(dir, "registry.db")}`;
  }
}

class Postgres implements Engine {
  readonly label = "PostgreSQL";
  readonly available = PG_ADMIN_URL !== undefined && PG_ADMIN_URL !== "";
  readonly database = `cratesec_srv_${randomBytes(6).toString("hex")}`;
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
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${this.database}`;
    this.#url = u.toString();
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
    if (this.#client === null) throw new Error("PostgreSQL not set up");
    this.#n += 1;
    const schema = `s${this.#n}`;
    await this.#client.query(`create schema ${schema}`);
    const u = new URL(this.#url);
    u.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    return u.toString();
  }
}

export const ENGINES: readonly Engine[] = [new Sqlite(), new Postgres()];

export interface Fixture {
  readonly server: RegistryServer;
  readonly store: RegistryStore;
  readonly storage: FileCrateStorage;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startFixture(
  engine: Engine,
  config: RegistryServerConfig = {},
  options: { now?: () => number } = {},
): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "cratesec-srv-"));
  const url = await engine.freshUrl(dir);
  const store = await openStore({ url, ...(options.now ? { now: options.now } : {}) });
  const storage = new FileCrateStorage(join(dir, "crates"));
  const server = await createRegistryServer({ store, storage, config, logger: false });
  return {
    server,
    store,
    storage,
    dir,
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TokenSpec {
  readonly endpointScopes?: readonly string[] | null;
  readonly crateScopes?: readonly string[] | null;
  readonly expiresAt?: number | null;
  readonly name?: string;
}

/** A user (created when missing) and a new plaintext token of theirs. */
export async function userToken(
  store: RegistryStore,
  userName: string,
  spec: TokenSpec & { admin?: boolean } = {},
): Promise<{ user: User; token: string; id: number }> {
  const user =
    (await store.findUserByName(userName)) ??
    (await store.createUser({ name: userName, isAdmin: spec.admin === true }));
  const token = generateToken("api");
  const row = await store.createToken({
    userId: user.id,
    name: spec.name ?? `token-${randomBytes(3).toString("hex")}`,
    tokenHash: hashToken(token),
    endpointScopes: spec.endpointScopes ?? null,
    crateScopes: spec.crateScopes ?? null,
    expiresAt: spec.expiresAt ?? null,
  });
  return { user, token, id: row.id };
}

/** A publish body as cargo sends it, for a crate without dependencies. */
export async function publishBody(
  name: string,
  vers: string,
  overrides: Record<string, unknown> = {},
): Promise<Buffer> {
  const crate = await crateFile(name, vers, {
    manifest: `${manifestToml(name, vers)}description = "a test crate"\nlicense = "MIT"\n`,
  });
  return frame(newCrateJson(name, vers, overrides), crate);
}

/**
 * The options every registry command shares with `cratesec serve`: `--config FILE`, `--data DIR`,
 * `--database URL`. The configuration is `cratesec.toml` (the `--config` file, else
 * `./cratesec.toml` when it exists, else the defaults) with the flags on top.
 *
 * Paths: a relative `data.dir` in a config file is taken relative to that file's directory (the
 * file can move with its data); `--data` is relative to the working directory.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Command } from "commander";
import {
  ConfigError,
  DEFAULT_CONFIG_FILE,
  defaultRegistryConfig,
  parseRegistryConfig,
  type RegistryConfig,
} from "../registry/config.js";
import { openStore, type RegistryStore, StoreError } from "../registry/store/index.js";
import { CliError } from "./errors.js";

export interface RegistryCliOptions {
  config?: string;
  data?: string;
  database?: string;
}

export function addRegistryOptions(cmd: Command): Command {
  return cmd
    .option(
      "--config <FILE>",
      `registry configuration file (default: ./${DEFAULT_CONFIG_FILE} when it exists)`,
    )
    .option(
      "--data <DIR>",
      "data directory: crate files and the default SQLite database (default: ./cratesec-data)",
    )
    .option(
      "--database <URL>",
      "database: postgres://… or sqlite:PATH (default: sqlite:<data dir>/registry.db)",
    );
}

/** Reads the config file (if given or `./cratesec.toml` exists) and applies the flags. */
export function resolveRegistryConfig(opts: RegistryCliOptions): RegistryConfig {
  let config = defaultRegistryConfig();
  const file = opts.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(
        code === "ENOENT"
          ? `configuration file not found: ${file}`
          : `cannot read configuration file ${file}: ${(err as Error).message}`,
      );
    }
    try {
      config = parseRegistryConfig(text, file);
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(String(err));
      throw err;
    }
    if (!isAbsolute(config.data.dir)) {
      config = { ...config, data: { dir: join(dirname(resolve(file)), config.data.dir) } };
    }
  }
  if (opts.data !== undefined) {
    if (opts.data.trim() === "") throw new CliError("--data must not be empty");
    config = { ...config, data: { dir: opts.data } };
  }
  if (opts.database !== undefined) {
    if (opts.database.trim() === "") throw new CliError("--database must not be empty");
    config = { ...config, database: { url: opts.database } };
  }
  return { ...config, data: { dir: resolve(config.data.dir) } };
}

/** The database URL in force: `database.url`, else `sqlite:<data dir>/registry.db`. */
export function registryDatabaseUrl(config: RegistryConfig): string {
  return config.database.url ?? `sqlite:${join(resolve(config.data.dir), "registry.db")}`;
}

/** A store error as a CLI error: its message is written for people (never SQL or parameters). */
export function storeErrorToCli(err: unknown): never {
  if (err instanceof StoreError) throw new CliError(err.message);
  throw err;
}

/**
 * Resolves the configuration, creates the data directory and opens (creating and migrating on
 * first use) the database. The caller closes the store.
 */
export async function openRegistryStore(
  opts: RegistryCliOptions,
): Promise<{ store: RegistryStore; config: RegistryConfig; databaseUrl: string }> {
  const config = resolveRegistryConfig(opts);
  const databaseUrl = registryDatabaseUrl(config);
  try {
    mkdirSync(config.data.dir, { recursive: true });
  } catch (err) {
    throw new CliError(
      `cannot create the data directory ${config.data.dir}: ${(err as Error).message}`,
    );
  }
  try {
    const store = await openStore({ url: databaseUrl });
    return { store, config, databaseUrl };
  } catch (err) {
    if (err instanceof StoreError) {
      throw new CliError(`cannot open the registry database: ${err.message}`);
    }
    throw err;
  }
}

/** Opens the store, runs `fn`, always closes the store (a PostgreSQL pool would keep us alive). */
export async function withRegistryStore<T>(
  opts: RegistryCliOptions,
  fn: (store: RegistryStore, config: RegistryConfig) => Promise<T>,
): Promise<T> {
  const { store, config } = await openRegistryStore(opts);
  try {
    return await fn(store, config);
  } catch (err) {
    return storeErrorToCli(err);
  } finally {
    await store.close().catch(() => {});
  }
}

/** Who the CLI acts as in the audit log. */
export const CLI_ACTOR = Object.freeze({ userId: null, userAgent: "cratesec-cli", ip: null });

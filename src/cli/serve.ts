/**
 * `cratesec serve`: the Cargo registry over HTTP. SQLite in the data directory by default
 * (created and migrated on first start), PostgreSQL with `--database postgres://…`.
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the store.
 */
import { join } from "node:path";
import type { Command } from "commander";
import pino from "pino";
import type { RegistryConfig } from "../registry/config.js";
import {
  createRegistryServer,
  type RegistryServerConfig,
  type TrustedPublishingServerConfig,
} from "../registry/server/index.js";
import { FileCrateStorage } from "../registry/storage/index.js";
import {
  FetchingJwksProvider,
  type JwkSet,
  type JwksProvider,
  StaticJwksProvider,
} from "../registry/tokens/index.js";
import { CliError } from "./errors.js";
import {
  addRegistryOptions,
  openRegistryStore,
  type RegistryCliOptions,
} from "./registry-options.js";

interface ServeOptions extends RegistryCliOptions {
  host?: string;
  port?: string;
}

function trustedPublishingOf(config: RegistryConfig): TrustedPublishingServerConfig | null {
  const issuers = config.trustedPublishing.issuers;
  if (issuers.length === 0) return null;
  const inline = issuers.filter((i) => i.jwks !== undefined);
  const fetched = issuers.filter((i) => i.jwks === undefined);
  const staticProvider =
    inline.length > 0
      ? new StaticJwksProvider(Object.fromEntries(inline.map((i) => [i.issuer, i.jwks as JwkSet])))
      : null;
  const fetching =
    fetched.length > 0
      ? new FetchingJwksProvider({
          issuers: fetched.map((i) =>
            i.jwksUrl === undefined ? i.issuer : { issuer: i.issuer, jwksUri: i.jwksUrl },
          ),
        })
      : null;
  const inlineIssuers = new Set(inline.map((i) => i.issuer.replace(/\/+$/, "")));
  const jwks: JwksProvider = {
    getKey(issuer, kid) {
      const provider =
        staticProvider !== null && inlineIssuers.has(issuer.replace(/\/+$/, ""))
          ? staticProvider
          : (fetching ?? staticProvider);
      return (provider as JwksProvider).getKey(issuer, kid);
    },
  };
  return {
    jwks,
    audience: config.trustedPublishing.audience,
    issuers: issuers.map((i) => i.issuer),
  };
}

/** The server's view of `cratesec.toml`. */
export function serverConfigOf(config: RegistryConfig): RegistryServerConfig {
  const rl = (r: { max: number; windowSeconds: number }) => ({
    max: r.max,
    windowMs: r.windowSeconds * 1000,
  });
  return {
    host: config.server.host,
    port: config.server.port,
    ...(config.server.publicUrl === null ? {} : { publicUrl: config.server.publicUrl }),
    authRequired: config.registry.authRequired,
    publish: {
      maxUploadSize: config.limits.maxUploadBytes,
      maxUnpackedSize: config.limits.maxUnpackedBytes,
      maxMetadataSize: config.limits.maxMetadataBytes,
      cratesIoIndexUrl: config.registry.cratesIoIndex,
    },
    rateLimits: {
      "publish-new": rl(config.rateLimits.publishNew),
      "publish-update": rl(config.rateLimits.publishUpdate),
      yank: rl(config.rateLimits.yank),
    },
    trustedPublishing: trustedPublishingOf(config),
  };
}

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command("serve")
    .description("run the Cargo registry (sparse index, downloads, web API)")
    .option("--host <HOST>", "address to listen on (default 127.0.0.1)")
    .option("--port <PORT>", "port to listen on (default 8080; 0 picks a free port)");
  addRegistryOptions(cmd).action(async (opts: ServeOptions) => {
    let port: number | undefined;
    if (opts.port !== undefined) {
      port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) {
        throw new CliError(`--port must be a number from 0 to 65535, not \`${opts.port}\``);
      }
    }
    const { store, config: loaded, databaseUrl } = await openRegistryStore(opts);
    const config: RegistryConfig = {
      ...loaded,
      server: {
        ...loaded.server,
        ...(opts.host === undefined ? {} : { host: opts.host }),
        ...(port === undefined ? {} : { port }),
      },
    };
    const logger = pino({ level: process.env.CRATESEC_LOG_LEVEL ?? "info" });
    const serverConfig = serverConfigOf(config);
    const storage = new FileCrateStorage(join(config.data.dir, "crates"));
    let server: Awaited<ReturnType<typeof createRegistryServer>>;
    let url: string;
    try {
      server = await createRegistryServer({ store, storage, config: serverConfig, logger });
      url = await server.listen();
    } catch (err) {
      await store.close().catch(() => {});
      throw new CliError(`cannot start the registry: ${(err as Error).message}`);
    }
    const engine = databaseUrl.startsWith("postgres") ? "PostgreSQL" : "SQLite";
    process.stdout.write(
      `cratesec registry listening on ${url} (${engine}, data in ${config.data.dir})\n` +
        `cargo: add to ~/.cargo/config.toml: [registries.cratesec] index = "sparse+${url}/index/"\n`,
    );
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, "shutting down");
        server
          .close()
          .catch((err: unknown) => logger.error({ err }, "error while closing the server"))
          .then(() => store.close())
          .catch((err: unknown) => logger.error({ err }, "error while closing the store"))
          .finally(() => {
            process.off("SIGTERM", onTerm);
            process.off("SIGINT", onInt);
            resolve();
          });
      };
      const onTerm = () => stop("SIGTERM");
      const onInt = () => stop("SIGINT");
      process.on("SIGTERM", onTerm);
      process.on("SIGINT", onInt);
    });
  });
}

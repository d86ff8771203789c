/**
 * `cratesec.toml`: the registry server's configuration, read strictly (an unknown section or key
 * is an error with `file:line`, as `audit.toml` is). Every key is optional; command-line flags
 * (`--data`, `--database`, `--host`, `--port`) override the file.
 *
 * ```toml
 * [server]
 * host = "127.0.0.1"
 * port = 8080
 * public_url = "https://crates.example.com"   # the URL cargo sees; default http://host:port
 *
 * [data]
 * dir = "./cratesec-data"                     # crate files and the default SQLite database
 *
 * [database]
 * url = "postgres://cratesec@db/cratesec"     # default sqlite:<data dir>/registry.db
 *
 * [registry]
 * auth_required = false                       # cargo's `auth-required` (private registry)
 * crates_io_index = "https://github.com/rust-lang/crates.io-index"
 *
 * [limits]
 * max_upload_bytes = 10485760
 * max_unpacked_bytes = 536870912
 * max_metadata_bytes = 1048576
 *
 * [rate_limits.publish_new]                   # also publish_update, yank
 * max = 5
 * window_seconds = 600
 *
 * [trusted_publishing]
 * audience = "cratesec"
 * [[trusted_publishing.issuers]]
 * issuer = "https://token.actions.githubusercontent.com"
 * jwks_url = "https://token.actions.githubusercontent.com/.well-known/jwks"   # or an inline `jwks`
 * ```
 */
import { ConfigError, parseConfigToml } from "../audit/config.js";
import { tomlKeyLine } from "../audit/toml-position.js";
import { CRATES_IO_INDEX_URL, DEFAULT_PUBLISH_CONFIG } from "./publish/config.js";

export { ConfigError };

export interface RateLimitConfig {
  /** Requests allowed per window (per user and per token). */
  readonly max: number;
  readonly windowSeconds: number;
}

export interface TrustedIssuerConfig {
  /** The OIDC issuer (`iss`), e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string;
  /** Where the issuer's JWKS is fetched (and cached) from. */
  readonly jwksUrl?: string;
  /** An inline JWKS (`{ keys = [...] }`), used instead of fetching. */
  readonly jwks?: unknown;
}

export interface RegistryConfig {
  readonly server: {
    readonly host: string;
    readonly port: number;
    /** The URL cargo sees (no trailing slash); null → `http://host:port`. */
    readonly publicUrl: string | null;
  };
  readonly data: { readonly dir: string };
  /** null → `sqlite:<data dir>/registry.db`. */
  readonly database: { readonly url: string | null };
  readonly registry: { readonly authRequired: boolean; readonly cratesIoIndex: string };
  readonly limits: {
    readonly maxUploadBytes: number;
    readonly maxUnpackedBytes: number;
    readonly maxMetadataBytes: number;
  };
  readonly rateLimits: {
    readonly publishNew: RateLimitConfig;
    readonly publishUpdate: RateLimitConfig;
    readonly yank: RateLimitConfig;
  };
  readonly trustedPublishing: {
    readonly audience: string;
    readonly issuers: readonly TrustedIssuerConfig[];
  };
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = "./cratesec-data";
export const DEFAULT_CONFIG_FILE = "cratesec.toml";
export const DEFAULT_AUDIENCE = "cratesec";

/** Defaults; rate limits as crates.io's buckets (specs/registry.md §2). */
export function defaultRegistryConfig(): RegistryConfig {
  return {
    server: { host: DEFAULT_HOST, port: DEFAULT_PORT, publicUrl: null },
    data: { dir: DEFAULT_DATA_DIR },
    database: { url: null },
    registry: { authRequired: false, cratesIoIndex: CRATES_IO_INDEX_URL },
    limits: {
      maxUploadBytes: DEFAULT_PUBLISH_CONFIG.maxUploadSize,
      maxUnpackedBytes: DEFAULT_PUBLISH_CONFIG.maxUnpackedSize,
      maxMetadataBytes: DEFAULT_PUBLISH_CONFIG.maxMetadataSize,
    },
    rateLimits: {
      publishNew: { max: 5, windowSeconds: 600 },
      publishUpdate: { max: 30, windowSeconds: 60 },
      yank: { max: 100, windowSeconds: 60 },
    },
    trustedPublishing: { audience: DEFAULT_AUDIENCE, issuers: [] },
  };
}

/** The URL cargo sees: `server.public_url`, else `http://host:port` (IPv6 hosts bracketed). */
export function registryPublicUrl(config: RegistryConfig, port = config.server.port): string {
  if (config.server.publicUrl !== null) return config.server.publicUrl;
  const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
  return `http://${host}:${port}`;
}

const SECTIONS: Readonly<Record<string, readonly string[]>> = {
  server: ["host", "port", "public_url"],
  data: ["dir"],
  database: ["url"],
  registry: ["auth_required", "crates_io_index"],
  limits: ["max_upload_bytes", "max_unpacked_bytes", "max_metadata_bytes"],
  rate_limits: ["publish_new", "publish_update", "yank"],
  trusted_publishing: ["audience", "issuers"],
};
const RATE_LIMIT_KEYS = ["max", "window_seconds"];
const ISSUER_KEYS = ["issuer", "jwks_url", "jwks"];

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Line of the first `[section.sub]` or `[[section.sub]]` header, or 0. */
function firstHeaderUnder(text: string, section: string): number {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]/.exec((lines[i] as string).trim());
    if (m?.[1]?.startsWith(`${section}.`)) return i + 1;
  }
  return 0;
}

/** Line of the `index`-th `[[section]]` header (1-based), or 0. */
function arrayTableLine(text: string, section: string, index: number): number {
  const lines = text.split("\n");
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]/.exec((lines[i] as string).trim());
    if (m && m[1] === section && ++seen === index) return i + 1;
  }
  return 0;
}

/** Line of `key = …` after the `index`-th `[[section]]` header, before the next header. */
function arrayTableKeyLine(text: string, section: string, index: number, key: string): number {
  const start = arrayTableLine(text, section, index);
  if (start === 0) return 0;
  const lines = text.split("\n");
  const keyPattern = new RegExp(`^["']?${key.replace(/[-.]/g, "\\$&")}["']?\\s*=`);
  for (let i = start; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.startsWith("[")) break;
    if (keyPattern.test(line)) return i + 1;
  }
  return start;
}

/**
 * Parses the text of a `cratesec.toml`; `path` is used in messages. Throws ConfigError
 * (`String(err)` is `path:line:col: message`).
 */
export function parseRegistryConfig(text: string, path: string): RegistryConfig {
  const doc = parseConfigToml(text, path) as Table;
  const lineOf = (section: string, key: string): number => {
    if (key === "") {
      const dot = section.lastIndexOf(".");
      return (
        tomlKeyLine(text, section, "") ||
        (dot > 0 ? tomlKeyLine(text, section.slice(0, dot), section.slice(dot + 1)) : 0) ||
        tomlKeyLine(text, "", section) ||
        firstHeaderUnder(text, section)
      );
    }
    return (
      tomlKeyLine(text, section, key) ||
      tomlKeyLine(text, `${section}.${key}`, "") ||
      arrayTableLine(text, `${section}.${key}`, 0) ||
      lineOf(section, "")
    );
  };
  const fail = (section: string, key: string, message: string): never => {
    throw new ConfigError(path, message, lineOf(section, key), 1);
  };
  const checkKeys = (section: string, value: unknown, allowed: readonly string[]): Table => {
    if (!isTable(value)) return fail(section, "", `\`${section}\` must be a table`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        fail(
          section,
          key,
          `unknown key \`${key}\` in [${section}] (expected one of ${allowed.join(", ")})`,
        );
      }
    }
    return value;
  };

  for (const [section, value] of Object.entries(doc)) {
    const allowed = SECTIONS[section];
    if (!allowed) {
      fail(
        section,
        "",
        `unknown section \`[${section}]\` (expected one of ${Object.keys(SECTIONS).join(", ")})`,
      );
    }
    checkKeys(section, value, allowed ?? []);
  }
  const table = (name: string): Table => (doc[name] as Table | undefined) ?? {};

  const str = (section: string, t: Table, key: string, fallback: string): string => {
    const v = t[key];
    if (v === undefined) return fallback;
    if (typeof v !== "string") fail(section, key, `\`${section}.${key}\` must be a string`);
    if ((v as string).trim() === "") fail(section, key, `\`${section}.${key}\` must not be empty`);
    return v as string;
  };
  const bool = (section: string, key: string, fallback: boolean): boolean => {
    const v = table(section)[key];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") fail(section, key, `\`${section}.${key}\` must be true or false`);
    return v as boolean;
  };
  const int = (
    section: string,
    t: Table,
    key: string,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    const v = t[key];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      fail(
        section,
        key,
        `\`${section}.${key}\` must be an integer${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}, got ${JSON.stringify(v)}`,
      );
    }
    return v as number;
  };
  const httpUrl = (section: string, key: string, value: string): string => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(section, key, `\`${section}.${key}\` is not a URL: ${JSON.stringify(value)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      fail(section, key, `\`${section}.${key}\` must be an http:// or https:// URL`);
    }
    return value;
  };

  const d = defaultRegistryConfig();
  const server = table("server");
  const publicUrlText =
    server.public_url === undefined ? null : str("server", server, "public_url", "");
  const publicUrl =
    publicUrlText === null
      ? null
      : httpUrl("server", "public_url", publicUrlText).replace(/\/+$/, "");
  const limits = table("limits");

  const rateLimit = (key: string, fallback: RateLimitConfig): RateLimitConfig => {
    const raw = table("rate_limits")[key];
    if (raw === undefined) return fallback;
    const section = `rate_limits.${key}`;
    const t = checkKeys(section, raw, RATE_LIMIT_KEYS);
    return {
      max: int(section, t, "max", fallback.max, 1),
      windowSeconds: int(section, t, "window_seconds", fallback.windowSeconds, 1),
    };
  };

  const tp = table("trusted_publishing");
  const issuersRaw = tp.issuers;
  const issuers: TrustedIssuerConfig[] = [];
  if (issuersRaw !== undefined) {
    if (!Array.isArray(issuersRaw)) {
      fail(
        "trusted_publishing",
        "issuers",
        "`trusted_publishing.issuers` must be a list of tables",
      );
    }
    for (const [index, item] of (issuersRaw as unknown[]).entries()) {
      const where = "trusted_publishing.issuers";
      const failAt = (key: string, message: string): never => {
        const line =
          arrayTableKeyLine(text, where, index, key) || lineOf("trusted_publishing", "issuers");
        throw new ConfigError(path, message, line, 1);
      };
      if (!isTable(item)) throw failAt("", `each entry of \`${where}\` must be a table`);
      for (const key of Object.keys(item)) {
        if (!ISSUER_KEYS.includes(key)) {
          failAt(
            key,
            `unknown key \`${key}\` in [[${where}]] (expected one of ${ISSUER_KEYS.join(", ")})`,
          );
        }
      }
      if (typeof item.issuer !== "string" || item.issuer.trim() === "") {
        throw failAt("issuer", `each [[${where}]] entry needs \`issuer = "https://…"\``);
      }
      const entry: { issuer: string; jwksUrl?: string; jwks?: unknown } = { issuer: item.issuer };
      if (item.jwks_url !== undefined) {
        if (typeof item.jwks_url !== "string") failAt("jwks_url", "`jwks_url` must be a string");
        try {
          const u = new URL(item.jwks_url as string);
          if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("scheme");
        } catch {
          failAt(
            "jwks_url",
            `\`jwks_url\` is not an http(s) URL: ${JSON.stringify(item.jwks_url)}`,
          );
        }
        entry.jwksUrl = item.jwks_url as string;
      }
      if (item.jwks !== undefined) {
        if (!isTable(item.jwks) || !Array.isArray(item.jwks.keys)) {
          failAt("jwks", "`jwks` must be a table with a `keys` list (a JWK Set)");
        }
        entry.jwks = JSON.parse(JSON.stringify(item.jwks)) as unknown; // plain objects
      }
      if (issuers.some((i) => i.issuer === entry.issuer)) {
        failAt("issuer", `issuer \`${entry.issuer}\` is configured twice`);
      }
      issuers.push(entry);
    }
  }

  return {
    server: {
      host: str("server", server, "host", d.server.host),
      port: int("server", server, "port", d.server.port, 0, 65535),
      publicUrl,
    },
    data: { dir: str("data", table("data"), "dir", d.data.dir) },
    database: {
      url:
        table("database").url === undefined ? null : str("database", table("database"), "url", ""),
    },
    registry: {
      authRequired: bool("registry", "auth_required", d.registry.authRequired),
      cratesIoIndex: str(
        "registry",
        table("registry"),
        "crates_io_index",
        d.registry.cratesIoIndex,
      ),
    },
    limits: {
      maxUploadBytes: int("limits", limits, "max_upload_bytes", d.limits.maxUploadBytes, 1),
      maxUnpackedBytes: int("limits", limits, "max_unpacked_bytes", d.limits.maxUnpackedBytes, 1),
      maxMetadataBytes: int("limits", limits, "max_metadata_bytes", d.limits.maxMetadataBytes, 1),
    },
    rateLimits: {
      publishNew: rateLimit("publish_new", d.rateLimits.publishNew),
      publishUpdate: rateLimit("publish_update", d.rateLimits.publishUpdate),
      yank: rateLimit("yank", d.rateLimits.yank),
    },
    trustedPublishing: {
      audience: str("trusted_publishing", tp, "audience", d.trustedPublishing.audience),
      issuers,
    },
  };
}

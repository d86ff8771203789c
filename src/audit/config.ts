/**
 * cargo-audit's `audit.toml` (specs/rustsec.md §3), read strictly (unknown keys are errors, as
 * cargo-audit's `deny_unknown_fields`), plus cratesec's additions: an `ignore` entry may be a
 * table `{ id, reason, until }` so every ignore can say why and stop applying on a date.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import type { Severity } from "../advisory/model.js";
import { FileError } from "../diagnostics/diagnostic.js";
import { tomlKeyLine } from "./toml-position.js";

export type InformationalWarningKind = "notice" | "unmaintained" | "unsound";
export type DenyKind = "warnings" | "unmaintained" | "unsound" | "yanked";
export type OutputFormat = "terminal" | "json" | "sarif" | "markdown";

export interface IgnoreEntry {
  /** An advisory id or any alias of one (CVE, GHSA…). */
  readonly id: string;
  readonly reason: string | null;
  /** `YYYY-MM-DD`: the ignore applies up to and including this day. */
  readonly until: string | null;
  /** Where the entry came from, for "unused ignore" and "expired" messages. */
  readonly origin: string;
}

export interface AuditConfig {
  readonly advisories: {
    readonly ignore: readonly IgnoreEntry[];
    readonly informationalWarnings: readonly InformationalWarningKind[];
    readonly severityThreshold: Severity | null;
  };
  readonly database: {
    readonly path: string | null;
    readonly url: string | null;
    readonly fetch: boolean;
    readonly stale: boolean;
  };
  readonly output: {
    readonly deny: readonly DenyKind[];
    readonly format: OutputFormat | null;
    readonly quiet: boolean;
    readonly showTree: boolean;
  };
  readonly target: { readonly arch: readonly string[]; readonly os: readonly string[] };
  readonly yanked: { readonly enabled: boolean; readonly updateIndex: boolean };
}

export const DEFAULT_INFORMATIONAL: readonly InformationalWarningKind[] = [
  "unmaintained",
  "unsound",
  "notice",
];

export function defaultAuditConfig(): AuditConfig {
  return {
    advisories: {
      ignore: [],
      informationalWarnings: DEFAULT_INFORMATIONAL,
      severityThreshold: null,
    },
    database: { path: null, url: null, fetch: true, stale: false },
    output: { deny: [], format: null, quiet: false, showTree: true },
    target: { arch: [], os: [] },
    yanked: { enabled: true, updateIndex: true },
  };
}

/** A config file that cannot be used; `String(err)` is `path:line:col: message`. */
export class ConfigError extends FileError {
  constructor(path: string, message: string, line = 0, col = 0) {
    super(path, message, line, col);
    this.name = "ConfigError";
  }
}

const SECTIONS: Record<string, readonly string[]> = {
  advisories: ["ignore", "informational_warnings", "severity_threshold"],
  database: ["path", "url", "fetch", "stale"],
  output: ["deny", "format", "quiet", "show_tree"],
  target: ["arch", "os"],
  yanked: ["enabled", "update_index"],
};
const SEVERITIES: readonly Severity[] = ["none", "low", "medium", "high", "critical"];
const INFORMATIONAL: readonly InformationalWarningKind[] = ["notice", "unmaintained", "unsound"];
const DENY: readonly DenyKind[] = ["warnings", "unmaintained", "unsound", "yanked"];
const FORMATS: readonly OutputFormat[] = ["terminal", "json", "sarif", "markdown"];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Parses a config file's TOML; syntax errors become ConfigErrors at smol-toml's line and column. */
export function parseConfigToml(text: string, path: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(
        path,
        `invalid TOML: ${err.message.split("\n")[0]}`,
        err.line,
        err.column,
      );
    }
    throw new ConfigError(path, `invalid TOML: ${(err as Error).message}`);
  }
}

/** Parses the text of an `audit.toml`; `path` is used in errors. Throws ConfigError. */
export function parseAuditConfig(text: string, path: string): AuditConfig {
  const doc = parseConfigToml(text, path);
  const fail = (section: string, key: string, message: string): never => {
    throw new ConfigError(path, message, tomlKeyLine(text, section, key), 1);
  };
  const failSection = (section: string, message: string): never => {
    const line = tomlKeyLine(text, section, "") || tomlKeyLine(text, "", section);
    throw new ConfigError(path, message, line, 1);
  };
  for (const [section, value] of Object.entries(doc)) {
    const allowed = SECTIONS[section];
    if (!allowed)
      failSection(
        section,
        `unknown section \`[${section}]\` (expected one of ${Object.keys(SECTIONS).join(", ")})`,
      );
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      failSection(section, `\`${section}\` must be a table`);
    }
    for (const key of Object.keys(value as object)) {
      if (!allowed?.includes(key))
        fail(
          section,
          key,
          `unknown key \`${key}\` in [${section}] (expected one of ${allowed?.join(", ")})`,
        );
    }
  }
  const table = (name: string): Record<string, unknown> =>
    (doc[name] as Record<string, unknown> | undefined) ?? {};
  const bool = (section: string, key: string, fallback: boolean): boolean => {
    const v = table(section)[key];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") fail(section, key, `\`${section}.${key}\` must be true or false`);
    return v as boolean;
  };
  const str = (section: string, key: string): string | null => {
    const v = table(section)[key];
    if (v === undefined) return null;
    if (typeof v !== "string") fail(section, key, `\`${section}.${key}\` must be a string`);
    return v as string;
  };
  const oneOf = <T extends string>(
    section: string,
    key: string,
    v: unknown,
    allowed: readonly T[],
  ): T => {
    if (typeof v !== "string" || !allowed.includes(v as T)) {
      fail(
        section,
        key,
        `invalid value ${JSON.stringify(v)} for \`${section}.${key}\` (expected one of ${allowed.join(", ")})`,
      );
    }
    return v as T;
  };
  const list = <T extends string>(
    section: string,
    key: string,
    allowed?: readonly T[],
    allowString = false,
  ): T[] | null => {
    const v = table(section)[key];
    if (v === undefined) return null;
    // The legacy `[target]` format (cargo-audit ≤ 0.20) allowed a single string.
    const items = allowString && typeof v === "string" ? [v] : v;
    if (!Array.isArray(items))
      fail(section, key, `\`${section}.${key}\` must be a list of strings`);
    return (items as unknown[]).map((item) => {
      if (typeof item !== "string")
        fail(section, key, `\`${section}.${key}\` must be a list of strings`);
      return allowed ? oneOf(section, key, item, allowed) : (item as T);
    });
  };

  const ignoreRaw = table("advisories").ignore;
  const ignore: IgnoreEntry[] = [];
  if (ignoreRaw !== undefined) {
    if (!Array.isArray(ignoreRaw))
      fail("advisories", "ignore", "`advisories.ignore` must be a list");
    for (const item of ignoreRaw as unknown[])
      ignore.push(ignoreEntry(item, path, (m) => fail("advisories", "ignore", m)));
  }
  const severity = table("advisories").severity_threshold;
  const defaults = defaultAuditConfig();
  return {
    advisories: {
      ignore,
      informationalWarnings:
        list("advisories", "informational_warnings", INFORMATIONAL) ??
        defaults.advisories.informationalWarnings,
      severityThreshold:
        severity === undefined
          ? null
          : oneOf("advisories", "severity_threshold", severity, SEVERITIES),
    },
    database: {
      path: str("database", "path"),
      url: str("database", "url"),
      fetch: bool("database", "fetch", true),
      stale: bool("database", "stale", false),
    },
    output: {
      deny: list("output", "deny", DENY) ?? [],
      format:
        table("output").format === undefined
          ? null
          : oneOf("output", "format", table("output").format, FORMATS),
      quiet: bool("output", "quiet", false),
      showTree: bool("output", "show_tree", true),
    },
    target: {
      arch: list("target", "arch", undefined, true) ?? [],
      os: list("target", "os", undefined, true) ?? [],
    },
    yanked: {
      enabled: bool("yanked", "enabled", true),
      updateIndex: bool("yanked", "update_index", true),
    },
  };
}

function ignoreEntry(item: unknown, origin: string, fail: (message: string) => never): IgnoreEntry {
  if (typeof item === "string")
    return { id: checkId(item, fail), reason: null, until: null, origin };
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    fail("each `advisories.ignore` entry must be an id string or a table { id, reason, until }");
  }
  const rec = item as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!["id", "reason", "until"].includes(key))
      fail(`unknown key \`${key}\` in an ignore entry (expected id, reason, until)`);
  }
  if (typeof rec.id !== "string") fail('an ignore entry needs `id = "RUSTSEC-…"`');
  if (rec.reason !== undefined && typeof rec.reason !== "string")
    fail("`reason` of an ignore entry must be a string");
  let until: string | null = null;
  if (rec.until !== undefined) {
    // TOML has a native date type; smol-toml returns it as a Date-like object.
    const text = rec.until instanceof Date ? rec.until.toISOString() : String(rec.until);
    if (!isValidDate(text))
      fail(`\`until\` must be a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
    until = text;
  }
  return {
    id: checkId(rec.id as string, fail),
    reason: (rec.reason as string | undefined) ?? null,
    until,
    origin,
  };
}

/** Advisory ids and their aliases: RUSTSEC-/CVE-/GHSA-/TALOS-… and other `PREFIX-…` ids. */
function checkId(id: string, fail: (message: string) => never): string {
  const trimmed = id.trim();
  if (!/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]+$/.test(trimmed))
    fail(`\`${id}\` is not an advisory id`);
  return trimmed;
}

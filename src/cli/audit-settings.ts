import { type Command, Option } from "commander";
import type { Severity } from "../advisory/model.js";
import type { AuditOptions } from "../audit/audit.js";
import type { AuditConfig, DenyKind, IgnoreEntry, OutputFormat } from "../audit/config.js";
import { ConfigError } from "../audit/config.js";
import { loadAuditConfig } from "../audit/config-discovery.js";
import type { ColorChoice } from "../report/style.js";
import type { DatabaseCliOptions } from "./database-options.js";
import { CliError } from "./errors.js";

/** Options shared by `audit`, `audit bin` and `audit fix`, as commander hands them over. */
export interface AuditCliOptions {
  readonly db?: string;
  readonly url?: string;
  readonly fetch?: boolean;
  readonly stale?: boolean;
  readonly deny?: string[];
  readonly ignore?: string[];
  readonly targetOs?: string[];
  readonly targetArch?: string[];
  readonly severityThreshold?: Severity;
  readonly format?: OutputFormat;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly color?: ColorChoice;
  readonly config?: string;
  readonly yanked?: boolean;
  readonly indexUrl?: string;
  readonly indexDir?: string;
  readonly today?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The flags of cargo-audit's `audit` command (specs/rustsec.md §3), plus cratesec's own. */
export function addAuditOptions(cmd: Command): Command {
  return cmd
    .option(
      "-d, --db <PATH>",
      "advisory database directory (advisory-db layout or OSV JSON records)",
    )
    .option(
      "-u, --url <URL>",
      "git URL of the advisory database (default: the RustSec advisory-db)",
    )
    .option("-n, --no-fetch", "do not fetch the advisory database or the crates index")
    .option("--stale", "allow an advisory database older than 90 days")
    .addOption(
      new Option("-D, --deny <KIND>", "exit with an error on these warnings (repeatable)")
        .choices(["warnings", "unmaintained", "unsound", "yanked"])
        .argParser(collect),
    )
    .option("--ignore <ID>", "ignore an advisory by id or alias (CVE, GHSA); repeatable", collect)
    .option("--target-os <OS>", "only advisories that apply to this OS (repeatable)", collect)
    .option(
      "--target-arch <ARCH>",
      "only advisories that apply to this architecture (repeatable)",
      collect,
    )
    .addOption(
      new Option(
        "--severity-threshold <LEVEL>",
        "ignore advisories with a CVSS severity below this",
      ).choices(["none", "low", "medium", "high", "critical"]),
    )
    .addOption(
      new Option("--format <FORMAT>", "report format").choices([
        "terminal",
        "json",
        "sarif",
        "markdown",
      ]),
    )
    .option("--json", "same as --format json")
    .option("-q, --quiet", "print only the findings (no status lines, no dependency trees)")
    .addOption(
      new Option("-c, --color <WHEN>", "colour the terminal report").choices([
        "auto",
        "always",
        "never",
      ]),
    )
    .option(
      "--config <PATH>",
      "audit.toml to use (default: next to the lockfile, then ./.cargo, then $CARGO_HOME)",
    )
    .option("--no-yanked", "do not check whether packages are yanked")
    .option("--index-url <URL>", "sparse index for the yanked check (default: crates.io)")
    .option("--index-dir <DIR>", "local crates index directory for the yanked check (no network)")
    .addOption(
      new Option(
        "--today <YYYY-MM-DD>",
        "the date ignore entries' `until` is compared with",
      ).hideHelp(),
    );
}

export interface ResolvedAuditSettings {
  readonly audit: AuditOptions;
  readonly database: DatabaseCliOptions;
  readonly format: OutputFormat;
  readonly quiet: boolean;
  readonly showTree: boolean;
  readonly color: ColorChoice | undefined;
  readonly yanked: {
    readonly enabled: boolean;
    readonly offline: boolean;
    readonly indexUrl?: string;
    readonly indexDir?: string;
  };
  /** The audit.toml that was read, if any. */
  readonly configPath: string | null;
}

function cliIgnores(ids: readonly string[]): IgnoreEntry[] {
  return ids.map((id) => ({ id: id.trim(), reason: null, until: null, origin: "--ignore" }));
}

/** Reads audit.toml (for `lockfile`, if given) and lays the command-line flags over it. */
export function resolveAuditSettings(
  opts: AuditCliOptions,
  lockfile?: string,
): ResolvedAuditSettings {
  let loaded: { config: AuditConfig; path: string | null };
  try {
    loaded = loadAuditConfig({
      explicit: opts.config,
      lockfile,
      cwd: process.cwd(),
      env: process.env,
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(String(err));
    throw err;
  }
  const { config } = loaded;
  if (opts.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.today)) {
    throw new CliError(`--today expects YYYY-MM-DD, got \`${opts.today}\``);
  }
  const fetch = opts.fetch !== false && config.database.fetch;
  const format: OutputFormat = opts.json
    ? "json"
    : (opts.format ?? config.output.format ?? "terminal");
  const quiet = opts.quiet === true || config.output.quiet;
  const deny = [
    ...new Set<DenyKind>([...config.output.deny, ...((opts.deny ?? []) as DenyKind[])]),
  ];
  return {
    audit: {
      ignore: [...config.advisories.ignore, ...cliIgnores(opts.ignore ?? [])],
      informationalWarnings: config.advisories.informationalWarnings,
      severityThreshold: opts.severityThreshold ?? config.advisories.severityThreshold,
      targetArch: opts.targetArch ?? config.target.arch,
      targetOs: opts.targetOs ?? config.target.os,
      deny,
      today: opts.today,
      withoutTrees: quiet || !config.output.showTree,
    },
    database: {
      db: opts.db ?? config.database.path ?? undefined,
      url: opts.url ?? config.database.url ?? undefined,
      fetch,
      stale: opts.stale === true || config.database.stale,
    },
    format,
    quiet,
    showTree: config.output.showTree,
    color: opts.color,
    yanked: {
      enabled: opts.yanked !== false && config.yanked.enabled,
      offline: !fetch || !config.yanked.updateIndex,
      indexUrl: opts.indexUrl,
      indexDir: opts.indexDir,
    },
    configPath: loaded.path,
  };
}

/**
 * The audit options given to `audit` (before `bin`/`fix`, as cargo-audit wants them) and to the
 * subcommand itself: a value set on the subcommand wins, repeatable ones are combined.
 * Defaults (e.g. `fetch: true` from `--no-fetch`) never override a value that was given.
 */
export function mergeParentOptions(cmd: Command): Record<string, unknown> {
  const own = cmd.opts();
  const parent = cmd.parent;
  if (parent === null) return own;
  const inherited = parent.opts();
  const given = (c: Command, values: Record<string, unknown>, key: string): boolean =>
    values[key] !== undefined && c.getOptionValueSource(key) !== "default";
  const merged: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(inherited), ...Object.keys(own)])) {
    const mine = given(cmd, own, key);
    const theirs = given(parent, inherited, key);
    const a = inherited[key];
    const b = own[key];
    if (mine && theirs && Array.isArray(a) && Array.isArray(b)) merged[key] = [...a, ...b];
    else if (mine) merged[key] = b;
    else if (theirs) merged[key] = a;
    else merged[key] = b ?? a;
  }
  return merged;
}

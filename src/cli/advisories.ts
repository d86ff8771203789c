import { type Command, Option } from "commander";
import type { Advisory, Collection, Severity } from "../advisory/model.js";
import type { Query } from "../database/index.js";
import { formatDiagnostic } from "../diagnostics/diagnostic.js";
import { advisoryJson } from "../report/advisory-json.js";
import { renderAdvisoryDetail, renderAdvisoryTable } from "../report/advisory-terminal.js";
import { type ColorChoice, chooseStyle } from "../report/style.js";
import { Version } from "../semver/index.js";
import { registerLintCommand } from "./advisories-lint.js";
import { registerExportOsvCommand, registerImportOsvCommand } from "./advisories-osv.js";
import {
  addDatabaseOptions,
  type DatabaseCliOptions,
  type OpenedDatabase,
  openDatabaseFromOptions,
} from "./database-options.js";
import { CliError, EXIT_ERROR, EXIT_FINDINGS } from "./errors.js";

interface FilterOptions extends DatabaseCliOptions {
  readonly package?: string;
  readonly affects?: string;
  readonly year?: string;
  readonly category?: string;
  readonly kind: "any" | "vulnerability" | "informational" | "unmaintained" | "unsound" | "notice";
  readonly withdrawn: "exclude" | "include" | "only";
  readonly collection: Collection | "any";
  readonly severity?: Severity;
  readonly json?: boolean;
  readonly color?: ColorChoice;
}

const SEVERITIES: Severity[] = ["none", "low", "medium", "high", "critical"];

function addFilterOptions(cmd: Command): Command {
  return addDatabaseOptions(cmd)
    .option("-p, --package <NAME>", "only advisories for this crate")
    .option("--affects <NAME@VERSION>", "only advisories affecting this exact crate version")
    .option("--year <YYYY>", "only advisories of this year")
    .option("--category <CATEGORY>", "only advisories in this category (e.g. memory-corruption)")
    .addOption(
      new Option(
        "--kind <KIND>",
        "vulnerabilities, informational advisories, or one informational kind",
      )
        .choices(["any", "vulnerability", "informational", "unmaintained", "unsound", "notice"])
        .default("any"),
    )
    .addOption(
      new Option("--withdrawn <MODE>", "withdrawn advisories")
        .choices(["exclude", "include", "only"])
        .default("exclude"),
    )
    .addOption(
      new Option("--collection <NAME>", "crates/ or rust/ advisories")
        .choices(["crates", "rust", "any"])
        .default("any"),
    )
    .addOption(
      new Option(
        "--severity <LEVEL>",
        "minimum CVSS severity (advisories without CVSS always match)",
      ).choices(SEVERITIES),
    )
    .option("--json", "print JSON instead of a table")
    .addOption(
      new Option("--color <WHEN>", "colour the output").choices(["auto", "always", "never"]),
    );
}

function parseAffects(spec: string): { name: string; version: Version } {
  const at = spec.lastIndexOf("@");
  if (at <= 0 || at === spec.length - 1)
    throw new CliError(`--affects expects NAME@VERSION, got \`${spec}\``);
  const version = Version.tryParse(spec.slice(at + 1));
  if (version === null)
    throw new CliError(`--affects: \`${spec.slice(at + 1)}\` is not a valid semver version`);
  return { name: spec.slice(0, at), version };
}

function parseYear(text: string): number {
  if (!/^\d{4}$/.test(text))
    throw new CliError(`--year expects a four-digit year, got \`${text}\``);
  return Number(text);
}

export function queryFromOptions(opts: FilterOptions): Query {
  const affects = opts.affects === undefined ? undefined : parseAffects(opts.affects);
  if (affects && opts.package !== undefined && opts.package !== affects.name) {
    throw new CliError(
      `--package ${opts.package} and --affects ${opts.affects} name different crates`,
    );
  }
  const kind = opts.kind;
  return {
    collection: opts.collection,
    package: affects?.name ?? opts.package,
    version: affects?.version,
    year: opts.year === undefined ? undefined : parseYear(opts.year),
    category: opts.category,
    informational: kind === "any" ? "any" : kind !== "vulnerability",
    informationalKind:
      kind === "unmaintained" || kind === "unsound" || kind === "notice" ? kind : undefined,
    withdrawn: opts.withdrawn === "include" ? "any" : opts.withdrawn === "only",
    severity: opts.severity,
  };
}

/** Load problems go to stderr like compiler errors; the command still answers from what loaded. */
function reportLoadProblems(opened: OpenedDatabase): void {
  for (const d of opened.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (opened.diagnostics.length > 0) {
    process.stderr.write(
      `error: ${opened.diagnostics.length} problem(s) while loading the advisory database\n`,
    );
    process.exitCode = EXIT_ERROR;
  }
}

function printAdvisories(advisories: readonly Advisory[], opts: FilterOptions): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(advisories.map(advisoryJson))}\n`);
  } else {
    process.stdout.write(
      renderAdvisoryTable(advisories, chooseStyle(opts.color, process.env, process.stdout.isTTY)),
    );
  }
}

export function registerAdvisoriesCommand(program: Command): void {
  const advisories = program
    .command("advisories")
    .description("Load, query, lint and convert the RustSec advisory database");

  addFilterOptions(
    advisories.command("list").description("List advisories, optionally filtered"),
  ).action(async (opts: FilterOptions) => {
    const query = queryFromOptions(opts);
    const opened = await openDatabaseFromOptions(opts);
    reportLoadProblems(opened);
    printAdvisories(opened.database.query(query), opts);
  });

  addFilterOptions(
    advisories
      .command("search")
      .argument(
        "<TEXT>",
        "words that must all occur (case-insensitive) in id, aliases, package, title, description or keywords",
      )
      .description("Search advisories by free text"),
  ).action(async (text: string, opts: FilterOptions) => {
    const query = queryFromOptions(opts);
    const opened = await openDatabaseFromOptions(opts);
    reportLoadProblems(opened);
    printAdvisories(opened.database.search(text, query), opts);
  });

  addDatabaseOptions(
    advisories
      .command("show")
      .argument("<ID>", "a RUSTSEC id, or an alias such as a CVE or GHSA id")
      .description("Show one advisory in full"),
  )
    .option("--json", "print JSON")
    .addOption(
      new Option("--color <WHEN>", "colour the output").choices(["auto", "always", "never"]),
    )
    .action(
      async (id: string, opts: DatabaseCliOptions & { json?: boolean; color?: ColorChoice }) => {
        const opened = await openDatabaseFromOptions(opts);
        reportLoadProblems(opened);
        const found = opened.database.lookup(id.trim());
        if (found.length === 0) {
          process.stderr.write(`error: no advisory with id or alias \`${id}\`\n`);
          process.exitCode = EXIT_FINDINGS;
          return;
        }
        if (opts.json) {
          const json = found.map(advisoryJson);
          process.stdout.write(`${JSON.stringify(json.length === 1 ? json[0] : json)}\n`);
          return;
        }
        const style = chooseStyle(opts.color, process.env, process.stdout.isTTY);
        process.stdout.write(found.map((a) => renderAdvisoryDetail(a, style)).join("\n"));
      },
    );

  registerLintCommand(advisories);
  registerExportOsvCommand(advisories);
  registerImportOsvCommand(advisories);
}

/**
 * `cratesec audit fix [-f FILE] [--dry-run] [--apply] [audit options]`: audit a Cargo.lock, plan
 * the smallest `cargo update -p NAME@OLD --precise NEW` upgrades that fix its vulnerabilities
 * (`planFixes`), print them, and with `--apply` run them and re-audit.
 *
 * - Available versions come from a crates index, asked only about the vulnerable crates:
 *   `--index-dir DIR` (a local index, no network), else the sparse index (`--index-url`, default
 *   crates.io) unless `--no-fetch` / `[yanked] update_index = false`. An unreachable index is one
 *   warning, and the plan falls back to versions derived from the advisories.
 * - Only vulnerabilities are planned for; the yanked check is not run (a fix plan has no use for
 *   it, and it would ask the index about every package).
 * - Output: the plan in the terminal, or as JSON with `--json` / `--format json` (other formats
 *   print the terminal plan). Status lines and warnings go to stderr.
 * - `--apply` runs the commands with `execFile` (no shell) in the lockfile's directory, adding
 *   `--offline` under `--no-fetch`; breaking upgrades are never run (Cargo.toml must change).
 *
 * Exit codes:
 * - 0: nothing to fix, or (dry run) every vulnerable package has a semver-compatible fix, or
 *   (`--apply`) no vulnerability remains after the re-audit;
 * - 1: (dry run) some vulnerable package has only a breaking fix or none, or (`--apply`) some
 *   vulnerability remains after the re-audit;
 * - 2: errors (no lockfile, no database, `cargo` not on PATH or not runnable, `--apply` on stdin).
 *
 * This differs from cargo-audit's `fix` (specs/rustsec.md §3), whose real run returns 0 even when
 * vulnerabilities remain: here `--apply` exits 1 then, so CI notices what is still vulnerable.
 * cargo-audit's dry run agrees (1 when some vulnerability is unpatchable).
 */
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { type Command, Option } from "commander";
import type { Advisory } from "../advisory/model.js";
import { auditPackages, noGraph } from "../audit/audit.js";
import {
  type AppliedStep,
  type AvailableVersion,
  type FixPlan,
  fixCommands,
  planFixes,
  planFixesEverything,
} from "../audit/fix-plan.js";
import type { AuditedPackage, AuditReport } from "../audit/report.js";
import { IndexUnavailableError, lookupMany } from "../crates-index/index.js";
import type { Database } from "../database/index.js";
import { renderFixPlanJson } from "../report/fix-plan-json.js";
import { renderAppliedTerminal, renderFixPlanTerminal } from "../report/fix-plan-terminal.js";
import { chooseStyle, type Style } from "../report/style.js";
import { Version } from "../semver/index.js";
import {
  auditLockfile,
  defaultLockfile,
  errorLine,
  openAuditDatabase,
  renderReport,
  status,
  stderrStyle,
  warningLine,
  yankedIndex,
} from "./audit.js";
import {
  type AuditCliOptions,
  addAuditOptions,
  mergeParentOptions,
  type ResolvedAuditSettings,
  resolveAuditSettings,
} from "./audit-settings.js";
import { CliError, EXIT_FINDINGS, EXIT_OK } from "./errors.js";

export interface AuditFixCliOptions extends AuditCliOptions {
  readonly file?: string[];
  readonly dryRun?: boolean;
  readonly apply?: boolean;
}

/** The published versions of the vulnerable crates, or undefined when no index is consulted. */
async function availableVersions(
  report: AuditReport,
  settings: ResolvedAuditSettings,
  style: Style,
): Promise<Map<string, AvailableVersion[]> | undefined> {
  const names = [...new Set(report.vulnerabilities.map((v) => v.package.name))];
  if (names.length === 0) return undefined;
  if (settings.yanked.indexDir === undefined && settings.yanked.offline) return undefined;
  const index = yankedIndex(settings);
  const results = await lookupMany(index, names, { deadlineMs: 60_000 });
  const available = new Map<string, AvailableVersion[]>();
  const failures: IndexUnavailableError[] = [];
  for (const [name, result] of results) {
    if (result instanceof IndexUnavailableError) {
      failures.push(result);
    } else if (result === null) {
      warningLine(
        style,
        `crate ${name} not found in index ${index.location}; its fix is derived from the advisories`,
      );
    } else {
      available.set(
        name,
        result.flatMap((line) => {
          const version = Version.tryParse(line.vers);
          return version === null ? [] : [{ version, yanked: line.yanked }];
        }),
      );
    }
  }
  if (failures.length > 0) {
    const primary = failures.find((e) => e.kind !== "skipped") ?? failures[0];
    const reason =
      primary?.kind === "skipped" && primary.cause instanceof Error ? primary.cause : primary;
    warningLine(
      style,
      `couldn't consult the crates index ${index.location} (${reason?.message ?? "unavailable"}); fixes for ${failures.length} crate(s) are derived from the advisories`,
    );
  }
  return available;
}

/** The vulnerabilities an audit with these settings reports for `pkg` at another version. */
function vulnerabilitiesAt(
  db: Database,
  settings: ResolvedAuditSettings,
): (pkg: AuditedPackage, version: Version) => readonly Advisory[] {
  return (pkg, version) =>
    auditPackages(
      db,
      { path: pkg.name, packages: [{ ...pkg, version }], graph: noGraph },
      { ...settings.audit, withoutTrees: true },
    ).vulnerabilities.map((v) => v.advisory);
}

interface ExecResult {
  readonly exitCode: number | null;
  readonly stderr: string;
  /** Set when the program could not be started at all (ENOENT, EACCES…). */
  readonly spawnError?: NodeJS.ErrnoException;
}

function run(argv: readonly string[], cwd: string): Promise<ExecResult> {
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolvePromise) => {
    execFile(
      program,
      args,
      { cwd, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (err, _stdout, stderr) => {
        if (err === null) {
          resolvePromise({ exitCode: 0, stderr });
          return;
        }
        const e = err as NodeJS.ErrnoException & { code?: unknown; signal?: unknown };
        if (typeof e.code === "string") {
          resolvePromise({ exitCode: null, stderr, spawnError: e });
          return;
        }
        resolvePromise({ exitCode: typeof e.code === "number" ? e.code : null, stderr });
      },
    );
  });
}

/** `cargo --version`, so a missing cargo is one clear error before anything runs. */
async function requireCargo(cwd: string): Promise<void> {
  const r = await run(["cargo", "--version"], cwd);
  if (r.spawnError !== undefined) {
    throw new CliError(
      r.spawnError.code === "ENOENT"
        ? "`--apply` needs cargo, which is not on PATH (the plan above can be applied by hand)"
        : `cannot run cargo: ${r.spawnError.message}`,
    );
  }
  if (r.exitCode !== 0)
    throw new CliError(`\`cargo --version\` failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

async function applyPlan(
  plan: FixPlan,
  cwd: string,
  settings: ResolvedAuditSettings,
  style: Style,
  showStatus: boolean,
): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const step of plan.steps) {
    if (step.command === null) continue;
    // `--no-fetch` promises no network: cargo must not update its index either.
    const command = settings.database.fetch ? [...step.command] : [...step.command, "--offline"];
    if (showStatus) status(style, "Updating", `${step.name} ${step.from} -> ${step.to}`);
    const r = await run(command, cwd);
    if (r.spawnError !== undefined)
      throw new CliError(`cannot run \`${command.join(" ")}\`: ${r.spawnError.message}`);
    const ok = r.exitCode === 0;
    if (!ok)
      errorLine(
        style,
        `\`${command.join(" ")}\` failed (${r.exitCode === null ? "killed" : `exit ${r.exitCode}`})`,
      );
    applied.push({ step, command, exitCode: r.exitCode, ok, output: r.stderr.trim() });
  }
  return applied;
}

async function runAuditFix(opts: AuditFixCliOptions): Promise<number> {
  const files = opts.file ?? [];
  if (files.length > 1) throw new CliError("`audit fix` takes one lockfile (-f FILE)");
  const file = files[0] ?? defaultLockfile();
  if (opts.apply && file === "-")
    throw new CliError("`--apply` needs a lockfile on disk, not standard input");
  const resolved = resolveAuditSettings(opts, file === "-" ? undefined : file);
  const json = resolved.format === "json";
  // Only the terminal plan and JSON exist; the yanked check has no part in a fix plan.
  const settings: ResolvedAuditSettings = {
    ...resolved,
    format: json ? "json" : "terminal",
    yanked: { ...resolved.yanked, enabled: false },
  };
  const style = stderrStyle(settings);
  const showStatus = !json && !settings.quiet;
  const stdoutStyle = chooseStyle(settings.color, process.env, process.stdout.isTTY === true);

  const db = await openAuditDatabase(settings, style);
  const report = await auditLockfile(file, db, settings, style);
  const available = await availableVersions(report, settings, style);
  const plan = planFixes(report, { available, vulnerabilitiesAt: vulnerabilitiesAt(db, settings) });
  const commandDir = file === "-" ? undefined : dirname(resolve(file));

  if (!opts.apply) {
    process.stdout.write(
      json
        ? renderFixPlanJson(plan)
        : renderFixPlanTerminal(plan, { style: stdoutStyle, commandDir }),
    );
    return planFixesEverything(plan) ? EXIT_OK : EXIT_FINDINGS;
  }

  if (!json) process.stdout.write(renderFixPlanTerminal(plan, { style: stdoutStyle, commandDir }));
  if (report.vulnerabilities.length === 0) {
    if (json) process.stdout.write(renderFixPlanJson(plan, { applied: [], reaudit: report }));
    return EXIT_OK;
  }
  const cwd = commandDir ?? process.cwd();
  if (fixCommands(plan).length > 0) await requireCargo(cwd);
  const applied = await applyPlan(plan, cwd, settings, style, showStatus);
  const after = await auditLockfile(file, db, settings, style);
  if (json) {
    process.stdout.write(renderFixPlanJson(plan, { applied, reaudit: after }));
  } else {
    process.stdout.write(renderAppliedTerminal(applied, stdoutStyle));
    // The re-audit's vulnerabilities as `cratesec audit` prints them; warnings are not a fix's concern.
    if (after.vulnerabilities.length > 0)
      process.stdout.write(`\n${stdoutStyle.bold("Remaining vulnerabilities:")}\n\n`);
    else process.stdout.write(`\nNo vulnerabilities remain in ${file}.\n`);
    process.stdout.write(renderReport({ ...after, warnings: [] }, settings));
  }
  return after.vulnerabilities.length === 0 ? EXIT_OK : EXIT_FINDINGS;
}

export function registerAuditFixCommand(audit: Command): Command {
  return addAuditOptions(
    audit
      .command("fix")
      .description(
        "Plan (and with --apply, run) the `cargo update --precise` upgrades that fix vulnerable packages",
      )
      .option(
        "-f, --file <PATH>",
        "Cargo.lock to fix (default ./Cargo.lock)",
        (v: string, p: string[] = []) => [...p, v],
      )
      .option("--dry-run", "only print the plan and its commands (the default)")
      .addOption(
        new Option(
          "--apply",
          "run the semver-compatible `cargo update` commands, then re-audit",
        ).conflicts("dryRun"),
      ),
  ).action(async (_opts: unknown, cmd: Command) => {
    process.exitCode = await runAuditFix(mergeParentOptions(cmd) as AuditFixCliOptions);
  });
}

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import { type AuditInput, auditPackages } from "../audit/audit.js";
import { lockfileAuditInput } from "../audit/lockfile-input.js";
import { type AuditedPackage, type AuditReport, auditFailed } from "../audit/report.js";
import { type CratesIndex, checkYanked, LocalIndex, SparseIndex } from "../crates-index/index.js";
import type { Database } from "../database/index.js";
import { formatDiagnostic } from "../diagnostics/diagnostic.js";
import { isCratesIo, LockfileError, parseLockfileBytes, readLockfile } from "../lockfile/index.js";
import { renderAuditJson } from "../report/audit-json.js";
import { renderAuditMarkdown } from "../report/audit-markdown.js";
import { renderAuditSarif } from "../report/audit-sarif.js";
import { renderAuditTerminal } from "../report/audit-terminal.js";
import { chooseStyle, type Style } from "../report/style.js";
import { registerAuditBinCommand } from "./audit-bin.js";
import { registerAuditFixCommand } from "./audit-fix.js";
import {
  type AuditCliOptions,
  addAuditOptions,
  type ResolvedAuditSettings,
  resolveAuditSettings,
} from "./audit-settings.js";
import { openDatabaseFromOptions } from "./database-options.js";
import { CliError, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from "./errors.js";
import { packageVersion } from "./version.js";

/** cargo-style status line on stderr: a right-aligned green verb, then the message. */
export function status(style: Style, verb: string, message: string): void {
  process.stderr.write(`${style.green(style.bold(verb.padStart(12)))} ${message}\n`);
}

export function errorLine(style: Style, message: string): void {
  process.stderr.write(`${style.red(style.bold("error:"))} ${message}\n`);
}

export function warningLine(style: Style, message: string): void {
  process.stderr.write(`${style.yellow(style.bold("warning:"))} ${message}\n`);
}

export function stderrStyle(settings: ResolvedAuditSettings): Style {
  return chooseStyle(settings.color, process.env, process.stderr.isTTY === true);
}

/** Opens the database and says so; problems with single advisories are shown but not fatal. */
export async function openAuditDatabase(
  settings: ResolvedAuditSettings,
  style: Style,
): Promise<Database> {
  const opened = await openDatabaseFromOptions(settings.database);
  for (const d of opened.diagnostics) warningLine(style, formatDiagnostic(d));
  if (opened.database.count === 0) {
    throw new CliError(
      `no advisories could be loaded from the advisory database${opened.diagnostics.length ? " (see above)" : ""}`,
    );
  }
  if (opened.diagnostics.length > 0) {
    warningLine(
      style,
      `${opened.diagnostics.length} advisory file(s) could not be loaded; the audit uses the other ${opened.database.count}`,
    );
  }
  if (!settings.quiet && settings.format === "terminal") {
    const where = opened.database.provenance.path ?? "memory";
    status(style, "Loaded", `${opened.database.count} security advisories (from ${where})`);
  }
  return opened.database;
}

export function yankedIndex(settings: ResolvedAuditSettings): CratesIndex {
  if (settings.yanked.indexDir !== undefined) {
    if (!existsSync(settings.yanked.indexDir))
      throw new CliError(`index directory not found: ${settings.yanked.indexDir}`);
    return new LocalIndex(settings.yanked.indexDir);
  }
  return new SparseIndex(settings.yanked.indexUrl, {
    offline: settings.yanked.offline,
    timeoutMs: 10_000,
  });
}

/** The yanked check: never fatal; an unreachable index becomes one notice. */
export async function findYanked(
  packages: readonly AuditedPackage[],
  settings: ResolvedAuditSettings,
): Promise<{ yanked: AuditedPackage[]; notices: string[] }> {
  if (!settings.yanked.enabled) return { yanked: [], notices: [] };
  const candidates = packages
    .filter((p) => isCratesIo(p.source))
    .map((p) => ({ name: p.name, version: p.version.toString(), audited: p }));
  if (candidates.length === 0) return { yanked: [], notices: [] };
  const result = await checkYanked(yankedIndex(settings), candidates, { deadlineMs: 60_000 });
  return { yanked: result.yanked.map((y) => y.audited), notices: result.notices };
}

/** A path as SARIF wants it: relative to the working directory, with forward slashes. */
function sarifUri(path: string): string {
  if (path === "-") return "Cargo.lock";
  const rel = relative(process.cwd(), resolve(path));
  return (rel.startsWith("..") ? resolve(path) : rel).split(sep).join("/");
}

export function renderReport(
  report: AuditReport,
  settings: ResolvedAuditSettings,
  summaryPath?: string,
): string {
  switch (settings.format) {
    case "json":
      return renderAuditJson(report);
    case "sarif":
      return `${renderAuditSarif(report, { lockfileUri: sarifUri(report.lockfile.path), toolVersion: packageVersion() })}\n`;
    case "markdown":
      return renderAuditMarkdown(report);
    default:
      return renderAuditTerminal(report, {
        style: chooseStyle(settings.color, process.env, process.stdout.isTTY === true),
        quiet: settings.quiet,
        showTree: settings.showTree,
        summaryPath,
      });
  }
}

function readStdin(): Uint8Array {
  try {
    return readFileSync(0);
  } catch (err) {
    throw new CliError(`cannot read the lockfile from standard input: ${(err as Error).message}`);
  }
}

/**
 * Like cargo-audit: with no `-f` and no ./Cargo.lock but a ./Cargo.toml, generate the lockfile
 * with cargo first.
 */
export function defaultLockfile(): string {
  if (existsSync("Cargo.lock") || !existsSync("Cargo.toml")) return "Cargo.lock";
  try {
    execFileSync("cargo", ["generate-lockfile"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CliError(
      `Cargo.lock not found and \`cargo generate-lockfile\` failed${stderr ? `: ${stderr}` : ""}`,
    );
  }
  return "Cargo.lock";
}

function loadLockfileInput(file: string): AuditInput {
  try {
    const lockfile = file === "-" ? parseLockfileBytes(readStdin(), "-") : readLockfile(file);
    return lockfileAuditInput(lockfile, file);
  } catch (err) {
    if (err instanceof LockfileError) throw new CliError(String(err));
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new CliError(`${file}: lockfile not found`);
    if ((err as NodeJS.ErrnoException).code === "EISDIR")
      throw new CliError(`${file}: is a directory, not a Cargo.lock`);
    throw err;
  }
}

export async function auditLockfile(
  file: string,
  db: Database,
  settings: ResolvedAuditSettings,
  style: Style,
): Promise<AuditReport> {
  const input = loadLockfileInput(file);
  if (!settings.quiet && settings.format === "terminal") {
    status(
      style,
      "Scanning",
      `${file} for vulnerabilities (${input.packages.length} crate dependencies)`,
    );
  }
  const { yanked, notices } = await findYanked(input.packages, settings);
  return auditPackages(db, { ...input, yanked, notices }, settings.audit);
}

/** `cratesec audit`: exit 0 clean, 1 vulnerabilities or denied warnings, 2 errors (as cargo-audit). */
async function runAudit(opts: AuditCliOptions & { file?: string[] }): Promise<number> {
  const files = opts.file && opts.file.length > 0 ? opts.file : [defaultLockfile()];
  const first = files[0] === "-" ? undefined : files[0];
  const settings = resolveAuditSettings(opts, first);
  const style = stderrStyle(settings);
  const db = await openAuditDatabase(settings, style);
  let failed = false;
  let errors = false;
  for (const file of files) {
    try {
      const report = await auditLockfile(file, db, settings, style);
      process.stdout.write(renderReport(report, settings));
      failed ||= auditFailed(report);
    } catch (err) {
      if (!(err instanceof CliError) || files.length === 1) throw err;
      errorLine(style, err.message);
      errors = true;
    }
  }
  return failed ? EXIT_FINDINGS : errors ? EXIT_ERROR : EXIT_OK;
}

export function registerAuditCommand(program: Command): Command {
  const audit = addAuditOptions(
    program
      .command("audit")
      .description(
        "Audit Cargo.lock files (or binaries: `audit bin`) for crates with security advisories",
      )
      .option(
        "-f, --file <PATH>",
        "Cargo.lock to audit, `-` for standard input (repeatable; default ./Cargo.lock)",
        (v: string, p: string[] = []) => [...p, v],
      ),
  ).action(async (opts: AuditCliOptions & { file?: string[] }) => {
    process.exitCode = await runAudit(opts);
  });
  registerAuditBinCommand(audit);
  registerAuditFixCommand(audit);
  return audit;
}

/**
 * `cratesec audit bin FILE...`: audit compiled Rust executables from the dependency list
 * `cargo auditable` embeds, or from panic-message paths without it (specs/rustsec.md §5).
 */
import { type Command, InvalidArgumentError } from "commander";
import { auditPackages } from "../audit/audit.js";
import { binaryAdvisoryFilter, binaryAuditInput } from "../audit/binary-input.js";
import { type AuditReport, auditFailed } from "../audit/report.js";
import {
  BinaryScanError,
  type BinaryScanResult,
  DEFAULT_AUDIT_DATA_SIZE_LIMIT,
  DEFAULT_MAX_BINARY_SIZE,
  incompleteScanWarning,
  NO_DEPENDENCY_INFO,
  scanBinaryFile,
} from "../binary/index.js";
import type { Database } from "../database/index.js";
import type { Style } from "../report/style.js";
import {
  errorLine,
  findYanked,
  openAuditDatabase,
  renderReport,
  status,
  stderrStyle,
  warningLine,
} from "./audit.js";
import {
  type AuditCliOptions,
  addAuditOptions,
  mergeParentOptions,
  type ResolvedAuditSettings,
  resolveAuditSettings,
} from "./audit-settings.js";
import { CliError, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from "./errors.js";

export interface AuditBinCliOptions extends AuditCliOptions {
  readonly maxBinarySize?: number;
  readonly auditDataSizeLimit?: number;
}

/** A byte count on the command line: a non-negative integer (0 = no limit). */
function parseBytes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(
      "expected a non-negative integer number of bytes (0 = no limit)",
    );
  }
  return n;
}

/** Why reading `file` failed, worded for the user. */
function scanErrorMessage(file: string, err: BinaryScanError): string {
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (err.reason === "io" && code === "ENOENT") return `${file}: file not found`;
  if (err.reason === "io" && code === "EACCES") return `${file}: permission denied`;
  return `${file}: ${err.detail}`;
}

/** Scans, audits and prints one binary; returns its report, or null after printing an error. */
async function auditBinary(
  file: string,
  db: Database,
  settings: ResolvedAuditSettings,
  limits: { maxBinarySize: number; auditDataSizeLimit: number },
  style: Style,
): Promise<AuditReport | null> {
  let result: BinaryScanResult;
  try {
    result = await scanBinaryFile(file, limits);
  } catch (err) {
    if (!(err instanceof BinaryScanError)) throw err;
    errorLine(style, scanErrorMessage(file, err));
    return null;
  }
  if (result.kind === "none") {
    errorLine(style, `${file}: ${NO_DEPENDENCY_INFO}`);
    return null;
  }
  if (result.kind === "incomplete")
    warningLine(style, incompleteScanWarning(file, result.recovered));
  const input = binaryAuditInput(file, result);
  if (!settings.quiet && settings.format === "terminal") {
    status(
      style,
      "Scanning",
      `${file} for vulnerabilities (${input.packages.length} crate dependencies)`,
    );
  }
  const { yanked, notices } = await findYanked(input.packages, settings);
  const report = auditPackages(
    db,
    { ...input, yanked, notices },
    { ...settings.audit, advisoryApplies: binaryAdvisoryFilter(result.format) },
  );
  process.stdout.write(renderReport(report, settings, file));
  return report;
}

/** Exit 1 if any binary has vulnerabilities or denied warnings, else 2 after any error, else 0. */
async function runAuditBin(files: readonly string[], cmd: Command): Promise<number> {
  const opts = mergeParentOptions(cmd) as AuditBinCliOptions & { file?: string[] };
  if (opts.file !== undefined && opts.file.length > 0) {
    throw new CliError("`--file` does not apply to `audit bin`; pass the binaries as arguments");
  }
  const settings = resolveAuditSettings(opts);
  const style = stderrStyle(settings);
  const limits = {
    maxBinarySize: opts.maxBinarySize ?? DEFAULT_MAX_BINARY_SIZE,
    auditDataSizeLimit: opts.auditDataSizeLimit ?? DEFAULT_AUDIT_DATA_SIZE_LIMIT,
  };
  const db = await openAuditDatabase(settings, style);
  let failed = false;
  let errors = false;
  for (const file of files) {
    const report = await auditBinary(file, db, settings, limits, style);
    if (report === null) errors = true;
    else failed ||= auditFailed(report);
  }
  return failed ? EXIT_FINDINGS : errors ? EXIT_ERROR : EXIT_OK;
}

/** Adds `bin` under `audit`. */
export function registerAuditBinCommand(audit: Command): Command {
  const bin = addAuditOptions(
    audit
      .command("bin")
      .description(
        "Audit compiled Rust binaries: the dependency list `cargo auditable` embeds, or crates recovered from panic messages",
      )
      .argument("<FILE...>", "executables to audit (ELF, PE, Mach-O, WebAssembly)"),
  )
    .option(
      "--max-binary-size <BYTES>",
      `refuse files larger than this many bytes (default ${DEFAULT_MAX_BINARY_SIZE} = 100 MiB; 0 = no limit)`,
      parseBytes,
    )
    .option(
      "--audit-data-size-limit <BYTES>",
      `largest decompressed audit data, in bytes (default ${DEFAULT_AUDIT_DATA_SIZE_LIMIT} = 8 MiB; 0 = no limit)`,
      parseBytes,
    )
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = await runAuditBin(files, cmd);
    });
  return bin;
}

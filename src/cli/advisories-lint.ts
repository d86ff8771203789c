import { existsSync } from "node:fs";
import type { Command } from "commander";
import {
  CRATES_IO_SPARSE_INDEX,
  type CratesIndex,
  LocalIndex,
  SparseIndex,
} from "../crates-index/index.js";
import { formatDiagnostic } from "../diagnostics/diagnostic.js";
import { lintDatabase } from "../lint/index.js";
import { CliError, EXIT_FINDINGS } from "./errors.js";

interface LintCliOptions {
  readonly online?: boolean;
  readonly indexUrl?: string;
  readonly indexDir?: string;
  readonly json?: boolean;
}

function indexFrom(opts: LintCliOptions): CratesIndex | undefined {
  if (opts.indexDir !== undefined) {
    if (!existsSync(opts.indexDir))
      throw new CliError(`index directory not found: ${opts.indexDir}`);
    return new LocalIndex(opts.indexDir);
  }
  if (opts.online) return new SparseIndex(opts.indexUrl ?? CRATES_IO_SPARSE_INDEX);
  return undefined;
}

export function registerLintCommand(advisories: Command): void {
  advisories
    .command("lint")
    .description(
      "Check an advisory database (or one advisory file) like rustsec-admin lint: every problem of every file, as path:line:col: error: message",
    )
    .argument("[PATH]", "advisory-db directory or a single advisory file", ".")
    .option(
      "--online",
      "also check that every crate exists in the crates.io index, spelled as there",
    )
    .option("--index-url <URL>", "sparse index for --online", CRATES_IO_SPARSE_INDEX)
    .option(
      "--index-dir <DIR>",
      "check crate existence against a local index directory instead (implies --online)",
    )
    .option("--json", "print the problems as a JSON array")
    .action(async (path: string, opts: LintCliOptions) => {
      if (!existsSync(path)) throw new CliError(`no such file or directory: ${path}`);
      const result = await lintDatabase(path, { index: indexFrom(opts) });
      const errors = result.diagnostics.filter((d) => d.severity === "error").length;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result.diagnostics)}\n`);
      } else {
        for (const d of result.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
      }
      process.stderr.write(
        errors === 0
          ? `${result.files} advisory file(s) checked, no errors\n`
          : `${result.files} advisory file(s) checked, ${errors} error(s)\n`,
      );
      if (errors > 0) process.exitCode = EXIT_FINDINGS;
    });
}

import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { formatDiagnostic } from "../diagnostics/diagnostic.js";
import { exportOsv, importOsvDir } from "../osv/index.js";
import { advisoryJson } from "../report/advisory-json.js";
import {
  addDatabaseOptions,
  type DatabaseCliOptions,
  openDatabaseFromOptions,
} from "./database-options.js";
import { CliError, EXIT_ERROR } from "./errors.js";

export function registerExportOsvCommand(advisories: Command): void {
  addDatabaseOptions(
    advisories
      .command("export-osv")
      .description(
        "Write one OSV <ID>.json per crates/ advisory, as rustsec-admin osv does (modified: last git commit of the file, else its mtime)",
      )
      .argument("<OUTDIR>", "directory to write the JSON files into (created if missing)"),
  ).action(async (outDir: string, opts: DatabaseCliOptions) => {
    if (existsSync(outDir) && !statSync(outDir).isDirectory())
      throw new CliError(`not a directory: ${outDir}`);
    const opened = await openDatabaseFromOptions(opts);
    for (const d of opened.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    const written = await exportOsv(opened.database, outDir);
    process.stderr.write(`wrote ${written.length} OSV record(s) to ${outDir}\n`);
    if (opened.diagnostics.length > 0) {
      process.stderr.write(
        `error: ${opened.diagnostics.length} advisory file(s) could not be loaded and were not exported\n`,
      );
      process.exitCode = EXIT_ERROR;
    }
  });
}

export function registerImportOsvCommand(advisories: Command): void {
  advisories
    .command("import-osv")
    .description(
      "Load OSV records of the crates.io ecosystem (RustSec's export, GHSA-style records) into cratesec's advisory model and report what was read; `--db DIR` accepts such a directory everywhere",
    )
    .argument("<DIR>", "directory of OSV JSON files (searched recursively)")
    .option("--json", "print the imported advisories as JSON")
    .action((dir: string, opts: { json?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory())
        throw new CliError(`not a directory: ${dir}`);
      const imported = importOsvDir(dir);
      for (const d of imported.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      if (opts.json)
        process.stdout.write(`${JSON.stringify(imported.advisories.map(advisoryJson))}\n`);
      const packages = new Set(imported.advisories.map((a) => a.metadata.package)).size;
      process.stderr.write(
        `imported ${imported.advisories.length} advisory record(s) for ${packages} crate(s) from ${dir}` +
          (imported.diagnostics.length > 0
            ? `; ${imported.diagnostics.length} problem(s)\n`
            : "\n"),
      );
      if (imported.diagnostics.length > 0) process.exitCode = EXIT_ERROR;
    });
}

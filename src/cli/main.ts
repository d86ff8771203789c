import { Command, CommanderError } from "commander";
import { registerAdvisoriesCommand } from "./advisories.js";
import { registerAuditCommand } from "./audit.js";
import { registerCrateCommand } from "./crate.js";
import { CliError, EXIT_ERROR } from "./errors.js";
import { registerLogCommand } from "./log.js";
import { registerServeCommand } from "./serve.js";
import { registerTokenCommand } from "./token.js";
import { registerUserCommand } from "./user.js";
import { packageVersion } from "./version.js";

function buildProgram(): Command {
  const program = new Command("cratesec")
    .description("Security platform for the Rust crates ecosystem")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerAdvisoriesCommand(program);
  registerAuditCommand(program);
  registerUserCommand(program);
  registerTokenCommand(program);
  registerCrateCommand(program);
  registerLogCommand(program);
  registerServeCommand(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    // `cratesec advisories list | head` closes the pipe early; that is not an error.
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message (or the help/version text).
      return err.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: internal error: ${message}\n`);
    if (process.env.CRATESEC_DEBUG) process.stderr.write(`${(err as Error).stack ?? ""}\n`);
    return EXIT_ERROR;
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});

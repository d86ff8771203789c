/** An error meant for the user: printed as `error: <message>` with no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Exit codes, as cargo-audit uses them: 0 clean, 1 findings, 2 the input or environment failed. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

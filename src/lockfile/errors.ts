/** The one error type the lockfile parser throws. */
import { type Diagnostic, diagnostic, LocatedError } from "../diagnostics/diagnostic.js";

/**
 * A Cargo.lock that cannot be used, located like a compiler diagnostic. `message` is the reason
 * alone; `toString()` gives `Cargo.lock:12:1: package \`foo\` has no version`. Line and column
 * are 1-based; 0 means the whole file.
 */
export class LockfileError extends LocatedError {
  constructor(
    readonly path: string,
    message: string,
    line = 0,
    col = 0,
  ) {
    super(message, line, col);
    this.name = "LockfileError";
  }

  override toString(): string {
    return `${this.path}${this.line > 0 ? `:${this.line}:${Math.max(this.col, 1)}` : ""}: ${this.message}`;
  }

  toDiagnostic(): Diagnostic {
    return diagnostic(this.path, this.line, this.col, this.message);
  }
}

/** The one error type the lockfile parser throws. */
import { FileError } from "../diagnostics/diagnostic.js";

/**
 * A Cargo.lock that cannot be used, located like a compiler diagnostic. `message` is the reason
 * alone; `toString()` gives `Cargo.lock:12:1: package \`foo\` has no version`. Line and column
 * are 1-based; 0 means the whole file.
 */
export class LockfileError extends FileError {
  constructor(path: string, message: string, line = 0, col = 0) {
    super(path, message, line, col);
    this.name = "LockfileError";
  }
}

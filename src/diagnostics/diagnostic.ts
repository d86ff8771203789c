/**
 * A problem found in an input file, located like a compiler diagnostic.
 * Lines and columns are 1-based; 0 means "the whole file / unknown position".
 */
export type DiagnosticSeverity = "error" | "warning";

export interface Diagnostic {
  readonly path: string;
  readonly line: number;
  readonly col: number;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
}

export function diagnostic(
  path: string,
  line: number,
  col: number,
  message: string,
  severity: DiagnosticSeverity = "error",
): Diagnostic {
  return { path, line, col, severity, message };
}

/** `path:line:col: error: message` — the format editors and CI log parsers understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.path}:${d.line}:${Math.max(d.col, 1)}` : d.path;
  return `${where}: ${d.severity}: ${d.message}`;
}

/** An error that carries a location; thrown by parsers, caught at the edge and turned into a Diagnostic. */
export class LocatedError extends Error {
  constructor(
    message: string,
    readonly line = 0,
    readonly col = 0,
  ) {
    super(message);
    this.name = "LocatedError";
  }
}

/**
 * A LocatedError in a named file. `message` is the reason alone; `toString()` gives
 * `path:line:col: message` (or `path: message` for the whole file).
 */
export class FileError extends LocatedError {
  constructor(
    readonly path: string,
    message: string,
    line = 0,
    col = 0,
  ) {
    super(message, line, col);
    this.name = "FileError";
  }

  override toString(): string {
    return `${this.path}${this.line > 0 ? `:${this.line}:${Math.max(this.col, 1)}` : ""}: ${this.message}`;
  }

  toDiagnostic(): Diagnostic {
    return diagnostic(this.path, this.line, this.col, this.message);
  }
}

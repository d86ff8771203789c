/** Collects the diagnostics of one file. */
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Pos } from "./locator.js";

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly path: string) {}

  error(at: Pos, message: string): void {
    this.diagnostics.push(diagnostic(this.path, at.line, at.col, message));
  }

  get failed(): boolean {
    return this.diagnostics.length > 0;
  }
}

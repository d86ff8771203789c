/** Parsing lists of version requirements, reporting each bad one where it is written. */
import { VersionReq } from "../semver/index.js";
import type { Pos } from "./locator.js";
import type { Reporter } from "./report.js";

export interface ParsedReq {
  /** The requirement as written in the advisory. */
  readonly text: string;
  readonly req: VersionReq;
}

/**
 * Parses every requirement; reports failures via `at(text)`. Returns undefined if any failed.
 * `what` names the list in messages, e.g. "`patched` in [versions]".
 */
export function parseRequirements(
  texts: readonly string[],
  what: string,
  at: (text: string) => Pos,
  reporter: Reporter,
): ParsedReq[] | undefined {
  const out: ParsedReq[] = [];
  let ok = true;
  for (const text of texts) {
    try {
      out.push({ text, req: VersionReq.parse(text) });
    } catch (e) {
      ok = false;
      const detail = e instanceof Error ? e.message : String(e);
      reporter.error(
        at(text),
        `invalid version requirement ${JSON.stringify(text)} in ${what}: ${detail}`,
      );
    }
  }
  return ok ? out : undefined;
}

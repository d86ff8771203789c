/** The optional `[affected]` table (rustsec `advisory/affected.rs`, specs/rustsec.md §1.3). */
import type { TomlTable } from "smol-toml";
import type { VersionReq } from "../semver/index.js";
import { Fields } from "./fields.js";
import { validateFunctionPath } from "./function-path.js";
import type { Locator, Pos } from "./locator.js";
import type { Affected } from "./model.js";
import type { Reporter } from "./report.js";
import { parseRequirements } from "./requirements.js";
import { describe, get, isTable } from "./toml-value.js";

const SECTION = "affected";
const FUNCTIONS = "affected.functions";

export function readAffected(
  root: TomlTable,
  locator: Locator,
  reporter: Reporter,
): Affected | null {
  const table = get(root, SECTION);
  if (table === undefined) return null;
  if (!isTable(table)) {
    new Fields(root, "", locator, reporter).wrongType(SECTION, "a table", table);
    return null;
  }
  const f = new Fields(table, SECTION, locator, reporter);
  return {
    arch: f.stringList("arch") ?? [],
    os: f.stringList("os") ?? [],
    functions: readFunctions(f, locator, reporter),
  };
}

function readFunctions(
  f: Fields,
  locator: Locator,
  reporter: Reporter,
): ReadonlyMap<string, readonly VersionReq[]> {
  const functions = new Map<string, readonly VersionReq[]>();
  const table = get(f.table, "functions");
  if (table === undefined) return functions;
  if (!isTable(table)) {
    f.wrongType("functions", "a table", table);
    return functions;
  }
  for (const [path, value] of Object.entries(table)) {
    const at = (needle?: string): Pos =>
      locator.key(FUNCTIONS, path) ?? f.at("functions", needle ?? JSON.stringify(path));
    const error = validateFunctionPath(path);
    if (error !== null) reporter.error(at(), `invalid function path in [${FUNCTIONS}]: ${error}`);
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      reporter.error(
        at(),
        `invalid type for ${JSON.stringify(path)} in [${FUNCTIONS}]: expected a list of version requirements, found ${describe(value)}`,
      );
      continue;
    }
    const reqs = parseRequirements(
      value as string[],
      `${JSON.stringify(path)} in [${FUNCTIONS}]`,
      (text) =>
        locator.key(FUNCTIONS, path) === undefined
          ? f.at("functions", JSON.stringify(text))
          : locator.find(FUNCTIONS, path, JSON.stringify(text)),
      reporter,
    );
    if (error === null && reqs !== undefined)
      functions.set(
        path,
        reqs.map((r) => r.req),
      );
  }
  return functions;
}

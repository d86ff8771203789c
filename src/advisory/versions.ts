/** The `[versions]` table (rustsec `advisory/versions.rs`, specs/rustsec.md §1.4 and §2). */

import type { TomlTable } from "smol-toml";
import { type AffectedRange, affectedRanges, VersionRangeError } from "../semver/index.js";
import { Fields } from "./fields.js";
import { TOP_LEVEL_KEYS, VERSIONS_KEYS } from "./keys.js";
import type { Locator, Pos } from "./locator.js";
import type { Versions } from "./model.js";
import type { Reporter } from "./report.js";
import { type ParsedReq, parseRequirements } from "./requirements.js";
import { misspelledNote, misspelling } from "./suggest.js";
import { get, isTable } from "./toml-value.js";

const SECTION = "versions";

export function readVersions(
  root: TomlTable,
  locator: Locator,
  reporter: Reporter,
): Versions | undefined {
  const table = get(root, SECTION);
  if (table === undefined) {
    const hint = "write `patched = []` when no version is patched";
    const typo = misspelling(Object.keys(root), SECTION, TOP_LEVEL_KEYS);
    if (typo === undefined)
      reporter.error(locator.section(""), `missing table [versions] (${hint})`);
    else {
      const at = locator.header(typo) ?? locator.key("", typo) ?? locator.section("");
      reporter.error(at, `missing table [versions] ${misspelledNote(typo)}`);
    }
    return undefined;
  }
  const top = new Fields(root, "", locator, reporter);
  if (!isTable(table)) {
    top.wrongType(SECTION, "a table", table);
    return undefined;
  }
  const f = new Fields(table, SECTION, locator, reporter, VERSIONS_KEYS);
  const patched = list(f, "patched", true);
  const unaffected = list(f, "unaffected", false);
  if (patched === undefined || unaffected === undefined) return undefined;
  const ranges = computeRanges(f, patched, unaffected, reporter);
  if (ranges === undefined) return undefined;
  return { patched: patched.map((p) => p.req), unaffected: unaffected.map((p) => p.req), ranges };
}

function list(f: Fields, key: string, required: boolean): ParsedReq[] | undefined {
  const texts = f.stringList(key, required);
  if (texts === undefined) return undefined;
  return parseRequirements(
    texts,
    `\`${key}\` in [${SECTION}]`,
    (text) => f.at(key, JSON.stringify(text)),
    f.reporter,
  );
}

function computeRanges(
  f: Fields,
  patched: ParsedReq[],
  unaffected: ParsedReq[],
  reporter: Reporter,
): AffectedRange[] | undefined {
  try {
    return affectedRanges(
      patched.map((p) => p.req),
      unaffected.map((p) => p.req),
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const named = e instanceof VersionRangeError ? e.requirements : [];
    reporter.error(blame(f, named, patched, unaffected), `invalid [${SECTION}]: ${message}`);
    return undefined;
  }
}

/** Where the last requirement named by the error is written (the later one of an overlap). */
function blame(
  f: Fields,
  named: readonly string[],
  patched: ParsedReq[],
  unaffected: ParsedReq[],
): Pos {
  const all = [
    ...unaffected.map((p) => ({ key: "unaffected", ...p })),
    ...patched.map((p) => ({ key: "patched", ...p })),
  ];
  const last = named[named.length - 1];
  const hit = all.find((p) => p.req.toString() === last || p.text === last);
  return hit === undefined ? f.at("patched") : f.at(hit.key, JSON.stringify(hit.text));
}

/**
 * `lintAdvisory`: the checks of rustsec's `advisory::Linter` (`advisory/linter.rs`,
 * specs/rustsec.md §1.5 B) plus the path rules of §1.5 A, with messages in the same format:
 * "invalid key `x` in [section]", "invalid value `v` for key `k` in [section]: msg",
 * "malformed content in [section]: msg".
 */
import type { TomlTable } from "smol-toml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { dateYear } from "./date.js";
import { type AdvisoryDocument, loadDocument } from "./document.js";
import { functionPathCrate } from "./function-path.js";
import { idKind, idYear, isPlaceholderId } from "./id.js";
import { PLAIN_ADVISORY_KEYS, VERSIONS_KEYS } from "./keys.js";
import type { Pos } from "./locator.js";
import { findBareMentions } from "./mentions.js";
import { type Advisory, KNOWN_CATEGORIES, KNOWN_INFORMATIONAL, LICENSES } from "./model.js";
import { buildAdvisory, internalError, sortDiagnostics } from "./parse.js";
import { checkAdvisoryPath, checkExtension, isDraftPath } from "./path-rules.js";
import { KNOWN_ARCHES } from "./platforms.js";
import { Reporter } from "./report.js";
import { isTable } from "./toml-value.js";

export interface LintOptions {
  /**
   * Apply the rules that depend on the file's location (extension, name, directories, draft
   * status). Default true; turn off for text that does not come from a database checkout.
   */
  readonly checkPath?: boolean;
}

const CATEGORIES: ReadonlySet<string> = new Set(KNOWN_CATEGORIES);
const INFORMATIONAL: ReadonlySet<string> = new Set(KNOWN_INFORMATIONAL);
const LICENSE_IDS: ReadonlySet<string> = new Set(LICENSES);

/**
 * Lints one advisory. Parses it first unless `advisory` (parsed from the same text) is given;
 * if parsing fails, the parse errors are returned, as rustsec's linter fails on them too.
 * Never throws. An empty result means the advisory is clean.
 */
export function lintAdvisory(
  text: string,
  path: string,
  advisory?: Advisory,
  opts: LintOptions = {},
): Diagnostic[] {
  const checkPath = opts.checkPath ?? true;
  try {
    const early = checkPath ? checkExtension(path) : [];
    const loaded = loadDocument(text, path);
    if (!loaded.ok) return [...early, ...loaded.errors];
    let parsed = advisory;
    if (parsed === undefined) {
      const result = buildAdvisory(loaded.doc, path);
      if (!result.ok) return [...early, ...result.errors];
      parsed = result.advisory;
    }
    const linter = new Linter(loaded.doc, parsed, path, checkPath ? isDraftPath(path) : null);
    linter.run();
    const out = linter.reporter.diagnostics;
    if (checkPath) {
      out.push(
        ...checkAdvisoryPath(path, parsed, (key) => loaded.doc.locator.key("advisory", key)),
      );
    }
    return sortDiagnostics(out);
  } catch (e) {
    return [internalError(path, e)];
  }
}

class Linter {
  readonly reporter: Reporter;

  constructor(
    private readonly doc: AdvisoryDocument,
    private readonly advisory: Advisory,
    path: string,
    /** Whether the file name marks a draft; null when unknown. */
    private readonly draft: boolean | null,
  ) {
    this.reporter = new Reporter(path);
  }

  run(): void {
    this.mentions();
    for (const [key, value] of Object.entries(this.doc.table)) {
      if (key === "advisory") this.metadata(value);
      else if (key === "versions") this.keysOf(value, "versions", VERSIONS_KEYS);
      else if (key === "affected") this.affected(value);
      else this.error(this.topLevel(key), `invalid key \`${key}\` in toplevel`);
    }
  }

  private mentions(): void {
    const { markdown, markdownLine } = this.doc.parts;
    for (const m of findBareMentions(markdown)) {
      const line = markdownLine + m.line;
      this.error(
        { line, col: m.col + 1 },
        `malformed content in [markdown]: bare @${m.user} in advisory on line ${line} (use explicit link to avoid spam)`,
      );
    }
  }

  private metadata(table: unknown): void {
    if (!isTable(table)) {
      this.error(this.section("advisory"), "malformed content in [advisory]: expected table");
      return;
    }
    const meta = this.advisory.metadata;
    // rustsec walks a sorted map, so `date` is seen before `id`.
    let year: number | null = null;
    for (const key of Object.keys(table).sort()) {
      const at = this.key("advisory", key);
      const value = table[key];
      switch (key) {
        case "id":
          this.id(at, value, meta.id, year);
          break;
        case "date":
          year ??= dateYear(meta.date);
          break;
        case "categories":
          for (const c of meta.categories) {
            if (CATEGORIES.has(c)) continue;
            this.invalidValue(
              this.find("advisory", key, c),
              "category",
              c,
              "advisory",
              `unknown category ${quote(c)}`,
            );
          }
          break;
        case "collection":
          this.error(
            at,
            "malformed content in [advisory]: collection shouldn't be explicit; inferred by location",
          );
          break;
        case "informational": {
          const kind = meta.informational ?? "";
          if (!INFORMATIONAL.has(kind)) {
            this.invalidValue(
              at,
              key,
              kind,
              "advisory",
              `unknown informational advisory type ${quote(kind)}`,
            );
          }
          break;
        }
        case "url":
          if (typeof value === "string") this.url(at, value);
          break;
        case "yanked":
          if (meta.withdrawn === null) {
            this.error(
              at,
              "malformed content in [metadata]: field `yanked` is deprecated, use `withdrawn` field instead",
            );
          }
          break;
        case "license":
          if (typeof value === "string" && !LICENSE_IDS.has(value)) {
            this.invalidValue(at, key, value, "advisory", `unknown license ${quote(value)}`);
          }
          break;
        default:
          if (!PLAIN_ADVISORY_KEYS.has(key)) this.error(at, `invalid key \`${key}\` in [advisory]`);
      }
    }
  }

  private id(at: Pos, value: unknown, id: string, dateYearSeen: number | null): void {
    const shown = tomlString(value);
    if (this.draft !== null && isPlaceholderId(id) !== this.draft) {
      this.invalidValue(
        at,
        "id",
        shown,
        "advisory",
        "advisory ID draft status does not match file name",
      );
    }
    if (idKind(id) === "Other") {
      this.invalidValue(at, "id", shown, "advisory", "unknown advisory ID type");
      return;
    }
    const y = idYear(id);
    // CVE ids are exempt: the CVE year need not match the report date.
    if (y !== null && idKind(id) !== "CVE" && dateYearSeen !== null && y !== dateYearSeen) {
      this.invalidValue(at, "id", shown, "advisory", "year in advisory ID does not match date");
    }
  }

  private url(at: Pos, url: string): void {
    if (!url.startsWith("https://")) {
      this.invalidValue(at, "url", JSON.stringify(url), "advisory", "URL must start with https://");
    }
  }

  private affected(table: unknown): void {
    if (!isTable(table)) return;
    const affected = this.advisory.affected;
    if (affected === null) return;
    const crate = this.advisory.metadata.package.replaceAll("-", "_");
    for (const key of Object.keys(table)) {
      switch (key) {
        case "functions":
          for (const path of affected.functions.keys()) {
            if (functionPathCrate(path) === crate) continue;
            const at =
              this.doc.locator.key("affected.functions", path) ?? this.find("affected", key, path);
            this.invalidValue(
              at,
              key,
              path,
              "affected",
              "function path must start with crate name",
            );
          }
          break;
        case "arch":
          for (const arch of affected.arch) {
            if (KNOWN_ARCHES.has(arch)) continue;
            this.invalidValue(
              this.find("affected", key, arch),
              key,
              arch,
              "affected",
              `unknown architecture ${quote(arch)}`,
            );
          }
          break;
        case "os":
          for (const os of affected.os) {
            if (os === "")
              this.invalidValue(this.find("affected", key, os), key, os, "affected", "unknown OS");
          }
          break;
        default:
          this.error(this.key("affected", key), `invalid key \`${key}\` in [affected]`);
      }
    }
  }

  private keysOf(table: unknown, section: string, allowed: ReadonlySet<string>): void {
    if (!isTable(table)) return;
    for (const key of Object.keys(table as TomlTable)) {
      if (!allowed.has(key))
        this.error(this.key(section, key), `invalid key \`${key}\` in [${section}]`);
    }
  }

  private invalidValue(
    at: Pos,
    key: string,
    value: string,
    section: string,
    message: string,
  ): void {
    this.error(at, `invalid value \`${value}\` for key \`${key}\` in [${section}]: ${message}`);
  }

  private error(at: Pos, message: string): void {
    this.reporter.error(at, message);
  }

  private key(section: string, key: string): Pos {
    return this.doc.locator.find(section, key);
  }

  private find(section: string, key: string, value: string): Pos {
    return this.doc.locator.find(section, key, JSON.stringify(value));
  }

  private section(section: string): Pos {
    return this.doc.locator.section(section);
  }

  /** A top-level key may be written as `key = …` or as a `[key]` table header. */
  private topLevel(key: string): Pos {
    return this.doc.locator.key("", key) ?? this.doc.locator.header(key) ?? this.section("");
  }
}

/** Rust's `{:?}` of a string, near enough. */
const quote = (s: string): string => JSON.stringify(s);

/** Rust's `toml::Value::to_string` of a scalar, near enough. */
const tomlString = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : String(v));

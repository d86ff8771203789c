/**
 * `lintAdvisory`: the checks of rustsec's `advisory::Linter` (`advisory/linter.rs`,
 * specs/rustsec.md §1.5 B) plus the path rules of §1.5 A, with messages in the same format:
 * "invalid key `x` in [section]", "invalid value `v` for key `k` in [section]: msg",
 * "malformed content in [section]: msg".
 */
import type { TomlTable } from "smol-toml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { dateYear, validateDate } from "./date.js";
import { type AdvisoryDocument, loadDocument } from "./document.js";
import { functionPathCrate, validateFunctionPath } from "./function-path.js";
import { idKind, idYear, isPlaceholderId, validateId } from "./id.js";
import { PLAIN_ADVISORY_KEYS, VERSIONS_KEYS } from "./keys.js";
import type { Pos } from "./locator.js";
import { findBareMentions } from "./mentions.js";
import { type Advisory, KNOWN_CATEGORIES, KNOWN_INFORMATIONAL, LICENSES } from "./model.js";
import { buildAdvisory, internalError, sortDiagnostics } from "./parse.js";
import {
  checkAdvisoryPath,
  checkExtension,
  checkPathFacts,
  isDraftPath,
  type PathFacts,
} from "./path-rules.js";
import { KNOWN_ARCHES } from "./platforms.js";
import { Reporter } from "./report.js";
import { misspelledNote } from "./suggest.js";
import { get, isTable } from "./toml-value.js";

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
 * Lints one advisory. Parses it first unless `advisory` (parsed from the same text) is given.
 * When the front matter is valid TOML but the typed parse fails, the parse errors are returned
 * together with every linter rule whose inputs are still usable: the rules read the raw TOML
 * values and skip a value the parse already rejected, so each problem is reported once.
 * Never throws. An empty result means the advisory is clean. Sorted by line and column.
 */
export function lintAdvisory(
  text: string,
  path: string,
  advisory?: Advisory,
  opts: LintOptions = {},
): Diagnostic[] {
  const checkPath = opts.checkPath ?? true;
  try {
    const loaded = loadDocument(text, path);
    if (!loaded.ok) return [...(checkPath ? checkExtension(path) : []), ...loaded.errors];
    const { doc } = loaded;
    let parsed = advisory;
    let parseErrors: readonly Diagnostic[] = [];
    if (parsed === undefined) {
      const result = buildAdvisory(doc, path);
      if (result.ok) parsed = result.advisory;
      else parseErrors = result.errors;
    }
    const linter = new Linter(doc, path, checkPath ? isDraftPath(path) : null, parseErrors);
    linter.run();
    const out = [...parseErrors, ...linter.reporter.diagnostics];
    if (checkPath) {
      const at = (key: string): Pos | undefined => doc.locator.key("advisory", key);
      out.push(
        ...(parsed === undefined
          ? checkPathFacts(path, rawPathFacts(doc.table), at)
          : checkAdvisoryPath(path, parsed, at)),
      );
    }
    return sortDiagnostics(out);
  } catch (e) {
    return [internalError(path, e)];
  }
}

/**
 * The rules of rustsec's `Linter`, on the raw TOML values. A rule is skipped when its input is
 * missing, of the wrong type or otherwise rejected by the typed parse (which reports it); for a
 * parseable advisory the raw values are exactly those of the typed model.
 */
class Linter {
  readonly reporter: Reporter;
  /** `[advisory]`, when it is a table. */
  private readonly meta: TomlTable | undefined;

  constructor(
    private readonly doc: AdvisoryDocument,
    path: string,
    /** Whether the file name marks a draft; null when unknown. */
    private readonly draft: boolean | null,
    /** The typed parse's errors; empty when it succeeded. */
    private readonly parseErrors: readonly Diagnostic[],
  ) {
    this.reporter = new Reporter(path);
    const meta = get(doc.table, "advisory");
    this.meta = isTable(meta) ? meta : undefined;
  }

  run(): void {
    this.mentions();
    for (const [key, value] of Object.entries(this.doc.table)) {
      if (key === "advisory") this.metadata(value);
      else if (key === "versions") this.keysOf(value, "versions", VERSIONS_KEYS);
      else if (key === "affected") this.affected(value);
      else this.invalidKey(this.topLevel(key), key, "toplevel");
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
    // Not a table: the parse reports the type, and no rule has an input.
    if (!isTable(table)) return;
    // rustsec walks a sorted map, so `date` is seen before `id`.
    let year: number | null = null;
    for (const key of Object.keys(table).sort()) {
      const at = this.key("advisory", key);
      const value = table[key];
      switch (key) {
        case "id":
          if (typeof value === "string") this.id(at, value, year);
          break;
        case "date":
          // An invalid date is the parse's error alone; the id year is then not compared.
          if (typeof value === "string" && validateDate(value) === null) year = dateYear(value);
          break;
        case "categories":
          for (const c of strings(value)) {
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
        case "informational":
          if (typeof value === "string" && !INFORMATIONAL.has(value)) {
            this.invalidValue(
              at,
              key,
              value,
              "advisory",
              `unknown informational advisory type ${quote(value)}`,
            );
          }
          break;
        case "url":
          // An unparsable URL is the parse's error alone.
          if (typeof value === "string" && URL.canParse(value)) this.url(at, value);
          break;
        case "yanked":
          if (get(table, "withdrawn") === undefined) {
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
          if (!PLAIN_ADVISORY_KEYS.has(key)) this.invalidKey(at, key, "[advisory]");
      }
    }
  }

  private id(at: Pos, id: string, dateYearSeen: number | null): void {
    // A malformed id is the parse's error alone.
    if (validateId(id) !== null) return;
    const shown = quote(id);
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
    for (const key of Object.keys(table)) {
      const value = table[key];
      switch (key) {
        case "functions":
          if (isTable(value)) this.functions(value);
          break;
        case "arch":
          for (const arch of strings(value)) {
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
          for (const os of strings(value)) {
            if (os === "")
              this.invalidValue(this.find("affected", key, os), key, os, "affected", "unknown OS");
          }
          break;
        default:
          this.invalidKey(this.key("affected", key), key, "[affected]");
      }
    }
  }

  private functions(table: TomlTable): void {
    const pkg = this.meta === undefined ? undefined : get(this.meta, "package");
    if (typeof pkg !== "string") return;
    const crate = pkg.replaceAll("-", "_");
    for (const path of Object.keys(table)) {
      // An invalid path is the parse's error alone.
      if (functionPathCrate(path) === crate || validateFunctionPath(path) !== null) continue;
      const at =
        this.doc.locator.key("affected.functions", path) ??
        this.find("affected", "functions", path);
      this.invalidValue(
        at,
        "functions",
        path,
        "affected",
        "function path must start with crate name",
      );
    }
  }

  private keysOf(table: unknown, section: string, allowed: ReadonlySet<string>): void {
    if (!isTable(table)) return;
    for (const key of Object.keys(table)) {
      if (!allowed.has(key)) this.invalidKey(this.key(section, key), key, `[${section}]`);
    }
  }

  /** "invalid key", unless the parse already reported `key` as a misspelled required key. */
  private invalidKey(at: Pos, key: string, where: string): void {
    if (this.parseErrors.length > 0) {
      const note = misspelledNote(key);
      const seen = this.parseErrors.some(
        (d) => d.line === at.line && d.col === at.col && d.message.endsWith(note),
      );
      if (seen) return;
    }
    this.error(at, `invalid key \`${key}\` in ${where}`);
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

  /** A top-level key may be written as `key = …` or as a `[key]` table header. */
  private topLevel(key: string): Pos {
    return (
      this.doc.locator.key("", key) ?? this.doc.locator.header(key) ?? this.doc.locator.section("")
    );
  }
}

/** The string items of a list; nothing for another type (non-strings are the parse's errors). */
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((item): item is string => typeof item === "string") : [];

/** The path rules' inputs from the raw `[advisory]` table; values the parse rejects are unknown. */
function rawPathFacts(root: TomlTable): PathFacts {
  const meta = get(root, "advisory");
  if (!isTable(meta)) return { id: null, package: null, collection: null };
  const id = get(meta, "id");
  const pkg = get(meta, "package");
  const collection = get(meta, "collection");
  return {
    id: typeof id === "string" && validateId(id) === null ? id : null,
    package: typeof pkg === "string" ? pkg : null,
    collection: collection === "crates" || collection === "rust" ? collection : null,
  };
}

/** Rust's `{:?}` of a string, near enough. */
const quote = (s: string): string => JSON.stringify(s);

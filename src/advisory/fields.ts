/**
 * Typed access to the keys of one TOML table, reporting serde-like errors ("missing field",
 * "invalid type") at the key's position. Unknown keys are ignored, as with serde's defaults.
 */
import type { TomlTable } from "smol-toml";
import type { Locator, Pos } from "./locator.js";
import type { Reporter } from "./report.js";
import { misspelledNote, misspelling } from "./suggest.js";
import { describe, get } from "./toml-value.js";

export class Fields {
  constructor(
    readonly table: TomlTable,
    /** Dotted section name, e.g. `advisory` or `affected`. */
    readonly section: string,
    private readonly locator: Locator,
    readonly reporter: Reporter,
    /** Every key this table may hold; used to spot a misspelling of a missing key. */
    private readonly known: ReadonlySet<string> = new Set(),
  ) {}

  has(key: string): boolean {
    return get(this.table, key) !== undefined;
  }

  /** Where `key` (or `needle` inside its value) is written. */
  at(key: string, needle?: string): Pos {
    return this.locator.find(this.section, key, needle);
  }

  error(key: string, message: string, needle?: string): void {
    this.reporter.error(this.at(key, needle), message);
  }

  /** Reports "invalid `key` in [section]: detail" at `needle` inside the value. */
  invalid(key: string, detail: string, needle?: string): void {
    this.error(key, `invalid \`${key}\` in [${this.section}]: ${detail}`, needle);
  }

  missing(key: string): void {
    const typo = misspelling(Object.keys(this.table), key, this.known);
    const what = `missing field \`${key}\` in [${this.section}]`;
    if (typo === undefined) this.reporter.error(this.locator.section(this.section), what);
    else this.error(typo, `${what} ${misspelledNote(typo)}`);
  }

  string(key: string, required = false): string | undefined {
    const v = get(this.table, key);
    if (v === undefined) {
      if (required) this.missing(key);
      return undefined;
    }
    if (typeof v === "string") return v;
    this.wrongType(key, "a string", v);
    return undefined;
  }

  bool(key: string): boolean | undefined {
    const v = get(this.table, key);
    if (v === undefined || typeof v === "boolean") return v;
    this.wrongType(key, "a boolean", v);
    return undefined;
  }

  /** A list of strings; an absent key is an empty list. Returns undefined on a type error. */
  stringList(key: string, required = false): string[] | undefined {
    const v = get(this.table, key);
    if (v === undefined) {
      if (required) this.missing(key);
      return required ? undefined : [];
    }
    if (!Array.isArray(v)) {
      this.wrongType(key, "a list of strings", v);
      return undefined;
    }
    const bad = v.find((item) => typeof item !== "string");
    if (bad !== undefined) {
      this.wrongType(key, "a list of strings", bad, true);
      return undefined;
    }
    return v as string[];
  }

  wrongType(key: string, expected: string, found: unknown, inList = false): void {
    const where = inList ? " in the list" : "";
    this.error(
      key,
      `invalid type for \`${key}\` in [${this.section}]: expected ${expected}, found ${describe(found)}${where}`,
    );
  }
}

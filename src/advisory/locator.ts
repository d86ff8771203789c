/**
 * Finds where keys and table headers sit in the front matter, so typed-validation and lint
 * diagnostics can point at the offending line. A light line scanner, not a TOML parser: it
 * only needs to be right for documents smol-toml has already accepted.
 */
import { tomlToFile } from "./frontmatter.js";
import type { Parts } from "./parts.js";

export interface Pos {
  readonly line: number;
  readonly col: number;
}

interface KeyEntry {
  readonly at: Pos;
  /** Front-matter line indexes (0-based) spanned by the key and its value. */
  readonly first: number;
  last: number;
}

const BARE_KEY_CHAR = /[A-Za-z0-9_-]/;
const NON_SPACE = /\S/;

export class Locator {
  private lines: string[] = [];
  private readonly keyMap = new Map<string, KeyEntry>();
  private readonly headerMap = new Map<string, Pos>();
  private scanned = false;

  /** Scanning is deferred to the first query: valid advisories are parsed without one. */
  constructor(
    private readonly parts: Parts,
    private readonly headerAdded: boolean,
  ) {}

  private get keys(): Map<string, KeyEntry> {
    this.ensureScanned();
    return this.keyMap;
  }

  private get headers(): Map<string, Pos> {
    this.ensureScanned();
    return this.headerMap;
  }

  private ensureScanned(): void {
    if (this.scanned) return;
    this.scanned = true;
    this.lines = this.parts.frontMatter.split("\n");
    this.scan(this.headerAdded ? "advisory" : "");
  }

  /** Position of `[section]`, or of the front matter when the header was implicit. */
  header(section: string): Pos | undefined {
    return this.headers.get(section);
  }

  /** Position of `key` in `section` (dotted, e.g. `affected.functions`). */
  key(section: string, key: string): Pos | undefined {
    return this.keys.get(slot(section, key))?.at;
  }

  /**
   * Position of `needle` (e.g. a quoted array element) within the value of `section.key`,
   * falling back to the key, then the section header, then the start of the front matter.
   */
  find(section: string, key: string, needle?: string): Pos {
    const entry = this.keys.get(slot(section, key));
    if (entry !== undefined && needle !== undefined) {
      for (let i = entry.first; i <= entry.last; i++) {
        const line = this.lines[i] ?? "";
        const col =
          i === entry.first ? line.indexOf(needle, line.indexOf("=") + 1) : line.indexOf(needle);
        if (col !== -1) return this.toFile(i, col);
      }
    }
    return entry?.at ?? this.section(section);
  }

  /** The section header, or the start of the front matter. */
  section(section: string): Pos {
    return this.headers.get(section) ?? this.toFile(0, 0);
  }

  private toFile(index: number, col: number): Pos {
    return tomlToFile(this.parts, index + 1, col + 1);
  }

  private scan(initialSection: string): void {
    let section = initialSection;
    if (initialSection !== "") this.headerMap.set(initialSection, this.toFile(0, 0));
    const state: ValueState = { depth: 0, multiline: null };
    let open: KeyEntry | undefined;
    this.lines.forEach((line, index) => {
      if (state.multiline !== null || state.depth > 0) {
        scanValue(line, 0, state);
        if (open !== undefined) open.last = index;
        return;
      }
      const start = line.search(NON_SPACE);
      if (start === -1 || line[start] === "#") return;
      if (line[start] === "[") {
        const double = line[start + 1] === "[";
        const path = parseKeyPath(line, start + (double ? 2 : 1));
        if (path === undefined) return;
        section = path.keys.join(".");
        if (!this.headerMap.has(section)) this.headerMap.set(section, this.toFile(index, start));
        return;
      }
      const path = parseKeyPath(line, start);
      if (path === undefined || line[path.end] !== "=") return;
      const keys = path.keys;
      const name = keys[keys.length - 1] ?? "";
      const full = [section, ...keys.slice(0, -1)].filter((s) => s !== "").join(".");
      open = { at: this.toFile(index, start), first: index, last: index };
      const id = slot(full, name);
      if (!this.keyMap.has(id)) this.keyMap.set(id, open);
      scanValue(line, path.end + 1, state);
    });
  }
}

const slot = (section: string, key: string): string => `${section}\u0000${key}`;

interface ValueState {
  depth: number;
  multiline: '"""' | "'''" | null;
}

/** Tracks bracket depth and multi-line strings through one line of a value. */
function scanValue(line: string, from: number, state: ValueState): void {
  let i = from;
  while (i < line.length) {
    if (state.multiline !== null) {
      const end = line.indexOf(state.multiline, i);
      if (end === -1) return;
      i = end + 3;
      state.multiline = null;
      continue;
    }
    const ch = line[i];
    if (ch === "#") return;
    if (ch === '"' || ch === "'") {
      const triple = ch.repeat(3);
      if (line.startsWith(triple, i)) {
        state.multiline = triple as ValueState["multiline"];
        i += 3;
        continue;
      }
      i = skipString(line, i);
      continue;
    }
    if (ch === "[" || ch === "{") state.depth++;
    else if (ch === "]" || ch === "}") state.depth = Math.max(0, state.depth - 1);
    i++;
  }
}

/** Index just past the single-line string starting at `start`. */
function skipString(line: string, start: number): number {
  const quote = line[start];
  let i = start + 1;
  while (i < line.length && line[i] !== quote) i += quote === '"' && line[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** Parses `a."b c".d` up to `=` or `]`; returns the keys and the index of that terminator. */
function parseKeyPath(line: string, from: number): { keys: string[]; end: number } | undefined {
  const keys: string[] = [];
  let i = from;
  for (;;) {
    while (line[i] === " " || line[i] === "\t") i++;
    const ch = line[i];
    if (ch === '"' || ch === "'") {
      const end = skipString(line, i);
      const raw = line.slice(i + 1, end - 1);
      keys.push(ch === '"' ? unescapeBasic(raw) : raw);
      i = end;
    } else {
      const begin = i;
      while (i < line.length && BARE_KEY_CHAR.test(line[i] ?? "")) i++;
      if (i === begin) return undefined;
      keys.push(line.slice(begin, i));
    }
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] !== ".") return { keys, end: i };
    i++;
  }
}

function unescapeBasic(raw: string): string {
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

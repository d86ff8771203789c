/**
 * The TOML layer of the lockfile parser. Two readers produce the same `RawDoc`: a line reader
 * for the very regular subset of TOML that Cargo writes (fast, and it knows every header's line),
 * and smol-toml for everything else. The line reader gives up (returns null) on anything it does
 * not recognise; it never reports errors, so every syntax error comes from smol-toml.
 */
import { parse, TomlError } from "smol-toml";

/** A TOML table as smol-toml returns it: a null-prototype object. */
export type RawTable = Record<string, unknown>;

export interface RawDoc {
  /** The top-level table, exactly as smol-toml would return it. */
  readonly table: RawTable;
  /** Line of the n-th `[[package]]` header (0 when unknown). */
  readonly packageLines: readonly number[];
  /** Line of the n-th `[[patch.unused]]` header (0 when unknown). */
  readonly patchLines: readonly number[];
  /** Line of the `[root]` / `[metadata]` header, 0 if absent or unknown. */
  readonly rootLine: number;
  readonly metadataLine: number;
  /** Every string value of a `checksum` key is already known to be 64 hex digits. */
  readonly checksumsVerified: boolean;
  /** Every string value of a `name` key is already known to be a valid package name: not
   * empty, without whitespace or parentheses. */
  readonly namesVerified: boolean;
  /** Every array value (the arrays of tables `package` and `patch.unused` aside) is a list of
   * strings. */
  readonly stringListsOnly: boolean;
}

export class TomlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

/** Reads `text` as TOML: the fast line reader when it can, smol-toml otherwise. */
export function readToml(text: string): RawDoc {
  return readCargoSubset(text) ?? readWithSmolToml(text);
}

// ------------------------------------------------------------------------------------------
// smol-toml, with header lines found by a line scan (the n-th header line is the n-th entry).

const PACKAGE_HEADER = /^[ \t]*\[\[[ \t]*(?:package|"package"|'package')[ \t]*\]\]/;
const PATCH_HEADER =
  /^[ \t]*\[\[[ \t]*(?:patch|"patch"|'patch')[ \t]*\.[ \t]*(?:unused|"unused"|'unused')[ \t]*\]\]/;
const ROOT_HEADER = /^[ \t]*\[[ \t]*(?:root|"root"|'root')[ \t]*\]/;
const METADATA_HEADER = /^[ \t]*\[[ \t]*(?:metadata|"metadata"|'metadata')[ \t]*\]/;

export function readWithSmolToml(text: string): RawDoc {
  let table: RawTable;
  try {
    table = parse(text, { integersAsBigInt: "asNeeded" }) as RawTable;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = (e.message.split("\n", 1)[0] ?? "").replace(/^Invalid TOML document: /, "");
      throw new TomlSyntaxError(first, e.line, e.column);
    }
    // smol-toml signals too-deep nesting and similar limits with plain errors.
    throw new TomlSyntaxError(e instanceof Error ? e.message : String(e), 0, 0);
  }
  const packageLines: number[] = [];
  const patchLines: number[] = [];
  let rootLine = 0;
  let metadataLine = 0;
  let line = 0;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let end = text.indexOf("\n", pos);
    if (end === -1) end = n;
    line++;
    let i = pos;
    while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
    if (i < end && text.charCodeAt(i) === 0x5b) {
      const s = text.slice(i, Math.min(end, i + 64));
      if (PACKAGE_HEADER.test(s)) packageLines.push(line);
      else if (PATCH_HEADER.test(s)) patchLines.push(line);
      else if (rootLine === 0 && ROOT_HEADER.test(s)) rootLine = line;
      else if (metadataLine === 0 && METADATA_HEADER.test(s)) metadataLine = line;
    }
    pos = end + 1;
  }
  const packages = table.package;
  const patch = table.patch;
  const unused =
    typeof patch === "object" && patch !== null ? (patch as RawTable).unused : undefined;
  return {
    table,
    packageLines: matchCount(packageLines, packages),
    patchLines: matchCount(patchLines, unused),
    rootLine,
    metadataLine,
    checksumsVerified: false,
    namesVerified: false,
    stringListsOnly: false,
  };
}

/** Header lines only mean something when there is exactly one per entry. */
function matchCount(lines: number[], entries: unknown): number[] {
  const count = Array.isArray(entries) ? entries.length : 0;
  return lines.length === count ? lines : new Array<number>(count).fill(0);
}

// ------------------------------------------------------------------------------------------
// The line reader for what Cargo writes:
//
//   # comment                      version = 4
//   [[package]]                    name = "foo"         "quoted key" = "value"
//   [[patch.unused]]               dependencies = [
//   [metadata]                      "bar 1.0.0",
//   [root]                         ]
//
// Strings are basic strings without escapes; integers are small decimals. Anything else,
// including whatever TOML would reject (duplicate keys, a missing comma, control characters),
// makes it give up so that smol-toml decides.

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const HASH = 0x23;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const OPEN = 0x5b;
const CLOSE = 0x5d;

const HEADERS = ["[[package]]", "[[patch.unused]]", "[metadata]", "[root]"] as const;
/** Top-level keys that would clash with the tables the headers create. */
const RESERVED_TOP = new Set(["package", "patch", "metadata", "root"]);

// The string just read by `readString`.
let lastString = "";

/** Control characters TOML allows nowhere (tab, LF and CR of CRLF aside), and backslash. */
const UNUSUAL_CHARS: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, c) => c).filter(
    (c) => c !== 0x09 && c !== 0x0a && c !== 0x0d,
  ),
  0x7f,
  0x5c,
].map((c) => String.fromCharCode(c));

/**
 * Whether `text` has anything that makes the line reader's simple string handling wrong:
 * escapes, control characters, or a CR not followed by LF. A file without them (every
 * Cargo.lock Cargo writes) can be read with `indexOf`. (A native `indexOf` per character is
 * several times faster than a character-class regex or a JS loop over the text.)
 */
function hasUnusualChars(text: string): boolean {
  for (const c of UNUSUAL_CHARS) if (text.indexOf(c) !== -1) return true;
  for (let i = text.indexOf("\r"); i !== -1; i = text.indexOf("\r", i + 2)) {
    if (text.charCodeAt(i + 1) !== LF) return true;
  }
  return false;
}

/** A run of the characters `hasUnusualChars` accepts, up to an LF or CR. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters.
const USUAL_RUN = /[^\\\x00-\x08\x0a-\x1f\x7f]*/y;

/** `hasUnusualChars` for the one line `text[start, end)`, `end` being its LF or the end. */
function lineHasUnusualChars(text: string, start: number, end: number): boolean {
  USUAL_RUN.lastIndex = start;
  USUAL_RUN.test(text);
  const stop = USUAL_RUN.lastIndex;
  // Anything else can only be the CR of a CRLF.
  return stop !== end && !(stop === end - 1 && end < text.length && text.charCodeAt(stop) === CR);
}

/** Lines the line loop checks one by one (a regex call each) before it checks the whole text
 * at once (`hasUnusualChars`, whose cost does not depend on the number of lines). */
const LINES_CHECKED_ALONE = 256;

/** Reads the basic string starting at the quote at `i`; returns the index after it, or -1. */
function readString(text: string, i: number, end: number): number {
  const close = text.indexOf('"', i + 1);
  if (close === -1 || close >= end) return -1;
  lastString = text.slice(i + 1, close);
  return close + 1;
}

/** The key in `text[start, end)`, as a constant string for the keys every package has. */
function keyAt(text: string, start: number, end: number): string {
  switch (end - start) {
    case 4:
      if (text.startsWith("name", start)) return "name";
      break;
    case 6:
      if (text.startsWith("source", start)) return "source";
      break;
    case 7:
      if (text.startsWith("version", start)) return "version";
      break;
    case 8:
      if (text.startsWith("checksum", start)) return "checksum";
      break;
    case 12:
      if (text.startsWith("dependencies", start)) return "dependencies";
      break;
  }
  return text.slice(start, end);
}

// Every UTF-16 unit, so that a non-ASCII character reads as 0 rather than out of bounds.
const HEX = new Uint8Array(0x10000);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;

/** `text[start, end)` is 64 hex digits. (Checked on the file text itself: reading a sliced
 * string character by character is markedly slower.) */
export function isHex64At(text: string, start: number, end: number): boolean {
  if (end - start !== 64) return false;
  // Four characters a step, without a branch for each (a quarter faster).
  let ok = 1;
  for (let i = start; i < end; i += 4) {
    ok &=
      (HEX[text.charCodeAt(i)] as number) &
      (HEX[text.charCodeAt(i + 1)] as number) &
      (HEX[text.charCodeAt(i + 2)] as number) &
      (HEX[text.charCodeAt(i + 3)] as number);
  }
  return ok === 1;
}

function isBareKeyChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2d // -
  );
}

function skipBlank(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/** A character of a string in a block: not a quote, backslash, control character (tab aside)
 * or DEL. */
const STRING_CHAR = String.raw`[^"\\\x00-\x08\x0a-\x1f\x7f]`;
/** A character of a package name in a block: also no whitespace or parenthesis. */
const NAME_CHAR = String.raw`[^\s()"\\\x00-\x1f\x7f]`;

/**
 * A whole `[[package]]` block exactly as Cargo writes it: `name`, `version`, then optionally
 * `source`, `checksum` and a multi-line `dependencies` list of one string per line, each line
 * ending in LF. One sticky regex (native code) reads the block; a block of any other shape is
 * left to the line loop. Its strings have no quote, backslash, control character (tab aside) or
 * DEL, so each is a TOML basic string whose value is its text, and the block has none of what
 * `hasUnusualChars` looks for. The name is a valid package name (see `RawDoc.namesVerified`).
 * The checksum is matched with `\w`, which irregexp checks faster than any other class here
 * (a hex-digit class makes the whole regex almost twice as slow, as does `{64}`); that it is
 * 64 hex digits is checked afterwards, as the line loop does.
 */
const PACKAGE_BLOCK = new RegExp(
  // Groups: 1 name, 2 version, 3 (empty) crates.io or 4 another source, 5 checksum,
  // 6 (empty) dependencies.
  String.raw`\[\[package\]\]\nname = "(${NAME_CHAR}+)"\nversion = "(${STRING_CHAR}*)"\n` +
    String.raw`(?:source = "(?:registry\+https://github\.com/rust-lang/crates\.io-index"()|(${STRING_CHAR}*)")\n)?` +
    String.raw`(?:checksum = "(\w+)"\n)?` +
    String.raw`(?:dependencies = \[\n()(?: "${STRING_CHAR}*",\n)*\]\n)?`,
  "y",
);
const CRATES_IO_REGISTRY = "registry+https://github.com/rust-lang/crates.io-index";
/** `dependencies = [\n`, before the items of a block. */
const DEPENDENCIES_OPEN = 17;

/**
 * Reads what Cargo writes, or returns null. `blocks` (default true) enables the whole-block
 * fast path for `[[package]]` tables; without it every line goes through the line loop (the
 * two give the same result, which the tests check).
 */
export function readCargoSubset(text: string, blocks = true): RawDoc | null {
  // Plain objects (fast in V8) rather than smol-toml's null-prototype ones; `__proto__` is
  // refused below, so own-property reads give the same answers.
  const top: RawTable = {};
  const packages: RawTable[] = [];
  const packageLines: number[] = [];
  const unused: RawTable[] = [];
  const patchLines: number[] = [];
  let rootLine = 0;
  let metadataLine = 0;
  let table: RawTable = top;
  let atTop = true;
  // The multi-line array being read, and whether its last item lacked a comma.
  let array: string[] | null = null;
  let needComma = false;
  let checksumsVerified = true;
  // Names are checked by the block regex; the line loop leaves them to the caller.
  let namesVerified = true;

  const n = text.length;
  let pos = 0;
  let line = 0;
  // The block regex accepts only usual characters; the lines of the line loop are checked one
  // by one, until there are enough of them to check the whole text instead.
  let linesToCheck = LINES_CHECKED_ALONE;
  for (;;) {
    if (blocks && array === null && text.charCodeAt(pos) === OPEN) {
      // Whole `[[package]]` blocks, one after another while they have Cargo's exact shape.
      let matched = false;
      for (;;) {
        PACKAGE_BLOCK.lastIndex = pos;
        const m = PACKAGE_BLOCK.exec(text);
        if (m === null) break;
        matched = true;
        const name = m[1] as string;
        const version = m[2] as string;
        const t: RawTable = { name, version };
        let lines = 3;
        // After the `version` line.
        let p = pos + 20 + name.length + 13 + version.length + 2;
        // crates.io (group 3, empty) as one shared string, so that it is parsed once per file.
        const source = m[3] !== undefined ? CRATES_IO_REGISTRY : m[4];
        if (source !== undefined) {
          t.source = source;
          lines++;
          p += 10 + source.length + 2;
        }
        const checksum = m[5];
        if (checksum !== undefined) {
          if (checksumsVerified)
            checksumsVerified = isHex64At(text, p + 12, p + 12 + checksum.length);
          t.checksum = checksum;
          lines++;
          p += 12 + checksum.length + 2;
        }
        const end = PACKAGE_BLOCK.lastIndex;
        // Group 6 (empty) when there is a `dependencies` list.
        if (m[6] !== undefined) {
          // Items ` "…",\n` between `dependencies = [\n` and `]\n`.
          const items: string[] = [];
          const stop = end - 2;
          p += DEPENDENCIES_OPEN;
          while (p < stop) {
            const close = text.indexOf('"', p + 2);
            items.push(text.slice(p + 2, close));
            p = close + 3;
          }
          t.dependencies = items;
          lines += 2 + items.length;
        }
        if (packages.length === 0) top.package = packages;
        packages.push(t);
        packageLines.push(line + 1);
        line += lines;
        table = t;
        pos = end;
        // A blank line between blocks.
        if (text.charCodeAt(pos) === LF) {
          line++;
          pos++;
        }
        if (text.charCodeAt(pos) !== OPEN) break;
      }
      if (matched) {
        atTop = false;
        continue;
      }
    }
    let end = text.indexOf("\n", pos);
    const last = end === -1;
    if (last) end = n;
    if (linesToCheck > 0) {
      if (--linesToCheck > 0 ? lineHasUnusualChars(text, pos, end) : hasUnusualChars(text)) {
        return null;
      }
    }
    if (array !== null && !needComma && text.charCodeAt(pos) === SPACE) {
      // The usual array item, ` "name",` then LF: read it without the general line machinery.
      const nl = end;
      if (
        !last &&
        nl > pos + 4 &&
        text.charCodeAt(pos + 1) === QUOTE &&
        text.charCodeAt(nl - 1) === COMMA &&
        text.indexOf('"', pos + 2) === nl - 2
      ) {
        array.push(text.slice(pos + 2, nl - 2));
        line++;
        pos = nl + 1;
        continue;
      }
    }
    line++;
    let e = end;
    if (e > pos && text.charCodeAt(e - 1) === CR) {
      if (last) return null;
      e--;
    }
    let i = skipBlank(text, pos, e);
    if (i < e) {
      const c = text.charCodeAt(i);
      if (array !== null) {
        if (c === CLOSE) {
          if (skipBlank(text, i + 1, e) !== e) return null;
          array = null;
        } else {
          if (c !== QUOTE || needComma) return null;
          i = readString(text, i, e);
          if (i < 0) return null;
          array.push(lastString);
          i = skipBlank(text, i, e);
          if (i < e && text.charCodeAt(i) === COMMA) {
            i = skipBlank(text, i + 1, e);
            needComma = false;
          } else needComma = true;
          if (i !== e) return null;
        }
      } else if (c === HASH) {
        // A comment: hasUnusualChars already refused the characters TOML does not allow in one.
      } else if (c === OPEN) {
        let header = -1;
        for (let h = 0; h < HEADERS.length; h++) {
          if (text.startsWith(HEADERS[h] as string, i)) {
            header = h;
            break;
          }
        }
        if (header < 0) return null;
        if (skipBlank(text, i + (HEADERS[header] as string).length, e) !== e) return null;
        atTop = false;
        table = {};
        if (header === 0) {
          if (packages.length === 0) top.package = packages;
          packages.push(table);
          packageLines.push(line);
        } else if (header === 1) {
          if (unused.length === 0) {
            const patch: RawTable = {};
            patch.unused = unused;
            top.patch = patch;
          }
          unused.push(table);
          patchLines.push(line);
        } else if (header === 2) {
          if (metadataLine !== 0) return null;
          top.metadata = table;
          metadataLine = line;
        } else {
          if (rootLine !== 0) return null;
          top.root = table;
          rootLine = line;
        }
      } else {
        // key = value
        let key: string;
        if (c === QUOTE) {
          i = readString(text, i, e);
          if (i < 0) return null;
          key = lastString;
        } else {
          const start = i;
          while (i < e && isBareKeyChar(text.charCodeAt(i))) i++;
          if (i === start) return null;
          key = keyAt(text, start, i);
        }
        i = skipBlank(text, i, e);
        if (i === e || text.charCodeAt(i) !== EQUALS) return null;
        i = skipBlank(text, i + 1, e);
        if (i === e) return null;
        if (Object.hasOwn(table, key) || key === "__proto__" || (atTop && RESERVED_TOP.has(key))) {
          return null;
        }
        const v = text.charCodeAt(i);
        if (v === QUOTE) {
          if (text.startsWith('"""', i)) return null;
          const start = i + 1;
          i = readString(text, i, e);
          if (i < 0 || skipBlank(text, i, e) !== e) return null;
          if (key === "checksum" && checksumsVerified)
            checksumsVerified = isHex64At(text, start, i - 1);
          else if (key === "name") namesVerified = false;
          table[key] = lastString;
        } else if (v === OPEN) {
          if (skipBlank(text, i + 1, e) !== e) return null;
          array = [];
          needComma = false;
          table[key] = array;
        } else if (v >= 0x30 && v <= 0x39) {
          const start = i;
          while (i < e && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
          const digits = i - start;
          if (digits > 15 || (digits > 1 && v === 0x30)) return null;
          if (skipBlank(text, i, e) !== e) return null;
          table[key] = Number(text.slice(start, i));
        } else return null;
      }
    }
    if (last) break;
    pos = end + 1;
  }
  if (array !== null) return null;
  // The line loop reads no other array values than lists of strings.
  return {
    table: top,
    packageLines,
    patchLines,
    rootLine,
    metadataLine,
    checksumsVerified,
    namesVerified,
    stringListsOnly: true,
  };
}

/**
 * Cargo.lock → `Lockfile`, in every format Cargo has written (see `FormatVersion`), with the
 * semantics of Cargo's `resolver/encode.rs` and the `cargo-lock` crate, except that what they
 * silently drop (a dependency entry that names no package or several) is an error here, since
 * an audit must not quietly lose edges.
 */
import { readFileSync, statSync } from "node:fs";
import { SemverError, Version } from "../semver/index.js";
import { bytePosition, decodeText, formatSize } from "./bytes.js";
import { LockfileError } from "./errors.js";
import { type FormatVersion, Lockfile, type LockPackage, type UnusedPatch } from "./model.js";
import { NameTable } from "./names.js";
import {
  isHex64At,
  type RawDoc,
  type RawTable,
  readToml,
  readWithSmolToml,
  TomlSyntaxError,
} from "./raw.js";
import {
  parseSourceId,
  type SourceId,
  SourceIdError,
  sameGitReference,
  sourceLocation,
} from "./source.js";

export interface ParseOptions {
  /** Larger inputs are refused before being decoded or parsed. Default 50 MiB. */
  readonly maxBytes?: number;
  /**
   * "auto" (default): the fast line reader for what Cargo writes, smol-toml for anything else;
   * "smol-toml": the plain path, to compare with (the results are the same): always smol-toml,
   * and every dependency entry resolved by the general lookup, without the shortcuts.
   */
  readonly reader?: "auto" | "smol-toml";
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
/** The newest format this parser knows (Cargo 1.78+ writes `version = 4`). */
export const NEWEST_FORMAT_VERSION = 4;

const CHECKSUM_PREFIX = "checksum ";
function isV1ChecksumKey(key: string): boolean {
  return key.slice(0, CHECKSUM_PREFIX.length) === CHECKSUM_PREFIX;
}
/** A SHA-256 in hex, as cargo-lock's `Checksum::from_str` accepts it. */
function isHex64(s: string): boolean {
  return isHex64At(s, 0, s.length);
}

/** Versions are immutable, and the same few thousand recur across lockfiles. */
let versionCache = new NameTable<Version>();
const VERSION_CACHE_LIMIT = 50_000;
/** Top-level keys of a Cargo.toml that a Cargo.lock never has. */
const MANIFEST_KEYS = [
  "package",
  "workspace",
  "dependencies",
  "dev-dependencies",
  "build-dependencies",
  "lib",
  "bin",
  "features",
  "target",
  "profile",
  "badges",
  "lints",
  "example",
  "test",
  "bench",
  "replace",
];

/** Reads and parses a lockfile from disk; the size limit is checked before reading. */
export function readLockfile(file: string, options: ParseOptions = {}): Lockfile {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new LockfileError(file, "is a directory, not a Cargo.lock file");
    size = st.size;
  } catch (e) {
    if (e instanceof LockfileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new LockfileError(
      file,
      code === "ENOENT" ? "no such file" : `cannot read: ${(e as Error).message}`,
    );
  }
  checkSize(size, file, options);
  return parseLockfileBytes(readFileSync(file), file, options);
}

/** Parses raw file contents: size limit, binary detection, strict UTF-8, then `parseLockfile`. */
export function parseLockfileBytes(
  bytes: Uint8Array,
  path: string,
  options: ParseOptions = {},
): Lockfile {
  checkSize(bytes.byteLength, path, options);
  if (bytes.byteLength === 0) throw new LockfileError(path, "empty file: not a Cargo.lock file");
  const decoded = decodeText(bytes);
  if (!decoded.ok) {
    if (decoded.binary) throw new LockfileError(path, "not a Cargo.lock file: it is binary data");
    const { line, col } = bytePosition(bytes, decoded.offset);
    const byte = (bytes[decoded.offset] ?? 0).toString(16).padStart(2, "0");
    throw new LockfileError(
      path,
      `invalid UTF-8 (byte 0x${byte}): not a Cargo.lock file, which is UTF-8 text`,
      line,
      col,
    );
  }
  return parseLockfile(decoded.text, path, { ...options, maxBytes: Number.POSITIVE_INFINITY });
}

function checkSize(size: number, path: string, options: ParseOptions): void {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > max) {
    throw new LockfileError(
      path,
      `file is ${formatSize(size)}, over the ${formatSize(max)} limit for a Cargo.lock file; ` +
        "is this really a lockfile? (the limit can be raised with maxBytes)",
    );
  }
}

/** Parses the text of a Cargo.lock. Throws `LockfileError` (and nothing else) on bad input. */
export function parseLockfile(text: string, path: string, options: ParseOptions = {}): Lockfile {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // A UTF-8 file has at least as many bytes as its text has UTF-16 units.
  if (text.length > max) checkSize(text.length, path, options);
  else if (text.length * 3 > max) checkSize(Buffer.byteLength(text, "utf8"), path, options);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: RawDoc;
  try {
    raw = options.reader === "smol-toml" ? readWithSmolToml(text) : readToml(text);
  } catch (e) {
    if (e instanceof TomlSyntaxError) {
      const prefix = looksLikeLockfile(text) ? "" : "not a Cargo.lock file: ";
      throw new LockfileError(path, `${prefix}invalid TOML: ${e.message}`, e.line, e.col);
    }
    throw e;
  }
  return new Builder(text, path, raw, options.reader !== "smol-toml").build();
}

function looksLikeLockfile(text: string): boolean {
  return text.includes("[[package]]") || text.includes("@generated by Cargo");
}

// ------------------------------------------------------------------------------------------

/** A package as read, before its dependencies are resolved. */
interface Entry {
  pkg: MutablePackage;
  versionText: string;
  dependencies: readonly string[];
  replace: string | null;
  /** The next package of the same name, in file order. */
  next: Entry | null;
  /** 1 + the index of the last package found to depend on this one (0: none yet). */
  dependedOnBy: number;
}

type MutablePackage = {
  -readonly [K in keyof LockPackage]: K extends "dependencies" ? LockPackage[] : LockPackage[K];
};

interface DependencySpec {
  readonly name: string;
  readonly version: string | undefined;
  readonly source: SourceId | undefined;
}

/** The package, or what is wrong with the reference. */
type Lookup = MutablePackage | string;

class Builder {
  private readonly top: RawTable;
  private readonly sources = new Map<string, SourceId>();
  private readonly locations = new Map<SourceId, string>();
  /** Packages by name, in file order. */
  private readonly byName: NameTable<Entry>;
  /** Dependency entries already resolved, by their text (`name`, `name version`, …). */
  private resolved = new NameTable<MutablePackage>();
  private lineStarts: number[] | null = null;
  private lastSource: SourceId | null = null;

  constructor(
    private readonly text: string,
    private readonly path: string,
    private readonly raw: RawDoc,
    /** Whether to take the shortcuts of `resolveDependency` (else the general lookup only). */
    private readonly shortcuts = true,
  ) {
    this.top = raw.table;
    const list = this.top.package;
    this.byName = new NameTable(Array.isArray(list) ? list.length + 1 : 0);
  }

  build(): Lockfile {
    this.checkIsLockfile();
    const explicit = this.explicitVersion();
    const entries = this.readPackages();
    const metadataTable = this.metadataTable();

    let format: FormatVersion;
    const v1Checksums = [...metadataTable.keys()].some(isV1ChecksumKey);
    if (explicit !== null) format = explicit;
    else {
      const inline = entries.find((e) => e.pkg.checksum !== null);
      if (v1Checksums && inline !== undefined) {
        throw this.error(
          "malformed lockfile: it has checksums both in [[package]] entries (format 2) and in " +
            "[metadata] (format 1), perhaps from a bad merge; regenerate it with `cargo update`",
          this.fieldPosition(inline.pkg.line, "checksum"),
        );
      }
      format = v1Checksums ? 1 : 2;
    }

    // Format 1 writes every entry with its version and source (none is a bare name).
    if (format === 1) this.resolved = new NameTable(entries.length);
    for (const entry of entries) this.resolveDependencies(entry, entries);
    const metadata = new Map<string, string>();
    for (const [k, v] of metadataTable) {
      if (!isV1ChecksumKey(k)) metadata.set(k, v);
      else if (format === 1) this.applyV1Checksum(k, v);
    }
    this.assignKeys();

    const packages = entries.map((e) => e.pkg as LockPackage);
    const root = this.top.root !== undefined ? (packages[0] ?? null) : null;
    return new Lockfile(this.path, format, packages, root, this.readPatchUnused(), metadata);
  }

  // --- is it a lockfile at all? ------------------------------------------------------------

  private checkIsLockfile(): void {
    const top = this.top;
    const pkg = top.package;
    const manifestKey = MANIFEST_KEYS.find(
      (k) => Object.hasOwn(top, k) && (k !== "package" || isTable(pkg)),
    );
    const isLockish =
      Array.isArray(pkg) || (Object.hasOwn(top, "version") && !isTable(pkg)) || isTable(top.root);
    if (manifestKey !== undefined && (!isLockish || isTable(pkg))) {
      throw this.error(
        `this looks like Cargo.toml, not Cargo.lock (it has a [${manifestKey}] table); pass the ` +
          "Cargo.lock next to it, or create one with `cargo generate-lockfile`",
        { line: this.headerLine(manifestKey), col: 1 },
      );
    }
    if (pkg !== undefined && !Array.isArray(pkg)) {
      throw this.error(`\`package\` must be a list of [[package]] tables, found ${describe(pkg)}`, {
        line: this.topKeyLine("package"),
        col: 1,
      });
    }
    if (
      pkg === undefined &&
      !Object.hasOwn(top, "version") &&
      !Object.hasOwn(top, "metadata") &&
      !Object.hasOwn(top, "root")
    ) {
      const keys = Object.keys(top);
      if (keys.length === 0) {
        throw this.error(
          this.text.trim() === ""
            ? "empty file: not a Cargo.lock file"
            : "no [[package]] entries (only comments): not a Cargo.lock file",
        );
      }
      const shown = keys
        .slice(0, 5)
        .map((k) => `\`${k}\``)
        .join(", ");
      throw this.error(
        `not a Cargo.lock file: it has no [[package]] entries (top-level keys: ${shown}${keys.length > 5 ? ", …" : ""})`,
      );
    }
  }

  // --- format version -----------------------------------------------------------------------

  private explicitVersion(): FormatVersion | null {
    if (!Object.hasOwn(this.top, "version")) return null;
    const v = this.top.version;
    if ((typeof v === "number" || typeof v === "bigint") && v >= 1 && v <= NEWEST_FORMAT_VERSION) {
      if (typeof v === "bigint" || Number.isInteger(v)) return Number(v) as FormatVersion;
    }
    const at = { line: this.topKeyLine("version"), col: 1 };
    if (typeof v !== "number" && typeof v !== "bigint") {
      throw this.error(
        `\`version\` (the Cargo.lock format version) must be an integer, found ${describe(v)}`,
        at,
      );
    }
    if (typeof v === "number" && !Number.isInteger(v)) {
      throw this.error(`invalid Cargo.lock format version \`${v}\``, at);
    }
    const n = BigInt(v);
    if (n >= 1n && n <= BigInt(NEWEST_FORMAT_VERSION)) return Number(n) as FormatVersion;
    if (n > BigInt(NEWEST_FORMAT_VERSION)) {
      throw this.error(
        `unsupported Cargo.lock format version ${n}: it was written by a newer Cargo than ` +
          `cratesec understands (formats 1 to ${NEWEST_FORMAT_VERSION})`,
        at,
      );
    }
    throw this.error(`invalid Cargo.lock format version ${n}`, at);
  }

  // --- packages -----------------------------------------------------------------------------

  private readPackages(): Entry[] {
    const list = (this.top.package ?? []) as unknown[];
    const entries: Entry[] = [];
    const add = (t: unknown, line: number, what: string): void => {
      const entry = this.readEntry(t, line, what, entries.length);
      const pkg = entry.pkg;
      const first = this.byName.addIfAbsent(pkg.name, entry);
      if (first !== undefined) {
        let last = first;
        for (let o: Entry | null = first; o !== null; o = o.next) {
          if (o.versionText === entry.versionText && this.sameIdentity(o.pkg.source, pkg.source)) {
            const from = pkg.source === null ? "" : ` from \`${pkg.source.raw}\``;
            const where = o.pkg.line > 0 ? ` (first at line ${o.pkg.line})` : "";
            throw this.error(
              `package \`${pkg.name} ${entry.versionText}\`${from} is listed twice${where}`,
              { line, col: 1 },
            );
          }
          last = o;
        }
        last.next = entry;
      }
      entries.push(entry);
    };
    if (this.top.root !== undefined) add(this.top.root, this.raw.rootLine, "[root]");
    for (let i = 0; i < list.length; i++)
      add(list[i], this.raw.packageLines[i] ?? 0, "[[package]]");
    return entries;
  }

  /** Same package source: same kind and location, and for git the same reference. */
  private sameIdentity(a: SourceId | null, b: SourceId | null): boolean {
    if (a === b) return true;
    if (a === null || b === null) return false;
    return this.identity(a) === this.identity(b);
  }

  private readEntry(t: unknown, line: number, what: string, index: number): Entry {
    if (!isTable(t)) {
      throw this.error(`${what} must be a table, found ${describe(t)}`, { line, col: 1 });
    }
    // Direct reads of the fixed keys (see `get`), checked in this order so that the first
    // problem is the one reported.
    const name = t.name;
    if (typeof name !== "string") {
      if (name === undefined) throw this.error(`${what} entry has no name`, { line, col: 1 });
      throw this.error(
        `package name must be a string, found ${describe(name)}`,
        this.fieldPosition(line, "name"),
      );
    }
    if (!this.raw.namesVerified && !isPackageName(name)) {
      throw this.error(`invalid package name \`${name}\``, this.fieldPosition(line, "name"));
    }
    const versionText = t.version;
    if (typeof versionText !== "string") {
      if (versionText === undefined) {
        throw this.error(`package \`${name}\` has no version`, { line, col: 1 });
      }
      throw this.typeError(name, "version", versionText, line);
    }
    const version = this.version(versionText, name, line);
    const sourceText = t.source;
    let source: SourceId | null = null;
    if (sourceText !== undefined) {
      if (typeof sourceText !== "string") throw this.typeError(name, "source", sourceText, line);
      source = this.source(sourceText, name, line);
    }
    const checksumText = t.checksum;
    let checksum: string | null = null;
    if (checksumText !== undefined) {
      if (typeof checksumText !== "string") {
        throw this.typeError(name, "checksum", checksumText, line);
      }
      if (!this.raw.checksumsVerified && !isHex64(checksumText)) {
        throw this.error(
          `package \`${name}\` has an invalid checksum \`${checksumText}\`: expected 64 hex digits (SHA-256)`,
          this.fieldPosition(line, "checksum"),
        );
      }
      checksum = checksumText;
    }
    const deps = t.dependencies;
    let dependencies: readonly string[] = NO_STRINGS;
    if (deps !== undefined) {
      if (!(this.raw.stringListsOnly ? Array.isArray(deps) : isStringList(deps))) {
        throw this.error(
          `package \`${name}\`: \`dependencies\` must be a list of strings, found ${describe(deps)}`,
          this.fieldPosition(line, "dependencies"),
        );
      }
      dependencies = deps as string[];
    }
    const replaceText = t.replace;
    let replace: string | null = null;
    if (replaceText !== undefined) {
      if (typeof replaceText !== "string") throw this.typeError(name, "replace", replaceText, line);
      replace = replaceText;
    }
    const pkg: MutablePackage = {
      name,
      version,
      source,
      checksum,
      dependencies: [],
      replace: null,
      line,
      index,
      key: "",
    };
    return { pkg, versionText, dependencies, replace, next: null, dependedOnBy: 0 };
  }

  private typeError(name: string, key: string, v: unknown, line: number): LockfileError {
    return this.error(
      `package \`${name}\`: \`${key}\` must be a string, found ${describe(v)}`,
      this.fieldPosition(line, key),
    );
  }

  private version(text: string, name: string, line: number): Version {
    const cached = versionCache.get(text);
    if (cached !== undefined) return cached;
    try {
      const v = Version.parse(text);
      if (versionCache.size >= VERSION_CACHE_LIMIT) versionCache = new NameTable<Version>();
      versionCache.addIfAbsent(text, v);
      return v;
    } catch (e) {
      if (!(e instanceof SemverError)) throw e;
      throw this.error(
        `package \`${name}\` has an invalid version \`${text}\`: ${e.message}`,
        this.fieldPosition(line, "version"),
      );
    }
  }

  private source(text: string, name: string, line: number): SourceId {
    try {
      return this.sourceId(text);
    } catch (e) {
      if (!(e instanceof SourceIdError)) throw e;
      throw this.error(
        `package \`${name}\` has an ${e.message}`,
        this.fieldPosition(line, "source"),
      );
    }
  }

  /** Source ids are interned per lockfile: every crates.io package shares one object. */
  private sourceId(text: string): SourceId {
    const last = this.lastSource;
    if (last !== null && last.raw === text) return last;
    let s = this.sources.get(text);
    if (s === undefined) {
      s = parseSourceId(text);
      this.sources.set(text, s);
    }
    this.lastSource = s;
    return s;
  }

  private location(s: SourceId): string {
    let loc = this.locations.get(s);
    if (loc === undefined) {
      loc = sourceLocation(s);
      this.locations.set(s, loc);
    }
    return loc;
  }

  /** What makes two packages of the same name and version the same package. */
  private identity(s: SourceId): string {
    const ref = s.gitReference;
    return ref === undefined ? this.location(s) : `${this.location(s)}?${ref.kind}=${ref.value}`;
  }

  // --- dependency entries -------------------------------------------------------------------

  private resolveDependencies(entry: Entry, entries: readonly Entry[]): void {
    const pkg = entry.pkg;
    const out = pkg.dependencies;
    const texts = entry.dependencies;
    const mark = pkg.index + 1;
    for (let i = 0; i < texts.length; i++) {
      const dep = this.resolveDependency(texts[i] as string, pkg);
      // Each dependency once, in the order of its first entry.
      const e = entries[dep.index] as Entry;
      if (e.dependedOnBy !== mark) {
        e.dependedOnBy = mark;
        out.push(dep);
      }
    }
    if (entry.replace !== null) pkg.replace = this.resolveReference(entry.replace, pkg, "replace");
  }

  /**
   * A `dependencies` entry. What it names depends on its text alone, so each text is resolved
   * once. The usual ones are matched without `parseSpec` and `lookup`: a bare name that only
   * one package has, or `name version` / `name version (source)` naming exactly one package's
   * version and source (as written in its `source`).
   */
  private resolveDependency(text: string, pkg: MutablePackage): MutablePackage {
    if (!this.shortcuts) return this.resolveReference(text, pkg, "dependency");
    const named = this.byName.get(text);
    if (named !== undefined && named.next === null) return named.pkg;
    const known = this.resolved.get(text);
    if (known !== undefined) return known;
    let dep: MutablePackage | null = null;
    if (named === undefined) {
      // Names have no spaces: this is `name version…`, or names no package.
      const sp = text.indexOf(" ");
      const first = sp > 0 ? this.byName.get(text.slice(0, sp)) : undefined;
      if (first !== undefined) dep = matchVersionAndSource(first, text, sp + 1);
    }
    if (dep === null) dep = this.resolveReference(text, pkg, "dependency");
    this.resolved.addIfAbsent(text, dep);
    return dep;
  }

  private resolveReference(text: string, pkg: MutablePackage, what: string): MutablePackage {
    const at = (): { line: number; col: number } => this.entryPosition(pkg.line, text, what);
    const spec = this.parseSpec(text);
    if (typeof spec === "string") {
      throw this.error(
        `package \`${pkg.name}\`: ${what} entry \`${text}\` is malformed: ${spec}`,
        at(),
      );
    }
    const found = this.lookup(spec);
    if (typeof found === "string") {
      throw this.error(`${what} \`${text}\` of package \`${pkg.name}\` ${found}`, at());
    }
    return found;
  }

  /** `name`, `name version` or `name version (source)`, as Cargo splits them (`splitn(3, ' ')`). */
  private parseSpec(text: string): DependencySpec | string {
    const sp1 = text.indexOf(" ");
    const name = sp1 === -1 ? text : text.slice(0, sp1);
    if (name === "") return "it has no name";
    if (sp1 === -1) return { name, version: undefined, source: undefined };
    const sp2 = text.indexOf(" ", sp1 + 1);
    const version = sp2 === -1 ? text.slice(sp1 + 1) : text.slice(sp1 + 1, sp2);
    if (version === "") return "expected `name`, `name version` or `name version (source)`";
    if (sp2 === -1) return { name, version, source: undefined };
    const rest = text.slice(sp2 + 1);
    if (rest.length < 2 || !rest.startsWith("(") || !rest.endsWith(")")) {
      return "expected the source in parentheses, as in `name version (source)`";
    }
    try {
      return { name, version, source: this.sourceId(rest.slice(1, -1)) };
    } catch (e) {
      if (e instanceof SourceIdError) return e.message;
      throw e;
    }
  }

  /** Cargo's `lookup_id` (resolver/encode.rs), reporting instead of ignoring failures. */
  private lookup(spec: DependencySpec): Lookup {
    const first = this.byName.get(spec.name);
    if (first === undefined) return `names no package: the lockfile has no \`${spec.name}\``;
    if (first.next === null) {
      // The common case: one package of that name, named exactly (sources are interned).
      const only = first.pkg;
      if (
        (spec.version === undefined || spec.version === first.versionText) &&
        (spec.source === undefined || spec.source === only.source)
      ) {
        return only;
      }
    }
    const named = sameName(first);
    let candidates: Entry[];
    if (spec.version !== undefined) {
      candidates = named.filter((e) => e.versionText === spec.version);
      if (candidates.length === 0) {
        const invalid = Version.tryParse(spec.version) === null;
        if (invalid) return `has an invalid version \`${spec.version}\``;
        return `names no package: the lockfile has ${spec.name} ${versionsOf(named)}, not ${spec.version}`;
      }
    } else {
      const versions = new Set(named.map((e) => e.versionText));
      if (versions.size > 1) {
        return `is ambiguous: the lockfile has ${spec.name} ${versionsOf(named)}, and the entry does not say which version`;
      }
      candidates = named;
    }
    if (spec.source !== undefined) {
      const source = spec.source;
      const loc = this.location(source);
      let matching = candidates.filter(
        (e) => e.pkg.source !== null && this.location(e.pkg.source) === loc,
      );
      if (matching.length > 1 && source.kind === "git") {
        matching = matching.filter(
          (e) => e.pkg.source !== null && sameGitReference(source, e.pkg.source),
        );
      }
      if (matching.length === 1) return (matching[0] as Entry).pkg;
      if (matching.length === 0) {
        return `names no package: the lockfile has ${spec.name} ${candidates[0]?.versionText} only from ${sourcesOf(candidates)}`;
      }
      return `is ambiguous: several packages match it (${sourcesOf(matching)})`;
    }
    // Path packages never have a source in Cargo.lock, so a bare entry prefers the one path package.
    const paths = candidates.filter((e) => e.pkg.source === null);
    if (paths.length === 1) return (paths[0] as Entry).pkg;
    if (candidates.length === 1) return (candidates[0] as Entry).pkg;
    return `is ambiguous: ${spec.name} ${candidates[0]?.versionText} comes from several sources (${sourcesOf(candidates)}), and the entry does not say which`;
  }

  // --- [metadata] and V1 checksums ------------------------------------------------------------

  private metadataTable(): Map<string, string> {
    const out = new Map<string, string>();
    const m = this.top.metadata;
    if (m === undefined) return out;
    if (!isTable(m)) {
      throw this.error(`\`metadata\` must be a table, found ${describe(m)}`, {
        line: this.topKeyLine("metadata"),
        col: 1,
      });
    }
    for (const key of Object.keys(m)) {
      const v = m[key];
      if (typeof v !== "string") {
        throw this.error(
          `[metadata] values must be strings, but \`${key}\` is ${describe(v)}`,
          this.fieldPosition(this.raw.metadataLine, key),
        );
      }
      out.set(key, v);
    }
    return out;
  }

  /** V1: `"checksum NAME VERSION (SOURCE)" = "sha256"`, or `"<none>"` for git/path packages. */
  private applyV1Checksum(key: string, value: string): void {
    const at = (): { line: number; col: number } => this.fieldPosition(this.raw.metadataLine, key);
    const spec = this.parseSpec(key.slice(CHECKSUM_PREFIX.length));
    if (typeof spec === "string" || spec.version === undefined) {
      throw this.error(
        `invalid checksum entry \`${key}\` in [metadata]: expected \`checksum NAME VERSION (SOURCE)\``,
        at(),
      );
    }
    if (value !== "<none>" && !isHex64(value)) {
      throw this.error(
        `invalid checksum \`${value}\` for \`${key.slice(CHECKSUM_PREFIX.length)}\` in [metadata]: expected 64 hex digits (SHA-256)`,
        at(),
      );
    }
    const found = this.lookup(spec);
    // Like Cargo, an entry for a package that is not in the lockfile is ignored.
    if (typeof found !== "string") found.checksum = value === "<none>" ? null : value;
  }

  // --- [[patch.unused]] --------------------------------------------------------------------------

  private readPatchUnused(): UnusedPatch[] {
    const patch = this.top.patch;
    if (patch === undefined) return [];
    const at = { line: this.topKeyLine("patch"), col: 1 };
    if (!isTable(patch))
      throw this.error(`\`patch\` must be a table, found ${describe(patch)}`, at);
    const unused = get(patch, "unused");
    if (unused === undefined) return [];
    if (!Array.isArray(unused)) {
      throw this.error(`\`patch.unused\` must be a list of tables, found ${describe(unused)}`, at);
    }
    return unused.map((t, i) => {
      const line = this.raw.patchLines[i] ?? 0;
      const { pkg } = this.readEntry(t, line, "[[patch.unused]]", i);
      return {
        name: pkg.name,
        version: pkg.version,
        source: pkg.source,
        checksum: pkg.checksum,
        line,
      };
    });
  }

  // --- keys ---------------------------------------------------------------------------------------

  private assignKeys(): void {
    for (const first of this.byName.values()) {
      if (first.next === null) {
        first.pkg.key = `${first.pkg.name}@${first.versionText}`;
        continue;
      }
      const entries = sameName(first);
      for (const e of entries) {
        const plain = `${e.pkg.name}@${e.versionText}`;
        const shared = entries.some((o) => o !== e && o.versionText === e.versionText);
        e.pkg.key = shared ? `${plain} (${e.pkg.source?.raw ?? "path"})` : plain;
      }
    }
  }

  // --- locations ----------------------------------------------------------------------------------

  private error(
    message: string,
    at: { line: number; col: number } = { line: 0, col: 0 },
  ): LockfileError {
    return new LockfileError(this.path, message, at.line, at.col);
  }

  private starts(): number[] {
    if (this.lineStarts === null) {
      const starts = [0];
      const t = this.text;
      for (let i = t.indexOf("\n"); i !== -1; i = t.indexOf("\n", i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  private lineText(line: number): string | undefined {
    const starts = this.starts();
    const s = starts[line - 1];
    if (s === undefined) return undefined;
    const next = starts[line];
    return this.text.slice(s, next === undefined ? this.text.length : next - 1);
  }

  /** Lines after a header up to the next header: `[from, to]`. */
  private blockLines(header: number): [number, number] {
    const total = this.starts().length;
    let to = header + 1;
    while (to <= total && !/^\s*\[/.test(this.lineText(to) ?? "")) to++;
    return [header + 1, to - 1];
  }

  /** Where `key = …` is in the table whose header is on line `header` (else the header). */
  private fieldPosition(header: number, key: string): { line: number; col: number } {
    if (header <= 0) return { line: 0, col: 0 };
    const [from, to] = this.blockLines(header);
    const k = escapeRegExp(key);
    const re = new RegExp(`^(\\s*)(?:${k}|"${k}"|'${k}')\\s*=`);
    for (let l = from; l <= to; l++) {
      const m = re.exec(this.lineText(l) ?? "");
      if (m !== null) return { line: l, col: (m[1] ?? "").length + 1 };
    }
    return { line: header, col: 1 };
  }

  /** Where a dependency entry string is written in the package's block. */
  private entryPosition(header: number, text: string, what: string): { line: number; col: number } {
    if (header > 0) {
      const [from, to] = this.blockLines(header);
      const q = JSON.stringify(text);
      for (let l = from; l <= to; l++) {
        const col = (this.lineText(l) ?? "").indexOf(q);
        if (col !== -1) return { line: l, col: col + 1 };
      }
    }
    return this.fieldPosition(header, what === "replace" ? "replace" : "dependencies");
  }

  /** Line of a top-level `key = …` (before the first header), else 0. */
  private topKeyLine(key: string): number {
    const total = this.starts().length;
    const re = new RegExp(`^\\s*(?:${key}|"${key}"|'${key}')\\s*[=.]`);
    for (let l = 1; l <= total; l++) {
      const t = this.lineText(l) ?? "";
      if (re.test(t)) return l;
      if (/^\s*\[/.test(t)) break;
    }
    return this.headerLine(key);
  }

  /** Line of the first `[key]`, `[key.…]` or `[[key]]` header, else 0. */
  private headerLine(key: string): number {
    const total = this.starts().length;
    const re = new RegExp(`^\\s*\\[\\[?\\s*(?:${key}|"${key}")\\s*[\\].]`);
    for (let l = 1; l <= total; l++) if (re.test(this.lineText(l) ?? "")) return l;
    return 0;
  }
}

/**
 * The one package named like `first` whose version is written at `text[at…]`, followed by the end of
 * the text or by ` (SOURCE)` with its source exactly as the package's; null when there is not
 * exactly one, or the source is written otherwise (`lookup` then decides). Versions have no
 * spaces (they parsed as SemVer), so the version the entry names ends where a package's does.
 */
function matchVersionAndSource(first: Entry, text: string, at: number): MutablePackage | null {
  let found: Entry | null = null;
  for (let e: Entry | null = first; e !== null; e = e.next) {
    const v = e.versionText;
    const end = at + v.length;
    // (`indexOf` at a position: `startsWith` compares slowly.)
    if (text.indexOf(v, at) === at && (end === text.length || text.charCodeAt(end) === 0x20)) {
      if (found !== null) return null;
      found = e;
    }
  }
  if (found === null) return null;
  const end = at + found.versionText.length;
  if (end === text.length) return found.pkg;
  // ` (SOURCE)`: the package's own source, as written in its `source`.
  const source = found.pkg.source;
  if (
    source === null ||
    text.length !== end + 3 + source.raw.length ||
    text.charCodeAt(end + 1) !== 0x28 ||
    text.charCodeAt(text.length - 1) !== 0x29 ||
    text.indexOf(source.raw, end + 2) !== end + 2
  ) {
    return null;
  }
  return found.pkg;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The packages named like `first`, in file order. */
function sameName(first: Entry): Entry[] {
  const out: Entry[] = [];
  for (let e: Entry | null = first; e !== null; e = e.next) out.push(e);
  return out;
}

function versionsOf(entries: readonly Entry[]): string {
  const vs = [...new Set(entries.map((e) => e.versionText))];
  return vs.length === 1 ? (vs[0] as string) : `${vs.slice(0, -1).join(", ")} and ${vs.at(-1)}`;
}

function sourcesOf(entries: readonly Entry[]): string {
  return [...new Set(entries.map((e) => e.pkg.source?.raw ?? "a path"))].join(", ");
}

const NO_STRINGS: readonly string[] = [];

/** Not empty, and no whitespace or parentheses (which would break `name version (source)`). */
function isPackageName(name: string): boolean {
  if (name === "") return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // Only these can be whitespace or a parenthesis; the regex decides for them.
    if (c <= 0x29 || c >= 0x80) return !/[\s()]/.test(name);
  }
  return true;
}

function isStringList(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}

function isTable(v: unknown): v is RawTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Only for the fixed keys this parser knows, none of which `Object.prototype` has: tables are
 * null-prototype (smol-toml) or plain objects without `__proto__` keys (the line reader). */
function get(t: RawTable, key: string): unknown {
  return t[key];
}

function describe(v: unknown): string {
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "boolean") return `the boolean \`${v}\``;
  if (typeof v === "bigint") return `the integer \`${v}\``;
  if (typeof v === "number")
    return Number.isInteger(v) ? `the integer \`${v}\`` : `the number \`${v}\``;
  if (v instanceof Date) return "a date";
  if (Array.isArray(v)) return "a list";
  return "a table";
}

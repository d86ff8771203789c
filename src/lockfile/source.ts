/**
 * Package sources as Cargo writes them in Cargo.lock (`KIND+URL`), after Cargo's
 * `TomlLockfileSourceId` and cargo-lock's `SourceId::from_url`.
 */

export type SourceKind = "registry" | "sparse" | "git" | "path" | "other";

/** How a git source was pinned in Cargo.toml (`?branch=`, `?tag=`, `?rev=`; older `?ref=` is a branch). */
export interface GitReference {
  readonly kind: "branch" | "tag" | "rev";
  readonly value: string;
}

export interface SourceId {
  /** Exactly as written in the lockfile, e.g. `git+https://host/repo?rev=abc#abc123…`. */
  readonly raw: string;
  readonly kind: SourceKind;
  /**
   * The URL after `KIND+`. For git sources the `#commit` fragment is removed (it is `precise`)
   * and the `?branch=`/`?tag=`/`?rev=` query kept. For sparse sources this is the plain
   * `https://…` URL, without the `sparse+` Cargo keeps in its own URL.
   */
  readonly url: string;
  /** Git only: the exact commit the lockfile pins (the `#…` fragment). */
  readonly precise?: string;
  /** Git only: the reference from the query string; absent for the default branch. */
  readonly gitReference?: GitReference;
}

export const CRATES_IO_GIT_INDEX = "https://github.com/rust-lang/crates.io-index";
export const CRATES_IO_SPARSE_INDEX = "https://index.crates.io/";
/** The two spellings of the crates.io source in Cargo.lock. */
export const CRATES_IO_REGISTRY_SOURCE = `registry+${CRATES_IO_GIT_INDEX}`;
export const CRATES_IO_SPARSE_SOURCE = `sparse+${CRATES_IO_SPARSE_INDEX}`;

const KINDS: Readonly<Record<string, SourceKind>> = {
  registry: "registry",
  sparse: "sparse",
  git: "git",
  path: "path",
};

/** Thrown by `parseSourceId`; the lockfile parser turns it into a located LockfileError. */
export class SourceIdError extends Error {
  override name = "SourceIdError";
}

/**
 * Parses `KIND+URL`. The four kinds Cargo writes (`registry`, `sparse`, `git`, `path`) must carry
 * a valid URL; any other kind (`local-registry+`, `directory+`, a future one) is kept as "other".
 */
export function parseSourceId(raw: string): SourceId {
  const plus = raw.indexOf("+");
  if (plus <= 0) {
    throw new SourceIdError(
      `invalid source \`${raw}\`: expected KIND+URL, e.g. \`${CRATES_IO_REGISTRY_SOURCE}\``,
    );
  }
  const kindText = raw.slice(0, plus);
  const rest = raw.slice(plus + 1);
  const kind = Object.hasOwn(KINDS, kindText) ? (KINDS[kindText] as SourceKind) : "other";
  if (kind === "other") {
    if (!/^[a-z][a-z0-9-]*$/.test(kindText)) throw new SourceIdError(`invalid source \`${raw}\``);
    return { raw, kind, url: rest };
  }
  if (!URL.canParse(rest)) throw new SourceIdError(`invalid URL \`${rest}\` in source \`${raw}\``);
  if (kind !== "git") return { raw, kind, url: rest };

  const hash = rest.indexOf("#");
  const url = hash === -1 ? rest : rest.slice(0, hash);
  const precise = hash === -1 ? "" : rest.slice(hash + 1);
  const reference = gitReference(url);
  const out: {
    raw: string;
    kind: SourceKind;
    url: string;
    precise?: string;
    gitReference?: GitReference;
  } = { raw, kind, url };
  if (precise !== "") out.precise = precise;
  if (reference !== null) out.gitReference = reference;
  return out;
}

function gitReference(url: string): GitReference | null {
  const q = url.indexOf("?");
  if (q === -1) return null;
  let reference: GitReference | null = null;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
    if (k === "branch" || k === "ref") reference = { kind: "branch", value: v };
    else if (k === "tag") reference = { kind: "tag", value: v };
    else if (k === "rev") reference = { kind: "rev", value: v };
  }
  return reference;
}

/**
 * True for crates.io in either spelling: `registry+https://github.com/rust-lang/crates.io-index`
 * and `sparse+https://index.crates.io/` (trailing slash optional). cargo-audit's source check only
 * recognises the first (rustsec PR #1694); cratesec treats both as crates.io.
 */
export function isCratesIo(source: SourceId | string | null | undefined): boolean {
  if (source === null || source === undefined) return false;
  if (typeof source === "string") {
    if (source === CRATES_IO_REGISTRY_SOURCE || source === CRATES_IO_SPARSE_SOURCE) return true;
    try {
      source = parseSourceId(source);
    } catch {
      return false;
    }
  }
  if (source.kind === "registry") return trimSlashes(source.url) === CRATES_IO_GIT_INDEX;
  if (source.kind === "sparse") return trimSlashes(source.url) === "https://index.crates.io";
  return false;
}

function trimSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return url.slice(0, end);
}

/**
 * The part of a source that identifies where packages come from, for matching the source written
 * in a `dependencies` entry against a package's: kind and URL, without a git query or commit,
 * trailing slashes or a trailing `.git`. (Cargo compares sources ignoring the pinned commit, and
 * writes git dependency sources as `?rev=ABBREV` while the package says `?rev=ABBREV#FULL`.)
 */
export function sourceLocation(source: SourceId): string {
  let url = source.url;
  if (source.kind === "git") {
    const q = url.indexOf("?");
    if (q !== -1) url = url.slice(0, q);
    url = trimSlashes(url);
    if (url.endsWith(".git")) url = url.slice(0, -4);
  }
  return `${source.kind}+${trimSlashes(url)}`;
}

/** Git only: does a dependency entry's source name this package source's reference? */
export function sameGitReference(entry: SourceId, pkg: SourceId): boolean {
  const a = entry.gitReference;
  const b = pkg.gitReference;
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.value === b.value) return true;
  // `?rev=FULLHASH` in an entry against `?rev=ABBREV#FULLHASH` on the package.
  return a.kind === "rev" && pkg.precise !== undefined && pkg.precise === a.value;
}

/** Source without the git commit, as dependency entries and duplicate checks use it. */
export function sourceWithoutPrecise(source: SourceId): string {
  if (source.precise === undefined) return source.raw;
  const hash = source.raw.indexOf("#");
  return hash === -1 ? source.raw : source.raw.slice(0, hash);
}

/** A SemVer 2.0 version as Cargo reads it (crate `semver::Version`). */
import { errors, type Position, SemverError } from "./errors.js";
import {
  compareBuild,
  comparePrerelease,
  scanIdentifier,
  validateIdentifier,
} from "./identifier.js";
import { checkU64, scanNumber, scanned } from "./numeric.js";

const DOT = 0x2e;
const HYPHEN = 0x2d;
const PLUS = 0x2b;

// Set only while the parser constructs a version it has already validated.
let trusted = false;

export class Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release identifiers without the leading `-`; "" when none. */
  readonly pre: string;
  /** Build metadata without the leading `+`; "" when none. */
  readonly build: string;

  /** Validates like the crate's `Prerelease::new` / `BuildMetadata::new`; throws SemverError. */
  constructor(major: bigint, minor: bigint, patch: bigint, pre = "", build = "") {
    if (!trusted) {
      checkU64(major, "major");
      checkU64(minor, "minor");
      checkU64(patch, "patch");
      validateIdentifier(pre, "pre");
      validateIdentifier(build, "build");
    }
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.build = build;
  }

  /** Parses exactly as the crate's `Version::parse`; throws SemverError. */
  static parse(text: string): Version {
    if (text.length === 0) throw errors.empty();
    scanNumber(text, 0, "major");
    const major = scanned.value;
    scanNumber(text, expectDot(text, scanned.end, "major"), "minor");
    const minor = scanned.value;
    scanNumber(text, expectDot(text, scanned.end, "minor"), "patch");
    const patch = scanned.value;
    let i = scanned.end;
    let pos: Position = "patch";
    let pre = "";
    let build = "";
    if (i < text.length && text.charCodeAt(i) === HYPHEN) {
      pos = "pre";
      const end = scanIdentifier(text, i + 1, pos);
      if (end === i + 1) throw errors.emptySegment(pos);
      pre = text.slice(i + 1, end);
      i = end;
    }
    if (i < text.length && text.charCodeAt(i) === PLUS) {
      pos = "build";
      const end = scanIdentifier(text, i + 1, pos);
      if (end === i + 1) throw errors.emptySegment(pos);
      build = text.slice(i + 1, end);
      i = end;
    }
    if (i < text.length) throw errors.unexpectedCharAfter(pos, text, i);
    return trustedVersion(major, minor, patch, pre, build);
  }

  /** `Version.parse`, or null when the text is not a valid version. */
  static tryParse(text: string): Version | null {
    try {
      return Version.parse(text);
    } catch (e) {
      if (e instanceof SemverError) return null;
      throw e;
    }
  }

  /** SemVer precedence: build metadata is ignored. */
  compare(other: Version): -1 | 0 | 1 {
    if (this.major !== other.major) return this.major < other.major ? -1 : 1;
    if (this.minor !== other.minor) return this.minor < other.minor ? -1 : 1;
    if (this.patch !== other.patch) return this.patch < other.patch ? -1 : 1;
    return comparePrerelease(this.pre, other.pre);
  }

  /** The crate's `Ord`: precedence, then build metadata as the final tie-breaker. */
  compareWithBuild(other: Version): -1 | 0 | 1 {
    return this.compare(other) || compareBuild(this.build, other.build);
  }

  /** Equal precedence (build metadata ignored). */
  equals(other: Version): boolean {
    return this.compare(other) === 0;
  }

  isPrerelease(): boolean {
    return this.pre !== "";
  }

  /** Formatted once: versions are immutable and audits print the same ones many times. */
  #text: string | undefined;

  toString(): string {
    if (this.#text === undefined) {
      let s = `${this.major}.${this.minor}.${this.patch}`;
      if (this.pre !== "") s += `-${this.pre}`;
      if (this.build !== "") s += `+${this.build}`;
      this.#text = s;
    }
    return this.#text;
  }
}

/** Builds a Version from parts the caller has already validated. */
export function trustedVersion(
  major: bigint,
  minor: bigint,
  patch: bigint,
  pre: string,
  build: string,
): Version {
  trusted = true;
  const v = new Version(major, minor, patch, pre, build);
  trusted = false;
  return v;
}

function expectDot(text: string, i: number, pos: Position): number {
  if (i < text.length) {
    if (text.charCodeAt(i) === DOT) return i + 1;
    throw errors.unexpectedCharAfter(pos, text, i);
  }
  throw errors.unexpectedEnd(pos);
}

export function compareVersions(a: Version, b: Version): -1 | 0 | 1 {
  return a.compare(b);
}

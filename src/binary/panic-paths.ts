/**
 * §5 step 6: crates recovered from the source paths that panic messages embed, as the
 * `quitters` crate does. Its regex, tried on Unix separators first and, only when that finds
 * nothing, on Windows `\` separators:
 *
 *   cargo/registry/src/[^/]+/(?P<crate>[0-9A-Za-z_-]+)-(?P<version>[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z+.-]*)/
 *
 * Instead of running a regex over a 100 MB string, each occurrence of the fixed
 * `cargo/registry/src/` prefix is found with `indexOf` and the rest is matched by hand, in time
 * linear in the input. The hand matcher gives exactly the regex's leftmost-first,
 * non-overlapping matches (a property test checks it against the regex):
 * - `[^/]+` cannot cross a separator, so it ends at the first separator after the prefix;
 * - the next component must consist only of crate/version characters up to a separator;
 * - crate names cannot contain `.` or `+`, and the version must start with digits then `.`,
 *   so the only possible split is the last `-` before the first `.`; `_` may appear in the
 *   crate name only.
 */
import { Version } from "../semver/index.js";

export interface RecoveredCrate {
  readonly name: string;
  readonly version: Version;
}

const UNIX = 0x2f; // '/'
const WINDOWS = 0x5c; // '\'
const DOT = 0x2e;
const PLUS = 0x2b;
const HYPHEN = 0x2d;
const UNDERSCORE = 0x5f;

/** Crate and version pairs found in `bytes`, deduplicated and sorted by name, then version. */
export function cratesFromPanicPaths(bytes: Uint8Array): RecoveredCrate[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const unix = scan(buf, UNIX);
  return unix.length > 0 ? unix : scan(buf, WINDOWS);
}

function scan(buf: Buffer, sep: number): RecoveredCrate[] {
  const s = String.fromCharCode(sep);
  const needle = Buffer.from(`cargo${s}registry${s}src${s}`, "latin1");
  const found = new Map<string, RecoveredCrate>();
  let from = 0;
  for (;;) {
    const at = buf.indexOf(needle, from);
    if (at === -1) break;
    const match = matchAt(buf, at + needle.length, sep);
    if (match === null) {
      from = at + 1;
      continue;
    }
    from = match.end;
    const version = Version.tryParse(match.version);
    if (version === null) continue; // quitters drops captures that are not SemVer
    const key = `${match.name}\0${match.version}`;
    if (!found.has(key)) found.set(key, { name: match.name, version });
  }
  return [...found.values()].sort(
    (a, b) => compareBytes(a.name, b.name) || a.version.compareWithBuild(b.version),
  );
}

/** The regex tail after the prefix, matched at `start`; `end` is just past the final separator. */
function matchAt(
  buf: Buffer,
  start: number,
  sep: number,
): { name: string; version: string; end: number } | null {
  // [^/]+/
  const registryEnd = buf.indexOf(sep, start);
  if (registryEnd <= start) return null;
  // The component up to the next separator: crate chars, then `-`, then the version.
  const first = registryEnd + 1;
  let firstDot = -1;
  let lastHyphenBeforeDot = -1;
  let plusBeforeDot = false;
  let underscoreAfterDot = false;
  let i = first;
  for (; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c === sep) break;
    if (!isComponentChar(c)) return null;
    if (firstDot === -1) {
      if (c === DOT) firstDot = i;
      else if (c === HYPHEN) lastHyphenBeforeDot = i;
      else if (c === PLUS) plusBeforeDot = true;
    } else if (c === UNDERSCORE) {
      underscoreAfterDot = true;
    }
  }
  if (i === buf.length || firstDot === -1 || plusBeforeDot || underscoreAfterDot) return null;
  const hyphen = lastHyphenBeforeDot;
  if (hyphen <= first) return null; // empty crate name or no `-` at all
  // [0-9]+\.[0-9]+\.[0-9]+ at the start of the version
  let p = hyphen + 1;
  for (let part = 0; part < 3; part++) {
    const digits = p;
    while (p < i && isDigit(buf[p] as number)) p++;
    if (p === digits) return null;
    if (part < 2) {
      if (buf[p] !== DOT) return null;
      p++;
    }
  }
  return {
    name: buf.toString("latin1", first, hyphen),
    version: buf.toString("latin1", hyphen + 1, i),
    end: i + 1,
  };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `[0-9A-Za-z_-]` for the crate and `[0-9A-Za-z+.-]` for the version, together. */
function isComponentChar(c: number): boolean {
  return (
    isDigit(c) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === UNDERSCORE ||
    c === HYPHEN ||
    c === DOT ||
    c === PLUS
  );
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

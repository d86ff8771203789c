/**
 * OSV range events ↔ §2 affected ranges, and the `patched`/`unaffected` requirements that
 * describe the same ranges (for display, and so `affectedRanges(patched, unaffected)` agrees).
 */
import { type AffectedRange, increment, Version, VersionReq } from "../semver/index.js";

export interface Event {
  readonly kind: "introduced" | "fixed" | "last_affected";
  /** null for an `introduced` of `0` / `0.0.0-0`: unbounded below. */
  readonly version: Version | null;
}

/** rustsec's `deserialize_semver_compat`: `1` → `1.0.0`, `1.2` → `1.2.0`. Throws SemverError. */
export function parseOsvVersion(text: string): Version {
  const dots = text.split(".").length - 1;
  // Only the numeric core may be padded: `1-beta` is not `1.0.0-beta` for rustsec either.
  const padded = dots === 0 ? `${text}.0.0` : dots === 1 ? `${text}.0` : text;
  return Version.parse(padded);
}

const cmp = (a: Version | null, b: Version | null): number =>
  a === null ? (b === null ? 0 : -1) : b === null ? 1 : a.compare(b);

/**
 * One OSV range's events → affected ranges, evaluated as the OSV spec says: sorted by version,
 * `introduced` opens, `fixed` closes, `last_affected` closes just above that version.
 */
export function eventsToRanges(events: readonly Event[]): AffectedRange[] {
  const sorted = [...events].sort((a, b) => cmp(a.version, b.version));
  const out: AffectedRange[] = [];
  let open: { introduced: Version | null } | null = null;
  for (const e of sorted) {
    if (e.kind === "introduced") {
      open ??= { introduced: e.version };
    } else if (open && e.version) {
      const fixed = e.kind === "fixed" ? e.version : increment(e.version);
      // An empty range is kept: rustsec exports them (RUSTSEC-2022-0012) and they match nothing.
      out.push({ introduced: open.introduced, fixed });
      open = null;
    }
  }
  if (open) out.push({ introduced: open.introduced, fixed: null });
  return out;
}

/** Ranges in start order; a stable sort, so rustsec's own order is kept. */
export function sortRanges(ranges: readonly AffectedRange[]): AffectedRange[] {
  return [...ranges].sort((a, b) => cmp(a.introduced, b.introduced));
}

/** Ranges sorted by start, overlapping or touching ones merged. */
export function mergeRanges(ranges: readonly AffectedRange[]): AffectedRange[] {
  const sorted = [...ranges].sort((a, b) => cmp(a.introduced, b.introduced));
  const out: { introduced: Version | null; fixed: Version | null }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && (last.fixed === null || cmp(r.introduced, last.fixed) <= 0)) {
      if (last.fixed !== null && (r.fixed === null || cmp(r.fixed, last.fixed) > 0)) {
        last.fixed = r.fixed;
      }
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** `^F`'s exclusive upper bound per §2 (`^1.2.3` → `2.0.0-0`), as text. */
function caretEnd(f: Version): string {
  if (f.major > 0n) return `${f.major + 1n}.0.0-0`;
  if (f.minor > 0n) return `0.${f.minor + 1n}.0-0`;
  return `0.0.${f.patch + 1n}-0`;
}

/**
 * The lower bound of a patched requirement starting at `fixed`: `> v` when `fixed` is
 * `increment(v)` (as a `last_affected` or a `> v` requirement produces), else `>= fixed`.
 */
function lowerBound(fixed: Version): string {
  if (fixed.pre === "0" && fixed.patch > 0n) {
    return `> ${fixed.major}.${fixed.minor}.${fixed.patch - 1n}`;
  }
  if (fixed.pre.endsWith(".0")) {
    return `> ${fixed.major}.${fixed.minor}.${fixed.patch}-${fixed.pre.slice(0, -2)}`;
  }
  return `>= ${fixed}`;
}

/** Requirements whose §2 complement is exactly `ranges` (merged first). */
export function requirementsFor(ranges: readonly AffectedRange[]): {
  patched: VersionReq[];
  unaffected: VersionReq[];
} {
  const merged = mergeRanges(ranges);
  const patched: string[] = [];
  const unaffected: string[] = [];
  const first = merged[0];
  if (first?.introduced) unaffected.push(`< ${first.introduced}`);
  merged.forEach((r, i) => {
    if (r.fixed === null) return;
    const next = merged[i + 1]?.introduced;
    if (!next) patched.push(lowerBound(r.fixed));
    else if (r.fixed.pre === "" && caretEnd(r.fixed) === next.toString())
      patched.push(`^${r.fixed}`);
    else patched.push(`${lowerBound(r.fixed)}, < ${next}`);
  });
  const parse = (reqs: string[]) =>
    reqs.map((r) => VersionReq.tryParse(r)).filter((r): r is VersionReq => r !== null);
  return { patched: parse(patched), unaffected: parse(unaffected) };
}

/** Cargo's requirement matching (crate `eval.rs`), including the pre-release opt-in rule. */
import type { Comparator } from "./comparator.js";
import { comparePrerelease } from "./identifier.js";
import type { Version } from "./version.js";

export function matchesComparators(comparators: readonly Comparator[], v: Version): boolean {
  for (const c of comparators) if (!matchesImpl(c, v)) return false;
  if (v.pre === "") return true;
  // A pre-release only satisfies a requirement that opts in: some comparator must name the same
  // major.minor.patch with a pre-release of its own.
  for (const c of comparators) if (preIsCompatible(c, v)) return true;
  return false;
}

function matchesImpl(c: Comparator, v: Version): boolean {
  switch (c.op) {
    case "=":
    case "*":
      return matchesExact(c, v);
    case ">":
      return matchesGreater(c, v);
    case ">=":
      return matchesExact(c, v) || matchesGreater(c, v);
    case "<":
      return matchesLess(c, v);
    case "<=":
      return matchesExact(c, v) || matchesLess(c, v);
    case "~":
      return matchesTilde(c, v);
    case "^":
      return matchesCaret(c, v);
  }
}

function matchesExact(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== null && v.minor !== c.minor) return false;
  if (c.patch !== null && v.patch !== c.patch) return false;
  return v.pre === c.pre;
}

function matchesGreater(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return v.major > c.major;
  if (c.minor === null) return false;
  if (v.minor !== c.minor) return v.minor > c.minor;
  if (c.patch === null) return false;
  if (v.patch !== c.patch) return v.patch > c.patch;
  return comparePrerelease(v.pre, c.pre) > 0;
}

function matchesLess(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return v.major < c.major;
  if (c.minor === null) return false;
  if (v.minor !== c.minor) return v.minor < c.minor;
  if (c.patch === null) return false;
  if (v.patch !== c.patch) return v.patch < c.patch;
  return comparePrerelease(v.pre, c.pre) < 0;
}

function matchesTilde(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== null && v.minor !== c.minor) return false;
  if (c.patch !== null && v.patch !== c.patch) return v.patch > c.patch;
  return comparePrerelease(v.pre, c.pre) >= 0;
}

function matchesCaret(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return false;
  const minor = c.minor;
  if (minor === null) return true;
  const patch = c.patch;
  if (patch === null) return c.major > 0n ? v.minor >= minor : v.minor === minor;
  if (c.major > 0n) {
    if (v.minor !== minor) return v.minor > minor;
    if (v.patch !== patch) return v.patch > patch;
  } else if (minor > 0n) {
    if (v.minor !== minor) return false;
    if (v.patch !== patch) return v.patch > patch;
  } else if (v.minor !== minor || v.patch !== patch) {
    return false;
  }
  return comparePrerelease(v.pre, c.pre) >= 0;
}

function preIsCompatible(c: Comparator, v: Version): boolean {
  return c.major === v.major && c.minor === v.minor && c.patch === v.patch && c.pre !== "";
}

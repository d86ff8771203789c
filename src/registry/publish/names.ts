/**
 * Crate, dependency and feature name rules, exactly as crates.io applies them
 * (`crates_io_database::models::krate`: `validate_crate_name`, `validate_dependency_name`,
 * `validate_feature_name`, `validate_feature`), plus canonical names and reserved names.
 *
 * Each validator returns `null` when the value is valid, otherwise the sentence crates.io
 * would answer (same wording), so callers can wrap it into a `PublishError`.
 */

import { quote } from "./errors.js";

export const MAX_NAME_LENGTH = 64;

/**
 * crates.io's `canon_crate_name`: lower case, `-` and `_` equal. Two crates whose names have
 * the same canonical form cannot coexist (`Foo_bar` vs `foo-bar`).
 */
export function canonicalCrateName(name: string): string {
  return name.toLowerCase().replaceAll("-", "_");
}

const isAsciiDigit = (c: string): boolean => c >= "0" && c <= "9";
const isAsciiAlpha = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isAsciiAlnum = (c: string): boolean => isAsciiAlpha(c) || isAsciiDigit(c);

/** True when `s` has a C0 control character or DEL. */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Rust's `chars().count()`: code points, not UTF-16 units. */
const charCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * A crate name (`what` = "crate") or the crate a dependency points at (`what` = "dependency"):
 * non-empty, ≤ 64 characters, ASCII letter first, then ASCII alphanumerics, `-` or `_`.
 */
export function crateNameProblem(
  name: string,
  what: "crate" | "dependency" = "crate",
): string | null {
  if (charCount(name) > MAX_NAME_LENGTH) {
    return `the ${what} name ${quote(name)} is too long (max ${MAX_NAME_LENGTH} characters)`;
  }
  if (name.length === 0) return `${what} name cannot be empty`;
  const chars = [...name];
  const first = chars[0] ?? "";
  if (isAsciiDigit(first)) {
    return `the name ${quote(name)} cannot be used as a ${what} name, the name cannot start with a digit`;
  }
  if (!isAsciiAlpha(first)) {
    return `invalid character ${quote(first)} in ${what} name: ${quote(name)}, the first character must be an ASCII character`;
  }
  for (const ch of chars.slice(1)) {
    if (!(isAsciiAlnum(ch) || ch === "-" || ch === "_")) {
      return `invalid character ${quote(ch)} in ${what} name: ${quote(name)}, characters must be an ASCII alphanumeric characters, \`-\`, or \`_\``;
    }
  }
  return null;
}

/**
 * The name a dependency has in `Cargo.toml` (a rename, `explicit_name_in_toml`) or the crate
 * part of a `dep/feature` value: like a crate name, but may also start with `_`.
 */
export function dependencyNameProblem(name: string): string | null {
  if (charCount(name) > MAX_NAME_LENGTH) {
    return `the dependency name ${quote(name)} is too long (max ${MAX_NAME_LENGTH} characters)`;
  }
  if (name.length === 0) return "dependency name cannot be empty";
  const chars = [...name];
  const first = chars[0] ?? "";
  if (isAsciiDigit(first)) {
    return `the name ${quote(name)} cannot be used as a dependency name, the name cannot start with a digit`;
  }
  if (!(isAsciiAlpha(first) || first === "_")) {
    return `invalid character ${quote(first)} in dependency name: ${quote(name)}, the first character must be an ASCII character, or \`_\``;
  }
  for (const ch of chars.slice(1)) {
    if (!(isAsciiAlnum(ch) || ch === "-" || ch === "_")) {
      return `invalid character ${quote(ch)} in dependency name: ${quote(name)}, characters must be an ASCII alphanumeric characters, \`-\`, or \`_\``;
    }
  }
  return null;
}

const XID_START = /^\p{XID_Start}$/u;
const XID_CONTINUE = /^\p{XID_Continue}$/u;

/**
 * A feature name (the THIS in `"THIS"`, `"dep/THIS"`, `"dep?/THIS"`): non-empty; first a
 * Unicode XID start character, `_` or an ASCII digit; then XID continue characters, `+`, `-`, `.`.
 */
export function featureNameProblem(name: string): string | null {
  if (name.length === 0) return "feature cannot be empty";
  const chars = [...name];
  const first = chars[0] ?? "";
  if (!(XID_START.test(first) || first === "_" || isAsciiDigit(first))) {
    return `invalid character ${quote(first)} in feature ${quote(name)}, the first character must be a Unicode XID start character or digit (most letters or \`_\` or \`0\` to \`9\`)`;
  }
  for (const ch of chars.slice(1)) {
    if (!(XID_CONTINUE.test(ch) || ch === "+" || ch === "-" || ch === ".")) {
      return `invalid character ${quote(ch)} in feature ${quote(name)}, characters must be Unicode XID characters, \`+\`, \`-\`, or \`.\` (numbers, \`+\`, \`-\`, \`_\`, \`.\`, or most letters)`;
    }
  }
  return null;
}

/** A whole feature value: `feat`, `dep:name`, `name/feat` or `name?/feat`. */
export function featureValueProblem(value: string): string | null {
  const slash = value.indexOf("/");
  if (slash !== -1) {
    let dep = value.slice(0, slash);
    if (dep.endsWith("?")) dep = dep.slice(0, -1);
    return dependencyNameProblem(dep) ?? featureNameProblem(value.slice(slash + 1));
  }
  const colon = value.indexOf("dep:");
  if (colon !== -1) return dependencyNameProblem(value.slice(colon + "dep:".length));
  return featureNameProblem(value);
}

/**
 * Names crates.io reserves (table `reserved_crate_names`, seeded by its 2017 migration:
 * names of the Rust distribution's own crates).
 */
export const CRATES_IO_RESERVED_NAMES: readonly string[] = Object.freeze([
  "alloc",
  "arena",
  "ast",
  "builtins",
  "collections",
  "compiler-builtins",
  "compiler-rt",
  "compiletest",
  "core",
  "coretest",
  "debug",
  "driver",
  "flate",
  "fmt_macros",
  "grammar",
  "graphviz",
  "macro",
  "macros",
  "proc_macro",
  "rbml",
  "rust-installer",
  "rustbook",
  "rustc",
  "rustc_back",
  "rustc_borrowck",
  "rustc_driver",
  "rustc_llvm",
  "rustc_resolve",
  "rustc_trans",
  "rustc_typeck",
  "rustdoc",
  "rustllvm",
  "rustuv",
  "serialize",
  "std",
  "syntax",
  "test",
  "unicode",
]);

/**
 * Windows device names: a crate called `nul` or `com1` cannot be unpacked on Windows (cargo
 * refuses them for new packages). COM0/LPT0 are included as current Windows also reserves them.
 */
export const WINDOWS_RESERVED_NAMES: readonly string[] = Object.freeze([
  "con",
  "prn",
  "aux",
  "nul",
  ...Array.from({ length: 10 }, (_, i) => `com${i}`),
  ...Array.from({ length: 10 }, (_, i) => `lpt${i}`),
]);

/** Canonical reserved names: built-ins plus any configured extra names. */
export function reservedNameSet(extra: Iterable<string> = []): ReadonlySet<string> {
  const set = new Set<string>();
  for (const n of CRATES_IO_RESERVED_NAMES) set.add(canonicalCrateName(n));
  for (const n of WINDOWS_RESERVED_NAMES) set.add(canonicalCrateName(n));
  for (const n of extra) set.add(canonicalCrateName(n));
  return set;
}

/** Advisory identifiers (rustsec `advisory/id.rs`, specs/rustsec.md §1.2). */
import type { IdKind } from "./model.js";

export const PLACEHOLDER_ID = "RUSTSEC-0000-0000";
export const YEAR_MIN = 2000;
export const YEAR_MAX = 2100;

const U32_MAX = 0xffff_ffff;
// Rust's `u32::from_str` accepts an optional `+` before the digits.
const U32_TEXT = /^\+?[0-9]+$/;

export function idKind(id: string): IdKind {
  if (id.startsWith("RUSTSEC-")) return "RUSTSEC";
  if (id.startsWith("CVE-")) return "CVE";
  if (id.startsWith("TALOS-")) return "TALOS";
  if (id.startsWith("GHSA-")) return "GHSA";
  return "Other";
}

export const isPlaceholderId = (id: string): boolean => id === PLACEHOLDER_ID;

/**
 * Validates an id; returns the error message, or null when it is valid. RUSTSEC, CVE and TALOS
 * ids must be `PFX-YYYY-N` (3 dash parts, year 2000..=2100, numeric tail); others are free-form.
 */
export function validateId(id: string): string | null {
  if (isPlaceholderId(id)) return null;
  const kind = idKind(id);
  if (kind !== "RUSTSEC" && kind !== "CVE" && kind !== "TALOS") return null;
  const [, yearText = "", num, extra] = id.split("-");
  const year = parseU32(yearText);
  if (year === null) return `malformed year in advisory ID: ${id}`;
  if (year < YEAR_MIN || year > YEAR_MAX) return `out-of-range year in advisory ID: ${id}`;
  if (num === undefined) return `incomplete advisory ID: ${id}`;
  if (parseU32(num) === null || extra !== undefined) return `malformed advisory ID: ${id}`;
  return null;
}

/** The year of a valid RUSTSEC/CVE/TALOS id; null for the placeholder and other kinds. */
export function idYear(id: string): number | null {
  if (isPlaceholderId(id) || validateId(id) !== null) return null;
  const kind = idKind(id);
  if (kind !== "RUSTSEC" && kind !== "CVE" && kind !== "TALOS") return null;
  return parseU32(id.split("-")[1] ?? "");
}

function parseU32(text: string): number | null {
  if (!U32_TEXT.test(text)) return null;
  const n = Number(text);
  return n <= U32_MAX ? n : null;
}

/** Free-text search over the human-facing fields of an advisory. */
import type { Advisory } from "../advisory/model.js";

// Advisories are immutable, so their lower-cased haystack is computed once per object.
const haystacks = new WeakMap<Advisory, string>();

function haystackOf(a: Advisory): string {
  let h = haystacks.get(a);
  if (h === undefined) {
    const m = a.metadata;
    h = [m.id, ...m.aliases, m.package, m.title, m.description, ...m.keywords]
      .join("\n")
      .toLowerCase();
    haystacks.set(a, h);
  }
  return h;
}

/** Splits a query into lower-cased words; an empty query matches everything. */
export function searchTerms(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t !== "");
}

/** True when every word of `text` occurs (case-insensitively) in the advisory. */
export function matchesText(a: Advisory, text: string): boolean {
  const terms = searchTerms(text);
  if (terms.length === 0) return true;
  const h = haystackOf(a);
  return terms.every((t) => h.includes(t));
}

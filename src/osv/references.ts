/** OSV `references` of an exported advisory (rustsec `osv/advisory.rs`). */
import type { Advisory } from "../advisory/model.js";
import type { OsvReference, OsvReferenceType } from "./types.js";

/**
 * rustsec's `guess_url_kind`. The published export still marks cve.mitre.org links ADVISORY
 * (e.g. RUSTSEC-2023-0066); rustsec HEAD checks www.cve.org instead, so both count.
 */
export function guessUrlKind(url: string): OsvReferenceType {
  if ((url.includes("://github.com/") || url.includes("://gitlab.")) && url.includes("/issues/")) {
    return "REPORT";
  }
  if (
    url.includes("/advisories/") ||
    url.includes("://www.cve.org/") ||
    url.includes("://cve.mitre.org/")
  ) {
    return "ADVISORY";
  }
  if (url.includes("://crates.io/crates/")) return "PACKAGE";
  return "WEB";
}

/** WHATWG serialization, as the Rust `url` crate prints a parsed `Url`; unparsable text is kept. */
function normalizeUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** crates.io page, rustsec.org page, `url`, then `references`, in that order (duplicates kept). */
export function osvReferences(advisory: Advisory): OsvReference[] {
  const m = advisory.metadata;
  const urls = [
    `https://crates.io/crates/${m.package}`,
    `https://rustsec.org/advisories/${m.id}.html`,
    ...(m.url === null ? [] : [m.url]),
    ...m.references,
  ].map(normalizeUrl);
  return urls.map((url) => ({ type: guessUrlKind(url), url }));
}

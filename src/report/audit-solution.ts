/**
 * What every audit renderer says about one advisory: where to read more, how to fix it, how bad
 * it is. The wording is cargo-audit's (`cargo-audit/src/presenter.rs`, `rustsec/src/advisory/id.rs`).
 */
import { idKind, isPlaceholderId } from "../advisory/id.js";
import type { Advisory, AdvisoryMetadata, Cvss } from "../advisory/model.js";

/** rustsec's `Id::url()`: the canonical page of an id, null for the placeholder and unknown kinds. */
export function advisoryIdUrl(id: string): string | null {
  switch (idKind(id)) {
    case "RUSTSEC":
      return isPlaceholderId(id) ? null : `https://rustsec.org/advisories/${id}`;
    case "CVE":
      return `https://www.cve.org/CVERecord?id=${id}`;
    case "GHSA":
      return `https://github.com/advisories/${id}`;
    case "TALOS":
      return `https://www.talosintelligence.com/reports/${id}`;
    default:
      return null;
  }
}

/**
 * The URL to show for an advisory. The id's page is preferred (the `url` field usually points at
 * a bug tracker), except for CC-BY-4.0 advisories, whose licence requires the original `url`.
 */
export function advisoryUrl(metadata: AdvisoryMetadata): string | null {
  const idUrl = advisoryIdUrl(metadata.id);
  if (metadata.license === "CC-BY-4.0") return metadata.url ?? idUrl;
  return idUrl ?? metadata.url;
}

/** cargo-audit's `Solution:` text: "Upgrade to >=1.2.3 OR ^0.9.7" or "No fixed upgrade is available!". */
export function solutionText(advisory: Advisory): string {
  const patched = advisory.versions.patched;
  if (patched.length === 0) return "No fixed upgrade is available!";
  return `Upgrade to ${patched.map(String).join(" OR ")}`;
}

/** The fix alone, for tables: ">=1.2.3 OR ^0.9.7", or null when nothing is patched. */
export function fixedVersionsText(advisory: Advisory): string | null {
  const patched = advisory.versions.patched;
  return patched.length === 0 ? null : patched.map(String).join(" OR ");
}

/** cargo-audit's `Severity:` text: the base score as Rust's f64 Display writes it, then the rating. */
export function severityText(cvss: Cvss): string {
  return `${String(cvss.baseScore)} (${cvss.severity})`;
}

/**
 * An advisory URL made safe to embed in Markdown or HTML: only http(s), and every character that
 * could end a link, a table cell or an attribute percent-encoded. Null for anything else.
 */
export function safeLinkUrl(url: string | null): string | null {
  if (url === null || !/^https?:\/\/[^/\s]/i.test(url)) return null;
  return url.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters must be encoded.
    /[\u0000-\u0020\u007f"'<>\\^`{|}()[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

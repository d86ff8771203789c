/** The keys each table of an advisory may hold (rustsec `advisory/linter.rs`). */

export const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(["advisory", "versions", "affected"]);

/** `[advisory]` keys the linter accepts as they are (others get a dedicated check). */
export const PLAIN_ADVISORY_KEYS: ReadonlySet<string> = new Set([
  "aliases",
  "cvss",
  "keywords",
  "package",
  "references",
  "related",
  "title",
  "withdrawn",
  "description",
  "expect-deleted",
]);

/** Every key `[advisory]` may hold, including those the linter discourages. */
export const ADVISORY_KEYS: ReadonlySet<string> = new Set([
  ...PLAIN_ADVISORY_KEYS,
  "id",
  "date",
  "categories",
  "collection",
  "informational",
  "url",
  "yanked",
  "license",
  "source",
]);

export const VERSIONS_KEYS: ReadonlySet<string> = new Set(["patched", "unaffected"]);

export const AFFECTED_KEYS: ReadonlySet<string> = new Set(["functions", "arch", "os"]);

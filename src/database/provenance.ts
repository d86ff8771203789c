/** Where a database's advisories came from, reported by `cratesec` and the JSON report. */
export interface Provenance {
  /** What the advisories were read from: an advisory-db checkout/directory or OSV records. */
  readonly kind: "advisory-db" | "osv";
  /** Directory the advisories were read from, or null when built in memory. */
  readonly path: string | null;
  /** HEAD commit id when `path` is a git checkout. */
  readonly lastCommit: string | null;
  /** HEAD commit (committer) time for a git checkout; for OSV, the newest `modified`. */
  readonly lastUpdated: Date | null;
}

export function emptyProvenance(kind: Provenance["kind"] = "advisory-db"): Provenance {
  return { kind, path: null, lastCommit: null, lastUpdated: null };
}

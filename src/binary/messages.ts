/** cargo-audit's wording for the two non-complete outcomes, for callers that print them. */

/** Warning for `kind: "incomplete"` results. */
export function incompleteScanWarning(path: string, recovered: number): string {
  return `${path} was not built with 'cargo auditable', the report will be incomplete (${recovered} dependencies recovered)`;
}

/** Error for `kind: "none"` results. */
export const NO_DEPENDENCY_INFO =
  "No dependency information found! Is this a Rust executable built with cargo?";

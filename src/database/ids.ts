/** Advisory id helpers shared by the database indexes and queries. */

const YEAR_ID = /^(?:RUSTSEC|CVE|TALOS)-(\d{4})-\d+$/;

/**
 * A string that sorts ids naturally: digit runs compare numerically, so `CVE-2022-9999` sorts
 * before `CVE-2022-21658` and RUSTSEC ids keep their order.
 */
export function idSortKey(id: string): string {
  return id.replace(/\d+/g, (d) => d.replace(/^0+(?=\d)/, "").padStart(20, "0"));
}

export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const ka = idSortKey(a);
  const kb = idSortKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a < b ? -1 : 1;
}

/** The year embedded in a RUSTSEC/CVE/TALOS id, else null (GHSA ids carry none). */
export function idYear(id: string): number | null {
  const m = YEAR_ID.exec(id);
  return m ? Number(m[1]) : null;
}

export const DRAFT_ID = "RUSTSEC-0000-0000";

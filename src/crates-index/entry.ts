/** One version line of a crates index file, reduced to what cratesec reads. */
export interface IndexVersion {
  readonly name: string;
  readonly vers: string;
  readonly yanked: boolean;
  readonly cksum: string | null;
}

/**
 * Parses an index file (one JSON object per line). Lines that are not objects with a string
 * `name` and `vers` are skipped: an index is remote data and one bad line must not hide the rest.
 */
export function parseIndexFile(text: string): IndexVersion[] {
  const out: IndexVersion[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    const rec = value as Record<string, unknown>;
    if (typeof rec.name !== "string" || typeof rec.vers !== "string") continue;
    out.push({
      name: rec.name,
      vers: rec.vers,
      yanked: rec.yanked === true,
      cksum: typeof rec.cksum === "string" ? rec.cksum : null,
    });
  }
  return out;
}

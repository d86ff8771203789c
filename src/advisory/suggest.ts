/** "Did you mean" support: finds a misspelled key standing in for a missing one. */

/**
 * The note a "missing field/table" error carries when `typo` looks like a misspelling of it.
 * The linter recognises it, so a misspelled key is reported once, not also as an invalid key.
 */
export const misspelledNote = (typo: string): string => `(found \`${typo}\`: misspelled?)`;

/** Keys of `table` that are not `known` and are within two edits of `wanted`. */
export function misspelling(
  keys: Iterable<string>,
  wanted: string,
  known: ReadonlySet<string>,
): string | undefined {
  for (const key of keys) {
    if (!known.has(key) && editDistance(key, wanted) <= Math.min(2, wanted.length - 1)) return key;
  }
  return undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const prev = d[i - 1] as number[];
      let best = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    d.push(row);
  }
  return (d[a.length] as number[])[b.length] ?? 0;
}

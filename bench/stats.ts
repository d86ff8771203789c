export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

export function formatMiB(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}

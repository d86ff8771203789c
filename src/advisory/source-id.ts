/** Cargo source ids as accepted by cargo-lock's `SourceId::from_url` (`KIND+URL`). */

const KINDS: readonly string[] = ["git", "registry", "sparse", "path"];

/** Returns the error message, or null when `text` is a valid source id. */
export function validateSourceId(text: string): string | null {
  const plus = text.indexOf("+");
  if (plus === -1) return `invalid source \`${text}\``;
  const kind = text.slice(0, plus);
  const url = text.slice(plus + 1);
  if (!KINDS.includes(kind)) return `unsupported source protocol: \`${kind}\` from \`${text}\``;
  if (!URL.canParse(url)) return `invalid url \`${url}\``;
  return null;
}

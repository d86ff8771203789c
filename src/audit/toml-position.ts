/**
 * Where `key` of `[section]` is written in a small TOML document, for error messages. A line
 * scanner, not a parser: it only has to be right for documents smol-toml already accepted.
 */
export function tomlKeyLine(text: string, section: string, key: string): number {
  let current = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    const header = /^\[\s*([A-Za-z0-9_.-]+)\s*\]/.exec(line);
    if (header) {
      current = header[1] as string;
      if (key === "" && current === section) return i + 1;
      continue;
    }
    if (
      current === section &&
      key !== "" &&
      new RegExp(`^["']?${key.replace(/[-.]/g, "\\$&")}["']?\\s*=`).test(line)
    ) {
      return i + 1;
    }
  }
  return 0;
}

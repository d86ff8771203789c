/** Finds a front-matter key's line so layout diagnostics can point at it. */

export interface KeyPos {
  readonly line: number;
  readonly col: number;
}

/** Line/column of the first `key = …` in the TOML front matter of `text`, else 0:0. */
export function locateKey(text: string, key: string): KeyPos {
  const re = new RegExp(`^(\\s*)${key.replace(/[-.]/g, "\\$&")}\\s*=`);
  const lines = text.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("```")) break;
    const m = re.exec(line);
    if (m) return { line: i + 1, col: (m[1] as string).length + 1 };
  }
  return { line: 0, col: 0 };
}

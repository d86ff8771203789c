/** Line/column helpers for diagnostics about JSON files (Node's JSON.parse seldom says where). */

export function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

class At extends Error {
  constructor(readonly offset: number) {
    super("json syntax");
  }
}

/** Offset of the first JSON syntax error in `text` (a validating scanner, used only on failure). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const lit = (word: string) => {
    if (!text.startsWith(word, i)) throw new At(i);
    i += word.length;
  };
  const str = () => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) throw new At(i);
      if (c === 0x5c) {
        const e = text[i + 1] ?? "";
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new At(i);
          i += 6;
        } else if ('"\\/bfnrt'.includes(e) && e !== "") i += 2;
        else throw new At(i);
      } else i++;
    }
    throw new At(i);
  };
  const num = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new At(i);
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') throw new At(i);
        str();
        ws();
        if (text[i] !== ":") throw new At(i);
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else throw new At(i);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else throw new At(i);
      }
    }
    if (c === '"') return str();
    if (c === "t") return lit("true");
    if (c === "f") return lit("false");
    if (c === "n") return lit("null");
    return num();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (e) {
    if (e instanceof At) return e.offset;
    throw e;
  }
}

/** The first place `value` appears as a JSON string after `"key":` (or anywhere), else line 1. */
export function locateValue(text: string, value: string, key?: string): { line: number; col: number } {
  const quoted = JSON.stringify(value);
  let at = -1;
  if (key !== undefined) {
    const escaped = quoted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    at = text.search(new RegExp(`"${key}"\\s*:\\s*${escaped}`));
    if (at !== -1) at = text.indexOf(quoted, at + key.length + 2);
  }
  if (at === -1) at = text.indexOf(quoted);
  return at === -1 ? { line: 1, col: 1 } : lineColAt(text, at);
}

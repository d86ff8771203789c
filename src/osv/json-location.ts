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

const WS = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Any character but `"`, `\` and controls (U+0000–U+001F), or an escape.
const STRING = /"(?:[\x20\x21\x23-\x5b\x5d-\uffff]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const LITERAL = /true|false|null/y;

/** Offset of the first JSON syntax error in `text` (a validating scanner, used only on failure). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const eat = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  const expect = (re: RegExp): void => {
    if (!eat(re)) throw new At(i);
  };
  const char = (c: string): boolean => {
    eat(WS);
    if (text[i] !== c) return false;
    i++;
    return true;
  };
  /** `{…}` or `[…]` after its opening character; `member` reads one element. */
  const items = (close: string, member: () => void): void => {
    if (char(close)) return;
    do member();
    while (char(","));
    if (!char(close)) throw new At(i);
  };
  const value = (): void => {
    eat(WS);
    if (char("{")) {
      items("}", () => {
        eat(WS);
        expect(STRING);
        if (!char(":")) throw new At(i);
        value();
      });
    } else if (char("[")) {
      items("]", value);
    } else if (!eat(STRING) && !eat(LITERAL) && !eat(NUMBER)) {
      throw new At(i);
    }
  };
  try {
    value();
    eat(WS);
    return i < text.length ? i : -1;
  } catch (e) {
    if (e instanceof At) return e.offset;
    throw e;
  }
}

/** The first place `value` appears as a JSON string after `"key":` (or anywhere), else line 1. */
export function locateValue(
  text: string,
  value: string,
  key?: string,
): { line: number; col: number } {
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

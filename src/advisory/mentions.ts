/**
 * Bare `@username` mentions in the Markdown, found exactly as rustsec's linter does: after an
 * `@`, a word that starts with an ASCII letter or digit and contains no `.`, `@` or backtick
 * (so e-mail addresses and code spans pass); trailing `)` is dropped. One hit per line.
 */
import { firstWord, rustLines } from "./text.js";

export interface Mention {
  /** 0-based line index within the Markdown. */
  readonly line: number;
  /** 0-based UTF-16 column of the `@`. */
  readonly col: number;
  readonly user: string;
}

const ASCII_ALNUM = /^[A-Za-z0-9]/;
const NOT_A_USER = /[.@`]/;
const TRAILING_PARENS = /\)+$/;

export function findBareMentions(markdown: string): Mention[] {
  if (!markdown.includes("@")) return [];
  const found: Mention[] = [];
  rustLines(markdown).forEach((line, index) => {
    const parts = line.split("@");
    for (let i = 1; i < parts.length; i++) {
      // Rust's split_inclusive keeps the `@` at the end of each piece but the last.
      const part = i < parts.length - 1 ? `${parts[i]}@` : (parts[i] ?? "");
      if (!ASCII_ALNUM.test(part)) continue;
      const word = firstWord(part);
      if (word === undefined || NOT_A_USER.test(word)) continue;
      const col = parts.slice(0, i).join("@").length;
      found.push({ line: index, col, user: word.replace(TRAILING_PARENS, "") });
      break;
    }
  });
  return found;
}

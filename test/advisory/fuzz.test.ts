import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseCvss } from "../../src/advisory/cvss.js";
import { lintAdvisory } from "../../src/advisory/lint.js";
import { parseAdvisory, parseAdvisoryFile } from "../../src/advisory/parse.js";
import { type Diagnostic, formatDiagnostic } from "../../src/diagnostics/diagnostic.js";
import { exampleText, readText, realAdvisoryPaths } from "./support.js";

const paths = realAdvisoryPaths();
/** Every 7th real advisory plus the example: varied seeds, quick runs. */
const SEEDS: { path: string; text: string }[] = [
  ...paths.filter((_, i) => i % 7 === 0).map((path) => ({ path, text: readText(path) })),
  { path: "crates/crate-name/RUSTSEC-0000-0000.md", text: exampleText() },
];

const TOKENS = [
  "\n",
  "\r\n",
  '"',
  "'",
  '"""',
  "'''",
  "[",
  "]",
  "[[",
  "{",
  "}",
  "=",
  ",",
  ".",
  "#",
  "```",
  "\n```\n",
  "# ",
  "@",
  "::",
  "-",
  "*",
  "\\",
  "\u0000",
  "\uFEFF",
  "\uD800",
  "é",
  "🦀",
  "[advisory]",
  "[versions]",
  "[affected]",
  "[affected.functions]",
  "patched = [",
  '= ["<',
  "1.*",
  "^0.0.1",
  "CVSS:3.1/",
  "CVSS:4.0/AV:N",
  "2021-02-30",
  "RUSTSEC-",
  "__proto__",
  "constructor",
];

type Mutation =
  | { op: "delete" | "duplicate" | "truncate"; at: number }
  | { op: "swap"; at: number; other: number }
  | { op: "insert"; at: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom("delete", "duplicate", "truncate"),
    at: fc.nat(),
  }) as fc.Arbitrary<Mutation>,
  fc.record({ op: fc.constant("swap"), at: fc.nat(), other: fc.nat() }) as fc.Arbitrary<Mutation>,
  fc.record({
    op: fc.constant("insert"),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: "binary", maxLength: 8 })),
  }) as fc.Arbitrary<Mutation>,
);

function mutate(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const line = (n: number): number => n % Math.max(lines.length, 1);
  switch (m.op) {
    case "delete":
      lines.splice(line(m.at), 1);
      return lines.join("\n");
    case "duplicate":
      lines.splice(line(m.at), 0, lines[line(m.at)] ?? "");
      return lines.join("\n");
    case "swap": {
      const a = line(m.at);
      const b = line(m.other);
      [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
      return lines.join("\n");
    }
    case "truncate":
      return text.slice(0, m.at % (text.length + 1));
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
  }
}

function assertWellFormed(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    assert.doesNotMatch(d.message, /internal error/);
    assert.ok(Number.isInteger(d.line) && d.line >= 0, `bad line ${d.line}`);
    assert.ok(Number.isInteger(d.col) && d.col >= 0, `bad col ${d.col}`);
  }
}

describe("robustness (fast-check)", () => {
  it("parseAdvisory and lintAdvisory never throw on mutated real advisories", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (seed, ms) => {
          const text = ms.reduce(mutate, seed.text);
          const parsed = parseAdvisory(text, seed.path, { collection: "crates" });
          if (!parsed.ok) {
            assert.ok(parsed.errors.length > 0);
            assertWellFormed(parsed.errors);
          }
          assertWellFormed(lintAdvisory(text, seed.path));
          if (parsed.ok) assertWellFormed(lintAdvisory(text, seed.path, parsed.advisory));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("lintAdvisory keeps every parse error, adds lint problems, and stays sorted", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, ms) => {
          const text = ms.reduce(mutate, seed.text);
          const lint = lintAdvisory(text, seed.path);
          assertWellFormed(lint);
          for (let i = 1; i < lint.length; i++) {
            const [a, b] = [lint[i - 1] as Diagnostic, lint[i] as Diagnostic];
            assert.ok(a.line < b.line || (a.line === b.line && a.col <= b.col), "not sorted");
          }
          // Parsed as lintAdvisory parses: without an inferred collection.
          const parsed = parseAdvisory(text, seed.path);
          if (parsed.ok) {
            assert.deepEqual(lintAdvisory(text, seed.path, parsed.advisory), lint);
            return;
          }
          const shown = new Set(lint.map(formatDiagnostic));
          for (const d of parsed.errors) assert.ok(shown.has(formatDiagnostic(d)), d.message);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("parseAdvisoryFile never throws on byte-level corruption", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 4,
        }),
        (seed, edits) => {
          const bytes = Buffer.from(seed.text, "utf8");
          for (const e of edits) bytes[e.at % bytes.length] = e.byte;
          const r = parseAdvisoryFile(bytes, seed.path);
          if (!r.ok) assertWellFormed(r.errors);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("parseCvss only ever throws CvssError", () => {
    const piece = fc.oneof(
      fc.constantFrom(
        "CVSS:3.1",
        "CVSS:4.0",
        "CVSS:3.0",
        "AV:N",
        "AC:L",
        "PR:N",
        "UI:N",
        "S:U",
        "C:H",
        "I:H",
        "A:H",
        "Au:N",
        "AT:N",
        "VC:H",
        "VI:H",
        "VA:H",
        "SC:N",
        "SI:N",
        "SA:N",
        "E:X",
        "U:Red",
        "",
        ":",
        "x:y",
      ),
      fc.string({ maxLength: 5 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        try {
          const c = parseCvss(pieces.join("/"));
          assert.ok(c.baseScore >= 0 && c.baseScore <= 10);
        } catch (e) {
          assert.equal((e as Error).name, "CvssError", String(e));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lintAdvisory } from "../../src/advisory/lint.js";
import { parseAdvisory } from "../../src/advisory/parse.js";
import { checkAdvisoryPath, collectionOfPath, isDraftPath } from "../../src/advisory/path-rules.js";
import { DRAFT_PATH, exampleText, lineOf } from "./support.js";

const PATH = "advisory-db/crates/crate-name/RUSTSEC-2020-0001.md";
const BASE = exampleText().replace("RUSTSEC-0000-0000", "RUSTSEC-2020-0001");

/** Lints `BASE` after `edit`; returns `line: message` strings. */
function lint(edit: (text: string) => string, path = PATH): string[] {
  const text = edit(BASE);
  assert.notEqual(text, BASE, "fixture edit did not apply");
  return lintAdvisory(text, path).map((d) => `${d.line}: ${d.message}`);
}

describe("lintAdvisory (linter.rs rules)", () => {
  it("the base fixture is clean", () => {
    assert.deepEqual(lintAdvisory(BASE, PATH), []);
  });

  it("top-level keys other than advisory/versions/affected", () => {
    const text = `${BASE.replace("[versions]", "[extra]\nx = 1\n\n[versions]")}`;
    assert.deepEqual(
      lintAdvisory(text, PATH).map((d) => [d.line, d.message]),
      [[lineOf(text, "[extra]"), "invalid key `extra` in toplevel"]],
    );
  });

  it("unknown [advisory] keys, explicit collection, yanked", () => {
    const out = lint((t) =>
      t.replace("package =", 'severity = "high"\ncollection = "crates"\nyanked = true\npackage ='),
    );
    assert.deepEqual(out, [
      "4: invalid key `severity` in [advisory]",
      "5: malformed content in [advisory]: collection shouldn't be explicit; inferred by location",
      "6: malformed content in [metadata]: field `yanked` is deprecated, use `withdrawn` field instead",
    ]);
    assert.deepEqual(
      lint((t) => t.replace("package =", 'yanked = true\nwithdrawn = "2021-01-01"\npackage =')),
      [],
    );
  });

  it("id draft status must match the file name", () => {
    assert.deepEqual(
      lintAdvisory(BASE, DRAFT_PATH).map((d) => `${d.line}: ${d.message}`),
      [
        '3: invalid value `"RUSTSEC-2020-0001"` for key `id` in [advisory]: advisory ID draft status does not match file name',
      ],
    );
    const draft = exampleText();
    const out = lintAdvisory(draft, "crates/crate-name/RUSTSEC-2020-0001.md").map((d) => d.message);
    assert.ok(
      out.includes(
        'invalid value `"RUSTSEC-0000-0000"` for key `id` in [advisory]: advisory ID draft status does not match file name',
      ),
    );
    assert.deepEqual(lintAdvisory(draft, DRAFT_PATH), []);
  });

  it("Other-kind ids are flagged", () => {
    const out = lint(
      (t) => t.replace('"RUSTSEC-2020-0001"', '"ANON-42"'),
      "crates/crate-name/ANON-42.md",
    );
    assert.deepEqual(out, [
      '3: invalid value `"ANON-42"` for key `id` in [advisory]: unknown advisory ID type',
    ]);
  });

  it("the id year must match the date year, except for CVE ids", () => {
    assert.deepEqual(
      lint((t) => t.replace("2020-01-31", "2021-01-31")),
      [
        '3: invalid value `"RUSTSEC-2020-0001"` for key `id` in [advisory]: year in advisory ID does not match date',
      ],
    );
    const cve = (t: string): string => t.replace("RUSTSEC-2020-0001", "CVE-2019-1234");
    assert.deepEqual(lint(cve, "rust/crate-name/CVE-2019-1234.md"), []);
    const talos = (t: string): string => t.replace("RUSTSEC-2020-0001", "TALOS-2019-0001");
    assert.equal(lint(talos, "crates/crate-name/TALOS-2019-0001.md").length, 1);
  });

  it("url must be https", () => {
    assert.deepEqual(
      lint((t) => t.replace("https://example.com", "http://example.com")),
      [
        '7: invalid value `"http://example.com"` for key `url` in [advisory]: URL must start with https://',
      ],
    );
  });

  it("license, categories and informational values", () => {
    const out = lint((t) =>
      t
        .replace('#license = "CC0-1.0"', 'license = "MIT"')
        .replace('"privilege-escalation"]', '"privilege-escalation", "rce"]')
        .replace('#informational = "unmaintained"', 'informational = "abandoned"'),
    );
    assert.deepEqual(out, [
      '9: invalid value `abandoned` for key `informational` in [advisory]: unknown informational advisory type "abandoned"',
      '11: invalid value `rce` for key `category` in [advisory]: unknown category "rce"',
      '16: invalid value `MIT` for key `license` in [advisory]: unknown license "MIT"',
    ]);
    assert.deepEqual(
      lint((t) => t.replace('#license = "CC0-1.0"', 'license = "CC-BY-4.0"')),
      [],
    );
  });

  it("[versions] and [affected] keys, function paths, arch and os", () => {
    const text = BASE.replace("[versions]", "[versions]\nfixed = []")
      .replace("#arch", 'arch = ["x86", "x87"]\nos = ["linux", ""]\nplatform = "any"\n#arch')
      .replace(
        "#[affected.functions]",
        '[affected.functions]\n"crate_name::ok" = ["< 1.0"]\n"other::f" = ["< 1.0"]',
      );
    assert.deepEqual(
      lintAdvisory(text, PATH).map((d) => [d.line, d.col, d.message]),
      [
        [
          lineOf(text, "arch ="),
          'arch = ["x86", '.length + 1,
          'invalid value `x87` for key `arch` in [affected]: unknown architecture "x87"',
        ],
        [
          lineOf(text, "os ="),
          'os = ["linux", '.length + 1,
          "invalid value `` for key `os` in [affected]: unknown OS",
        ],
        [lineOf(text, "platform ="), 1, "invalid key `platform` in [affected]"],
        [
          lineOf(text, '"other::f"'),
          1,
          "invalid value `other::f` for key `functions` in [affected]: function path must start with crate name",
        ],
        [lineOf(text, "fixed ="), 1, "invalid key `fixed` in [versions]"],
      ],
    );
  });

  it("bare @mentions in the Markdown, with their file line", () => {
    const text = BASE.replace("- Markdown formatted", "- Reported by @someone-else, thanks");
    const line = lineOf(text, "@someone");
    assert.deepEqual(
      lintAdvisory(text, PATH).map((d) => [d.line, d.col, d.message]),
      [
        [
          line,
          "- Reported by ".length + 1,
          `malformed content in [markdown]: bare @someone-else, in advisory on line ${line} (use explicit link to avoid spam)`,
        ],
      ],
    );
  });

  it("returns the parse errors when the advisory does not parse", () => {
    const out = lint((t) => t.replace("2020-01-31", "2020-02-30"));
    assert.equal(out.length, 1);
    assert.match(out[0] ?? "", /^5: invalid `date`/);
  });
});

describe("lintAdvisory when the typed parse fails (valid TOML)", () => {
  /** `line: message` of every diagnostic of `text`. */
  const all = (text: string, path = PATH): string[] =>
    lintAdvisory(text, path).map((d) => `${d.line}: ${d.message}`);

  it("reports the parse error and every lint problem, sorted by position", () => {
    const text = BASE.replace("2020-01-31", "2020-02-30")
      .replace("url =", "urll =")
      .replace('"privilege-escalation"]', '"privilege-escalation", "rce"]')
      .replace("- Markdown formatted", "- Reported by @someone, thanks");
    assert.ok(!parseAdvisory(text, PATH).ok);
    const mention = lineOf(text, "@someone");
    assert.deepEqual(
      lintAdvisory(text, PATH).map((d) => [d.line, d.col, d.message]),
      [
        [lineOf(text, "date ="), 1, "invalid `date` in [advisory]: invalid date: 2020-02-30"],
        [lineOf(text, "urll ="), 1, "invalid key `urll` in [advisory]"],
        [
          lineOf(text, "categories ="),
          'categories = ["code-execution", "privilege-escalation", '.length + 1,
          'invalid value `rce` for key `category` in [advisory]: unknown category "rce"',
        ],
        [
          mention,
          "- Reported by ".length + 1,
          `malformed content in [markdown]: bare @someone, in advisory on line ${mention} (use explicit link to avoid spam)`,
        ],
      ],
    );
  });

  it("a wrong-typed field does not hide the other problems", () => {
    const text = BASE.replace(/^categories = .*$/m, 'categories = "x"')
      .replace("https://example.com", "http://example.com")
      .replace('#license = "CC0-1.0"', 'license = "MIT"')
      .replace("package =", "severity = 1\npackage =")
      .replace("#arch", 'arch = ["x87", 1]\n#arch')
      .replace("[versions]", "[versions]\nfixed = []");
    assert.deepEqual(all(text), [
      `${lineOf(text, "severity")}: invalid key \`severity\` in [advisory]`,
      `${lineOf(text, "url =")}: invalid value \`"http://example.com"\` for key \`url\` in [advisory]: URL must start with https://`,
      `${lineOf(text, "categories =")}: invalid type for \`categories\` in [advisory]: expected a list of strings, found string "x"`,
      `${lineOf(text, "license =")}: invalid value \`MIT\` for key \`license\` in [advisory]: unknown license "MIT"`,
      `${lineOf(text, "arch =")}: invalid type for \`arch\` in [affected]: expected a list of strings, found integer \`1\` in the list`,
      `${lineOf(text, "arch =")}: invalid value \`x87\` for key \`arch\` in [affected]: unknown architecture "x87"`,
      `${lineOf(text, "fixed =")}: invalid key \`fixed\` in [versions]`,
    ]);
  });

  it("a misspelled required key is reported once, by the parse", () => {
    for (const [from, to] of [
      ["package =", "pacakge ="],
      ["patched =", "pached ="],
      ["[versions]", "[version]"],
    ] as const) {
      const text = BASE.replace(from, to);
      const out = all(text);
      assert.equal(out.length, 1, out.join("\n"));
      assert.match(out[0] ?? "", /^\d+: missing (field|table) .*: misspelled\?\)$/);
      assert.ok(out[0]?.startsWith(`${lineOf(text, to)}: `), out[0]);
    }
  });

  it("a value the parse rejects does not also fail the rules built on it", () => {
    // Invalid date: no id-year lint. Malformed id: no id lints, no file-name rule.
    const date = BASE.replace("2020-01-31", "2021-13-01");
    assert.deepEqual(all(date), [
      `${lineOf(date, "date =")}: invalid \`date\` in [advisory]: invalid date: 2021-13-01`,
    ]);
    const id = BASE.replace('"RUSTSEC-2020-0001"', '"RUSTSEC-20x0-0001"');
    assert.deepEqual(all(id, DRAFT_PATH), [
      "3: invalid `id` in [advisory]: malformed year in advisory ID: RUSTSEC-20x0-0001",
    ]);
    // Unparsable URL: only the parse error, not also "must start with https://".
    const url = BASE.replace("https://example.com", "not a url");
    assert.deepEqual(all(url), ["7: invalid `url` in [advisory]: invalid URL: not a url"]);
    // Invalid function path: only the parse error, not also "must start with crate name".
    const fn = BASE.replace("#[affected.functions]", '[affected.functions]\n"other" = ["< 1.0"]');
    assert.deepEqual(all(fn), [
      `${lineOf(fn, '"other"')}: invalid function path in [affected.functions]: paths must start with the crate name (i.e. minimum two segments): 'other'`,
    ]);
  });

  it("function paths, yanked and path rules still apply", () => {
    const text = BASE.replace("2020-01-31", "2020-02-30")
      .replace("package =", "yanked = true\npackage =")
      .replace(
        "#[affected.functions]",
        '[affected.functions]\n"other::f" = 3\n"crate_name::g" = ["< 1.0"]',
      );
    assert.deepEqual(all(text, "crates/other/RUSTSEC-2020-0002.md"), [
      `${lineOf(text, "id =")}: expected crates/other/RUSTSEC-2020-0002.md to be named "RUSTSEC-2020-0001.md"`,
      `${lineOf(text, "yanked")}: malformed content in [metadata]: field \`yanked\` is deprecated, use \`withdrawn\` field instead`,
      `${lineOf(text, "package =")}: expected RUSTSEC-2020-0001 to be in crate-name directory (instead of "other")`,
      `${lineOf(text, "date =")}: invalid \`date\` in [advisory]: invalid date: 2020-02-30`,
      `${lineOf(text, '"other::f"')}: invalid type for "other::f" in [affected.functions]: expected a list of version requirements, found integer \`3\``,
      `${lineOf(text, '"other::f"')}: invalid value \`other::f\` for key \`functions\` in [affected]: function path must start with crate name`,
    ]);
  });

  it("invalid TOML still returns only its error", () => {
    const text = BASE.replace("package =", "package = =\nurll =");
    assert.deepEqual(
      lintAdvisory(text, PATH).map((d) => d.line),
      [lineOf(text, "package =")],
    );
  });
});

describe("path rules (database/entries.rs)", () => {
  it("extension, file name, package directory and collection directory", () => {
    const msgs = (path: string): string[] => lintAdvisory(BASE, path).map((d) => d.message);
    assert.deepEqual(msgs("crates/crate-name/RUSTSEC-2020-0001.txt"), [
      "invalid advisory file extension: txt",
    ]);
    assert.deepEqual(msgs("crates/crate-name/RUSTSEC-2020-0001"), [
      "invalid advisory file extension: (missing)",
    ]);
    assert.deepEqual(msgs("crates/crate-name/RUSTSEC-2020-0002.md"), [
      'expected crates/crate-name/RUSTSEC-2020-0002.md to be named "RUSTSEC-2020-0001.md"',
    ]);
    assert.deepEqual(msgs("crates/other/RUSTSEC-2020-0001.md"), [
      'expected RUSTSEC-2020-0001 to be in crate-name directory (instead of "other")',
    ]);
    assert.deepEqual(msgs("advisories/crate-name/RUSTSEC-2020-0001.md"), [
      'invalid package collection: "advisories"',
    ]);
  });

  it("an explicit collection must agree with the directory", () => {
    const text = BASE.replace("package =", 'collection = "rust"\npackage =');
    const r = parseAdvisory(text, PATH);
    assert.ok(r.ok);
    const found = checkAdvisoryPath(PATH, r.advisory).map((d) => d.message);
    assert.deepEqual(found, ["collection mismatch for RUSTSEC-2020-0001"]);
    assert.deepEqual(checkAdvisoryPath("rust/crate-name/RUSTSEC-2020-0001.md", r.advisory), []);
  });

  it("checkPath: false skips location rules", () => {
    assert.deepEqual(lintAdvisory(BASE, "elsewhere.txt", undefined, { checkPath: false }), []);
  });

  it("helpers", () => {
    assert.equal(isDraftPath("crates/x/RUSTSEC-0000-0000.md"), true);
    assert.equal(isDraftPath("crates/x/RUSTSEC-2020-0001.md"), false);
    assert.equal(collectionOfPath("db/crates/x/RUSTSEC-2020-0001.md"), "crates");
    assert.equal(collectionOfPath("db/rust/std/CVE-2022-21658.md"), "rust");
    assert.equal(collectionOfPath("RUSTSEC-2020-0001.md"), null);
  });
});

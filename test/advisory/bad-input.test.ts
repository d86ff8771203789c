import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lintAdvisory } from "../../src/advisory/lint.js";
import { parseAdvisory, parseAdvisoryFile } from "../../src/advisory/parse.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { DRAFT_PATH, exampleText, lineOf } from "./support.js";

const EXAMPLE = exampleText();

/** Applies `edit` to the example advisory (asserting it changed something). */
function edited(edit: (text: string) => string): string {
  const text = edit(EXAMPLE);
  assert.notEqual(text, EXAMPLE, "fixture edit did not apply");
  return text;
}

function errorsOf(text: string): readonly Diagnostic[] {
  const r = parseAdvisory(text, DRAFT_PATH);
  assert.ok(!r.ok, "expected a parse failure");
  assert.ok(r.errors.length > 0);
  for (const d of r.errors) {
    assert.equal(d.path, DRAFT_PATH);
    assert.equal(d.severity, "error");
  }
  return r.errors;
}

/** Exactly one error, on `line`, matching `message`. */
function assertOneError(text: string, line: number, message: RegExp): Diagnostic {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const [d] = errors as [Diagnostic];
  assert.equal(d.line, line, d.message);
  assert.match(d.message, message);
  return d;
}

describe("parse errors point at the right line", () => {
  it("truncated TOML (unterminated string)", () => {
    const cut = EXAMPLE.indexOf('package = "crate-') + 'package = "crate-'.length;
    const text = `${EXAMPLE.slice(0, cut)}\n\`\`\`\n\n# Title\n\nBody\n`;
    assertOneError(text, lineOf(text, "package ="), /^invalid TOML: /);
  });

  it("truncated file (no closing fence)", () => {
    assertOneError(EXAMPLE.slice(0, 120), 1, /couldn't find end of TOML front matter/);
  });

  it("missing `package`", () => {
    const text = edited((t) => t.replace('package = "crate-name"\n', ""));
    assertOneError(text, lineOf(text, "[advisory]"), /^missing field `package` in \[advisory\]$/);
  });

  it("misspelled `pacakge`: the parse error points at the typo, the linter names it", () => {
    const text = edited((t) => t.replace("package =", "pacakge ="));
    const d = assertOneError(text, lineOf(text, "pacakge"), /missing field `package`.*`pacakge`/);
    assert.equal(d.col, 1);
    const both = edited((t) => t.replace("package =", 'pacakge = "x"\npackage ='));
    const lint = lintAdvisory(both, DRAFT_PATH);
    assert.equal(lint.length, 1);
    assert.equal(lint[0]?.line, lineOf(both, "pacakge"));
    assert.equal(lint[0]?.message, "invalid key `pacakge` in [advisory]");
  });

  it("bad calendar date 2021-02-30", () => {
    const text = edited((t) => t.replace("2020-01-31", "2021-02-30"));
    assertOneError(
      text,
      lineOf(text, "date ="),
      /invalid `date` in \[advisory\]: invalid date: 2021-02-30/,
    );
  });

  it("overlapping ranges", () => {
    const text = edited((t) => t.replace('unaffected = ["<= 0.1.2"]', 'unaffected = ["< 1.2.5"]'));
    const d = assertOneError(text, lineOf(text, "patched ="), /Overlapping version ranges/);
    assert.match(d.message, /"<1\.2\.5"/);
    assert.equal(d.col, "patched = [".length + 1);
  });

  it("wildcard requirement 1.*", () => {
    const text = edited((t) => t.replace('unaffected = ["<= 0.1.2"]', 'unaffected = ["1.*"]'));
    const d = assertOneError(text, lineOf(text, "unaffected ="), /Unsupported operator/);
    assert.equal(d.col, "unaffected = [".length + 1);
  });

  it("unparsable requirement", () => {
    const text = edited((t) => t.replace('">= 1.3.4"', '">= 1.3.4 foo"'));
    assertOneError(
      text,
      lineOf(text, "patched ="),
      /invalid version requirement ">= 1.3.4 foo" in `patched`/,
    );
  });

  it("non-empty `title` key", () => {
    const text = edited((t) => t.replace("package =", 'title = "Not here"\npackage ='));
    assertOneError(text, lineOf(text, "title ="), /invalid `title` attribute in advisory TOML/);
  });

  it("non-UTF-8 bytes", () => {
    const text = EXAMPLE.replace("freeform", "free\u0000form");
    const bytes = Buffer.from(text, "utf8");
    bytes[bytes.indexOf(0)] = 0xff;
    const r = parseAdvisoryFile(bytes, DRAFT_PATH);
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.message, "file is not valid UTF-8");
    const line = lineOf(text, "free\u0000form");
    assert.equal(r.errors[0]?.line, line);
    // The line is ASCII, so the byte column equals the character column.
    assert.equal(r.errors[0]?.col, (text.split("\n")[line - 1] ?? "").indexOf("\u0000") + 1);
  });

  it("a byte-order mark is kept, as rustsec rejects it", () => {
    const r = parseAdvisoryFile(Buffer.from(`\uFEFF${EXAMPLE}`, "utf8"), DRAFT_PATH);
    assert.ok(!r.ok);
    assert.match(r.errors[0]?.message ?? "", /unexpected start of advisory/);
  });

  it("a 10 MB file is refused, as text and as bytes", () => {
    const big = EXAMPLE + "x".repeat(10 * 1024 * 1024);
    const d = assertOneError(
      big,
      0,
      /file is too large \(\d+ bytes; advisories are limited to 1048576 bytes\)/,
    );
    assert.equal(d.col, 0);
    const r = parseAdvisoryFile(Buffer.from(big), DRAFT_PATH);
    assert.ok(!r.ok);
    assert.match(r.errors[0]?.message ?? "", /too large/);
    assert.equal(lintAdvisory(big, DRAFT_PATH).length, 1);
  });

  it("missing [versions]", () => {
    const text = edited((t) => t.replace(/\[versions\][^`]*/, ""));
    assertOneError(text, 2, /^missing table \[versions\]/);
    const typo = edited((t) => t.replace("[versions]", "[version]"));
    assertOneError(typo, lineOf(typo, "[version]"), /missing table \[versions\].*`version`/);
  });

  it("missing `patched`", () => {
    const text = edited((t) => t.replace(/patched = .*\n/, ""));
    assertOneError(text, lineOf(text, "[versions]"), /^missing field `patched` in \[versions\]$/);
  });

  it("bad CVSS vectors", () => {
    const cases: [string, RegExp][] = [
      ["CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", /invalid value `Q` for metric `AV`/],
      ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H", /missing base metric `A`/],
      ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/XX:H", /unknown metric `XX`/],
    ];
    for (const [vector, message] of cases) {
      const text = edited((t) =>
        t.replace('#cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"', `cvss = "${vector}"`),
      );
      assertOneError(text, lineOf(text, "cvss ="), message);
    }
  });

  it("wrong types", () => {
    const text = edited((t) =>
      t.replace('keywords = ["example", "freeform", "keywords"]', "keywords = 7"),
    );
    assertOneError(
      text,
      lineOf(text, "keywords ="),
      /invalid type for `keywords`.*expected a list of strings, found integer `7`/,
    );
    const date = edited((t) => t.replace('date = "2020-01-31"', "date = 2020-01-31"));
    assertOneError(date, lineOf(date, "date ="), /expected a string, found datetime/);
  });

  it("bad ids in `id` and `aliases`", () => {
    const id = edited((t) => t.replace('id = "RUSTSEC-0000-0000"', 'id = "RUSTSEC-1999-0001"'));
    assertOneError(id, lineOf(id, "id ="), /out-of-range year in advisory ID: RUSTSEC-1999-0001/);
    const alias = edited((t) =>
      t.replace('#aliases = ["CVE-YYYY-NNNN"]', 'aliases = ["CVE-2020-1234", "CVE-20x0-1"]'),
    );
    const d = assertOneError(
      alias,
      lineOf(alias, "aliases ="),
      /malformed year in advisory ID: CVE-20x0-1/,
    );
    assert.equal(d.col, 'aliases = ["CVE-2020-1234", '.length + 1);
  });

  it("invalid function paths and their requirements", () => {
    const text = edited((t) =>
      t.replace(
        "#[affected.functions]",
        '[affected.functions]\n"crate-name::f" = ["< 1.0"]\n"crate_name::g" = ["1.2.x.y"]',
      ),
    );
    const errors = errorsOf(text);
    assert.deepEqual(
      errors.map((d) => d.line),
      [lineOf(text, '"crate-name::f"'), lineOf(text, '"crate_name::g"')],
    );
    assert.match(errors[0]?.message ?? "", /invalid character '-' in identifier/);
    assert.match(errors[1]?.message ?? "", /invalid version requirement "1\.2\.x\.y"/);
  });

  it("an explicit collection that disagrees with the directory", () => {
    const text = edited((t) => t.replace("package =", 'collection = "rust"\npackage ='));
    const r = parseAdvisory(text, DRAFT_PATH, { collection: "crates" });
    assert.ok(!r.ok);
    assert.equal(r.errors[0]?.line, lineOf(text, "collection ="));
    assert.match(r.errors[0]?.message ?? "", /collection mismatch/);
    const ok = parseAdvisory(text, DRAFT_PATH);
    assert.ok(ok.ok);
    assert.equal(ok.advisory.metadata.collection, "rust");
  });

  it("structural Markdown errors", () => {
    assertOneError(
      edited((t) => t.replace("# RustSec", "RustSec")),
      lineOf(EXAMPLE, "# RustSec"),
      /expected `# ` header/,
    );
    const noBody = EXAMPLE.slice(0, EXAMPLE.indexOf("Goes Here") + "Goes Here".length);
    assertOneError(noBody, lineOf(EXAMPLE, "# RustSec"), /no Markdown body/);
    assertOneError(`\n${EXAMPLE}`, 1, /unexpected start of advisory/);
  });

  it("the V4 format (no [advisory] header) parses, and positions still match the file", () => {
    const v4 = edited((t) => t.replace("[advisory]\n", ""));
    assert.ok(parseAdvisory(v4, DRAFT_PATH).ok);
    const bad = v4.replace("2020-01-31", "2020-13-01");
    assertOneError(bad, lineOf(bad, "date ="), /invalid date: 2020-13-01/);
  });

  it("CRLF line endings parse, with the same positions", () => {
    const crlf = EXAMPLE.replaceAll("\n", "\r\n");
    const r = parseAdvisory(crlf, DRAFT_PATH);
    assert.ok(r.ok);
    assert.equal(r.advisory.metadata.title, "RustSec Advisory Template - Advisory Title Goes Here");
    const bad = crlf.replace("2020-01-31", "2020-13-01");
    assertOneError(bad, lineOf(bad, "date ="), /invalid date/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Advisory } from "../../src/advisory/model.js";
import {
  AUDIT_COMMENT_MARKER,
  markdownText,
  renderAuditMarkdown,
} from "../../src/report/audit-markdown.js";
import {
  ABI,
  ABI_STABLE,
  ignoreEntry,
  JSON_PKG,
  JSON_UNMAINTAINED,
  LZ4_FUNCTIONS,
  ML_DSA_CC_BY,
  pkg,
  report,
  smallReport,
  vulnerability,
  warning,
  YANKED,
} from "./fixtures.js";

/** Splits a table row on the pipes GFM would split on (not `\|`). */
function cells(row: string): string[] {
  const inner = row.replace(/^\| /, "").replace(/ \|$/, "");
  return inner.split(/(?<!\\) \| /);
}

function withMetadata(a: Advisory, patch: Partial<Advisory["metadata"]>): Advisory {
  return { ...a, metadata: { ...a.metadata, ...patch } };
}

describe("renderAuditMarkdown", () => {
  it("renders a summary, a vulnerability table and a warning table", () => {
    const text = renderAuditMarkdown(smallReport());
    assert.equal(
      text,
      [
        AUDIT_COMMENT_MARKER,
        "❌ **cratesec audit:** 1 vulnerability, 2 warnings in Cargo.lock (5 dependencies)",
        "",
        "| Severity | Advisory | Crate | Version | Title | Fix |",
        "| --- | --- | --- | --- | --- | --- |",
        "| high (7.5) | [RUSTSEC-2020-0105](https://rustsec.org/advisories/RUSTSEC-2020-0105) | abi\\_stable | 0.9.0 | Update unsound DrainFilter and RString::retain | `>=0.9.1` |",
        "",
        "| Warning | Advisory | Crate | Version | Title |",
        "| --- | --- | --- | --- | --- |",
        "| unmaintained | [RUSTSEC-2022-0081](https://rustsec.org/advisories/RUSTSEC-2022-0081) | json | 0.12.4 | json is unmaintained |",
        "| yanked | — | yanked-crate | 0.1.0 | — |",
        "",
      ].join("\n"),
    );
  });

  it("says so when the audit is clean", () => {
    assert.equal(
      renderAuditMarkdown(report()),
      `${AUDIT_COMMENT_MARKER}\n✅ **cratesec audit:** no vulnerabilities in Cargo.lock (5 dependencies)\n`,
    );
    const warnOnly = renderAuditMarkdown(
      report({ warnings: [warning("yanked", null, YANKED, [], null)] }),
    );
    assert.match(warnOnly, /^⚠️ \*\*cratesec audit:\*\* no vulnerabilities, 1 warning in /m);
    const denied = renderAuditMarkdown(
      report({ warnings: [warning("yanked", null, YANKED, [], null, true)] }),
    );
    assert.match(denied, /^❌ .* 1 warning \(1 denied\) in /m);
    assert.match(denied, /^\| yanked \(denied\) \| — \| yanked-crate \|/m);
  });

  it("keeps a hostile title inert", () => {
    const title =
      "Evil | cell <script>alert(1)</script> `code` [click](javascript:alert(1)) **bold** @octocat\nnext line";
    const hostile = withMetadata(ABI_STABLE, { title });
    const text = renderAuditMarkdown(
      report({ vulnerabilities: [vulnerability(hostile, ABI, [], null)] }),
    );
    const row = text.split("\n").find((l) => l.startsWith("| high"));
    assert.ok(row, text);
    // Still exactly six cells: the title's `|` is escaped, its newline folded.
    const parts = cells(row);
    assert.equal(parts.length, 6);
    const cell = parts[4] ?? "";
    assert.doesNotMatch(text, /<script>/);
    assert.match(cell, /&lt;script&gt;alert\\\(1\\\)&lt;\/script&gt;/);
    // No unescaped backtick, bracket or asterisk survives in the cell.
    assert.doesNotMatch(cell, /(?<!\\)[`[\]*]/);
    assert.match(cell, /\\`code\\`/);
    assert.match(cell, /@\u200boctocat/);
    assert.doesNotMatch(cell, /\n/);
    assert.equal(text.split("\n").filter((l) => l.startsWith("|")).length, 3);
  });

  it("escapes every piece of advisory text and links only http(s) URLs", () => {
    assert.equal(markdownText("a|b"), "a\\|b");
    assert.equal(markdownText("`x`"), "\\`x\\`");
    assert.equal(markdownText("<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
    assert.equal(markdownText("a\r\nb"), "a b");

    // A CC-BY advisory must show its `url`, so a hostile one must not become a link.
    const evil = withMetadata(ML_DSA_CC_BY, { url: "javascript:alert(1)" });
    const text = renderAuditMarkdown(
      report({ vulnerabilities: [vulnerability(evil, pkg("ml-dsa", "0.1.0-rc.2"), [], null)] }),
    );
    assert.doesNotMatch(text, /javascript:/);
    assert.match(text, /\| RUSTSEC-2025-0144 \|/);

    const odd = withMetadata(ML_DSA_CC_BY, { url: "https://example.com/a b|c)<x>" });
    const linked = renderAuditMarkdown(
      report({ vulnerabilities: [vulnerability(odd, pkg("ml-dsa", "0.1.0-rc.2"), [], null)] }),
    );
    assert.match(linked, /\[RUSTSEC-2025-0144\]\(https:\/\/example\.com\/a%20b%7Cc%29%3Cx%3E\)/);
  });

  it("sorts vulnerabilities worst first and shows when there is no fix", () => {
    const text = renderAuditMarkdown(
      report({
        vulnerabilities: [
          vulnerability(JSON_UNMAINTAINED, JSON_PKG, [], null),
          vulnerability(ABI_STABLE, ABI, [], null),
          vulnerability(LZ4_FUNCTIONS, pkg("lz4_flex", "0.11.5"), [], null),
        ],
      }),
    );
    const rows = text.split("\n").filter((l) => /^\| (high|unknown)/.test(l));
    assert.deepEqual(
      rows.map((r) => cells(r)[0]),
      ["high (8.2)", "high (7.5)", "unknown"],
    );
    assert.equal(cells(rows[0] ?? "")[5], "`>=0.11.6, <0.12.0 OR >=0.12.1`");
    assert.equal(cells(rows[2] ?? "")[5], "no fix available");
  });

  it("folds ignored findings into <details> and lists ignore problems and notices", () => {
    const text = renderAuditMarkdown(
      report({
        ignored: [
          {
            advisory: ABI_STABLE,
            package: ABI,
            entry: ignoreEntry("RUSTSEC-2020-0105", "build-time <only>", "2099-12-31"),
          },
        ],
        unusedIgnores: [ignoreEntry("RUSTSEC-2019-0001", null, null, "--ignore")],
        expiredIgnores: [ignoreEntry("RUSTSEC-2021-0001", null, "2024-01-31")],
        notices: ["couldn't check if packages are yanked: offline"],
      }),
    );
    assert.match(text, /no vulnerabilities, 1 ignored in Cargo\.lock/);
    assert.match(
      text,
      /<details><summary>1 ignored finding<\/summary>\n\n- \[RUSTSEC-2020-0105\]\(https:\/\/rustsec\.org\/advisories\/RUSTSEC-2020-0105\) in abi\\_stable 0\.9\.0: build-time &lt;only&gt; \(until 2099-12-31\)\n\n<\/details>/,
    );
    assert.match(text, /^- ⚠️ ignore entry RUSTSEC-2019-0001 matched nothing \(--ignore\)$/m);
    assert.match(
      text,
      /^- ⚠️ ignore of RUSTSEC-2021-0001 expired on 2024-01-31 and no longer applies$/m,
    );
    assert.match(text, /^- ⚠️ couldn't check if packages are yanked: offline$/m);
  });
});

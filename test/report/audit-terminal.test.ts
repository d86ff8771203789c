import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  renderAuditTerminal,
  renderDependentsTree,
  terminalText,
} from "../../src/report/audit-terminal.js";
import { ansiStyle, plainStyle, type Style } from "../../src/report/style.js";
import {
  ABI,
  ABI_PATHS,
  ABI_STABLE,
  ABI_TREE,
  APP,
  ignoreEntry,
  JSON_PKG,
  JSON_UNMAINTAINED,
  LZ4_FUNCTIONS,
  MID,
  ML_DSA_CC_BY,
  pkg,
  report,
  smallReport,
  tree,
  vulnerability,
  warning,
  YANKED,
} from "./fixtures.js";

const plain = { style: plainStyle };

describe("renderAuditTerminal", () => {
  it("lays out findings and summary like cargo-audit", () => {
    assert.equal(
      renderAuditTerminal(smallReport(), plain),
      [
        "Crate:     abi_stable",
        "Version:   0.9.0",
        "Title:     Update unsound DrainFilter and RString::retain",
        "Date:      2020-12-21",
        "ID:        RUSTSEC-2020-0105",
        "URL:       https://rustsec.org/advisories/RUSTSEC-2020-0105",
        "Severity:  7.5 (high)",
        "Solution:  Upgrade to >=0.9.1",
        "Dependency tree:",
        "abi_stable 0.9.0",
        "├── app 0.1.0",
        "└── mid 2.1.0",
        "    └── app 0.1.0",
        "Path:      app 0.1.0 → abi_stable 0.9.0",
        "Path:      app 0.1.0 → mid 2.1.0 → abi_stable 0.9.0",
        "",
        "Crate:     json",
        "Version:   0.12.4",
        "Warning:   unmaintained",
        "Title:     json is unmaintained",
        "Date:      2022-02-01",
        "ID:        RUSTSEC-2022-0081",
        "URL:       https://rustsec.org/advisories/RUSTSEC-2022-0081",
        "Dependency tree:",
        "json 0.12.4",
        "└── app 0.1.0",
        "Path:      app 0.1.0 → json 0.12.4",
        "",
        "Crate:     yanked-crate",
        "Version:   0.1.0",
        "Warning:   yanked",
        "Dependency tree:",
        "yanked-crate 0.1.0",
        "└── mid 2.1.0",
        "    └── app 0.1.0",
        "Path:      app 0.1.0 → mid 2.1.0 → yanked-crate 0.1.0",
        "",
        "error: 1 vulnerability found!",
        "warning: 2 allowed warnings found",
        "",
      ].join("\n"),
    );
  });

  it("prints nothing for a clean report", () => {
    assert.equal(renderAuditTerminal(report(), plain), "");
  });

  it("pluralises like cargo-audit", () => {
    const v = (p = ABI) => vulnerability(ABI_STABLE, p, [], null);
    const w = (denied: boolean) => warning("yanked", null, YANKED, [], null, denied);
    const summary = (text: string): string[] =>
      text.split("\n").filter((l) => l.startsWith("error:") || l.startsWith("warning:"));

    assert.deepEqual(summary(renderAuditTerminal(report({ vulnerabilities: [v()] }), plain)), [
      "error: 1 vulnerability found!",
    ]);
    assert.deepEqual(
      summary(renderAuditTerminal(report({ vulnerabilities: [v(), v(MID)] }), plain)),
      ["error: 2 vulnerabilities found!"],
    );
    assert.deepEqual(summary(renderAuditTerminal(report({ warnings: [w(true)] }), plain)), [
      "error: 1 denied warning found!",
    ]);
    assert.deepEqual(
      summary(renderAuditTerminal(report({ warnings: [w(true), w(true), w(false)] }), plain)),
      ["error: 2 denied warnings found!", "warning: 1 allowed warning found"],
    );
    assert.deepEqual(summary(renderAuditTerminal(report({ warnings: [w(false)] }), plain)), [
      "warning: 1 allowed warning found",
    ]);
    // `cargo audit bin` names the file instead of the exclamation mark.
    assert.deepEqual(
      summary(
        renderAuditTerminal(
          report({ vulnerabilities: [v(), v(MID)], warnings: [w(true), w(false)] }),
          {
            ...plain,
            summaryPath: "target/release/app",
          },
        ),
      ),
      [
        "error: 2 vulnerabilities found in target/release/app",
        "error: 1 denied warning found in target/release/app",
        "warning: 1 allowed warning found in target/release/app",
      ],
    );
  });

  it("shows the `url` of a CC-BY-4.0 advisory and the RUSTSEC page otherwise", () => {
    const text = renderAuditTerminal(
      report({
        vulnerabilities: [vulnerability(ML_DSA_CC_BY, pkg("ml-dsa", "0.1.0-rc.2"), [], null)],
      }),
      plain,
    );
    assert.match(
      text,
      /^URL: {7}https:\/\/github\.com\/RustCrypto\/signatures\/security\/advisories\/GHSA-hcp2-x6j4-29j7$/m,
    );
    assert.doesNotMatch(text, /rustsec\.org/);
    assert.match(text, /^Solution: {2}Upgrade to >=0\.1\.0-rc\.3$/m);
  });

  it("joins patched requirements with OR and says when there is no fix", () => {
    const text = renderAuditTerminal(
      report({
        vulnerabilities: [vulnerability(LZ4_FUNCTIONS, pkg("lz4_flex", "0.11.5"), [], null)],
        warnings: [warning("unmaintained", JSON_UNMAINTAINED, JSON_PKG, [], null)],
      }),
      plain,
    );
    assert.match(text, /^Solution: {2}Upgrade to >=0\.11\.6, <0\.12\.0 OR >=0\.12\.1$/m);
    assert.match(text, /^Severity: {2}8\.2 \(high\)$/m);
    // Warnings carry no Solution line.
    assert.equal(text.match(/^Solution:/gm)?.length, 1);
    const none = renderAuditTerminal(
      report({ vulnerabilities: [vulnerability(JSON_UNMAINTAINED, JSON_PKG, [], null)] }),
      plain,
    );
    assert.match(none, /^Solution: {2}No fixed upgrade is available!$/m);
  });

  it("prints each package's tree once, even with several findings", () => {
    const text = renderAuditTerminal(
      report({
        vulnerabilities: [
          vulnerability(ABI_STABLE, ABI, ABI_PATHS, ABI_TREE),
          vulnerability(LZ4_FUNCTIONS, ABI, ABI_PATHS, ABI_TREE),
        ],
      }),
      plain,
    );
    assert.equal(text.match(/^Dependency tree:$/gm)?.length, 1);
    // Paths are short, so every finding keeps them.
    assert.equal(text.match(/^Path: {6}app 0\.1\.0 → abi_stable 0\.9\.0$/gm)?.length, 2);
  });

  it("drops trees and paths with --quiet, only trees with show_tree = false", () => {
    const quiet = renderAuditTerminal(smallReport(), { ...plain, quiet: true });
    assert.doesNotMatch(quiet, /Dependency tree:|Path:|├|└/);
    assert.match(quiet, /^Crate: {5}abi_stable$/m);
    assert.match(quiet, /^error: 1 vulnerability found!$/m);
    const noTree = renderAuditTerminal(smallReport(), { ...plain, showTree: false });
    assert.doesNotMatch(noTree, /Dependency tree:|├|└/);
    assert.match(noTree, /^Path: {6}app 0\.1\.0 → abi_stable 0\.9\.0$/m);
  });

  it("reports ignored findings, unused and expired ignores and notices before the summary", () => {
    const text = renderAuditTerminal(
      report({
        vulnerabilities: [vulnerability(LZ4_FUNCTIONS, pkg("lz4_flex", "0.11.5"), [], null)],
        ignored: [
          {
            advisory: ABI_STABLE,
            package: ABI,
            entry: ignoreEntry("RUSTSEC-2020-0105", "only used at build time", "2099-12-31"),
          },
          { advisory: ABI_STABLE, package: MID, entry: ignoreEntry("CVE-2020-36212") },
        ],
        unusedIgnores: [ignoreEntry("RUSTSEC-2019-0001", null, null, "--ignore")],
        expiredIgnores: [ignoreEntry("RUSTSEC-2021-0001", "waiting for upstream", "2024-01-31")],
        notices: ["couldn't check if packages are yanked: network is unreachable"],
      }),
      plain,
    );
    const tail = text.split("\n").slice(-8);
    assert.deepEqual(tail, [
      "",
      "ignored: RUSTSEC-2020-0105 in abi_stable 0.9.0 (only used at build time) until 2099-12-31",
      "ignored: RUSTSEC-2020-0105 via CVE-2020-36212 in mid 2.1.0 (no reason given)",
      "warning: ignore entry RUSTSEC-2019-0001 matched nothing (--ignore)",
      "warning: ignore of RUSTSEC-2021-0001 expired on 2024-01-31 and no longer applies (.cargo/audit.toml)",
      "note: couldn't check if packages are yanked: network is unreachable",
      "error: 1 vulnerability found!",
      "",
    ]);
  });

  it("colours labels like cargo-audit: red for vulnerabilities and denied warnings, yellow otherwise", () => {
    const tag =
      (name: string) =>
      (text: string): string =>
        `<${name}>${text}</${name}>`;
    const tagged: Style = {
      bold: tag("b"),
      red: tag("red"),
      yellow: tag("yellow"),
      green: tag("green"),
      dim: tag("dim"),
    };
    const text = renderAuditTerminal(
      report({
        vulnerabilities: [vulnerability(ABI_STABLE, ABI, [], null)],
        warnings: [
          warning("unmaintained", JSON_UNMAINTAINED, JSON_PKG, [], null, true),
          warning("yanked", null, YANKED, [], null, false),
        ],
      }),
      { style: tagged },
    );
    const lines = text.split("\n");
    assert.ok(lines.includes("<b><red>Crate:    </red></b> abi_stable"));
    assert.ok(lines.includes("<b><red>Crate:    </red></b> json"));
    assert.ok(lines.includes("<b><red>Warning:  </red></b> unmaintained"));
    assert.ok(lines.includes("<b><yellow>Crate:    </yellow></b> yanked-crate"));
    assert.ok(lines.includes("<b><red>error:</red></b> 1 vulnerability found!"));
    assert.ok(lines.includes("<b><red>error:</red></b> 1 denied warning found!"));
    assert.ok(lines.includes("<b><yellow>warning:</yellow></b> 1 allowed warning found"));

    const ansi = renderAuditTerminal(
      report({ vulnerabilities: [vulnerability(ABI_STABLE, ABI, [], null)] }),
      {
        style: ansiStyle,
      },
    );
    assert.ok(
      ansi.includes("\u001b[1m\u001b[31merror:\u001b[39m\u001b[22m 1 vulnerability found!"),
    );
  });
});

describe("terminalText", () => {
  it("keeps a hostile title from restyling the terminal or forging lines", () => {
    const hostile = {
      ...ABI_STABLE,
      metadata: {
        ...ABI_STABLE.metadata,
        title: "ok\u001b[2J\u001b[32mall clear\nerror: 0 vulnerabilities found!\u202e",
      },
    };
    const text = renderAuditTerminal(
      report({ vulnerabilities: [vulnerability(hostile, ABI, [], null)] }),
      plain,
    );
    assert.ok(!text.includes("\u001b") && !text.includes("\u202e"));
    assert.match(
      text,
      /^Title: {5}ok\ufffd\[2J\ufffd\[32mall clear\ufffderror: 0 vulnerabilities found!\ufffd$/m,
    );
    assert.equal(terminalText("a\tb"), "a\tb");
  });
});

describe("renderDependentsTree", () => {
  it("draws a diamond with cargo-lock's guides and marks the elided repeat", () => {
    // vuln ← left ← top ← root, vuln ← right ← top: `top`'s dependents are shown once.
    const root = pkg("root", "1.0.0", { source: null });
    const top = pkg("top", "2.0.0");
    const left = pkg("left", "0.1.0");
    const right = pkg("right", "0.2.0");
    const vuln = pkg("vuln", "0.3.1");
    const diamond = tree(vuln, [
      tree(left, [tree(top, [tree(root)])]),
      tree(right, [tree(top, [], true)]),
    ]);
    assert.deepEqual(renderDependentsTree(diamond), [
      "vuln 0.3.1",
      "├── left 0.1.0",
      "│   └── top 2.0.0",
      "│       └── root 1.0.0",
      "└── right 0.2.0",
      "    └── top 2.0.0 (*)",
    ]);
  });

  it("continues the guide of every open level", () => {
    const a = pkg("a", "1.0.0");
    const b = pkg("b", "1.0.0");
    const c = pkg("c", "1.0.0");
    const d = pkg("d", "1.0.0");
    const t = tree(a, [tree(b, [tree(c), tree(d, [tree(APP)])]), tree(MID)]);
    assert.deepEqual(renderDependentsTree(t), [
      "a 1.0.0",
      "├── b 1.0.0",
      "│   ├── c 1.0.0",
      "│   └── d 1.0.0",
      "│       └── app 0.1.0",
      "└── mid 2.1.0",
    ]);
  });

  it("is the package alone when nothing depends on it", () => {
    assert.deepEqual(renderDependentsTree(tree(APP)), ["app 0.1.0"]);
  });
});

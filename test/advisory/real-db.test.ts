import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { lintAdvisory } from "../../src/advisory/lint.js";
import type { Advisory } from "../../src/advisory/model.js";
import { parseAdvisory, parseAdvisoryFile } from "../../src/advisory/parse.js";
import { formatDiagnostic } from "../../src/diagnostics/diagnostic.js";
import {
  crateAdvisoryPath,
  DRAFT_PATH,
  exampleAdvisoryPath,
  exampleText,
  readText,
  realAdvisoryPaths,
} from "./support.js";

function parseReal(pkg: string, id: string): Advisory {
  const path = crateAdvisoryPath(pkg, id);
  const r = parseAdvisory(readText(path), path, { collection: "crates" });
  if (!r.ok) assert.fail(r.errors.map(formatDiagnostic).join("\n"));
  return r.advisory;
}

const ranges = (a: Advisory): [string | null, string | null][] =>
  a.versions.ranges.map((r) => [r.introduced?.toString() ?? null, r.fixed?.toString() ?? null]);

describe("the real advisory database", () => {
  const paths = realAdvisoryPaths();

  it("has the expected number of advisories", () => {
    assert.equal(paths.length, 588);
  });

  it("every advisory parses and lints with zero diagnostics", () => {
    const problems: string[] = [];
    for (const path of paths) {
      const bytes = readFileSync(path);
      const r = parseAdvisoryFile(bytes, path, { collection: "crates" });
      if (!r.ok) {
        problems.push(...r.errors.map(formatDiagnostic));
        continue;
      }
      problems.push(
        ...lintAdvisory(bytes.toString("utf8"), path, r.advisory).map(formatDiagnostic),
      );
      // Linting without a pre-parsed advisory must agree.
      problems.push(...lintAdvisory(bytes.toString("utf8"), path).map(formatDiagnostic));
    }
    assert.deepEqual(problems, []);
  });

  it("EXAMPLE_ADVISORY.md parses and lints cleanly (as a draft)", () => {
    const text = exampleText();
    const r = parseAdvisory(text, exampleAdvisoryPath);
    assert.ok(r.ok);
    assert.deepEqual(lintAdvisory(text, exampleAdvisoryPath, r.advisory, { checkPath: false }), []);
    assert.deepEqual(lintAdvisory(text, DRAFT_PATH), []);
  });

  it("parses the whole database quickly", () => {
    const texts = paths.map((p) => [p, readText(p)] as const);
    const start = performance.now();
    for (const [path, text] of texts) parseAdvisory(text, path, { collection: "crates" });
    const ms = performance.now() - start;
    assert.ok(ms < 400, `${ms} ms for ${texts.length} advisories`);
  });
});

describe("field-by-field checks of real advisories", () => {
  it("gix-path RUSTSEC-2024-0355: aliases, cvss, os, functions, unaffected", () => {
    const a = parseReal("gix-path", "RUSTSEC-2024-0355");
    const m = a.metadata;
    assert.equal(m.id, "RUSTSEC-2024-0355");
    assert.equal(m.idKind, "RUSTSEC");
    assert.equal(m.package, "gix-path");
    assert.equal(m.date, "2024-07-18");
    assert.equal(m.title, "gix-path can use a fake program files location");
    assert.ok(m.description.startsWith("### Summary\n\nWhen looking for Git for Windows"));
    assert.deepEqual(m.aliases, ["CVE-2024-40644", "GHSA-mgvv-9p9g-3jv4"]);
    assert.deepEqual(m.related, []);
    assert.deepEqual(m.categories, ["code-execution", "privilege-escalation"]);
    assert.deepEqual(m.keywords, ["search-path"]);
    assert.deepEqual(m.references, ["https://github.com/advisories/GHSA-mgvv-9p9g-3jv4"]);
    assert.equal(
      m.url,
      "https://github.com/Byron/gitoxide/security/advisories/GHSA-mgvv-9p9g-3jv4",
    );
    assert.deepEqual(m.cvss, {
      vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:H/I:H/A:L",
      version: "3.1",
      baseScore: 6.8,
      severity: "medium",
    });
    assert.equal(m.informational, null);
    assert.equal(m.withdrawn, null);
    assert.equal(m.license, "CC0-1.0");
    assert.equal(m.source, null);
    assert.equal(m.collection, "crates");
    assert.equal(m.expectDeleted, false);
    assert.ok(a.affected !== null);
    assert.deepEqual(a.affected.os, ["windows"]);
    assert.deepEqual(a.affected.arch, []);
    assert.deepEqual(
      [...a.affected.functions].map(([path, reqs]) => [path, reqs.map(String)]),
      [
        ["gix_path::env::exe_invocation", ["*"]],
        ["gix_path::env::installation_config", ["*"]],
        ["gix_path::env::installation_config_prefix", ["*"]],
        ["gix_path::env::system_prefix", ["*"]],
      ],
    );
    assert.deepEqual(a.versions.patched.map(String), [">=0.10.9"]);
    assert.deepEqual(a.versions.unaffected.map(String), ["<0.10.8"]);
    assert.deepEqual(ranges(a), [["0.10.8", "0.10.9"]]);
  });

  it("libp2p-core RUSTSEC-2019-0004: caret ranges and a CVSS 3.0 vector", () => {
    const a = parseReal("libp2p-core", "RUSTSEC-2019-0004");
    assert.equal(a.metadata.cvss?.version, "3.0");
    assert.equal(a.metadata.cvss?.baseScore, 7.5);
    assert.equal(a.metadata.cvss?.severity, "high");
    assert.equal(a.affected, null);
    assert.deepEqual(ranges(a), [
      ["0.3.0", "0.7.1"],
      ["0.8.0-0", "0.8.1"],
    ]);
  });

  it("badge RUSTSEC-2022-0057: informational unmaintained with no fix", () => {
    const a = parseReal("badge", "RUSTSEC-2022-0057");
    assert.equal(a.metadata.informational, "unmaintained");
    assert.equal(a.metadata.title, "badge is Unmaintained");
    assert.equal(a.metadata.cvss, null);
    assert.deepEqual(a.metadata.categories, []);
    assert.deepEqual(a.versions.patched, []);
    assert.deepEqual(ranges(a), [[null, null]]);
  });

  it("markdown RUSTSEC-2022-0044: withdrawn, title from the first heading only", () => {
    const a = parseReal("markdown", "RUSTSEC-2022-0044");
    assert.equal(a.metadata.withdrawn, "2025-04-28");
    assert.equal(a.metadata.informational, "unmaintained");
    assert.equal(a.metadata.title, "`markdown` (1.0.0 and higher) is maintained");
    assert.ok(a.metadata.description.includes("# `markdown` (0.3.0 and lower) was unmaintained"));
    assert.deepEqual(ranges(a), [[null, "1.0.0-alpha.1"]]);
  });

  it("ml-dsa RUSTSEC-2025-0144: CC-BY-4.0", () => {
    const a = parseReal("ml-dsa", "RUSTSEC-2025-0144");
    assert.equal(a.metadata.license, "CC-BY-4.0");
    assert.deepEqual(a.metadata.aliases, ["CVE-2026-22705", "GHSA-hcp2-x6j4-29j7"]);
    assert.equal(a.metadata.cvss?.baseScore, 6.4);
  });

  it("cranelift-codegen RUSTSEC-2021-0067: arch, [affected] after [versions]", () => {
    const a = parseReal("cranelift-codegen", "RUSTSEC-2021-0067");
    assert.deepEqual(a.affected?.arch, ["x86"]);
    assert.deepEqual(a.affected?.os, []);
    assert.equal(a.affected?.functions.size, 0);
    assert.equal(a.metadata.cvss?.baseScore, 8.8);
  });

  it("aronenao RUSTSEC-2026-0261: expect-deleted", () => {
    assert.equal(parseReal("aronenao", "RUSTSEC-2026-0261").metadata.expectDeleted, true);
  });

  it("EXAMPLE_ADVISORY.md", () => {
    const r = parseAdvisory(exampleText(), exampleAdvisoryPath);
    assert.ok(r.ok);
    const { metadata: m, affected, versions } = r.advisory;
    assert.equal(m.id, "RUSTSEC-0000-0000");
    assert.equal(m.package, "crate-name");
    assert.equal(m.date, "2020-01-31");
    assert.equal(m.url, "https://example.com");
    assert.deepEqual(m.categories, ["code-execution", "privilege-escalation"]);
    assert.deepEqual(m.keywords, ["example", "freeform", "keywords"]);
    assert.equal(m.cvss, null);
    assert.equal(m.collection, null);
    assert.equal(m.license, "CC0-1.0");
    assert.equal(m.title, "RustSec Advisory Template - Advisory Title Goes Here");
    assert.ok(m.description.startsWith("This is an example template"));
    assert.ok(m.description.endsWith("(fix description)."));
    // `[affected]` is present but every key in it is commented out.
    assert.deepEqual(affected, { arch: [], os: [], functions: new Map() });
    assert.deepEqual(versions.patched.map(String), [">=1.2.3, <1.3.0", ">=1.3.4"]);
    assert.deepEqual(versions.unaffected.map(String), ["<=0.1.2"]);
    assert.deepEqual(
      versions.ranges.map((x) => [x.introduced?.toString() ?? null, x.fixed?.toString() ?? null]),
      [
        ["0.1.3-0", "1.2.3"],
        ["1.3.0", "1.3.4"],
      ],
    );
  });
});

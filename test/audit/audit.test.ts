import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { AuditOptions } from "../../src/audit/audit.js";
import { auditPackages } from "../../src/audit/audit.js";
import type { IgnoreEntry } from "../../src/audit/config.js";
import { lockfileAuditInput } from "../../src/audit/lockfile-input.js";
import { type AuditReport, auditFailed } from "../../src/audit/report.js";
import { type Database, loadDatabase } from "../../src/database/index.js";
import { parseLockfile } from "../../src/lockfile/index.js";
import { auditReportJson, renderAuditJson } from "../../src/report/audit-json.js";
import { advisoryDbDir, advisoryDbOsvDir, sharedData } from "../support/paths.js";
import { loadOsvOracle, oracleFindings } from "./oracle.js";

let db: Database;
before(() => {
  db = loadDatabase(advisoryDbDir, { useCache: false }).database;
});

const lockDir = sharedData("lockfiles");
const lockfiles = readdirSync(lockDir).filter((f) => f.endsWith(".lock"));

function findings(report: AuditReport): string[] {
  return [
    ...report.vulnerabilities.map(
      (v) => `${v.advisory.metadata.id} ${v.package.name} ${v.package.version} vulnerability`,
    ),
    ...report.warnings.map(
      (w) => `${w.advisory?.metadata.id} ${w.package.name} ${w.package.version} ${w.kind}`,
    ),
  ].sort();
}

function audit(text: string, opts: AuditOptions = {}): AuditReport {
  return auditPackages(db, lockfileAuditInput(parseLockfile(text, "Cargo.lock")), {
    today: "2026-11-23",
    ...opts,
  });
}

/** A lockfile with the given crates.io packages (and a path root depending on all of them). */
function lock(packages: [string, string, string?][]): string {
  const crates = packages.map(
    ([name, version, source]) =>
      `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = "${source ?? "registry+https://github.com/rust-lang/crates.io-index"}"\n`,
  );
  const deps = packages.map(([name, version]) => `  "${name} ${version}",`).join("\n");
  return `version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n${deps}\n]\n\n${crates.join("\n")}`;
}

describe("audit verdicts equal RustSec's on every shared lockfile", () => {
  const oracle = loadOsvOracle(advisoryDbOsvDir);
  for (const file of lockfiles) {
    test(file, () => {
      const text = readFileSync(join(lockDir, file), "utf8");
      const expected = oracleFindings(text, oracle);
      assert.deepEqual(findings(audit(text)), expected);
    });
  }

  test("the comparison is not vacuous", () => {
    let total = 0;
    for (const file of lockfiles)
      total += oracleFindings(readFileSync(join(lockDir, file), "utf8"), oracle).length;
    assert.ok(total > 20, `only ${total} findings across all lockfiles`);
  });
});

describe("audit rules", () => {
  test("a vulnerable crates.io package is reported in both source spellings; path and git packages never", () => {
    const git =
      "git+https://github.com/rodrimati1992/abi_stable_crates?rev=abc#0123456789abcdef0123456789abcdef01234567";
    assert.deepEqual(findings(audit(lock([["abi_stable", "0.9.0"]]))), [
      "RUSTSEC-2020-0105 abi_stable 0.9.0 vulnerability",
    ]);
    assert.deepEqual(
      findings(audit(lock([["abi_stable", "0.9.0", "sparse+https://index.crates.io/"]]))),
      ["RUSTSEC-2020-0105 abi_stable 0.9.0 vulnerability"],
    );
    assert.deepEqual(findings(audit(lock([["abi_stable", "0.9.0", git]]))), []);
    assert.deepEqual(findings(audit(lock([["abi_stable", "0.9.1"]]))), []);
    assert.deepEqual(
      findings(
        audit(lock([["abi_stable", "0.9.0", "registry+https://my-registry.example/index"]])),
      ),
      [],
    );
  });

  test("ignores match ids and aliases, carry reasons, expire, and unused ones are reported", () => {
    const entry = (id: string, until: string | null = null): IgnoreEntry => ({
      id,
      reason: "because",
      until,
      origin: "audit.toml",
    });
    const text = lock([["abi_stable", "0.9.0"]]);
    const byAlias = audit(text, { ignore: [entry("CVE-2020-36212")] });
    assert.equal(byAlias.vulnerabilities.length, 0);
    assert.equal(byAlias.ignored[0]?.advisory.metadata.id, "RUSTSEC-2020-0105");
    assert.equal(byAlias.ignored[0]?.entry.reason, "because");
    assert.equal(auditFailed(byAlias), false);

    const stillValid = audit(text, { ignore: [entry("RUSTSEC-2020-0105", "2026-11-23")] });
    assert.equal(stillValid.vulnerabilities.length, 0);
    const expired = audit(text, { ignore: [entry("RUSTSEC-2020-0105", "2026-11-22")] });
    assert.equal(expired.vulnerabilities.length, 1);
    assert.deepEqual(
      expired.expiredIgnores.map((e) => e.id),
      ["RUSTSEC-2020-0105"],
    );
    assert.equal(auditFailed(expired), true);

    const unused = audit(text, {
      ignore: [entry("RUSTSEC-2020-0105"), entry("RUSTSEC-2016-0001")],
    });
    assert.deepEqual(
      unused.unusedIgnores.map((e) => e.id),
      ["RUSTSEC-2016-0001"],
    );
  });

  test("informational advisories are warnings of their kind; --deny makes them fatal", () => {
    // json 0.12.4 is unmaintained (RUSTSEC-2022-0081).
    const text = lock([["json", "0.12.4"]]);
    const plain = audit(text);
    assert.deepEqual(findings(plain), ["RUSTSEC-2022-0081 json 0.12.4 unmaintained"]);
    assert.equal(auditFailed(plain), false);
    assert.equal(auditFailed(audit(text, { deny: ["unmaintained"] })), true);
    assert.equal(auditFailed(audit(text, { deny: ["warnings"] })), true);
    assert.equal(auditFailed(audit(text, { deny: ["unsound"] })), false);
    assert.deepEqual(findings(audit(text, { informationalWarnings: ["unsound"] })), []);
    // Denying a kind brings it back even when informational_warnings leaves it out.
    assert.equal(
      audit(text, { informationalWarnings: [], deny: ["unmaintained"] }).warnings.length,
      1,
    );
  });

  test("severity threshold drops lower-scored advisories, never ones without CVSS", () => {
    const text = lock([
      ["abi_stable", "0.9.0"],
      ["json", "0.12.4"],
    ]);
    assert.deepEqual(findings(audit(text, { severityThreshold: "critical" })), [
      "RUSTSEC-2022-0081 json 0.12.4 unmaintained",
    ]);
    assert.equal(audit(text, { severityThreshold: "high" }).vulnerabilities.length, 1);
  });

  test("target os/arch filter advisories that list platforms", () => {
    // atty 0.2.14 is unsound on windows only (RUSTSEC-2021-0145), and unmaintained everywhere.
    const text = lock([["atty", "0.2.14"]]);
    const unsound = (r: AuditReport): number =>
      r.warnings.filter((w) => w.kind === "unsound").length;
    assert.equal(unsound(audit(text)), 1);
    assert.equal(unsound(audit(text, { targetOs: ["linux"] })), 0);
    assert.equal(audit(text, { targetOs: ["linux"] }).warnings.length, 1);
    assert.equal(unsound(audit(text, { targetOs: ["linux", "windows"] })), 1);
  });

  test("yanked packages become warnings without advisory; paths lead from the root", () => {
    const text = lock([["abi_stable", "0.9.0"]]);
    const input = lockfileAuditInput(parseLockfile(text, "Cargo.lock"));
    const yanked = input.packages.filter((p) => p.name === "abi_stable");
    const report = auditPackages(
      db,
      { ...input, yanked },
      { deny: ["yanked"], today: "2026-11-23" },
    );
    const warning = report.warnings.find((w) => w.kind === "yanked");
    assert.ok(warning && warning.advisory === null && warning.denied);
    const path = report.vulnerabilities[0]?.paths[0]?.map((p) => `${p.name}@${p.version}`);
    assert.deepEqual(path, ["app@0.1.0", "abi_stable@0.9.0"]);
    const lines = text.split("\n");
    const line = report.vulnerabilities[0]?.package.line as number;
    assert.equal(lines[line - 1], "[[package]]");
    assert.equal(lines[line], 'name = "abi_stable"');
  });
});

describe("JSON rendering", () => {
  test("the assembled report is byte for byte JSON.stringify of the object form, on every shared lockfile", () => {
    for (const file of lockfiles) {
      const report = audit(readFileSync(join(lockDir, file), "utf8"), {
        deny: ["warnings"],
        ignore: [{ id: "RUSTSEC-2020-0071", reason: "r", until: null, origin: "t" }],
      });
      const expected = `${JSON.stringify(auditReportJson(report))}\n`;
      assert.equal(renderAuditJson(report), expected, file);
      // A second rendering (served from the per-advisory cache) is the same.
      assert.equal(renderAuditJson(report), expected, file);
    }
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { renderAuditJson, rfc3339 } from "../../src/report/audit-json.js";
import { repoRoot } from "../support/paths.js";
import {
  ABI,
  ABI_PATHS,
  ABI_STABLE,
  APP,
  ATTY_UNSOUND,
  ignoreEntry,
  LZ4_FUNCTIONS,
  MID,
  pkg,
  report,
  smallReport,
  vulnerability,
  warning,
} from "./fixtures.js";

const expectedSmall = JSON.parse(
  readFileSync(join(repoRoot, "test", "report", "expected", "audit-small.json"), "utf8"),
) as unknown;

const parse = (text: string): Record<string, unknown> =>
  JSON.parse(text) as Record<string, unknown>;

describe("renderAuditJson", () => {
  it("matches cargo-audit's document exactly, key order included", () => {
    const text = renderAuditJson(smallReport());
    // Same values and same key order at every level.
    assert.equal(JSON.stringify(parse(text)), JSON.stringify(expectedSmall));
    assert.deepEqual(parse(text), expectedSmall);
  });

  it("is one line followed by a newline", () => {
    const text = renderAuditJson(smallReport());
    assert.ok(text.endsWith("}\n"));
    assert.equal(text.indexOf("\n"), text.length - 1);
  });

  it("puts cargo-audit's keys first and cratesec's after them", () => {
    const doc = parse(renderAuditJson(smallReport()));
    assert.deepEqual(Object.keys(doc), [
      "database",
      "lockfile",
      "settings",
      "vulnerabilities",
      "warnings",
      "cratesec",
    ]);
    const list = (doc.vulnerabilities as { list: Record<string, unknown>[] }).list;
    assert.deepEqual(Object.keys(list[0] ?? {}), [
      "advisory",
      "versions",
      "affected",
      "package",
      "dependency_paths",
    ]);
    const yanked = (doc.warnings as Record<string, Record<string, unknown>[]>).yanked?.[0] ?? {};
    assert.deepEqual(Object.keys(yanked), [
      "kind",
      "package",
      "advisory",
      "affected",
      "versions",
      "dependency_paths",
    ]);
  });

  it("has `warnings: {}` and an empty list when nothing is found", () => {
    const doc = parse(renderAuditJson(report()));
    assert.deepEqual(doc.warnings, {});
    assert.equal(JSON.stringify(doc.vulnerabilities), '{"found":false,"count":0,"list":[]}');
  });

  it("orders warning kinds notice, unmaintained, unsound, yanked and keeps only non-empty ones", () => {
    const doc = parse(
      renderAuditJson(
        report({
          warnings: [
            warning("yanked", null, MID, [], null),
            warning("unsound", ATTY_UNSOUND, pkg("atty", "0.2.14"), [], null),
          ],
        }),
      ),
    );
    assert.deepEqual(Object.keys(doc.warnings as object), ["unsound", "yanked"]);
    const unsound = (doc.warnings as Record<string, Record<string, unknown>[]>).unsound?.[0];
    assert.deepEqual(unsound?.affected, { arch: [], os: ["windows"], functions: {} });
    assert.deepEqual(unsound?.versions, { patched: [], unaffected: [] });
  });

  it("writes `dependencies` (between checksum and replace) only when the package has some", () => {
    const doc = parse(
      renderAuditJson(report({ vulnerabilities: [vulnerability(ABI_STABLE, MID, [], null)] })),
    );
    const p = (doc.vulnerabilities as { list: { package: Record<string, unknown> }[] }).list[0]
      ?.package;
    assert.equal(
      JSON.stringify(p),
      JSON.stringify({
        name: "mid",
        version: "2.1.0",
        source: "registry+https://github.com/rust-lang/crates.io-index",
        checksum: "1111111111111111111111111111111111111111111111111111111111111111",
        dependencies: [
          {
            name: "abi_stable",
            version: "0.9.0",
            source: "registry+https://github.com/rust-lang/crates.io-index",
          },
          {
            name: "yanked-crate",
            version: "0.1.0",
            source: "registry+https://github.com/rust-lang/crates.io-index",
          },
        ],
        replace: null,
      }),
    );
    const root = parse(
      renderAuditJson(report({ vulnerabilities: [vulnerability(ABI_STABLE, APP, [[APP]], null)] })),
    );
    const rootPkg = (root.vulnerabilities as { list: { package: Record<string, unknown> }[] })
      .list[0]?.package;
    assert.equal(rootPkg?.source, null);
    assert.equal(rootPkg?.checksum, null);
  });

  it("normalises the version requirements of `[affected.functions]` and `[versions]`", () => {
    const lz4 = pkg("lz4_flex", "0.11.5");
    const doc = parse(
      renderAuditJson(report({ vulnerabilities: [vulnerability(LZ4_FUNCTIONS, lz4, [], null)] })),
    );
    const v = (doc.vulnerabilities as { list: Record<string, unknown>[] }).list[0] ?? {};
    assert.deepEqual(v.versions, { patched: [">=0.11.6, <0.12.0", ">=0.12.1"], unaffected: [] });
    const affected = v.affected as { functions: Record<string, string[]> };
    assert.deepEqual(affected.functions["lz4_flex::block::decompress"], ["<=0.11.5", "=0.12.0"]);
    assert.equal(Object.keys(affected.functions).length, 6);
    assert.deepEqual(v.dependency_paths, []);
  });

  it("writes the database time as RFC 3339, or null", () => {
    assert.equal(rfc3339(new Date("2024-05-01T12:34:56Z")), "2024-05-01T12:34:56Z");
    assert.equal(rfc3339(new Date("2024-05-01T12:34:56.250Z")), "2024-05-01T12:34:56.250Z");
    assert.equal(rfc3339(null), null);
    const base = report();
    const doc = parse(
      renderAuditJson(
        report({ database: { ...base.database, lastCommit: null, lastUpdated: null } }),
      ),
    );
    assert.equal(
      JSON.stringify(doc.database),
      '{"advisory-count":1001,"last-commit":null,"last-updated":null}',
    );
  });

  it("copies the settings under cargo-audit's names", () => {
    const base = report();
    const doc = parse(
      renderAuditJson(
        report({
          settings: {
            targetArch: ["x86_64"],
            targetOs: ["linux", "windows"],
            severity: "medium",
            ignore: ["RUSTSEC-2020-0105"],
            informationalWarnings: ["unsound"],
          },
          lockfile: { ...base.lockfile, dependencyCount: 42 },
        }),
      ),
    );
    assert.equal(
      JSON.stringify(doc.settings),
      '{"target_arch":["x86_64"],"target_os":["linux","windows"],"severity":"medium","ignore":["RUSTSEC-2020-0105"],"informational_warnings":["unsound"]}',
    );
    assert.equal(JSON.stringify(doc.lockfile), '{"dependency-count":42}');
  });

  it("reports ignored findings, unused and expired ignores and notices under `cratesec`", () => {
    const entry = ignoreEntry("CVE-2020-36212", "not reachable", "2099-01-01");
    const doc = parse(
      renderAuditJson(
        report({
          ignored: [{ advisory: ABI_STABLE, package: ABI, entry }],
          unusedIgnores: [ignoreEntry("RUSTSEC-2019-0001", null, null, "--ignore")],
          expiredIgnores: [ignoreEntry("RUSTSEC-2021-0001", "old", "2020-01-01")],
          notices: ["couldn't check if packages are yanked: offline"],
        }),
      ),
    );
    assert.deepEqual(doc.cratesec, {
      ignored: [
        {
          id: "RUSTSEC-2020-0105",
          package: { name: "abi_stable", version: "0.9.0" },
          ignore: {
            id: "CVE-2020-36212",
            reason: "not reachable",
            until: "2099-01-01",
            origin: ".cargo/audit.toml",
          },
        },
      ],
      unused_ignores: [{ id: "RUSTSEC-2019-0001", reason: null, until: null, origin: "--ignore" }],
      expired_ignores: [
        {
          id: "RUSTSEC-2021-0001",
          reason: "old",
          until: "2020-01-01",
          origin: ".cargo/audit.toml",
        },
      ],
      notices: ["couldn't check if packages are yanked: offline"],
    });
    assert.deepEqual((doc.vulnerabilities as { count: number }).count, 0);
  });

  it("lists every dependency path of a finding, root first", () => {
    const doc = parse(
      renderAuditJson(
        report({ vulnerabilities: [vulnerability(ABI_STABLE, ABI, ABI_PATHS, null)] }),
      ),
    );
    const v = (doc.vulnerabilities as { list: Record<string, unknown>[] }).list[0] ?? {};
    assert.deepEqual(v.dependency_paths, [
      ["app@0.1.0", "abi_stable@0.9.0"],
      ["app@0.1.0", "mid@2.1.0", "abi_stable@0.9.0"],
    ]);
  });
});

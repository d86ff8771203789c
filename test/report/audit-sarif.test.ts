import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import AjvDraft04 from "ajv-draft-04";
import {
  renderAuditSarif,
  SARIF_FINGERPRINT_KEY,
  SARIF_SCHEMA_URI,
} from "../../src/report/audit-sarif.js";
import { repoRoot } from "../support/paths.js";
import {
  ABI,
  ABI_PATHS,
  ABI_STABLE,
  ABI_TREE,
  ATTY_UNSOUND,
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

const schema = JSON.parse(
  readFileSync(
    join(
      repoRoot,
      "node_modules",
      "@microsoft",
      "jest-sarif",
      "lib",
      "schemas",
      "sarif-2.1.0-rtm.5.json",
    ),
    "utf8",
  ),
) as Record<string, unknown>;
// The schema is draft-04; formats (uri, date-time) are not checked, everything else is. One of
// its patterns (`language`) has a stray `]` that is invalid under the `u` flag Ajv uses by default.
// ajv-draft-04 is CommonJS: NodeNext sees `module.exports`, whose `default` is the class.
const Ajv = AjvDraft04.default;
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  validateFormats: false,
  unicodeRegExp: false,
});
const validate = ajv.compile(schema);

const options = { lockfileUri: "Cargo.lock", toolVersion: "0.1.0" };

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  defaultConfiguration: { level: string };
  help?: { text: string; markdown: string };
  helpUri?: string;
  properties: Record<string, unknown>;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri: string;
        rules: SarifRule[];
      };
    };
    results: SarifResult[];
  }[];
}

function sarif(r = smallReport()): { text: string; log: SarifLog } {
  const text = renderAuditSarif(r, options);
  return { text, log: JSON.parse(text) as SarifLog };
}

function run(log: SarifLog) {
  const first = log.runs[0];
  assert.ok(first);
  return first;
}

/** Every finding kind at once: CVSS 3.1 and 4.0, CC-BY, informational, yanked, no line. */
function fullReport() {
  return report({
    vulnerabilities: [
      vulnerability(ABI_STABLE, ABI, ABI_PATHS, ABI_TREE),
      vulnerability(LZ4_FUNCTIONS, pkg("lz4_flex", "0.11.5", { line: 40 }), [], null),
      vulnerability(ML_DSA_CC_BY, pkg("ml-dsa", "0.1.0-rc.2", { line: null }), [], null),
    ],
    warnings: [
      warning("yanked", null, YANKED, [], null, true),
      warning("unsound", ATTY_UNSOUND, pkg("atty", "0.2.14", { line: 3 }), [], null),
      warning("unmaintained", JSON_UNMAINTAINED, JSON_PKG, [], null),
    ],
  });
}

describe("renderAuditSarif", () => {
  it("is valid against the official SARIF 2.1.0 schema", () => {
    for (const r of [smallReport(), fullReport(), report()]) {
      const { log } = sarif(r);
      const ok = validate(log);
      assert.ok(ok, ajv.errorsText(validate.errors, { separator: "\n" }));
    }
  });

  it("rejects what the schema rejects (the validator is live)", () => {
    const { log } = sarif();
    const broken = structuredClone(log) as unknown as { runs: { results: { level: string }[] }[] };
    const firstResult = broken.runs[0]?.results[0];
    assert.ok(firstResult);
    firstResult.level = "fatal";
    assert.equal(validate(broken), false);
  });

  it("describes one run of the cratesec driver", () => {
    const { log } = sarif();
    assert.equal(log.$schema, SARIF_SCHEMA_URI);
    assert.equal(log.version, "2.1.0");
    assert.equal(log.runs.length, 1);
    const driver = run(log).tool.driver;
    assert.equal(driver.name, "cratesec");
    assert.equal(driver.version, "0.1.0");
    assert.equal(driver.semanticVersion, "0.1.0");
    assert.match(driver.informationUri, /^https:\/\//);
  });

  it("points each result at the package's own [[package]] line, 1 when unknown", () => {
    const { log } = sarif(fullReport());
    const lines = run(log).results.map((r) => {
      assert.equal(r.locations.length, 1);
      const loc = r.locations[0]?.physicalLocation;
      assert.equal(loc?.artifactLocation.uri, "Cargo.lock");
      return [r.ruleId, loc?.region.startLine];
    });
    assert.deepEqual(lines, [
      ["RUSTSEC-2020-0105", 5],
      ["RUSTSEC-2026-0041", 40],
      ["RUSTSEC-2025-0144", 1],
      ["RUSTSEC-2022-0081", 17],
      ["RUSTSEC-2021-0145", 3],
      ["yanked", 29],
    ]);
  });

  it("has levels, messages and stable fingerprints like cargo-audit's", () => {
    const { log } = sarif(fullReport());
    const results = run(log).results;
    const first = results[0];
    assert.equal(first?.level, "error");
    assert.equal(
      first?.message.text,
      "abi_stable 0.9.0 is vulnerable to RUSTSEC-2020-0105 (Update unsound DrainFilter and RString::retain)",
    );
    assert.deepEqual(first?.partialFingerprints, {
      [SARIF_FINGERPRINT_KEY]: "RUSTSEC-2020-0105:abi_stable:0.9.0",
    });
    assert.deepEqual(first?.properties, {
      "cratesec/dependency-paths": [
        ["app@0.1.0", "abi_stable@0.9.0"],
        ["app@0.1.0", "mid@2.1.0", "abi_stable@0.9.0"],
      ],
    });
    const unmaintained = results.find((r) => r.ruleId === "RUSTSEC-2022-0081");
    assert.equal(unmaintained?.level, "warning");
    assert.equal(
      unmaintained?.message.text,
      "json 0.12.4 has a unmaintained warning: json is unmaintained",
    );
    const yanked = results.find((r) => r.ruleId === "yanked");
    assert.equal(yanked?.level, "warning");
    assert.equal(yanked?.message.text, "yanked-crate 0.1.0 has a yanked warning");
    assert.equal(yanked?.partialFingerprints[SARIF_FINGERPRINT_KEY], "yanked:yanked-crate:0.1.0");
    // Every result's ruleIndex points at its rule.
    const rules = run(log).tool.driver.rules;
    for (const r of results) assert.equal(rules[r.ruleIndex]?.id, r.ruleId);
  });

  it("renders the same bytes twice, and fingerprints survive a moved package", () => {
    assert.equal(sarif(fullReport()).text, sarif(fullReport()).text);
    const moved = report({
      vulnerabilities: [vulnerability(ABI_STABLE, { ...ABI, line: 500 }, [], null)],
    });
    const before = run(sarif(fullReport()).log).results[0]?.partialFingerprints;
    const after = run(sarif(moved).log).results[0];
    assert.deepEqual(after?.partialFingerprints, before);
    assert.equal(after?.locations[0]?.physicalLocation.region.startLine, 500);
  });

  it("has one rule per advisory, however many packages it hits", () => {
    const r = report({
      vulnerabilities: [
        vulnerability(ABI_STABLE, ABI, [], null),
        vulnerability(ABI_STABLE, pkg("abi_stable", "0.8.3", { line: 9 }), [], null),
      ],
      warnings: [
        warning("yanked", null, YANKED, [], null),
        warning("yanked", null, pkg("other", "1.0.0"), [], null),
      ],
    });
    const { log } = sarif(r);
    const { rules } = run(log).tool.driver;
    assert.deepEqual(
      rules.map((rule) => rule.id),
      ["RUSTSEC-2020-0105", "yanked"],
    );
    assert.equal(run(log).results.length, 4);
    assert.deepEqual(
      run(log).results.map((x) => x.partialFingerprints[SARIF_FINGERPRINT_KEY]),
      [
        "RUSTSEC-2020-0105:abi_stable:0.9.0",
        "RUSTSEC-2020-0105:abi_stable:0.8.3",
        "yanked:yanked-crate:0.1.0",
        "yanked:other:1.0.0",
      ],
    );
  });

  it("describes rules with title, description, help, tags and security-severity", () => {
    const { log } = sarif(fullReport());
    const rules = new Map(run(log).tool.driver.rules.map((r) => [r.id, r]));
    const abi = rules.get("RUSTSEC-2020-0105");
    assert.equal(abi?.name, "RUSTSEC-2020-0105");
    assert.equal(abi?.shortDescription.text, "Update unsound DrainFilter and RString::retain");
    assert.equal(abi?.fullDescription?.text, ABI_STABLE.metadata.description);
    assert.equal(abi?.defaultConfiguration.level, "error");
    assert.deepEqual(abi?.properties, {
      tags: ["security", "vulnerability"],
      precision: "very-high",
      "security-severity": "7.5",
    });
    assert.match(abi?.help?.text ?? "", /Solution: Upgrade to >=0\.9\.1/);
    assert.match(
      abi?.help?.text ?? "",
      /For more information, see: https:\/\/rustsec\.org\/advisories\/RUSTSEC-2020-0105$/,
    );
    assert.match(
      abi?.help?.markdown ?? "",
      /\[RUSTSEC-2020-0105\]\(https:\/\/rustsec\.org\/advisories\/RUSTSEC-2020-0105\)$/,
    );
    assert.equal(abi?.helpUri, "https://rustsec.org/advisories/RUSTSEC-2020-0105");

    // CVSS 4.0 scores are written with one decimal too.
    assert.equal(rules.get("RUSTSEC-2026-0041")?.properties["security-severity"], "8.2");
    // CC-BY-4.0: the original URL.
    assert.equal(
      rules.get("RUSTSEC-2025-0144")?.helpUri,
      "https://github.com/RustCrypto/signatures/security/advisories/GHSA-hcp2-x6j4-29j7",
    );
    const json = rules.get("RUSTSEC-2022-0081");
    assert.equal(json?.defaultConfiguration.level, "warning");
    assert.deepEqual(json?.properties, {
      tags: ["security", "warning"],
      precision: "very-high",
      "problem.severity": "warning",
    });
    assert.doesNotMatch(json?.help?.text ?? "", /Solution/);
    const yanked = rules.get("yanked");
    assert.equal(
      yanked?.shortDescription.text,
      "Package version has been yanked from the registry",
    );
    assert.deepEqual(yanked?.properties.tags, ["security", "warning"]);
    assert.equal(yanked?.help, undefined);
  });

  it("holds no timestamps and no machine paths", () => {
    const { text } = sarif(fullReport());
    assert.doesNotMatch(text, /\/home\/|advisory-db|\d{4}-\d{2}-\d{2}T\d{2}:/);
    assert.doesNotMatch(text, /"(startTimeUtc|endTimeUtc|timeUtc)"/);
  });

  it("has an empty result list for a clean audit", () => {
    const { log } = sarif(report());
    assert.deepEqual(run(log).results, []);
    assert.deepEqual(run(log).tool.driver.rules, []);
  });
});

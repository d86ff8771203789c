import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Advisory } from "../../src/advisory/model.js";
import { type Database, loadDatabaseDir } from "../../src/database/index.js";
import {
  advisoryToOsv,
  exportOsv,
  formatOsv,
  importOsvDir,
  loadOsvDatabase,
  osvSeverityLabel,
} from "../../src/osv/index.js";
import { jsonErrorOffset } from "../../src/osv/json-location.js";
import { type AffectedRange, affectedRanges, isAffected, Version } from "../../src/semver/index.js";
import { cleanupTemps, tempDir, writeFile } from "../database/helpers.js";
import { advisoryDbDir, advisoryDbOsvDir } from "../support/paths.js";

after(cleanupTemps);

const showRanges = (ranges: readonly AffectedRange[]) =>
  ranges.map((r) => `[${r.introduced ?? "-"}, ${r.fixed ?? "-"})`).join(" ");

/** The fields an OSV round trip must keep. */
function essentials(a: Advisory) {
  const m = a.metadata;
  return {
    id: m.id,
    package: m.package,
    ranges: showRanges(a.versions.ranges),
    aliases: m.aliases,
    related: m.related,
    cvss: m.cvss && { vector: m.cvss.vector, score: m.cvss.baseScore, severity: m.cvss.severity },
    informational: m.informational,
    withdrawn: m.withdrawn,
    date: m.date,
    title: m.title,
    description: m.description,
    categories: m.categories,
    license: m.license,
    collection: m.collection,
  };
}

function assertSameAdvisories(imported: readonly Advisory[], original: Database) {
  assert.equal(imported.length, original.count);
  const byId = new Map(imported.map((a) => [a.metadata.id, a]));
  const mismatched: string[] = [];
  for (const a of original) {
    const b = byId.get(a.metadata.id);
    try {
      assert.ok(b, "missing");
      assert.deepStrictEqual(essentials(b), essentials(a));
    } catch {
      mismatched.push(a.metadata.id);
    }
  }
  assert.deepEqual(mismatched, [], `mismatching ids: ${mismatched.join(", ")}`);
}

describe("OSV import: round trips", () => {
  const original = loadDatabaseDir(advisoryDbDir).database;

  it("imports the official export of the shared database to the same advisories", () => {
    const { advisories, diagnostics, lastModified } = importOsvDir(advisoryDbOsvDir);
    assert.deepEqual(diagnostics, []);
    assertSameAdvisories(advisories, original);
    assert.ok(lastModified instanceof Date);
  });

  it("export then import round-trips the shared database", async () => {
    const out = tempDir("cratesec-osv-");
    await exportOsv(original, out);
    const { advisories, diagnostics } = importOsvDir(out);
    assert.deepEqual(diagnostics, []);
    assertSameAdvisories(advisories, original);
  });

  it("re-exports imported records identically (except `modified`)", () => {
    const { advisories } = importOsvDir(advisoryDbOsvDir);
    const mismatched = advisories.filter((a) => {
      const file = join(advisoryDbOsvDir, `${a.metadata.id}.json`);
      const want = JSON.parse(readFileSync(file, "utf8")) as { modified: string };
      const got = advisoryToOsv(a, new Date(want.modified));
      return formatOsv(got) !== JSON.stringify(want, null, 2);
    });
    assert.deepEqual(
      mismatched.map((a) => a.metadata.id),
      [],
    );
  });

  it("derives patched/unaffected requirements that describe the same ranges", () => {
    const { advisories } = importOsvDir(advisoryDbOsvDir);
    for (const a of advisories) {
      const { patched, unaffected, ranges } = a.versions;
      assert.equal(
        showRanges(affectedRanges(patched, unaffected)),
        showRanges(ranges),
        a.metadata.id,
      );
    }
    const arrow2 = advisories.find((a) => a.metadata.id === "RUSTSEC-2022-0012");
    assert.deepEqual(arrow2?.versions.patched.map(String), [
      ">=0.7.1, <0.8.0",
      ">=0.8.2, <0.9.0",
      ">=0.9.2, <0.10.0",
      ">=0.10.0",
    ]);
  });

  it("builds a Database that answers like the directory one", () => {
    const { database } = loadOsvDatabase(advisoryDbOsvDir);
    assert.equal(database.provenance.kind, "osv");
    assert.equal(database.count, original.count);
    const v = Version.parse("0.8.1");
    assert.deepEqual(
      database.affecting("arrow2", v).map((a) => a.metadata.id),
      original.affecting("arrow2", v).map((a) => a.metadata.id),
    );
    assert.deepEqual(
      database.byAlias("CVE-2016-10932").map((a) => a.metadata.id),
      ["RUSTSEC-2016-0002"],
    );
    assert.equal(
      database.sourceOf(database.get("RUSTSEC-2016-0002") as Advisory),
      "RUSTSEC-2016-0002.json",
    );
  });
});

const GHSA = {
  schema_version: "1.6.0",
  id: "GHSA-aaaa-bbbb-cccc",
  modified: "2024-03-04T05:06:07Z",
  published: "2024-02-01T10:00:00Z",
  aliases: ["CVE-2024-9999"],
  summary: "Bad thing in foo",
  details: "Details.",
  severity: [
    { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
    { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" },
  ],
  affected: [
    {
      package: { ecosystem: "crates.io", name: "foo", purl: "pkg:cargo/foo" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { last_affected: "1.2.3" }] }],
    },
    {
      package: { ecosystem: "crates.io", name: "foo-derive" },
      ranges: [
        {
          type: "SEMVER",
          events: [{ introduced: "2.0.0" }, { fixed: "2.1.0" }, { introduced: "3.0" }],
        },
        { type: "GIT", repo: "https://github.com/foo/foo", events: [{ introduced: "abc123" }] },
      ],
      versions: ["1.0.0"],
    },
    {
      package: { ecosystem: "PyPI", name: "foo" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }],
    },
  ],
  references: [
    { type: "ADVISORY", url: "https://nvd.nist.gov/vuln/detail/CVE-2024-9999" },
    { type: "WEB", url: "https://github.com/foo/foo/commit/abc" },
    { type: "PACKAGE", url: "https://crates.io/crates/foo" },
  ],
  database_specific: { github_reviewed: true, severity: "HIGH", cwe_ids: ["CWE-79"] },
};

function fixtureDir() {
  const dir = tempDir("cratesec-osv-in-");
  writeFile(join(dir, "GHSA-aaaa-bbbb-cccc.json"), JSON.stringify(GHSA, null, 2));
  writeFile(
    join(dir, "nested", "GHSA-dddd-eeee-ffff.json"),
    JSON.stringify({
      id: "GHSA-dddd-eeee-ffff",
      modified: "2024-05-01T00:00:00Z",
      published: "2024-04-01T00:00:00Z",
      withdrawn: "2024-04-15T00:00:00Z",
      affected: [
        {
          package: { ecosystem: "crates.io", name: "bar" },
          ranges: [{ type: "SEMVER", events: [{ introduced: "0.5.0" }, { fixed: "0.5.7" }] }],
          database_specific: { informational: "unsound" },
        },
      ],
      database_specific: { severity: "MODERATE" },
    }),
  );
  writeFile(
    join(dir, "PYSEC-2024-1.json"),
    JSON.stringify({
      id: "PYSEC-2024-1",
      published: "2024-01-01T00:00:00Z",
      affected: [GHSA.affected[2]],
    }),
  );
  return dir;
}

describe("OSV import: GHSA-style records", () => {
  it("reads ECOSYSTEM ranges, last_affected, versions lists, several crates, severities", () => {
    const { advisories, diagnostics } = importOsvDir(fixtureDir());
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      advisories.map((a) => `${a.metadata.id} ${a.metadata.package}`),
      ["GHSA-aaaa-bbbb-cccc foo", "GHSA-aaaa-bbbb-cccc foo-derive", "GHSA-dddd-eeee-ffff bar"],
    );
    const [foo, derive, bar] = advisories as [Advisory, Advisory, Advisory];
    assert.equal(showRanges(foo.versions.ranges), "[-, 1.2.4-0)");
    assert.deepEqual(foo.versions.patched.map(String), [">1.2.3"]);
    assert.deepEqual(foo.versions.unaffected.map(String), []);
    for (const [v, hit] of [
      ["0.1.0", true],
      ["1.2.3", true],
      ["1.2.4-alpha", false],
      ["1.2.4", false],
    ] as const) {
      assert.equal(isAffected(foo.versions.ranges, Version.parse(v)), hit, `foo@${v}`);
    }
    assert.equal(showRanges(derive.versions.ranges), "[1.0.0, 1.0.1-0) [2.0.0, 2.1.0) [3.0.0, -)");
    assert.deepEqual(derive.versions.unaffected.map(String), ["<1.0.0"]);
    assert.deepEqual(derive.versions.patched.map(String), [">1.0.0, <2.0.0", ">=2.1.0, <3.0.0"]);
    const m = foo.metadata;
    assert.equal(m.idKind, "GHSA");
    assert.equal(m.date, "2024-02-01");
    assert.equal(m.title, "Bad thing in foo");
    assert.deepEqual(m.aliases, ["CVE-2024-9999"]);
    assert.equal(m.cvss?.version, "3.1");
    assert.equal(m.cvss?.severity, "critical");
    assert.equal(m.license, "CC-BY-4.0");
    assert.equal(m.url, "https://nvd.nist.gov/vuln/detail/CVE-2024-9999");
    assert.deepEqual(m.references, ["https://github.com/foo/foo/commit/abc"]);
    assert.equal(m.collection, "crates");
    assert.equal(osvSeverityLabel(foo), null);
    assert.equal(bar.metadata.withdrawn, "2024-04-15");
    assert.equal(bar.metadata.informational, "unsound");
    assert.equal(bar.metadata.cvss, null);
    assert.equal(osvSeverityLabel(bar), "medium");
  });

  it("builds a Database over them (one advisory per crate, same id)", () => {
    const { database, diagnostics } = loadOsvDatabase(fixtureDir());
    assert.deepEqual(diagnostics, []);
    assert.equal(database.getAll("GHSA-aaaa-bbbb-cccc").length, 2);
    assert.equal(database.byAlias("CVE-2024-9999").length, 2);
    assert.deepEqual(
      database.affecting("foo", Version.parse("1.0.0")).map((a) => a.metadata.id),
      ["GHSA-aaaa-bbbb-cccc"],
    );
    assert.deepEqual(database.affecting("foo-derive", Version.parse("2.1.0")), []);
    assert.deepEqual(database.affecting("bar", Version.parse("0.5.1")), []);
    assert.equal(
      database.affecting("bar", Version.parse("0.5.1"), { withdrawn: "any", informational: true })
        .length,
      1,
    );
    assert.equal(database.provenance.lastUpdated?.toISOString(), "2024-05-01T00:00:00.000Z");
  });

  it("reports invalid files at their line and loads the others", () => {
    const dir = fixtureDir();
    writeFile(join(dir, "broken.json"), '{\n  "id": "GHSA-x",\n  "summary": oops\n}\n');
    const badVersion: { id: string; affected: unknown[] } = structuredClone(GHSA);
    badVersion.id = "GHSA-zzzz-zzzz-zzzz";
    badVersion.affected[0] = {
      package: { ecosystem: "crates.io", name: "baz", purl: "" },
      ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.x.0" }] }],
    };
    writeFile(join(dir, "bad-version.json"), JSON.stringify(badVersion, null, 2));
    writeFile(join(dir, "not-utf8.json"), Buffer.from([0x7b, 0xff, 0x7d]));
    writeFile(join(dir, "array.json"), "[]");
    const { advisories, diagnostics } = importOsvDir(dir);
    assert.equal(advisories.length, 3);
    const byFile = new Map(diagnostics.map((d) => [d.path.slice(dir.length + 1), d]));
    assert.deepEqual([...byFile.keys()].sort(), [
      "array.json",
      "bad-version.json",
      "broken.json",
      "not-utf8.json",
    ]);
    assert.equal(byFile.get("broken.json")?.line, 3);
    assert.equal(byFile.get("broken.json")?.col, 14);
    const bad = byFile.get("bad-version.json");
    assert.match(bad?.message ?? "", /invalid version "1\.x\.0"/);
    const text = readFileSync(join(dir, "bad-version.json"), "utf8").split("\n");
    assert.ok(text[(bad?.line ?? 0) - 1]?.includes('"fixed": "1.x.0"'));
  });

  it("skips records of other ecosystems silently, and says so when nothing is left", () => {
    const dir = tempDir("cratesec-osv-in-");
    writeFile(
      join(dir, "PYSEC-2024-1.json"),
      JSON.stringify({ id: "PYSEC-2024-1", affected: [GHSA.affected[2]] }),
    );
    const { advisories, diagnostics } = importOsvDir(dir);
    assert.equal(advisories.length, 0);
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0]?.message ?? "", /no crates\.io advisories/);
  });
});

describe("jsonErrorOffset", () => {
  it("finds the first syntax error, or -1 for valid JSON", () => {
    const cases: [string, number][] = [
      ['{"a": [1, 2.5e3, true, null, "x\\n\\u00e9"]}', -1],
      ["{", 1],
      ['{"a" 1}', 5],
      ["[1, 2,]", 6],
      ['{"a": "b\tc"}', 6],
      ["[1] x", 4],
      ["01", 1],
      ["", 0],
    ];
    for (const [text, offset] of cases) assert.equal(jsonErrorOffset(text), offset, text);
  });
});

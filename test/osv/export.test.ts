import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadDatabaseDir } from "../../src/database/index.js";
import { advisoryToOsv, exportOsv, formatOsv, guessUrlKind } from "../../src/osv/index.js";
import {
  cleanupTemps,
  commitAll,
  copyShared,
  initRepo,
  SAMPLE,
  tempDir,
  writeAdvisory,
} from "../database/helpers.js";
import { advisoryDbDir, advisoryDbOsvDir } from "../support/paths.js";

after(cleanupTemps);

const withoutModified = (text: string): string => {
  const record = JSON.parse(text) as Record<string, unknown>;
  delete record.modified;
  return JSON.stringify(record);
};

describe("OSV export", () => {
  it("reproduces every file of the official export of the shared database", async () => {
    const out = tempDir("cratesec-osv-");
    const { database } = loadDatabaseDir(advisoryDbDir);
    const written = await exportOsv(database, out);
    const expected = readdirSync(advisoryDbOsvDir).filter((f) => f.endsWith(".json"));
    const produced = readdirSync(out);
    assert.equal(written.length, expected.length);
    assert.deepEqual(produced.sort(), [...expected].sort());
    const mismatched: string[] = [];
    const notByteIdentical: string[] = [];
    for (const file of expected) {
      const want = readFileSync(join(advisoryDbOsvDir, file), "utf8");
      const got = readFileSync(join(out, file), "utf8");
      if (withoutModified(want) !== withoutModified(got))
        mismatched.push(file.replace(".json", ""));
      const stripModified = (s: string) => s.replace(/"modified": "[^"]*"/, "");
      if (stripModified(want) !== stripModified(got))
        notByteIdentical.push(file.replace(".json", ""));
    }
    assert.deepEqual(mismatched, [], `mismatching ids: ${mismatched.join(", ")}`);
    assert.deepEqual(notByteIdentical, [], `not byte-identical: ${notByteIdentical.join(", ")}`);
  });

  it("maps the fields of §4 (withdrawn, informational, published, modified)", () => {
    const { database } = loadDatabaseDir(advisoryDbDir);
    const dirs = database.get("RUSTSEC-2020-0053");
    assert.ok(dirs);
    const osv = advisoryToOsv(dirs, new Date("2024-05-06T07:08:09.123Z"));
    assert.equal(osv.modified, "2024-05-06T07:08:09Z");
    assert.equal(osv.published, "2020-10-16T12:00:00Z");
    assert.equal(osv.withdrawn, "2021-04-19T12:00:00Z");
    assert.equal(osv.affected[0]?.database_specific.informational, "unmaintained");
    assert.deepEqual(osv.affected[0]?.ranges, [
      { type: "SEMVER", events: [{ introduced: "0.0.0-0" }] },
    ]);
    assert.deepEqual(Object.keys(osv).slice(0, 4), ["id", "modified", "published", "withdrawn"]);
    assert.ok(!formatOsv(osv).endsWith("\n"));
  });

  it("guesses reference types like rustsec", () => {
    assert.equal(guessUrlKind("https://github.com/a/b/issues/1"), "REPORT");
    assert.equal(guessUrlKind("https://gitlab.com/a/b/-/issues/1"), "REPORT");
    assert.equal(guessUrlKind("https://github.com/a/b/pull/1"), "WEB");
    assert.equal(guessUrlKind("https://github.com/advisories/GHSA-xxxx-xxxx-xxxx"), "ADVISORY");
    assert.equal(guessUrlKind("https://www.cve.org/CVERecord?id=CVE-2024-1"), "ADVISORY");
    assert.equal(guessUrlKind("https://crates.io/crates/foo"), "PACKAGE");
    assert.equal(guessUrlKind("https://example.com/"), "WEB");
  });

  it("exports crates/ only, skipping rust/ and unknown informational kinds", async () => {
    const dir = tempDir();
    copyShared(dir, SAMPLE);
    writeAdvisory(dir, "rust", { id: "CVE-2022-21658", package: "std", date: "2022-01-20" });
    writeAdvisory(dir, "crates", {
      id: "RUSTSEC-2024-0001",
      package: "foo",
      extra: 'informational = "something-new"',
    });
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.deepEqual(diagnostics, []);
    assert.equal(database.count, 5);
    const out = tempDir("cratesec-osv-");
    const written = await exportOsv(database, out);
    assert.deepEqual(written, ["RUSTSEC-2016-0002", "RUSTSEC-2020-0053", "RUSTSEC-2022-0012"]);
    assert.deepEqual(
      readdirSync(out).sort(),
      written.map((id) => `${id}.json`),
    );
  });

  it("takes `modified` from the last commit touching each file in a git checkout", async () => {
    const dir = tempDir();
    copyShared(dir, SAMPLE);
    initRepo(dir);
    const first = new Date("2024-01-02T03:04:05Z");
    const second = new Date("2024-02-03T04:05:06Z");
    commitAll(dir, "initial", first);
    writeAdvisory(dir, "crates", { id: "RUSTSEC-2024-0001", package: "foo" });
    commitAll(dir, "add foo", second);
    const out = tempDir("cratesec-osv-");
    await exportOsv(loadDatabaseDir(dir).database, out);
    const modified = (id: string) =>
      (JSON.parse(readFileSync(join(out, `${id}.json`), "utf8")) as { modified: string }).modified;
    assert.equal(modified("RUSTSEC-2016-0002"), "2024-01-02T03:04:05Z");
    assert.equal(modified("RUSTSEC-2024-0001"), "2024-02-03T04:05:06Z");
  });
});

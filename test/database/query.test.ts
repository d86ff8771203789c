import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crateScope, loadDatabaseDir } from "../../src/database/index.js";
import { Version } from "../../src/semver/index.js";
import { advisoryDbDir } from "../support/paths.js";

const { database: db } = loadDatabaseDir(advisoryDbDir);
const v = (s: string) => Version.parse(s);
const idsOf = (list: readonly { metadata: { id: string } }[]) => list.map((a) => a.metadata.id);

describe("Database queries", () => {
  it("package + version across range boundaries (RUSTSEC-2022-0012, arrow2)", () => {
    // patched = [">= 0.7.1, < 0.8", ">= 0.8.2, < 0.9", ">= 0.9.2, < 0.10", ">= 0.10.0"]
    const cases: [string, boolean][] = [
      ["0.0.1", true],
      ["0.7.0", true],
      ["0.7.1-rc.1", true],
      ["0.7.1", false],
      ["0.7.9", false],
      ["0.8.0-alpha", false],
      ["0.8.0", true],
      ["0.8.1", true],
      ["0.8.2", false],
      ["0.9.1", true],
      ["0.9.2", false],
      ["0.10.0-0", false],
      ["0.10.0", false],
      ["1.0.0", false],
    ];
    for (const [version, expected] of cases) {
      const hit = idsOf(db.affecting("arrow2", v(version))).includes("RUSTSEC-2022-0012");
      assert.equal(hit, expected, `arrow2@${version}`);
    }
  });

  it("package + version: an open lower bound and a single fixed version (hyper)", () => {
    assert.ok(idsOf(db.affecting("hyper", v("0.9.3"))).includes("RUSTSEC-2016-0002"));
    assert.ok(!idsOf(db.affecting("hyper", v("0.9.4"))).includes("RUSTSEC-2016-0002"));
    assert.deepEqual(db.affecting("no-such-crate", v("1.0.0")), []);
  });

  it("target os/arch filters only advisories that list platforms", () => {
    const q = crateScope({ package: "hyper", version: v("0.9.3") });
    assert.ok(idsOf(db.query({ ...q, targetOs: ["windows"] })).includes("RUSTSEC-2016-0002"));
    assert.ok(!idsOf(db.query({ ...q, targetOs: ["linux"] })).includes("RUSTSEC-2016-0002"));
  });

  it("by id and by alias", () => {
    assert.equal(db.get("RUSTSEC-2016-0002")?.metadata.package, "hyper");
    assert.equal(db.get("RUSTSEC-1999-0001"), undefined);
    assert.deepEqual(idsOf(db.byAlias("CVE-2016-10932")), ["RUSTSEC-2016-0002"]);
    assert.deepEqual(idsOf(db.byAlias("GHSA-9xjr-m6f3-v5wm")), ["RUSTSEC-2016-0002"]);
    assert.deepEqual(idsOf(db.lookup("CVE-2016-10932")), ["RUSTSEC-2016-0002"]);
    assert.deepEqual(idsOf(db.lookup("RUSTSEC-2016-0002")), ["RUSTSEC-2016-0002"]);
  });

  it("by year", () => {
    const list = db.query({ year: 2016 });
    assert.ok(list.length > 0);
    assert.ok(idsOf(list).every((id) => id.startsWith("RUSTSEC-2016-")));
    const all2016 = db.advisories().filter((a) => a.metadata.id.startsWith("RUSTSEC-2016-"));
    assert.equal(list.length, all2016.length);
  });

  it("by category", () => {
    const list = db.query({ category: "crypto-failure" });
    assert.ok(idsOf(list).includes("RUSTSEC-2016-0002"));
    assert.ok(list.every((a) => a.metadata.categories.includes("crypto-failure")));
  });

  it("informational: false, true, any, and by kind", () => {
    const vulns = db.query({ informational: false });
    const infos = db.query({ informational: true });
    assert.ok(vulns.every((a) => a.metadata.informational === null));
    assert.ok(infos.every((a) => a.metadata.informational !== null));
    assert.equal(vulns.length + infos.length, db.count);
    assert.equal(db.query({ informational: "any" }).length, db.count);
    const unsound = db.query({ informationalKind: "unsound" });
    assert.ok(unsound.length > 0 && unsound.every((a) => a.metadata.informational === "unsound"));
  });

  it("withdrawn advisories are excluded by default", () => {
    // RUSTSEC-2023-0002 (git2 < 0.16.0) was withdrawn.
    const q = { package: "git2", version: v("0.15.0") };
    assert.ok(!idsOf(db.affecting(q.package, q.version)).includes("RUSTSEC-2023-0002"));
    assert.ok(
      idsOf(db.affecting(q.package, q.version, { withdrawn: "any" })).includes("RUSTSEC-2023-0002"),
    );
    const withdrawn = db.query({ withdrawn: true });
    assert.ok(withdrawn.length > 0 && withdrawn.every((a) => a.metadata.withdrawn !== null));
  });

  it("crate scope excludes informational advisories unless asked", () => {
    // RUSTSEC-2020-0053: dirs is unmaintained (and withdrawn).
    const all = { withdrawn: "any" as const };
    assert.ok(!idsOf(db.affecting("dirs", v("3.0.0"), all)).includes("RUSTSEC-2020-0053"));
    const warnings = db.affecting("dirs", v("3.0.0"), { ...all, informational: true });
    assert.deepEqual(idsOf(warnings), ["RUSTSEC-2020-0053"]);
  });

  it("severity threshold keeps advisories without CVSS", () => {
    const high = db.query({ severity: "high" });
    assert.ok(
      high.every(
        (a) => a.metadata.cvss === null || ["high", "critical"].includes(a.metadata.cvss.severity),
      ),
    );
    assert.ok(high.some((a) => a.metadata.cvss === null));
    assert.ok(!idsOf(high).includes("RUSTSEC-2016-0002"));
  });

  it("by package name, and the package list", () => {
    assert.ok(idsOf(db.byPackage("hyper")).includes("RUSTSEC-2016-0002"));
    assert.deepEqual(db.byPackage("hyper"), db.query({ package: "hyper" }));
    assert.ok(db.packages().includes("hyper"));
    assert.deepEqual(db.packages("rust"), []);
  });

  it("free-text search is case-insensitive over id, aliases, package, title, text, keywords", () => {
    assert.ok(idsOf(db.search("HOSTNAME verification")).includes("RUSTSEC-2016-0002"));
    assert.ok(idsOf(db.search("cve-2016-10932")).includes("RUSTSEC-2016-0002"));
    assert.ok(idsOf(db.search("mitm")).includes("RUSTSEC-2016-0002"));
    assert.ok(idsOf(db.search("rustsec-2016-0002")).includes("RUSTSEC-2016-0002"));
    assert.deepEqual(db.search("zzz-no-such-text-zzz"), []);
    assert.equal(db.search("   ").length, db.count);
    const scoped = db.search("hostname", { year: 2017 });
    assert.ok(!idsOf(scoped).includes("RUSTSEC-2016-0002"));
  });
});

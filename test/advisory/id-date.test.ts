import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateDate } from "../../src/advisory/date.js";
import { functionPathCrate, validateFunctionPath } from "../../src/advisory/function-path.js";
import { idKind, idYear, validateId } from "../../src/advisory/id.js";

describe("advisory ids (id.rs)", () => {
  it("detects the kind by prefix", () => {
    assert.equal(idKind("RUSTSEC-2018-0001"), "RUSTSEC");
    assert.equal(idKind("CVE-2017-1000168"), "CVE");
    assert.equal(idKind("GHSA-4mmc-49vf-jmcp"), "GHSA");
    assert.equal(idKind("TALOS-2017-0468"), "TALOS");
    assert.equal(idKind("Anonymous-42"), "Other");
    assert.equal(idKind("rustsec-2018-0001"), "Other");
  });

  it("accepts well-formed ids, the placeholder, and free-form GHSA/other ids", () => {
    for (const id of [
      "RUSTSEC-2018-0001",
      "RUSTSEC-0000-0000",
      "CVE-2017-1000168",
      "TALOS-2017-0468",
      "GHSA-4mmc-49vf-jmcp",
      "GHSA-anything-at-all",
      "Anonymous-42",
      "RUSTSEC-2100-9999",
      "RUSTSEC-2000-0",
    ]) {
      assert.equal(validateId(id), null, id);
    }
  });

  it("rejects malformed RUSTSEC, CVE and TALOS ids with rustsec's messages", () => {
    const cases: [string, string][] = [
      ["RUSTSEC-1999-0001", "out-of-range year in advisory ID: RUSTSEC-1999-0001"],
      ["RUSTSEC-2101-0001", "out-of-range year in advisory ID: RUSTSEC-2101-0001"],
      ["RUSTSEC-20x8-0001", "malformed year in advisory ID: RUSTSEC-20x8-0001"],
      ["RUSTSEC-", "malformed year in advisory ID: RUSTSEC-"],
      ["RUSTSEC-2018", "incomplete advisory ID: RUSTSEC-2018"],
      ["RUSTSEC-2018-00a1", "malformed advisory ID: RUSTSEC-2018-00a1"],
      ["RUSTSEC-2018-0001-1", "malformed advisory ID: RUSTSEC-2018-0001-1"],
      ["RUSTSEC-2018-", "malformed advisory ID: RUSTSEC-2018-"],
      ["CVE-2018-99999999999", "malformed advisory ID: CVE-2018-99999999999"],
      ["TALOS-abcd-0001", "malformed year in advisory ID: TALOS-abcd-0001"],
    ];
    for (const [id, message] of cases) assert.equal(validateId(id), message, id);
  });

  it("idYear gives the year of dated kinds only", () => {
    assert.equal(idYear("RUSTSEC-2018-0001"), 2018);
    assert.equal(idYear("CVE-2017-1000168"), 2017);
    assert.equal(idYear("TALOS-2017-0468"), 2017);
    assert.equal(idYear("RUSTSEC-0000-0000"), null);
    assert.equal(idYear("GHSA-4mmc-49vf-jmcp"), null);
    assert.equal(idYear("RUSTSEC-1999-0001"), null);
  });
});

describe("advisory dates (date.rs tests)", () => {
  it("accepts real calendar dates in 2000..=2100", () => {
    for (const d of [
      "2000-01-01",
      "2017-01-01",
      "2099-12-31",
      "2000-02-29",
      "2004-02-29",
      "2100-12-31",
    ]) {
      assert.equal(validateDate(d), null, d);
    }
  });

  it("rejects everything else", () => {
    for (const d of [
      "derp",
      "1999-12-31",
      "02017-01-01",
      "2017-00-01",
      "2017-01-00",
      "2017-13-01",
      "2017-01-32",
      "2017-01-",
      "2017-01-01-01",
      "2017-02-29",
      "2017-04-31",
      "2021-02-30",
      "2100-02-29",
      "2101-01-01",
      "2017-1-01",
      " 2017-01-01",
      "２０１７-01-01",
    ]) {
      assert.notEqual(validateDate(d), null, d);
    }
    assert.equal(validateDate("1999-12-31"), "year must be between 2000 and 2100: 1999-12-31");
    assert.equal(validateDate("2021-02-30"), "invalid date: 2021-02-30");
  });
});

describe("affected function paths (affected.rs tests)", () => {
  it("accepts canonical paths", () => {
    for (const p of [
      "foo::bar",
      "foo::bar::baz",
      "foo::Bar::baz",
      "foo::<Bar>::baz",
      "foo::<BarA,BarB>::baz",
      "foo::Bar<Baz>::quux",
      "foo::Bar::_baz",
      "foo::Bar::_baz_",
      "f00::B4r::_b4z_",
    ]) {
      assert.equal(validateFunctionPath(p), null, p);
    }
    assert.equal(functionPathCrate("foo::bar::baz"), "foo");
  });

  it("rejects the invalid ones", () => {
    assert.match(validateFunctionPath("minimum_two_components") ?? "", /minimum two segments/);
    assert.match(validateFunctionPath("no-hyphens::foobar") ?? "", /invalid character '-'/);
    assert.match(validateFunctionPath("no_leading_digits::0rly") ?? "", /at start of ident/);
    assert.match(validateFunctionPath("foo::bar(x)") ?? "", /omit parameters/);
    assert.match(validateFunctionPath("foo::::bar") ?? "", /empty identifier/);
  });
});

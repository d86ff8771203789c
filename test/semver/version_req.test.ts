// Ported from dtolnay/semver tests/test_version_req.rs and tests/test_identifier.rs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { comparatorToString, VersionReq } from "../../src/semver/index.js";
import { assertMatchAll, assertMatchNone, req, reqErr, version } from "./helpers.js";

describe("VersionReq (test_version_req.rs)", () => {
  it("test_basic", () => {
    const r = req("1.0.0");
    assert.equal(r.toString(), "^1.0.0");
    assertMatchAll(r, ["1.0.0", "1.1.0", "1.0.1"]);
    assertMatchNone(r, ["0.9.9", "0.10.0", "0.1.0", "1.0.0-pre", "1.0.1-pre"]);
  });

  it("test_exact", () => {
    let r = req("=1.0.0");
    assert.equal(r.toString(), "=1.0.0");
    assertMatchAll(r, ["1.0.0"]);
    assertMatchNone(r, ["1.0.1", "0.9.9", "0.10.0", "0.1.0", "1.0.0-pre"]);

    r = req("=0.9.0");
    assert.equal(r.toString(), "=0.9.0");
    assertMatchAll(r, ["0.9.0"]);
    assertMatchNone(r, ["0.9.1", "1.9.0", "0.0.9", "0.9.0-pre"]);

    r = req("=0.0.2");
    assert.equal(r.toString(), "=0.0.2");
    assertMatchAll(r, ["0.0.2"]);
    assertMatchNone(r, ["0.0.1", "0.0.3", "0.0.2-pre"]);

    r = req("=0.1.0-beta2.a");
    assert.equal(r.toString(), "=0.1.0-beta2.a");
    assertMatchAll(r, ["0.1.0-beta2.a"]);
    assertMatchNone(r, ["0.9.1", "0.1.0", "0.1.1-beta2.a", "0.1.0-beta2"]);

    r = req("=0.1.0+meta");
    assert.equal(r.toString(), "=0.1.0");
    assertMatchAll(r, ["0.1.0", "0.1.0+meta", "0.1.0+any"]);
  });

  it("test_greater_than", () => {
    let r = req(">= 1.0.0");
    assert.equal(r.toString(), ">=1.0.0");
    assertMatchAll(r, ["1.0.0", "2.0.0"]);
    assertMatchNone(r, ["0.1.0", "0.0.1", "1.0.0-pre", "2.0.0-pre"]);

    r = req(">= 2.1.0-alpha2");
    assert.equal(r.toString(), ">=2.1.0-alpha2");
    assertMatchAll(r, ["2.1.0-alpha2", "2.1.0-alpha3", "2.1.0", "3.0.0"]);
    assertMatchNone(r, ["2.0.0", "2.1.0-alpha1", "2.0.0-alpha2", "3.0.0-alpha2"]);
  });

  it("test_less_than", () => {
    let r = req("< 1.0.0");
    assert.equal(r.toString(), "<1.0.0");
    assertMatchAll(r, ["0.1.0", "0.0.1"]);
    assertMatchNone(r, ["1.0.0", "1.0.0-beta", "1.0.1", "0.9.9-alpha"]);

    r = req("<= 2.1.0-alpha2");
    assertMatchAll(r, ["2.1.0-alpha2", "2.1.0-alpha1", "2.0.0", "1.0.0"]);
    assertMatchNone(r, ["2.1.0", "2.2.0-alpha1", "2.0.0-alpha2", "1.0.0-alpha2"]);

    assertMatchAll(req(">1.0.0-alpha, <1.0.0"), ["1.0.0-beta"]);
    assertMatchNone(req(">1.0.0-alpha, <1.0"), ["1.0.0-beta"]);
    assertMatchNone(req(">1.0.0-alpha, <1"), ["1.0.0-beta"]);
  });

  it("test_multiple", () => {
    let r = req("> 0.0.9, <= 2.5.3");
    assert.equal(r.toString(), ">0.0.9, <=2.5.3");
    assertMatchAll(r, ["0.0.10", "1.0.0", "2.5.3"]);
    assertMatchNone(r, ["0.0.8", "2.5.4"]);

    r = req("0.3.0, 0.4.0");
    assert.equal(r.toString(), "^0.3.0, ^0.4.0");
    assertMatchNone(r, ["0.0.8", "0.3.0", "0.4.0"]);

    r = req("<= 0.2.0, >= 0.5.0");
    assert.equal(r.toString(), "<=0.2.0, >=0.5.0");
    assertMatchNone(r, ["0.0.8", "0.3.0", "0.5.1"]);

    r = req("0.1.0, 0.1.4, 0.1.6");
    assert.equal(r.toString(), "^0.1.0, ^0.1.4, ^0.1.6");
    assertMatchAll(r, ["0.1.6", "0.1.9"]);
    assertMatchNone(r, ["0.1.0", "0.1.4", "0.2.0"]);

    assert.equal(reqErr("> 0.1.0,"), "unexpected end of input while parsing major version number");
    assert.equal(
      reqErr("> 0.3.0, ,"),
      "unexpected character ',' while parsing major version number",
    );

    r = req(">=0.5.1-alpha3, <0.6");
    assert.equal(r.toString(), ">=0.5.1-alpha3, <0.6");
    assertMatchAll(r, ["0.5.1-alpha3", "0.5.1-alpha4", "0.5.1-beta", "0.5.1", "0.5.5"]);
    assertMatchNone(r, ["0.5.1-alpha1", "0.5.2-alpha3", "0.5.5-pre", "0.5.0-pre"]);
    assertMatchNone(r, ["0.6.0", "0.6.0-pre"]);

    assert.equal(reqErr("1.2.3 - 2.3.4"), "expected comma after patch version number, found '-'");

    const many = Array.from({ length: 33 }, (_, i) => `>${i + 1}`).join(", ");
    assert.equal(reqErr(many), "excessive number of version comparators");
  });

  it("allows exactly 32 comparators", () => {
    const text = Array.from({ length: 32 }, (_, i) => `>=${i}`).join(",");
    assert.equal(req(text).comparators.length, 32);
    assert.equal(reqErr(`${text},`), "excessive number of version comparators");
  });

  it("test_whitespace_delimited_comparator_sets", () => {
    assert.equal(
      reqErr("> 0.0.9 <= 2.5.3"),
      "expected comma after patch version number, found '<'",
    );
  });

  it("whitespace: spaces around operators and commas only", () => {
    assert.equal(req("  >=  1.2.3  ,   <  2  ").toString(), ">=1.2.3, <2");
    assert.equal(req("^ 1.2").toString(), "^1.2");
    assert.equal(req(" * ").toString(), "*");
    assert.equal(
      reqErr("\t1.2.3"),
      "unexpected character '\\t' while parsing major version number",
    );
    assert.equal(reqErr("1.2.3\t"), "expected comma after patch version number, found '\\t'");
    assert.equal(reqErr("1 .2"), "expected comma after major version number, found '.'");
    assert.equal(reqErr("1. 2"), "unexpected character ' ' while parsing minor version number");
    assert.equal(reqErr("> = 1"), "unexpected character '=' while parsing major version number");
    assert.equal(reqErr("1.2.3 -pre"), "expected comma after patch version number, found '-'");
    assert.equal(reqErr(""), "unexpected end of input while parsing major version number");
    assert.equal(reqErr("   "), "unexpected end of input while parsing major version number");
    assert.equal(reqErr("1,"), "unexpected end of input while parsing major version number");
    assert.equal(reqErr(",1"), "unexpected character ',' while parsing major version number");
  });

  it("test_tilde", () => {
    let r = req("~1");
    assertMatchAll(r, ["1.0.0", "1.0.1", "1.1.1"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "0.0.9"]);

    r = req("~1.2");
    assertMatchAll(r, ["1.2.0", "1.2.1"]);
    assertMatchNone(r, ["1.1.1", "1.3.0", "0.0.9"]);

    r = req("~1.2.2");
    assertMatchAll(r, ["1.2.2", "1.2.4"]);
    assertMatchNone(r, ["1.2.1", "1.9.0", "1.0.9", "2.0.1", "0.1.3"]);

    r = req("~1.2.3-beta.2");
    assertMatchAll(r, ["1.2.3", "1.2.4", "1.2.3-beta.2", "1.2.3-beta.4"]);
    assertMatchNone(r, ["1.3.3", "1.1.4", "1.2.3-beta.1", "1.2.4-beta.2"]);
  });

  it("test_caret", () => {
    let r = req("^1");
    assertMatchAll(r, ["1.1.2", "1.1.0", "1.2.1", "1.0.1"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "0.1.4"]);
    assertMatchNone(r, ["1.0.0-beta1", "0.1.0-alpha", "1.0.1-pre"]);

    r = req("^1.1");
    assertMatchAll(r, ["1.1.2", "1.1.0", "1.2.1"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "1.0.1", "0.1.4"]);

    r = req("^1.1.2");
    assertMatchAll(r, ["1.1.2", "1.1.4", "1.2.1"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "1.1.1", "0.0.1"]);
    assertMatchNone(r, ["1.1.2-alpha1", "1.1.3-alpha1", "2.9.0-alpha1"]);

    r = req("^0.1.2");
    assertMatchAll(r, ["0.1.2", "0.1.4"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "1.1.1", "0.0.1"]);
    assertMatchNone(r, ["0.1.2-beta", "0.1.3-alpha", "0.2.0-pre"]);

    r = req("^0.5.1-alpha3");
    assertMatchAll(r, ["0.5.1-alpha3", "0.5.1-alpha4", "0.5.1-beta", "0.5.1", "0.5.5"]);
    assertMatchNone(r, ["0.5.1-alpha1", "0.5.2-alpha3", "0.5.5-pre", "0.5.0-pre", "0.6.0"]);

    r = req("^0.0.2");
    assertMatchAll(r, ["0.0.2"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "1.1.1", "0.0.1", "0.1.4"]);

    r = req("^0.0");
    assertMatchAll(r, ["0.0.2", "0.0.0"]);
    assertMatchNone(r, ["0.9.1", "2.9.0", "1.1.1", "0.1.4"]);

    r = req("^0");
    assertMatchAll(r, ["0.9.1", "0.0.2", "0.0.0"]);
    assertMatchNone(r, ["2.9.0", "1.1.1"]);

    r = req("^1.4.2-beta.5");
    assertMatchAll(r, ["1.4.2", "1.4.3", "1.4.2-beta.5", "1.4.2-beta.6", "1.4.2-c"]);
    assertMatchNone(r, ["0.9.9", "2.0.0", "1.4.2-alpha", "1.4.2-beta.4", "1.4.3-beta.5"]);
  });

  it("test_wildcard", () => {
    assert.equal(reqErr(""), "unexpected end of input while parsing major version number");

    let r = req("*");
    assertMatchAll(r, ["0.9.1", "2.9.0", "0.0.9", "1.0.1", "1.1.1"]);
    assertMatchNone(r, ["1.0.0-pre"]);
    assert.equal(r, VersionReq.STAR);
    assert.deepEqual(r.comparators, []);
    for (const s of ["x", "X"]) assert.equal(req(s), VersionReq.STAR);

    r = req("1.*");
    assertMatchAll(r, ["1.2.0", "1.2.1", "1.1.1", "1.3.0"]);
    assertMatchNone(r, ["0.0.9", "1.2.0-pre"]);
    for (const s of ["1.x", "1.X", "1.*.*"]) assert.deepEqual(req(s), r);

    r = req("1.2.*");
    assertMatchAll(r, ["1.2.0", "1.2.2", "1.2.4"]);
    assertMatchNone(r, ["1.9.0", "1.0.9", "2.0.1", "0.1.3", "1.2.2-pre"]);
    for (const s of ["1.2.x", "1.2.X"]) assert.deepEqual(req(s), r);
    assert.deepEqual(r.comparators, [{ op: "*", major: 1n, minor: 2n, patch: null, pre: "" }]);
  });

  it("test_logical_or", () => {
    assert.equal(
      reqErr("=1.2.3 || =2.3.4"),
      "expected comma after patch version number, found '|'",
    );
    assert.equal(reqErr("1.1 || =1.2.3"), "expected comma after minor version number, found '|'");
    assert.equal(
      reqErr("6.* || 8.* || >= 10.*"),
      "expected comma after minor version number, found '|'",
    );
  });

  it("test_any", () => {
    assertMatchAll(VersionReq.STAR, ["0.0.1", "0.1.0", "1.0.0"]);
    assert.equal(VersionReq.STAR.toString(), "*");
  });

  it("test_pre", () => {
    assertMatchAll(req("=2.1.1-really.0"), ["2.1.1-really.0"]);
  });

  it("test_parse", () => {
    assert.equal(reqErr("\0"), "unexpected character '\\0' while parsing major version number");
    assert.equal(
      reqErr(">= >= 0.0.2"),
      "unexpected character '>' while parsing major version number",
    );
    assert.equal(
      reqErr(">== 0.0.2"),
      "unexpected character '=' while parsing major version number",
    );
    assert.equal(reqErr("a.0.0"), "unexpected character 'a' while parsing major version number");
    assert.equal(reqErr("1.0.0-"), "empty identifier segment in pre-release identifier");
    assert.equal(reqErr(">="), "unexpected end of input while parsing major version number");
  });

  it("test_comparator_parse (through VersionReq)", () => {
    assert.equal(req("1.2.3-alpha").toString(), "^1.2.3-alpha");
    assert.equal(req("2.X").toString(), "2.*");
    assert.equal(req("2").toString(), "^2");
    assert.equal(req("2.x.x").toString(), "2.*");
    assert.equal(reqErr("1.2.3-01"), "invalid leading zero in pre-release identifier");
    assert.equal(reqErr("1.2.3+4."), "empty identifier segment in build metadata");
    assert.equal(reqErr(">"), "unexpected end of input while parsing major version number");
    assert.equal(reqErr("1."), "unexpected end of input while parsing minor version number");
    assert.equal(reqErr("1.*."), "unexpected character after wildcard in version req");
    // Comparator::from_str reports "after build metadata"; inside a VersionReq a comma is expected.
    assert.equal(reqErr("1.2.3+4ÿ"), "expected comma after build metadata, found 'ÿ'");
  });

  it("test_cargo3202", () => {
    let r = req("0.*.*");
    assert.equal(r.toString(), "0.*");
    assertMatchAll(r, ["0.5.0"]);
    r = req("0.0.*");
    assert.equal(r.toString(), "0.0.*");
  });

  it("test_digit_after_wildcard", () => {
    for (const s of ["*.1", "1.*.1", ">=1.*.1"]) {
      assert.equal(reqErr(s), "unexpected character after wildcard in version req", s);
    }
  });

  it("test_eq_hash (normalised strings)", () => {
    assert.equal(req("^1").toString(), req("^1").toString());
    assert.notEqual(req("^1").toString(), req("^2").toString());
  });

  it("test_leading_digit_in_pre_and_build", () => {
    for (const op of ["=", ">", ">=", "<", "<=", "~", "^"]) {
      for (const tail of [
        "-1a",
        "+1a",
        "-01a",
        "+01",
        "-1+1",
        "-1-1+1-1-1",
        "-1a+1a",
        "-1a-1a+1a-1a-1a",
      ]) {
        req(`${op} 1.2.3${tail}`);
      }
    }
  });

  it("test_wildcard_and_another", () => {
    const message = "wildcard req (*) must be the only comparator in the version req";
    assert.equal(reqErr("*, 0.20.0-any"), message);
    assert.equal(reqErr("0.20.0-any, *"), message);
    assert.equal(reqErr("0.20.0-any, *, 1.0"), message);
    assert.equal(
      reqErr("1.0, x"),
      "wildcard req (x) must be the only comparator in the version req",
    );
    assert.equal(
      reqErr("X , 1"),
      "wildcard req (X) must be the only comparator in the version req",
    );
    assert.equal(reqErr("*x"), "unexpected character after wildcard in version req");
    assert.equal(reqErr("1.0, x1"), "unexpected character 'x' while parsing major version number");
  });
});

describe("Comparator Display and wildcard operators", () => {
  it("drops a written-out wildcard after an explicit operator", () => {
    assert.equal(req(">=1.*").toString(), ">=1");
    assert.equal(req("~1.2.*").toString(), "~1.2");
    assert.equal(req("=1.x.x").toString(), "=1");
    assert.deepEqual(req(">=1.*").comparators, [
      { op: ">=", major: 1n, minor: null, patch: null, pre: "" },
    ]);
  });

  it("pre-release only after a full version", () => {
    assert.equal(reqErr("1.2-pre"), "expected comma after minor version number, found '-'");
    assert.equal(reqErr("1-pre"), "expected comma after major version number, found '-'");
  });

  it("comparatorToString", () => {
    assert.equal(
      comparatorToString({ op: "*", major: 3n, minor: null, patch: null, pre: "" }),
      "3.*",
    );
    assert.equal(
      comparatorToString({ op: "<=", major: 3n, minor: 1n, patch: 4n, pre: "rc.1" }),
      "<=3.1.4-rc.1",
    );
  });

  it("tryParse returns null instead of throwing", () => {
    assert.equal(VersionReq.tryParse("1 2"), null);
    assert.equal(VersionReq.tryParse(">= 1")?.toString(), ">=1");
  });
});

describe("pre-release opt-in (eval.rs)", () => {
  it("a pre-release matches only when a comparator with the same x.y.z opts in", () => {
    assertMatchAll(req(">=1.2.3-alpha, <2"), ["1.2.3-beta", "1.5.0"]);
    assertMatchNone(req(">=1.2.3-alpha, <2"), ["1.2.4-beta", "2.0.0-alpha"]);
    assertMatchAll(req("<2.0.0-beta"), ["2.0.0-alpha", "1.0.0"]);
    assertMatchNone(req("<2.0.0-beta"), ["1.9.0-alpha"]);
    assertMatchNone(req("^1.0.0"), ["1.5.0-alpha"]);
    assertMatchNone(req(">=0.0.0"), ["0.0.1-alpha"]);
    assertMatchAll(req(">=0.0.1-0"), ["0.0.1-alpha"]);
    assert.ok(req("=1.0.0").matches(version("1.0.0+build")));
  });
});

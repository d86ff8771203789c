// Ported from dtolnay/semver tests/test_version.rs and tests/test_identifier.rs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareVersions, SemverError, Version } from "../../src/semver/index.js";
import { errorOf, version, versionErr } from "./helpers.js";

const v = (major: number, minor: number, patch: number, pre = "", build = "") =>
  new Version(BigInt(major), BigInt(minor), BigInt(patch), pre, build);

function assertSame(actual: Version, expected: Version): void {
  assert.equal(actual.major, expected.major);
  assert.equal(actual.minor, expected.minor);
  assert.equal(actual.patch, expected.patch);
  assert.equal(actual.pre, expected.pre);
  assert.equal(actual.build, expected.build);
}

describe("Version.parse (test_version.rs test_parse)", () => {
  it("rejects with the crate's messages", () => {
    const cases: [string, string][] = [
      ["", "empty string, expected a semver version"],
      ["  ", "unexpected character ' ' while parsing major version number"],
      ["1", "unexpected end of input while parsing major version number"],
      ["1.2", "unexpected end of input while parsing minor version number"],
      ["1.2.3-", "empty identifier segment in pre-release identifier"],
      ["a.b.c", "unexpected character 'a' while parsing major version number"],
      ["1.2.3 abc", "unexpected character ' ' after patch version number"],
      ["1.2.3-01", "invalid leading zero in pre-release identifier"],
      ["5.1.5++", "empty identifier segment in build metadata"],
      ["07", "invalid leading zero in major version number"],
      ["75774777777757777757", "value of major version number exceeds u64::MAX"],
      ["8\0", "unexpected character '\\0' after major version number"],
    ];
    for (const [text, message] of cases) assert.equal(versionErr(text), message, text);
  });

  it("rejects further malformed versions", () => {
    const cases: [string, string][] = [
      ["v1.2.3", "unexpected character 'v' while parsing major version number"],
      [" 1.2.3", "unexpected character ' ' while parsing major version number"],
      ["1.2.3 ", "unexpected character ' ' after patch version number"],
      ["1.2.3\n", "unexpected character '\\n' after patch version number"],
      ["1.2.3\t", "unexpected character '\\t' after patch version number"],
      ["1.2.3'", "unexpected character '\\'' after patch version number"],
      ["1.2.3\\", "unexpected character '\\\\' after patch version number"],
      ['1.2.3"', "unexpected character '\"' after patch version number"],
      ["1.2.3\u007f", "unexpected character '\\u{7f}' after patch version number"],
      ["1.2.3\u00a0", "unexpected character '\\u{a0}' after patch version number"],
      ["1.2.3é", "unexpected character 'é' after patch version number"],
      ["1.2.3😀", "unexpected character '😀' after patch version number"],
      ["1.2.3-a\u0301", "unexpected character '\\u{301}' after pre-release identifier"],
      ["01.2.3", "invalid leading zero in major version number"],
      ["1.02.3", "invalid leading zero in minor version number"],
      ["1.2.03", "invalid leading zero in patch version number"],
      ["00.0.0", "invalid leading zero in major version number"],
      ["1.2", "unexpected end of input while parsing minor version number"],
      ["1.2.", "unexpected end of input while parsing patch version number"],
      ["1..3", "unexpected character '.' while parsing minor version number"],
      ["1.2.3.4", "unexpected character '.' after patch version number"],
      ["1.2.3-a..b", "empty identifier segment in pre-release identifier"],
      ["1.2.3-a.", "empty identifier segment in pre-release identifier"],
      ["1.2.3-.a", "empty identifier segment in pre-release identifier"],
      ["1.2.3+", "empty identifier segment in build metadata"],
      ["1.2.3+a..b", "empty identifier segment in build metadata"],
      ["1.2.3-a+b+c", "unexpected character '+' after build metadata"],
      ["1.2.3-a_b", "unexpected character '_' after pre-release identifier"],
      ["1.2.3-0.01", "invalid leading zero in pre-release identifier"],
      ["18446744073709551616.0.0", "value of major version number exceeds u64::MAX"],
      ["0.18446744073709551616.0", "value of minor version number exceeds u64::MAX"],
      ["0.0.99999999999999999999999", "value of patch version number exceeds u64::MAX"],
    ];
    for (const [text, message] of cases) assert.equal(versionErr(text), message, text);
  });

  it("accepts the crate's examples", () => {
    assertSame(version("1.2.3"), v(1, 2, 3));
    assertSame(version("1.2.3-alpha1"), v(1, 2, 3, "alpha1"));
    assertSame(version("1.2.3+build5"), v(1, 2, 3, "", "build5"));
    assertSame(version("1.2.3+5build"), v(1, 2, 3, "", "5build"));
    assertSame(version("1.2.3-alpha1+build5"), v(1, 2, 3, "alpha1", "build5"));
    assertSame(
      version("1.2.3-1.alpha1.9+build5.7.3aedf"),
      v(1, 2, 3, "1.alpha1.9", "build5.7.3aedf"),
    );
    assertSame(
      version("1.2.3-0a.alpha1.9+05build.7.3aedf"),
      v(1, 2, 3, "0a.alpha1.9", "05build.7.3aedf"),
    );
    assertSame(version("0.4.0-beta.1+0851523"), v(0, 4, 0, "beta.1", "0851523"));
    assertSame(version("1.1.0-beta-10"), v(1, 1, 0, "beta-10"));
  });

  it("accepts the u64 limits, leading-zero builds and zero pre-release numbers", () => {
    const max = version("18446744073709551615.18446744073709551615.18446744073709551615");
    assert.equal(max.major, 2n ** 64n - 1n);
    assert.equal(max.patch, 2n ** 64n - 1n);
    assert.equal(version("1.2.3-0.0a.00a+001.0").toString(), "1.2.3-0.0a.00a+001.0");
    assert.equal(version("0.0.0-99999999999999999999999").pre, "99999999999999999999999");
  });

  it("tryParse returns null instead of throwing", () => {
    assert.equal(Version.tryParse("1.2"), null);
    assert.equal(Version.tryParse("1.2.3")?.toString(), "1.2.3");
  });
});

describe("Version equality and ordering (test_version.rs)", () => {
  it("test_eq / test_ne: the crate's Eq includes build, precedence does not", () => {
    for (const s of ["1.2.3", "1.2.3-alpha1", "1.2.3+build.42", "1.2.3-alpha1+42"]) {
      assert.equal(version(s).compareWithBuild(version(s)), 0);
      assert.ok(version(s).equals(version(s)));
    }
    assert.notEqual(version("0.0.0").compare(version("0.0.1")), 0);
    assert.notEqual(version("0.0.0").compare(version("0.1.0")), 0);
    assert.notEqual(version("0.0.0").compare(version("1.0.0")), 0);
    assert.notEqual(version("1.2.3-alpha").compare(version("1.2.3-beta")), 0);
    assert.notEqual(version("1.2.3+23").compareWithBuild(version("1.2.3+42")), 0);
    assert.ok(version("1.2.3+23").equals(version("1.2.3+42")));
  });

  it("test_display", () => {
    for (const s of ["1.2.3", "1.2.3-alpha1", "1.2.3+build.42", "1.2.3-alpha1+42"]) {
      assert.equal(version(s).toString(), s);
    }
  });

  const lt = (a: string, b: string) => version(a).compareWithBuild(version(b)) < 0;
  const le = (a: string, b: string) => version(a).compareWithBuild(version(b)) <= 0;

  it("test_lt / test_le / test_gt / test_ge", () => {
    assert.ok(lt("0.0.0", "1.2.3-alpha2"));
    assert.ok(lt("1.0.0", "1.2.3-alpha2"));
    assert.ok(lt("1.2.0", "1.2.3-alpha2"));
    assert.ok(lt("1.2.3-alpha1", "1.2.3"));
    assert.ok(lt("1.2.3-alpha1", "1.2.3-alpha2"));
    assert.ok(!lt("1.2.3-alpha2", "1.2.3-alpha2"));
    assert.ok(lt("1.2.3+23", "1.2.3+42"));
    assert.ok(le("1.2.3-alpha2", "1.2.3-alpha2"));
    assert.ok(le("1.2.3+23", "1.2.3+42"));
    assert.ok(lt("1.2.3-alpha2", "1.2.3"));
    assert.ok(!lt("1.2.3+42", "1.2.3+23"));
    // Precedence alone ignores build metadata.
    assert.equal(version("1.2.3+23").compare(version("1.2.3+42")), 0);
    assert.equal(compareVersions(version("1.2.3+23"), version("1.2.3+42")), 0);
  });

  it("test_spec_order", () => {
    const vs = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
    ];
    for (let i = 1; i < vs.length; i++) {
      const a = vs[i - 1] as string;
      const b = vs[i] as string;
      assert.equal(version(a).compare(version(b)), -1, `${a} < ${b}`);
      assert.equal(version(b).compare(version(a)), 1, `${b} > ${a}`);
    }
  });

  it("orders pre-release numbers numerically without a size limit, and before text", () => {
    assert.equal(version("1.0.0-99").compare(version("1.0.0-100")), -1);
    assert.equal(
      version("1.0.0-99999999999999999999").compare(version("1.0.0-100000000000000000000")),
      -1,
    );
    assert.equal(version("1.0.0-999").compare(version("1.0.0-a")), -1);
    assert.equal(version("1.0.0-a").compare(version("1.0.0-B")), 1); // ASCII: 'B' < 'a'
    assert.equal(version("1.0.0-a-").compare(version("1.0.0-a")), 1);
    assert.equal(version("1.0.0-1a").compare(version("1.0.0-9")), 1);
  });

  it("orders build metadata as the crate's Ord does: 0 < 00 < 1 < 01 < 001 < 2 < 10 < a", () => {
    const builds = ["", "0", "00", "1", "01", "001", "2", "02", "002", "10", "a", "a.0", "b"];
    for (let i = 1; i < builds.length; i++) {
      const a = version(`1.0.0${builds[i - 1] ? `+${builds[i - 1]}` : ""}`);
      const b = version(`1.0.0+${builds[i]}`);
      assert.equal(a.compareWithBuild(b), -1, `${a} < ${b}`);
      assert.equal(b.compareWithBuild(a), 1, `${b} > ${a}`);
      assert.equal(a.compare(b), 0);
    }
  });

  it("isPrerelease", () => {
    assert.ok(version("1.0.0-0").isPrerelease());
    assert.ok(!version("1.0.0+0").isPrerelease());
  });
});

describe("new Version (Prerelease::new / BuildMetadata::new, test_identifier.rs)", () => {
  it("accepts long numeric identifiers", () => {
    let s = "";
    for (let i = 0; i < 280; i++) {
      assert.equal(v(0, 0, 0, s).pre, s);
      s += "1";
    }
    const long = s.repeat(20000);
    assert.equal(v(0, 0, 0, long).pre.length, long.length);
  });

  it("rejects invalid identifiers with the crate's messages", () => {
    assert.equal(
      errorOf(() => v(1, 0, 0, "1.b\0")),
      "unexpected character in pre-release identifier",
    );
    assert.equal(
      errorOf(() => v(1, 0, 0, "01")),
      "invalid leading zero in pre-release identifier",
    );
    assert.equal(
      errorOf(() => v(1, 0, 0, "a..b")),
      "empty identifier segment in pre-release identifier",
    );
    assert.equal(
      errorOf(() => v(1, 0, 0, "", "a+b")),
      "unexpected character in build metadata",
    );
    assert.equal(
      errorOf(() => v(1, 0, 0, "", ".")),
      "empty identifier segment in build metadata",
    );
    assert.equal(v(1, 0, 0, "", "001").build, "001");
  });

  it("rejects numbers outside u64", () => {
    assert.throws(() => new Version(-1n, 0n, 0n), SemverError);
    assert.throws(() => new Version(0n, 2n ** 64n, 0n), SemverError);
    assert.throws(() => new Version(0n, 0n, 1 as unknown as bigint), SemverError);
  });
});

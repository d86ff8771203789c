import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  crateNameProblem,
  cratePatternMatches,
  parseCratePattern,
  parseCratePatterns,
  parseEndpointScopes,
  parseExpiry,
  requiredEndpointScope,
} from "../../../src/registry/tokens/index.js";

describe("crate patterns (crates.io CrateScope)", () => {
  it("validates like crates.io", () => {
    const valid = [
      "foo",
      "foo*",
      "f*",
      "*",
      "foo-bar",
      "foo_bar",
      "FooBar",
      "foo-*",
      "a",
      "x".repeat(64),
      `${"x".repeat(64)}*`,
    ];
    const invalid = [
      "",
      "te*st",
      "**",
      "*foo",
      "foo**",
      "test#",
      "1foo",
      "-foo*",
      "_*",
      "foo bar",
      "é*",
      "x".repeat(65),
      "foo*bar*",
    ];
    for (const p of valid) assert.ok(parseCratePattern(p).ok, p);
    for (const p of invalid) {
      const r = parseCratePattern(p);
      assert.equal(r.ok, false, p);
      if (!r.ok) assert.match(r.reason, /^Invalid crate scope pattern/);
    }
  });

  it("matches like crates.io: exact, prefix, any; case- and -/_-sensitive", () => {
    const m = (pattern: string, name: string) => {
      const p = parseCratePattern(pattern);
      assert.ok(p.ok);
      return cratePatternMatches(p.value, name);
    };
    // crates.io's own crate_scope_matching test table.
    assert.ok(m("foo", "foo"));
    assert.ok(!m("foo", "bar"));
    assert.ok(!m("foo", "fo"));
    assert.ok(!m("foo", "fooo"));
    assert.ok(m("foo*", "foo"));
    assert.ok(!m("foo*", "bar"));
    assert.ok(m("foo*", "foo-bar"));
    assert.ok(m("foo*", "foo_bar"));
    assert.ok(m("f*", "foo"));
    assert.ok(m("*", "foo"));
    assert.ok(!m("foo", "foo-bar"));
    assert.ok(!m("foo", "foo_bar"));
    assert.ok(m("foo-bar", "foo-bar"));
    assert.ok(!m("foo-bar", "foo_bar"));
    assert.ok(!m("foo_bar", "foo-bar"));
    assert.ok(m("foo_bar", "foo_bar"));
    assert.ok(m("foo-*", "foo-bar"));
    assert.ok(!m("foo-*", "foo_bar"));
    assert.ok(!m("foo_*", "foo-bar"));
    assert.ok(m("foo_*", "foo_bar"));
    // Case.
    assert.ok(!m("Foo", "foo"));
    assert.ok(!m("foo*", "Foo"));
  });

  it("parses comma-separated lists, deduplicated", () => {
    const r = parseCratePatterns("serde*, tokio,serde*,");
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((p) => p.pattern),
      ["serde*", "tokio"],
    );
    assert.equal(parseCratePatterns("").ok, false);
    assert.equal(parseCratePatterns("ok,te*st").ok, false);
    assert.equal(parseCratePatterns(["a", "b*"]).ok, true);
  });

  it("checks crate names like crates.io's valid_name", () => {
    assert.equal(crateNameProblem("serde_json"), undefined);
    assert.match(crateNameProblem("") ?? "", /empty/);
    assert.match(crateNameProblem("9lives") ?? "", /first character/);
    assert.match(crateNameProblem("a.b") ?? "", /invalid character `\.`/);
    assert.match(crateNameProblem("x".repeat(65)) ?? "", /too long/);
  });
});

describe("endpoint scopes", () => {
  it("parses and orders the four scopes, refusing others", () => {
    const r = parseEndpointScopes("yank,publish-new, yank");
    assert.ok(r.ok);
    assert.deepEqual(r.value, ["publish-new", "yank"]);
    const bad = parseEndpointScopes("publish,yank");
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.reason, /Unknown endpoint scope `publish`/);
    assert.equal(parseEndpointScopes(" , ").ok, false);
    assert.equal(parseEndpointScopes("trusted-publishing").ok, false);
  });

  it("maps each action to crates.io's endpoint scope", () => {
    assert.equal(requiredEndpointScope("publish-new"), "publish-new");
    assert.equal(requiredEndpointScope("publish-update"), "publish-update");
    assert.equal(requiredEndpointScope("yank"), "yank");
    assert.equal(requiredEndpointScope("unyank"), "yank");
    assert.equal(requiredEndpointScope("change-owners"), "change-owners");
    assert.equal(requiredEndpointScope("manage-trusted-publishing"), undefined);
  });
});

describe("parseExpiry", () => {
  const now = new Date("2026-09-01T12:00:00Z");
  const ok = (text: string): Date | null => {
    const r = parseExpiry(text, now);
    assert.ok(r.ok, `${text}: ${r.ok ? "" : r.reason}`);
    return r.value;
  };
  const refused = (text: string, why: RegExp) => {
    const r = parseExpiry(text, now);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.reason, why);
  };

  it("accepts never, durations, dates and instants", () => {
    assert.equal(ok("never"), null);
    assert.equal(ok("None"), null);
    assert.equal(ok("90d")?.toISOString(), "2026-11-30T12:00:00.000Z");
    assert.equal(ok("12h")?.toISOString(), "2026-09-02T00:00:00.000Z");
    assert.equal(ok("2w")?.toISOString(), "2026-09-15T12:00:00.000Z");
    assert.equal(ok("1D")?.toISOString(), "2026-09-02T12:00:00.000Z");
    assert.equal(ok("2027-01-01")?.toISOString(), "2027-01-01T00:00:00.000Z");
    assert.equal(ok("2026-09-02")?.toISOString(), "2026-09-02T00:00:00.000Z");
    assert.equal(ok("2026-12-24T18:30:00+01:00")?.toISOString(), "2026-12-24T17:30:00.000Z");
    assert.equal(ok("2026-12-24T18:30Z")?.toISOString(), "2026-12-24T18:30:00.000Z");
  });

  it("refuses the past, zero, nonsense dates, far futures and other shapes", () => {
    refused("2026-09-01", /not in the future/);
    refused("2020-01-01", /not in the future/);
    refused("0d", /positive/);
    refused("2027-02-30", /invalid date/);
    refused("2027-13-01", /invalid date/);
    refused("2026-12-24T25:00:00Z", /invalid date-time/);
    refused("2026-12-24T18:30:00", /expected/); // offset required
    refused("9000d", /more than 3660 days/);
    refused("90", /expected/);
    refused("90 days", /expected/);
    refused("-5d", /expected/);
    refused("", /expected/);
  });
});

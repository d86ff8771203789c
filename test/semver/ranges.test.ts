// Ported from rustsec/rustsec rustsec/src/osv/unaffected_range.rs and ranges_for_advisory.rs,
// plus the examples of specs/rustsec.md §2.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AffectedRange,
  affectedRanges,
  type Bound,
  formatUnaffectedRange,
  increment,
  isAffected,
  rangesOverlap,
  SemverError,
  type UnaffectedRange,
  unaffectedRange,
  VersionRangeError,
} from "../../src/semver/index.js";
import { errorOf, req, version } from "./helpers.js";

const unbounded: Bound = { kind: "unbounded" };
const inc = (v: string): Bound => ({ kind: "inclusive", version: version(v) });
const exc = (v: string): Bound => ({ kind: "exclusive", version: version(v) });
const range = (start: Bound, end: Bound): UnaffectedRange => ({ start, end });

function assertRange(text: string, expected: UnaffectedRange): void {
  assert.equal(
    formatUnaffectedRange(unaffectedRange(req(text))),
    formatUnaffectedRange(expected),
    text,
  );
}

const show = (ranges: readonly AffectedRange[]): string[] =>
  ranges.map((r) => `[${r.introduced ?? "0.0.0-0"}, ${r.fixed ?? "∞"})`);

const affected = (patched: string[], unaffected: string[] = []): AffectedRange[] =>
  affectedRanges(patched.map(req), unaffected.map(req));

function rangeErr(patched: string[], unaffected: string[] = []): VersionRangeError {
  try {
    affected(patched, unaffected);
  } catch (e) {
    assert.ok(e instanceof VersionRangeError, `expected a VersionRangeError, got ${String(e)}`);
    assert.ok(e instanceof SemverError);
    return e;
  }
  assert.fail("expected a VersionRangeError");
}

describe("rangesOverlap (unaffected_range.rs)", () => {
  const both = (a: UnaffectedRange, b: UnaffectedRange, expected: boolean) => {
    assert.equal(rangesOverlap(a, b), expected);
    assert.equal(rangesOverlap(b, a), expected);
  };

  it("both_unbounded", () => both(range(unbounded, unbounded), range(unbounded, unbounded), true));
  it("barely_not_overlapping", () =>
    both(range(inc("1.2.3"), unbounded), range(unbounded, exc("1.2.3")), false));
  it("barely_overlapping", () =>
    both(range(inc("1.2.3"), unbounded), range(unbounded, inc("1.2.3")), true));
  it("clearly_not_overlapping", () =>
    both(range(inc("0.1.0"), inc("0.3.0")), range(inc("1.1.0"), inc("1.3.0")), false));
  it("clearly_overlapping", () =>
    both(range(inc("0.1.0"), inc("1.1.0")), range(inc("0.2.0"), inc("1.3.0")), true));
  it("exclusive meets exclusive", () =>
    both(range(unbounded, exc("1.0.0")), range(exc("1.0.0"), unbounded), false));
});

describe("unaffectedRange (unaffected_range.rs)", () => {
  it("exact_requirement_10", () => assertRange("=1.0", range(inc("1.0.0"), inc("1.0.0"))));
  it("caret_requirement_123", () => assertRange("^1.2.3", range(inc("1.2.3"), exc("2.0.0-0"))));
  it("caret_requirement_12", () => assertRange("^1.2", range(inc("1.2.0"), exc("2.0.0-0"))));
  it("caret_requirement_1", () => assertRange("^1", range(inc("1.0.0"), exc("2.0.0-0"))));
  it("caret_requirement_023", () => assertRange("^0.2.3", range(inc("0.2.3"), exc("0.3.0-0"))));
  it("caret_requirement_02", () => assertRange("^0.2", range(inc("0.2.0"), exc("0.3.0-0"))));
  it("caret_requirement_003", () => assertRange("^0.0.3", range(inc("0.0.3"), exc("0.0.4-0"))));
  it("caret_requirement_00", () => assertRange("^0.0", range(inc("0.0.0"), exc("0.1.0-0"))));
  it("caret_requirement_0", () => assertRange("^0", range(inc("0.0.0"), exc("1.0.0-0"))));
  it("tilde_requirement_123", () => assertRange("~1.2.3", range(inc("1.2.3"), exc("1.3.0-0"))));
  it("tilde_requirement_12", () => assertRange("~1.2", range(inc("1.2.0"), exc("1.3.0-0"))));
  it("tilde_requirement_1", () => assertRange("~1", range(inc("1.0.0"), exc("2.0.0-0"))));

  it("bare versions are carets, pre-releases are kept, build metadata dropped", () => {
    assertRange("1.2.3", range(inc("1.2.3"), exc("2.0.0-0")));
    assertRange("^1.2.3-rc.1", range(inc("1.2.3-rc.1"), exc("2.0.0-0")));
    assertRange("=1.2.3+meta", range(inc("1.2.3"), inc("1.2.3")));
  });

  it("one-sided and two-sided comparisons", () => {
    assertRange(">= 1.2.3", range(inc("1.2.3"), unbounded));
    assertRange("> 1.2.3", range(exc("1.2.3"), unbounded));
    assertRange("< 1.2.3", range(unbounded, exc("1.2.3")));
    assertRange("<= 1.2.3", range(unbounded, inc("1.2.3")));
    assertRange(">= 1.2.3, < 1.5", range(inc("1.2.3"), exc("1.5.0")));
    assertRange("< 1.5, > 1.2", range(exc("1.2.0"), exc("1.5.0")));
    assertRange("*", range(unbounded, unbounded));
    assertRange(">= 1.0.0, <= 1.0.0", range(inc("1.0.0"), inc("1.0.0")));
  });

  it("formats ranges like rustsec's Display", () => {
    assert.equal(formatUnaffectedRange(range(unbounded, unbounded)), "[0, ∞)");
    assert.equal(formatUnaffectedRange(range(exc("1.0.0"), inc("2.0.0"))), "(1.0.0, 2.0.0]");
  });

  it("rejects what rustsec rejects, naming the requirement", () => {
    const err = (text: string) => errorOf(() => unaffectedRange(req(text)));
    assert.equal(err("1.*"), "Unsupported operator in version specification: '1.*' in 1.*");
    assert.equal(err("1.2.x"), "Unsupported operator in version specification: '1.2.*' in 1.2.*");
    assert.equal(
      err(">= 1, < 2, < 3"),
      "Too many comparators in version specification: >=1, <2, <3",
    );
    assert.equal(err(">= 1, > 2"), "More than one lower bound in the same range: >=1, >2");
    assert.equal(err("< 1, <= 2"), "More than one upper bound in the same range: <1, <=2");
    assert.equal(
      err("=1.0, <2"),
      "Selectors that define an exact version (e.g. '=1.0') must be alone in their range: =1.0, <2",
    );
    assert.equal(
      err(">=0.1, ^1.0"),
      "Selectors that define both the upper and lower bound (e.g. '^1.0') must be alone in their range: >=0.1, ^1.0",
    );
    assert.equal(
      err("~1.0, <2"),
      "Selectors that define both the upper and lower bound (e.g. '~1.0') must be alone in their range: ~1.0, <2",
    );
    assert.equal(
      err(">2, <1"),
      "Invalid range: start must be <= end; if equal, both bounds must be inclusive: >2, <1",
    );
    assert.equal(
      err(">=1.0.0, <1.0.0"),
      "Invalid range: start must be <= end; if equal, both bounds must be inclusive: >=1.0.0, <1.0.0",
    );
    assert.throws(() => unaffectedRange(req("^18446744073709551615")), VersionRangeError);
    const e = (() => {
      try {
        unaffectedRange(req(">= 1, > 2"));
      } catch (x) {
        return x as VersionRangeError;
      }
    })();
    assert.deepEqual(e?.requirements, [">=1, >2"]);
  });
});

describe("affectedRanges (ranges_for_advisory.rs, specs §2)", () => {
  it("RUSTSEC-2018-0003", () => {
    const ranges = affected([">= 0.6.3", "^0.3.4", "^0.4.5", "^0.5.1"], ["< 0.3.2"]);
    assert.deepEqual(show(ranges), [
      "[0.3.2, 0.3.4)",
      "[0.4.0-0, 0.4.5)",
      "[0.5.0-0, 0.5.1)",
      "[0.6.0-0, 0.6.3)",
    ]);
    const yes = ["0.3.2", "0.3.3", "0.4.0", "0.4.0-alpha", "0.4.4", "0.5.0", "0.6.2", "0.6.3-rc.1"];
    const no = ["0.3.1", "0.3.4", "0.3.9", "0.4.5", "0.5.1", "0.6.3", "1.0.0", "0.3.2-alpha"];
    for (const v of yes) assert.ok(isAffected(ranges, version(v)), v);
    for (const v of no) assert.ok(!isAffected(ranges, version(v)), v);
  });

  it("patched = [] gives one fully open range", () => {
    const ranges = affected([]);
    assert.deepEqual(ranges, [{ introduced: null, fixed: null }]);
    assert.ok(isAffected(ranges, version("0.0.0-0")));
    assert.ok(isAffected(ranges, version("99.0.0")));
  });

  it("a single patched lower bound", () => {
    assert.deepEqual(show(affected([">= 0.9.1"])), ["[0.0.0-0, 0.9.1)"]);
    assert.deepEqual(show(affected(["> 0.9.1"])), ["[0.0.0-0, 0.9.2-0)"]);
  });

  it("unaffected upper bounds become introduced", () => {
    assert.deepEqual(show(affected([], ["< 1.0.0"])), ["[1.0.0, ∞)"]);
    assert.deepEqual(show(affected([], ["<= 1.0.0"])), ["[1.0.1-0, ∞)"]);
    assert.deepEqual(show(affected([], ["<= 1.0.0-rc.1"])), ["[1.0.0-rc.1.0, ∞)"]);
    assert.deepEqual(show(affected([">= 2"], ["< 1.0.0"])), ["[1.0.0, 2.0.0)"]);
  });

  it("sorts the ranges whatever the order of the requirements", () => {
    assert.deepEqual(show(affected(["^2.1", "^1.5", ">= 3"])), [
      "[0.0.0-0, 1.5.0)",
      "[2.0.0-0, 2.1.0)",
      "[3.0.0-0, 3.0.0)",
    ]);
  });

  it("`*` leaves nothing affected", () => {
    assert.deepEqual(affected(["*"]), []);
  });

  it("adjacent ranges leave an empty gap, as in rustsec", () => {
    assert.deepEqual(show(affected([">= 1.0.0"], ["< 1.0.0"])), ["[1.0.0, 1.0.0)"]);
    assert.ok(!isAffected(affected([">= 1.0.0"], ["< 1.0.0"]), version("1.0.0")));
  });

  it("rejects overlapping ranges, naming both requirements", () => {
    const e = rangeErr([">= 1.0.0", "^1.5"]);
    assert.equal(
      e.message,
      'Overlapping version ranges: [1.0.0, ∞) and [1.5.0, 2.0.0-0) (from ">=1.0.0" and "^1.5")',
    );
    assert.deepEqual(e.requirements, [">=1.0.0", "^1.5"]);
    // `unaffected` is checked first, as rustsec lists it first.
    assert.deepEqual(rangeErr(["^1.2"], ["< 1.3"]).requirements, ["<1.3", "^1.2"]);
    rangeErr([">= 1.2.3"], ["<= 1.2.3"]);
    rangeErr(["*"], ["< 1.0.0"]);
  });

  it("rejects =v beside >v (rustsec panics)", () => {
    assert.match(rangeErr(["> 1.0.0", "= 1.0.0"]).message, /same version/);
  });

  it("rejects requirements that cannot be ranges", () => {
    rangeErr(["1.*"]);
    rangeErr(["^1.0"], ["1.x"]);
    rangeErr([">= 1, >= 2"]);
  });
});

describe("§2 differences from Cargo matching (documented)", () => {
  const unaffectedContains = (text: string, v: string) => !isAffected(affected([text]), version(v));

  it(">1.2 is zero-filled to >1.2.0, so 1.2.1 counts", () => {
    assert.ok(unaffectedContains(">1.2", "1.2.1"));
    assert.ok(!req(">1.2").matches(version("1.2.1")));
    assert.ok(req(">1.2").matches(version("1.3.0")));
  });

  it("<=1.2 is <=1.2.0, while Cargo includes 1.2.x", () => {
    assert.ok(!unaffectedContains("<=1.2", "1.2.5"));
    assert.ok(req("<=1.2").matches(version("1.2.5")));
    assert.ok(unaffectedContains("<=1.2", "1.2.0"));
  });

  it("=1.0 is exactly 1.0.0, while Cargo includes 1.0.x", () => {
    assert.ok(!unaffectedContains("=1.0", "1.0.3"));
    assert.ok(req("=1.0").matches(version("1.0.3")));
    assert.ok(unaffectedContains("=1.0", "1.0.0"));
  });

  it("pre-releases compare by precedence, with no opt-in", () => {
    // Cargo: a pre-release only matches when the requirement names its x.y.z with a pre-release.
    assert.ok(!req(">=1.0.0").matches(version("1.5.0-alpha")));
    assert.ok(unaffectedContains(">=1.0.0", "1.5.0-alpha"));
    // `^1.2.3` ends at 2.0.0-0, so 2.0.0-alpha is affected.
    assert.ok(!unaffectedContains("^1.2.3", "2.0.0-alpha"));
    assert.ok(unaffectedContains("^1.2.3", "1.9.0-beta"));
    assert.ok(!req("^1.2.3").matches(version("1.9.0-beta")));
  });

  it("Cargo's partial comparators never match pre-releases inside their x.y, even opted in", () => {
    // `>=2` checks `pre == ""` once major is equal and minor is not written (eval.rs).
    const r = req(">=2, <2.3.1-Z0");
    assert.ok(!r.matches(version("2.3.1-0")));
    assert.ok(unaffectedContains(">=2, <2.3.1-Z0", "2.3.1-0"));
    const s = req(">=1.2.0-a, <1.2");
    assert.ok(!s.matches(version("1.2.0-b")));
    assert.ok(unaffectedContains(">=1.2.0-a, <1.2", "1.2.0-b"));
  });
});

describe("increment (ranges_for_advisory.rs)", () => {
  const check = (input: string, expected: string) => {
    const out = increment(version(input));
    assert.equal(out.toString(), expected);
    assert.equal(out.compare(version(input)), 1);
  };

  it("increment_simple", () => check("1.2.3", "1.2.4-0"));
  it("increment_prerelease_numeric", () => {
    check("1.2.3-9", "1.2.3-9.0");
    assert.equal(increment(version("1.2.3-9")).compare(version("1.2.3-10")), -1);
    assert.equal(increment(version("1.2.3-9")).compare(version("1.2.3-9.0.0.0")), -1);
  });
  it("increment_prerelease_numeric_multipart", () => {
    check("1.2.3-4.5.6", "1.2.3-4.5.6.0");
    assert.equal(increment(version("1.2.3-4.5.6")).compare(version("1.2.3-4.5.7")), -1);
  });
  it("increment_prerelease_alphanumeric", () => {
    check("1.2.3-alpha1", "1.2.3-alpha1.0");
    assert.equal(increment(version("1.2.3-alpha1")).compare(version("1.2.3-alpha2")), -1);
    assert.equal(increment(version("1.2.3-alpha1")).compare(version("1.2.3-alpha1-")), -1);
  });
  it("increment_prerelease_textual_multipart", () =>
    check("1.2.3-alpha.1.foo", "1.2.3-alpha.1.foo.0"));
  it("drops build metadata", () => {
    check("1.2.3+build", "1.2.4-0");
    check("1.2.3-a+build", "1.2.3-a.0");
  });
  it("carries where patch + 1 would overflow u64", () => {
    const max = "18446744073709551615";
    check(`1.2.${max}`, "1.3.0-0");
    check(`1.${max}.${max}`, "2.0.0-0");
    assert.throws(() => increment(version(`${max}.${max}.${max}`)), VersionRangeError);
  });
});

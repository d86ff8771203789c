import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  affectedRanges,
  increment,
  isAffected,
  SemverError,
  type UnaffectedRange,
  unaffectedRange,
  Version,
  VersionRangeError,
  VersionReq,
} from "../../src/semver/index.js";

const U64_MAX = 2n ** 64n - 1n;

// Small numbers collide often, which is where ordering bugs hide; big ones probe the u64 edge.
const num = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 0n, max: 3n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: U64_MAX }) },
  { weight: 1, arbitrary: fc.constant(U64_MAX) },
);
const identChars = fc.constantFrom(..."019aAzZ-");
const rawIdent = fc.oneof(
  fc.string({ unit: identChars, minLength: 1, maxLength: 4 }),
  fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
);
const preIdent = rawIdent.map((s) => (/^0\d+$/.test(s) ? s.replace(/^0+/, "") || "0" : s));
const dotted = (ident: fc.Arbitrary<string>) =>
  fc.array(ident, { maxLength: 3 }).map((parts) => parts.join("."));
const pre = dotted(preIdent);
const build = dotted(rawIdent);
const versionArb = fc
  .tuple(num, num, num, pre, build)
  .map(([a, b, c, p, m]) => new Version(a, b, c, p, m));

/** A literal port of the crate's `Ord for Prerelease`, splitting strings, as an oracle. */
function oraclePre(a: string, b: string): number {
  if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
  const l = a.split(".");
  const r = b.split(".");
  for (let i = 0; i < l.length; i++) {
    const x = l[i] as string;
    const y = r[i];
    if (y === undefined) return 1;
    const xn = /^\d*$/.test(x);
    const yn = /^\d*$/.test(y);
    if (xn && !yn) return -1;
    if (!xn && yn) return 1;
    const order = xn && x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return l.length === r.length ? 0 : -1;
}

function oracleCompare(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return oraclePre(a.pre, b.pre);
}

describe("Version properties", () => {
  it("precedence is a total order that ignores build metadata", () => {
    fc.assert(
      fc.property(versionArb, versionArb, versionArb, build, (a, b, c, otherBuild) => {
        assert.equal(a.compare(a), 0);
        assert.equal(a.compare(b), -b.compare(a) || 0);
        if (a.compare(b) <= 0 && b.compare(c) <= 0) assert.ok(a.compare(c) <= 0);
        if (a.compare(b) === 0 && b.compare(c) === 0) assert.equal(a.compare(c), 0);
        const rebuilt = new Version(a.major, a.minor, a.patch, a.pre, otherBuild);
        assert.equal(a.compare(rebuilt), 0);
        assert.ok(a.equals(rebuilt));
        assert.equal(a.compare(b), Math.sign(oracleCompare(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it("compareWithBuild is a total order refining precedence", () => {
    fc.assert(
      fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
        assert.equal(a.compareWithBuild(b), -b.compareWithBuild(a) || 0);
        if (a.compare(b) !== 0) assert.equal(a.compareWithBuild(b), a.compare(b));
        if (a.compareWithBuild(b) <= 0 && b.compareWithBuild(c) <= 0) {
          assert.ok(a.compareWithBuild(c) <= 0);
        }
        if (a.compareWithBuild(b) === 0) assert.equal(a.toString(), b.toString());
      }),
      { numRuns: 2000 },
    );
  });

  it("parse(toString()) round-trips", () => {
    fc.assert(
      fc.property(versionArb, (v) => {
        const back = Version.parse(v.toString());
        assert.deepEqual(
          [back.major, back.minor, back.patch, back.pre, back.build],
          [v.major, v.minor, v.patch, v.pre, v.build],
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("increment(v) is the smallest version above v", () => {
    const tinyNum = fc.bigInt({ min: 0n, max: 2n });
    const tinyPre = dotted(fc.constantFrom("0", "1", "2", "a", "b", "0a", "-"));
    const tiny = fc
      .tuple(tinyNum, tinyNum, tinyNum, tinyPre, fc.constantFrom("", "b", "0"))
      .map(([a, b, c, p, m]) => new Version(a, b, c, p, m));
    fc.assert(
      fc.property(tiny, tiny, (v, w) => {
        const next = increment(v);
        assert.equal(next.compare(v), 1);
        assert.equal(next.build, "");
        if (w.compare(v) > 0) assert.ok(w.compare(next) >= 0, `${w} > ${v} but < ${next}`);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(versionArb, (v) => {
        if (v.major === U64_MAX && v.minor === U64_MAX && v.patch === U64_MAX && v.pre === "") {
          return;
        }
        assert.equal(increment(v).compare(v), 1);
      }),
    );
  });
});

// Requirement text from pieces, with the optional spaces the grammar allows.
const space = fc.constantFrom("", " ", "  ");
const small = fc.bigInt({ min: 0n, max: 3n });
const fullVersion = fc
  .tuple(small, small, small, fc.option(preIdent, { nil: undefined }))
  .map(([a, b, c, p]) => `${a}.${b}.${c}${p === undefined ? "" : `-${p}`}`);
const partialVersion = fc.oneof(
  small.map(String),
  fc.tuple(small, small).map(([a, b]) => `${a}.${b}`),
);
const anyVersion = fc.oneof(fullVersion, partialVersion);
const wildcard = fc.constantFrom("*", "x", "X");
const comparatorText = fc.oneof(
  fc
    .tuple(fc.constantFrom("", "=", ">", ">=", "<", "<=", "~", "^"), space, anyVersion)
    .map(([op, s, v]) => `${op}${s}${v}`),
  fc.tuple(small, wildcard).map(([a, w]) => `${a}.${w}`),
  fc.tuple(small, small, wildcard).map(([a, b, w]) => `${a}.${b}.${w}`),
);
const reqText = fc.oneof(
  fc
    .tuple(space, fc.array(fc.tuple(comparatorText, space, space), { minLength: 1, maxLength: 4 }))
    .map(
      ([lead, parts]) =>
        lead + parts.map(([c, s1, s2], i) => `${i > 0 ? `,${s2}` : ""}${c}${s1}`).join(""),
    ),
  wildcard,
);

function assertOnlySemverErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SemverError, `threw ${String(e)}`);
  }
}

const mutationChars = fc.constantFrom(
  ..."0123456789.-+ *xX,<>=~^|aZ_\0\t",
  "é",
  "😀",
  "\u0301",
  "\ud800",
);
const mutation = fc.tuple(fc.nat(), fc.constantFrom("insert", "delete", "replace"), mutationChars);
function mutate(text: string, edits: [number, string, string][]): string {
  let s = text;
  for (const [at, kind, ch] of edits) {
    const i = s.length === 0 ? 0 : at % (s.length + 1);
    if (kind === "insert") s = s.slice(0, i) + ch + s.slice(i);
    else if (kind === "delete") s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + ch + s.slice(i + 1);
  }
  return s;
}

describe("VersionReq properties", () => {
  it("parse(toString()) is stable", () => {
    fc.assert(
      fc.property(reqText, (text) => {
        let r: VersionReq;
        try {
          r = VersionReq.parse(text);
        } catch (e) {
          // Only a wildcard beside another comparator is invalid in this grammar.
          assert.ok(e instanceof SemverError);
          assert.match(e.message, /wildcard req/);
          return;
        }
        const normal = r.toString();
        assert.equal(VersionReq.parse(normal).toString(), normal);
        assert.deepEqual(VersionReq.parse(normal).comparators, r.comparators);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("fuzzing: parsers throw nothing but SemverError", () => {
  const strings = fc.oneof(
    fc.string({ unit: "binary-ascii", maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(..."0123456789.-+ *x,<>=~^a"), maxLength: 24 }),
  );

  it("Version.parse on arbitrary strings; accepted text prints back unchanged", () => {
    fc.assert(
      fc.property(strings, (text) => {
        assertOnlySemverErrors(() => assert.equal(Version.parse(text).toString(), text));
      }),
      { numRuns: 5000 },
    );
  });

  it("Version.parse on mutated valid versions", () => {
    fc.assert(
      fc.property(versionArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, edits) => {
        const text = mutate(v.toString(), edits);
        assertOnlySemverErrors(() => assert.equal(Version.parse(text).toString(), text));
      }),
      { numRuns: 5000 },
    );
  });

  it("VersionReq.parse on arbitrary and mutated strings", () => {
    const check = (text: string) =>
      assertOnlySemverErrors(() => {
        const normal = VersionReq.parse(text).toString();
        assert.equal(VersionReq.parse(normal).toString(), normal);
      });
    fc.assert(fc.property(strings, check), { numRuns: 5000 });
    fc.assert(
      fc.property(reqText, fc.array(mutation, { minLength: 1, maxLength: 3 }), (text, edits) =>
        check(mutate(text, edits)),
      ),
      { numRuns: 20000 },
    );
  });
});

/** `1.2` → 1.2.0, `1-pre` never occurs: pre-releases only follow full versions. */
function zeroFilled(text: string): Version {
  const dash = text.indexOf("-");
  const xyz = dash < 0 ? text : text.slice(0, dash);
  const p = dash < 0 ? "" : text.slice(dash + 1);
  const parts = xyz.split(".").map(BigInt);
  return new Version(parts[0] ?? 0n, parts[1] ?? 0n, parts[2] ?? 0n, p);
}

function inRange(r: UnaffectedRange, v: Version): boolean {
  const s = r.start;
  const e = r.end;
  const afterStart =
    s.kind === "unbounded" || v.compare(s.version) > (s.kind === "inclusive" ? -1 : 0);
  const beforeEnd =
    e.kind === "unbounded" || v.compare(e.version) < (e.kind === "inclusive" ? 1 : 0);
  return afterStart && beforeEnd;
}

describe("interval semantics versus Cargo matching (specs §2)", () => {
  // Requirements where §2 says the two agree: full versions with any operator, and partial
  // versions with ^, ~, >= and <. Partial >, <= and = differ (tested in ranges.test.ts).
  const agreeingComparator = fc.oneof(
    fc.tuple(fc.constantFrom("=", ">", ">=", "<", "<=", "~", "^", ""), fullVersion),
    fc.tuple(fc.constantFrom(">=", "<", "~", "^", ""), partialVersion),
  );
  const lower = fc.oneof(
    fc.tuple(fc.constantFrom(">", ">="), fullVersion),
    fc.tuple(fc.constant(">="), partialVersion),
  );
  const upper = fc.oneof(
    fc.tuple(fc.constantFrom("<", "<="), fullVersion),
    fc.tuple(fc.constant("<"), partialVersion),
  );
  // Mostly ordered bounds, so that most two-sided ranges are not empty.
  const bounds = fc.tuple(lower, upper, fc.boolean()).map(([l, u, keepOrder]) => {
    if (keepOrder || zeroFilled(l[1]).compare(zeroFilled(u[1])) <= 0) return [l, u] as const;
    const full = (v: string) => v.split(".").length === 3;
    return [
      [full(u[1]) ? l[0] : ">=", u[1]],
      [full(l[1]) ? u[0] : "<", l[1]],
    ] as const;
  });
  const agreeingReq = fc.oneof(
    agreeingComparator.map(([op, v]) => `${op}${v}`),
    bounds.map(([[a, v], [b, w]]) => `${a}${v}, ${b}${w}`),
    bounds.map(([[a, v], [b, w]]) => `${b}${w}, ${a}${v}`),
  );
  const smallVersion = fc
    .tuple(small, small, small, fc.option(preIdent, { nil: undefined }))
    .map(([a, b, c, p]) => new Version(a, b, c, p ?? ""));

  const rangeOf = (req: VersionReq): UnaffectedRange | null => {
    try {
      return unaffectedRange(req);
    } catch (e) {
      // An empty two-sided range (start > end) is rejected by rustsec; Cargo simply matches nothing.
      assert.ok(e instanceof VersionRangeError && /Invalid range/.test(e.message), String(e));
      assert.equal(req.comparators.length, 2);
      return null;
    }
  };

  it("agree on release versions", () => {
    fc.assert(
      fc.property(agreeingReq, fc.tuple(small, small, small), (text, xyz) => {
        const req = VersionReq.parse(text);
        const v = new Version(...xyz);
        const range = rangeOf(req);
        if (range === null) return;
        assert.equal(inRange(range, v), req.matches(v), `${text} on ${v}`);
        assert.equal(!isAffected(affectedRanges([req], []), v), req.matches(v), `${text} on ${v}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("on pre-releases, full-version requirements differ only by Cargo's opt-in rule", () => {
    fc.assert(
      fc.property(agreeingReq, smallVersion, (text, v) => {
        const req = VersionReq.parse(text);
        // Cargo's partial comparators never match pre-releases of their own x.y (ranges.test.ts).
        if (req.comparators.some((c) => c.patch === null)) return;
        const range = rangeOf(req);
        if (range === null) return;
        const optIn =
          v.pre === "" ||
          req.comparators.some(
            (c) =>
              c.major === v.major && c.minor === v.minor && c.patch === v.patch && c.pre !== "",
          );
        assert.equal(inRange(range, v) && optIn, req.matches(v), `${text} on ${v}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("affected ranges are exactly the complement of the unaffected ranges", () => {
    const someReqs = fc.array(agreeingReq, { maxLength: 4 });
    fc.assert(
      fc.property(someReqs, someReqs, smallVersion, (patched, unaffected, v) => {
        let ranges: ReturnType<typeof affectedRanges>;
        const reqs = [...patched, ...unaffected].map((t) => VersionReq.parse(t));
        try {
          ranges = affectedRanges(
            patched.map((t) => VersionReq.parse(t)),
            unaffected.map((t) => VersionReq.parse(t)),
          );
        } catch (e) {
          assert.ok(e instanceof VersionRangeError, String(e));
          return;
        }
        const covered = reqs.some((r) => inRange(unaffectedRange(r), v));
        assert.equal(isAffected(ranges, v), !covered);
        for (let i = 1; i < ranges.length; i++) {
          const prev = ranges[i - 1]?.fixed;
          const next = ranges[i]?.introduced;
          assert.ok(prev && next && prev.compare(next) <= 0, "ranges are sorted and disjoint");
        }
      }),
      { numRuns: 20000 },
    );
  });
});

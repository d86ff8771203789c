import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  cratesFromPanicPaths,
  incompleteScanWarning,
  NO_DEPENDENCY_INFO,
  scanBinary,
} from "../../src/binary/index.js";
import { Version } from "../../src/semver/index.js";

const found = (data: string | Uint8Array) =>
  cratesFromPanicPaths(typeof data === "string" ? Buffer.from(data, "latin1") : data).map(
    (c) => `${c.name}@${c.version.toString()}`,
  );

describe("crates from panic-message paths (quitters)", () => {
  it("recovers the crate from a Unix registry path", () => {
    const data = Buffer.from(
      "\0\0called `Option::unwrap()`/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.130/src/de.rs\0",
    );
    const result = scanBinary(data);
    assert.equal(result.kind, "incomplete");
    assert.equal(result.format, "unknown");
    if (result.kind !== "incomplete") return;
    assert.equal(result.recovered, 1);
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.version.toString(), p.source, p.root, p.dependencies]),
      [["serde", "1.0.130", "crates.io", false, []]],
    );
    assert.equal(
      incompleteScanWarning("./app", result.recovered),
      "./app was not built with 'cargo auditable', the report will be incomplete (1 dependencies recovered)",
    );
  });

  it("recovers crates from Windows paths when there are no Unix ones", () => {
    assert.deepEqual(
      found(
        String.raw`C:\Users\runneradmin\.cargo\registry\src\index.crates.io-6f17d22bba15001f\rustc-demangle-0.1.21\src\legacy.rs` +
          String.raw`C:\Users\u\.cargo\registry\src\github.com-1ecc6299db9ec823\windows-sys-0.48.0\src\lib.rs`,
      ),
      ["rustc-demangle@0.1.21", "windows-sys@0.48.0"],
    );
  });

  it("prefers Unix paths and only tries Windows ones when Unix finds nothing", () => {
    const unix = "/cargo/registry/src/x/libc-0.2.150/src/lib.rs";
    const win = String.raw`\cargo\registry\src\x\winapi-0.3.9\src\lib.rs`;
    assert.deepEqual(found(unix + win), ["libc@0.2.150"]);
    // A Unix match whose version is not SemVer counts as nothing found.
    assert.deepEqual(found(`/cargo/registry/src/x/libc-0.2.150-/src${win}`), ["winapi@0.3.9"]);
  });

  it("finds two crates on one line (quitters' test)", () => {
    const data =
      "\x7FELF/cargo/registry/src/github.com-1ecc6299db9ec823/xz2-0.1.6/src/stream.rsunknown return code: lzma data errorNoCheckProgramMemFormatOptionszstd returned null pointer when creating new context/cargo/registry/src/github.com-1ecc6299db9ec823/zstd-safe-5.0.2+zstd.1.5.2/src/lib.rsbad error message from zstdGiven position outside of the buffer bounds.";
    assert.deepEqual(found(data), ["xz2@0.1.6", "zstd-safe@5.0.2+zstd.1.5.2"]);
  });

  it("splits complex versions correctly (quitters' test)", () => {
    for (const suffix of [
      "",
      "+foobar",
      "+Fo0bar",
      "+zstd.1.5.2",
      "-rc",
      "-alpha.1",
      "-alpha.1+zstd.1.5.2",
    ]) {
      const data = `new context/cargo/registry/src/github.com-1ecc6299db9ec823/zstd-safe-5.0.2${suffix}/src/lib.rsbad error`;
      assert.deepEqual(found(data), [`zstd-safe@5.0.2${suffix}`]);
    }
  });

  it("deduplicates and sorts by name, then version", () => {
    const path = (c: string) => `/cargo/registry/src/r/${c}/src/lib.rs\n`;
    const data = ["b-1.0.0", "a-2.0.0", "a-10.0.0", "b-1.0.0", "a-2.0.0-rc.1", "a-2.0.0"]
      .map(path)
      .join("");
    assert.deepEqual(found(data), ["a@2.0.0-rc.1", "a@2.0.0", "a@10.0.0", "b@1.0.0"]);
  });

  it("rejects what the regex rejects", () => {
    for (const tail of [
      "serde-1.0/",
      "serde-1.0.x/",
      "serde_1.0.0/",
      "-1.0.0/",
      "serde-1.0.0_1/",
      "se.rde-1.0.0/",
      "serde-1.0.0",
      "ser de-1.0.0/",
    ]) {
      assert.deepEqual(found(`/cargo/registry/src/reg/${tail}`), [], tail);
    }
    assert.deepEqual(found("/cargo/registry/src//serde-1.0.0/"), [], "empty registry directory");
    // The crate name keeps hyphens and underscores; the split is at the last `-` before the first `.`.
    assert.deepEqual(found("/cargo/registry/src/r/foo_bar-baz-1-2.3.4/"), ["foo_bar-baz-1@2.3.4"]);
  });

  it("reports nothing found as a distinct result", () => {
    const result = scanBinary(Buffer.from("just some text, no cargo paths here\n"));
    assert.deepEqual(result, {
      kind: "none",
      format: "unknown",
      complete: false,
      packages: [],
      recovered: 0,
    });
    assert.equal(
      NO_DEPENDENCY_INFO,
      "No dependency information found! Is this a Rust executable built with cargo?",
    );
  });

  it("matches exactly what the quitters regex matches", () => {
    const pattern =
      "cargo/registry/src/[^/]+/([0-9A-Za-z_-]+)-([0-9]+\\.[0-9]+\\.[0-9]+[0-9A-Za-z+.-]*)/";
    const unix = new RegExp(pattern, "g");
    const windows = new RegExp(pattern.replaceAll("/", "\\\\"), "g");
    const viaRegex = (s: string) => {
      const run = (re: RegExp) => {
        const out = new Set<string>();
        for (const m of s.matchAll(re)) {
          const v = Version.tryParse(m[2] as string);
          if (v !== null) out.add(`${m[1]}@${v.toString()}`);
        }
        return out;
      };
      const u = run(unix);
      return u.size > 0 ? u : run(windows);
    };
    const chars = (alphabet: string, maxLength: number) =>
      fc.string({ unit: fc.constantFrom(...alphabet), maxLength });
    // Path-shaped pieces with one separator throughout, each part usually right, sometimes not.
    const mostly = <T>(right: fc.Arbitrary<T>, wrong: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: wrong });
    const pathLike = fc
      .tuple(
        fc.constantFrom("/", "\\"),
        mostly(
          fc.constant("cargo{}registry{}src{}"),
          fc.constantFrom("cargo{}registry{}src", "cargo/registry\\src{}"),
        ),
        mostly(fc.constantFrom("index.crates.io-6f17d22bba15001f", "gh"), chars("ab-./\\\n", 3)),
        mostly(fc.constant("{}"), fc.constantFrom("", "/", "\\")),
        mostly(fc.constantFrom("serde", "zstd-safe", "foo_bar-1", "a"), chars("aZ09_-.+", 6)),
        mostly(fc.constant("-"), fc.constantFrom("", "_", ".")),
        mostly(
          fc.constantFrom("1.0.130", "0.1.21", "5.0.2+zstd.1.5.2", "1.0.0-rc.1", "10.20.30-a.b+c"),
          fc.oneof(fc.constantFrom("1.0", "01.0.0", "1.0.0-", "1.0.0_x"), chars("019.-+aZ_", 10)),
        ),
        mostly(fc.constant("{}"), fc.constantFrom("", "x/", "\\")),
      )
      .map(([sep, ...parts]) => parts.join("").replaceAll("{}", sep));
    const noise = fc.oneof(
      fc.constantFrom("/", "\\", "-", ".", "\0", "\n", "\xff", "src/"),
      chars("a1-./", 5),
    );
    const input = fc.array(fc.oneof(pathLike, noise), { maxLength: 8 }).map((xs) => xs.join(""));
    let withMatches = 0;
    fc.assert(
      fc.property(input, (s) => {
        const expected = viaRegex(s);
        if (expected.size > 0) withMatches++;
        assert.deepEqual(new Set(found(s)), expected);
      }),
      { numRuns: 3000 },
    );
    assert.ok(withMatches > 600, `only ${withMatches} generated inputs had a match`);
  });

  it("finds a path at the end of 100 MB, and nothing in dense near-misses", () => {
    const size = 100 * 1024 * 1024;
    const big = Buffer.alloc(size, 0x41);
    const hit = Buffer.from("/cargo/registry/src/r/tokio-1.35.0/src/lib.rs");
    hit.copy(big, size - 1000);
    assert.deepEqual(found(big), ["tokio@1.35.0"]);

    // A prefix every 32 bytes followed by long crate-like components that never match.
    const nearMiss = Buffer.from("cargo/registry/src/r/a-b-c-d-1-2-3-4-5-6-7-8-9-0x/");
    const dense = Buffer.alloc(16 * 1024 * 1024);
    for (let at = 0; at + nearMiss.length <= dense.length; at += nearMiss.length)
      nearMiss.copy(dense, at);
    assert.deepEqual(found(dense), []);
  });
});

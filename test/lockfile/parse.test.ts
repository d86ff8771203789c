/** Hand-written lockfiles: every format, every dependency form, and every way to be wrong. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDiagnostic } from "../../src/diagnostics/diagnostic.js";
import {
  LockfileError,
  type LockPackage,
  packageKey,
  parseLockfile,
  parseLockfileBytes,
} from "../../src/lockfile/index.js";
import { CRATES_IO, HEADER, lockfileError, lockText, pkg, sha } from "./helpers.js";

const GIT =
  "git+https://github.com/example/repo?branch=dev#0123456789abcdef0123456789abcdef01234567";
const SPARSE = "sparse+https://index.crates.io/";
const ALT = "registry+https://example.com/index";

/** Both readers must agree on every fixture: parse with each and compare, or compare errors. */
function parseBoth(text: string, path = "Cargo.lock") {
  const viaSmol = (() => {
    try {
      return parseLockfile(text, path, { reader: "smol-toml" });
    } catch (e) {
      return e as Error;
    }
  })();
  try {
    const lf = parseLockfile(text, path);
    assert.ok(!(viaSmol instanceof Error), `smol-toml failed: ${String(viaSmol)}`);
    assert.deepEqual(
      viaSmol.packages.map((p) => [p.key, p.line, p.dependencies.map((d) => d.key)]),
      lf.packages.map((p) => [p.key, p.line, p.dependencies.map((d) => d.key)]),
    );
    return lf;
  } catch (e) {
    assert.ok(viaSmol instanceof Error, `only the line reader failed: ${String(e)}`);
    assert.equal(String(viaSmol), String(e));
    throw e;
  }
}

const get = (pkgs: readonly LockPackage[], key: string): LockPackage => {
  const p = pkgs.find((q) => q.key === key);
  assert.ok(p, `no ${key}`);
  return p;
};

describe("formats", () => {
  it("reads format 4 and 3 from `version`", () => {
    for (const v of [3, 4] as const) {
      const lf = parseBoth(lockText(v, pkg("app", "0.1.0")));
      assert.equal(lf.formatVersion, v);
    }
  });

  it("takes a file without `version` and with inline checksums as format 2", () => {
    const lf = parseBoth(
      lockText(
        2,
        pkg("app", "0.1.0", { dependencies: ["serde"] }),
        pkg("serde", "1.0.0", { source: CRATES_IO, checksum: sha("serde") }),
      ),
    );
    assert.equal(lf.formatVersion, 2);
    assert.equal(get(lf.packages, "serde@1.0.0").checksum, sha("serde"));
  });

  it("takes checksums from [metadata] in format 1, `<none>` meaning none", () => {
    const text =
      HEADER +
      pkg("app", "0.1.0", {
        dependencies: [
          `serde 1.0.0 (${CRATES_IO})`,
          "util 0.1.0",
          `g 0.2.0 (${GIT.split("#")[0]})`,
        ],
      }) +
      pkg("g", "0.2.0", { source: GIT }) +
      pkg("serde", "1.0.0", { source: CRATES_IO }) +
      pkg("util", "0.1.0") +
      "[metadata]\n" +
      `"checksum serde 1.0.0 (${CRATES_IO})" = "${sha("serde")}"\n` +
      `"checksum g 0.2.0 (${GIT.split("#")[0]})" = "<none>"\n` +
      `"checksum gone 9.9.9 (${CRATES_IO})" = "${sha("gone")}"\n` +
      `"something else" = "kept"\n`;
    const lf = parseBoth(text);
    assert.equal(lf.formatVersion, 1);
    assert.equal(get(lf.packages, "serde@1.0.0").checksum, sha("serde"));
    assert.equal(get(lf.packages, "g@0.2.0").checksum, null);
    assert.equal(get(lf.packages, "util@0.1.0").checksum, null);
    assert.deepEqual([...lf.metadata], [["something else", "kept"]]);
    assert.deepEqual(
      get(lf.packages, "app@0.1.0").dependencies.map((d) => d.key),
      ["serde@1.0.0", "util@0.1.0", "g@0.2.0"],
    );
  });

  it("refuses checksums in both places (a bad merge), like cargo-lock", () => {
    const text =
      lockText(2, pkg("serde", "1.0.0", { source: CRATES_IO, checksum: sha("a") })) +
      `[metadata]\n"checksum serde 1.0.0 (${CRATES_IO})" = "${sha("a")}"\n`;
    const e = lockfileError(() => parseBoth(text));
    assert.match(e.message, /checksums both in \[\[package\]\] entries .* and in \[metadata\]/);
    assert.equal(e.line, 8);
  });

  it("refuses a format version it does not know, with the reason", () => {
    const e = lockfileError(() => parseBoth(`${HEADER}version = 5\n\n${pkg("a", "1.0.0")}`));
    assert.equal(
      String(e),
      "Cargo.lock:3:1: unsupported Cargo.lock format version 5: it was written by a newer Cargo than cratesec understands (formats 1 to 4)",
    );
    for (const [v, re] of [
      ["0", /invalid Cargo\.lock format version 0/],
      ["-1", /invalid Cargo\.lock format version -1/],
      ['"3"', /must be an integer, found the string "3"/],
      ["3.5", /invalid Cargo\.lock format version `3\.5`/],
      ["99999999999999999999", /unsupported Cargo\.lock format version 99999999999999999999/],
    ] as const) {
      const err = lockfileError(() => parseBoth(`version = ${v}\n${pkg("a", "1.0.0")}`));
      assert.match(err.message, re);
      assert.equal(err.line, 1);
    }
  });

  it("reads the legacy [root] table as the first package", () => {
    const text = `[root]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "lib 0.2.0",\n]\n\n${pkg("lib", "0.2.0")}`;
    const lf = parseBoth(text);
    assert.equal(lf.root, lf.packages[0]);
    assert.equal(lf.root?.name, "app");
    assert.equal(lf.root?.line, 1);
    assert.deepEqual(
      lf.roots().map((p) => p.key),
      ["app@0.1.0"],
    );
  });

  it("accepts CRLF line endings, comments and blank lines", () => {
    const text = lockText(
      3,
      "# a comment\n",
      pkg("a", "1.0.0", { dependencies: ["b"] }),
      pkg("b", "2.0.0"),
    );
    const lf = parseBoth(text.replaceAll("\n", "\r\n"));
    assert.equal(get(lf.packages, "a@1.0.0").line, 6);
    assert.equal(get(lf.packages, "b@2.0.0").line, 13);
  });

  it("reads TOML that Cargo would not write, through smol-toml", () => {
    const text = `version = 3 # comment\n[[package]]\nname = 'a'\nversion = "1.0.0"\ndependencies = ["b"]\n[[ package ]]\nname = "b"\n  version = "1.0.0"\n`;
    const lf = parseBoth(text);
    assert.deepEqual(
      lf.packages.map((p) => [p.key, p.line]),
      [
        ["a@1.0.0", 2],
        ["b@1.0.0", 6],
      ],
    );
  });
});

describe("dependency entries", () => {
  const text = lockText(
    4,
    pkg("app", "0.1.0", {
      dependencies: [
        "plain",
        "two 1.0.0",
        "two 2.0.0",
        `same 1.0.0 (${CRATES_IO})`,
        `same 1.0.0 (${ALT})`,
        "same 1.0.0",
        "git-dep",
      ],
    }),
    pkg("git-dep", "0.3.0", { source: GIT }),
    pkg("plain", "1.2.3", { source: CRATES_IO, checksum: sha("plain") }),
    pkg("same", "1.0.0"),
    pkg("same", "1.0.0", { source: CRATES_IO, checksum: sha("s1") }),
    pkg("same", "1.0.0", { source: ALT, checksum: sha("s2") }),
    pkg("two", "1.0.0", { source: CRATES_IO, checksum: sha("t1") }),
    pkg("two", "2.0.0", { source: CRATES_IO, checksum: sha("t2") }),
  );

  it("resolves `name`, `name version` and `name version (source)` to the exact package", () => {
    const lf = parseBoth(text);
    const app = get(lf.packages, "app@0.1.0");
    assert.deepEqual(
      app.dependencies.map((d) => [d.name, d.version.toString(), d.source?.raw ?? null]),
      [
        ["plain", "1.2.3", CRATES_IO],
        ["two", "1.0.0", CRATES_IO],
        ["two", "2.0.0", CRATES_IO],
        ["same", "1.0.0", CRATES_IO],
        ["same", "1.0.0", ALT],
        ["same", "1.0.0", null], // no source: the one path package
        ["git-dep", "0.3.0", GIT],
      ],
    );
    for (const d of app.dependencies) assert.equal(lf.packages[d.index], d);
  });

  it("makes keys unique with the source only where needed", () => {
    const lf = parseBoth(text);
    assert.deepEqual(lf.packages.map(packageKey), [
      "app@0.1.0",
      "git-dep@0.3.0",
      "plain@1.2.3",
      "same@1.0.0 (path)",
      `same@1.0.0 (${CRATES_IO})`,
      `same@1.0.0 (${ALT})`,
      "two@1.0.0",
      "two@2.0.0",
    ]);
  });

  it("matches a git entry written without the commit, or with `?rev=FULL`", () => {
    const full = "0123456789abcdef0123456789abcdef01234567";
    const src = `git+https://github.com/example/repo?rev=0123456#${full}`;
    for (const ref of [
      "git+https://github.com/example/repo?rev=0123456",
      `git+https://github.com/example/repo?rev=${full}`,
      "git+https://github.com/example/repo.git?rev=0123456",
    ]) {
      const lf = parseBoth(
        lockText(
          3,
          pkg("a", "1.0.0", { dependencies: [`g 0.1.0 (${ref})`] }),
          pkg("g", "0.1.0", { source: src }),
        ),
      );
      assert.equal(lf.packages[0]?.dependencies[0]?.name, "g");
    }
  });

  it("errors on an ambiguous entry, at the entry", () => {
    const e = lockfileError(() =>
      parseBoth(
        lockText(
          3,
          pkg("a", "1.0.0", { dependencies: ["b"] }),
          pkg("b", "1.0.0"),
          pkg("b", "2.0.0"),
        ),
      ),
    );
    assert.equal(e.line, 9);
    assert.equal(e.col, 2);
    assert.match(
      e.message,
      /dependency `b` of package `a` is ambiguous: the lockfile has b 1\.0\.0 and 2\.0\.0/,
    );
    const e2 = lockfileError(() =>
      parseBoth(
        lockText(
          3,
          pkg("a", "1.0.0", { dependencies: ["b 1.0.0"] }),
          pkg("b", "1.0.0", { source: CRATES_IO }),
          pkg("b", "1.0.0", { source: ALT }),
        ),
      ),
    );
    assert.match(
      e2.message,
      /`b 1\.0\.0` of package `a` is ambiguous: b 1\.0\.0 comes from several sources/,
    );
  });

  it("errors on an entry that names no package", () => {
    const cases: [string, RegExp][] = [
      ["zzz", /dependency `zzz` of package `a` names no package: the lockfile has no `zzz`/],
      ["b 3.0.0", /names no package: the lockfile has b 1\.0\.0, not 3\.0\.0/],
      ["b 1.0", /has an invalid version `1\.0`/],
      [
        `b 1.0.0 (${ALT})`,
        /names no package: the lockfile has b 1\.0\.0 only from registry\+https:\/\/github/,
      ],
      ["b 1.0.0 registry+x", /dependency entry `b 1\.0\.0 registry\+x` is malformed/],
      [" b", /is malformed: it has no name/],
      ["b 1.0.0 (nonsense)", /is malformed: invalid source `nonsense`/],
    ];
    for (const [entry, re] of cases) {
      const e = lockfileError(() =>
        parseBoth(
          lockText(
            3,
            pkg("a", "1.0.0", { dependencies: [entry] }),
            pkg("b", "1.0.0", { source: CRATES_IO }),
          ),
        ),
      );
      assert.match(e.message, re, entry);
      assert.equal(e.line, 9, entry);
    }
  });

  it("resolves `replace` to the replacement package", () => {
    const lf = parseBoth(
      lockText(
        2,
        pkg("app", "0.1.0", { dependencies: [`foo 1.0.0 (${CRATES_IO})`] }),
        pkg("foo", "1.0.0", { source: CRATES_IO, replace: "foo 1.0.0" }),
        pkg("foo", "1.0.0"),
      ),
    );
    const orig = get(lf.packages, `foo@1.0.0 (${CRATES_IO})`);
    assert.equal(orig.replace, get(lf.packages, "foo@1.0.0 (path)"));
    assert.deepEqual(
      lf.graph.pathsFromRoots(get(lf.packages, "foo@1.0.0 (path)"))[0]?.map((p) => p.key),
      ["app@0.1.0", `foo@1.0.0 (${CRATES_IO})`, "foo@1.0.0 (path)"],
    );
  });
});

describe("sources", () => {
  it("parses registry, sparse, git and path sources; no source is a path package", () => {
    const lf = parseBoth(
      lockText(
        4,
        pkg("a", "1.0.0", { source: CRATES_IO, checksum: sha("a") }),
        pkg("b", "1.0.0", { source: SPARSE, checksum: sha("b") }),
        pkg("c", "1.0.0", { source: GIT }),
        pkg("d", "1.0.0", { source: "path+file:///work/d" }),
        pkg("e", "1.0.0"),
        pkg("f", "1.0.0", { source: "local-registry+file:///mirror" }),
        pkg("g", "1.0.0", { source: ALT, checksum: sha("g") }),
      ),
    );
    const src = (name: string) => lf.find(name)[0]?.source ?? null;
    assert.deepEqual(src("a"), {
      raw: CRATES_IO,
      kind: "registry",
      url: "https://github.com/rust-lang/crates.io-index",
    });
    assert.deepEqual(src("b"), { raw: SPARSE, kind: "sparse", url: "https://index.crates.io/" });
    assert.deepEqual(src("c"), {
      raw: GIT,
      kind: "git",
      url: "https://github.com/example/repo?branch=dev",
      precise: "0123456789abcdef0123456789abcdef01234567",
      gitReference: { kind: "branch", value: "dev" },
    });
    assert.deepEqual(src("d"), { raw: "path+file:///work/d", kind: "path", url: "file:///work/d" });
    assert.equal(src("e"), null);
    assert.deepEqual(src("f"), {
      raw: "local-registry+file:///mirror",
      kind: "other",
      url: "file:///mirror",
    });
    assert.equal(lf.packages[0]?.source, lf.packages[0]?.source); // interned
  });

  it("errors on a malformed source", () => {
    for (const [source, re] of [
      ["crates.io", /package `a` has an invalid source `crates\.io`: expected KIND\+URL/],
      ["registry+not a url", /package `a` has an invalid URL `not a url` in source/],
      ["+https://x", /invalid source/],
    ] as const) {
      const e = lockfileError(() => parseBoth(lockText(3, pkg("a", "1.0.0", { source }))));
      assert.match(e.message, re);
      assert.equal(e.line, 8);
    }
  });
});

describe("[[patch.unused]]", () => {
  it("lists unused patches with their lines", () => {
    const text =
      lockText(3, pkg("app", "0.1.0")) +
      '[[patch.unused]]\nname = "foo"\nversion = "0.2.0"\n\n' +
      `[[patch.unused]]\nname = "bar"\nversion = "1.0.0"\nsource = "${GIT}"\n`;
    const lf = parseBoth(text);
    assert.deepEqual(
      lf.patchUnused.map((p) => [p.name, p.version.toString(), p.source?.kind ?? null, p.line]),
      [
        ["foo", "0.2.0", null, 9],
        ["bar", "1.0.0", "git", 13],
      ],
    );
    assert.equal(lf.packages.length, 1);
  });

  it("checks unused patches like packages", () => {
    const e = lockfileError(() =>
      parseBoth(
        `${lockText(3, pkg("app", "0.1.0"))}[[patch.unused]]\nname = "foo"\nversion = "x"\n`,
      ),
    );
    assert.match(e.message, /package `foo` has an invalid version `x`/);
    assert.equal(e.line, 11);
  });
});

describe("bad packages", () => {
  it("says which package has no version, where", () => {
    const e = lockfileError(() =>
      parseBoth(
        lockText(
          3,
          pkg("a", "1.0.0"),
          '[[package]]\nname = "foo"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
        ),
      ),
    );
    assert.equal(String(e), "Cargo.lock:9:1: package `foo` has no version");
    assert.ok(e instanceof LockfileError);
    assert.equal(e.path, "Cargo.lock");
    assert.equal(
      formatDiagnostic(e.toDiagnostic()),
      "Cargo.lock:9:1: error: package `foo` has no version",
    );
  });

  it("errors on a bad version, name, checksum or field type, at the field", () => {
    const cases: [string, RegExp, number][] = [
      [
        'name = "a"\nversion = "1.0"\n',
        /package `a` has an invalid version `1\.0`: unexpected end of input/,
        7,
      ],
      ['name = "a"\nversion = "01.0.0"\n', /invalid version `01\.0\.0`/, 7],
      ['version = "1.0.0"\n', /\[\[package\]\] entry has no name/, 5],
      ['name = 3\nversion = "1.0.0"\n', /package name must be a string, found the integer `3`/, 6],
      ['name = "a b"\nversion = "1.0.0"\n', /invalid package name `a b`/, 6],
      [
        'name = "a"\nversion = "1.0.0"\nchecksum = "abc"\n',
        /package `a` has an invalid checksum `abc`: expected 64 hex digits/,
        8,
      ],
      [
        'name = "a"\nversion = "1.0.0"\ndependencies = "b"\n',
        /`dependencies` must be a list of strings, found the string "b"/,
        8,
      ],
      [
        'name = "a"\nversion = "1.0.0"\ndependencies = [1]\n',
        /`dependencies` must be a list of strings/,
        8,
      ],
      [
        'name = "a"\nversion = 1\n',
        /package `a`: `version` must be a string, found the integer `1`/,
        7,
      ],
      [
        'name = "a"\nversion = "1.0.0"\nsource = true\n',
        /`source` must be a string, found the boolean `true`/,
        8,
      ],
    ];
    for (const [body, re, line] of cases) {
      const e = lockfileError(() => parseBoth(`${HEADER}version = 3\n\n[[package]]\n${body}`));
      assert.match(e.message, re, body);
      assert.equal(e.line, line, body);
    }
  });

  it("errors on a duplicate package (same name, version and source)", () => {
    const e = lockfileError(() =>
      parseBoth(
        lockText(
          3,
          pkg("a", "1.0.0", { source: CRATES_IO }),
          pkg("a", "1.0.0", { source: CRATES_IO }),
        ),
      ),
    );
    assert.equal(
      String(e),
      `Cargo.lock:10:1: package \`a 1.0.0\` from \`${CRATES_IO}\` is listed twice (first at line 5)`,
    );
    // Same name and version from two sources is fine.
    parseBoth(lockText(3, pkg("a", "1.0.0", { source: CRATES_IO }), pkg("a", "1.0.0")));
  });

  it("errors on a table where a list of packages belongs", () => {
    const e = lockfileError(() => parseBoth('version = 3\npackage = "x"\n'));
    assert.match(e.message, /`package` must be a list of \[\[package\]\] tables/);
  });
});

describe("not a lockfile", () => {
  it("recognises a Cargo.toml passed by mistake", () => {
    const manifest =
      '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nserde = "1"\n';
    const e = lockfileError(() => parseBoth(manifest, "Cargo.toml"));
    assert.match(e.message, /^this looks like Cargo\.toml, not Cargo\.lock/);
    assert.equal(e.line, 1);
    const ws = lockfileError(() =>
      parseBoth('# root\n[workspace]\nmembers = ["a"]\n', "Cargo.toml"),
    );
    assert.match(
      ws.message,
      /this looks like Cargo\.toml, not Cargo\.lock \(it has a \[workspace\] table\)/,
    );
    assert.equal(ws.line, 2);
  });

  it("refuses empty and comment-only files, and other TOML", () => {
    assert.equal(
      String(lockfileError(() => parseBoth(""))),
      "Cargo.lock: empty file: not a Cargo.lock file",
    );
    assert.match(lockfileError(() => parseBoth(" \n\n")).message, /empty file/);
    assert.match(
      lockfileError(() => parseBoth(HEADER)).message,
      /only comments.*not a Cargo\.lock file/,
    );
    assert.match(
      lockfileError(() => parseBoth('[advisories]\nignore = ["RUSTSEC-2020-0001"]\n', "audit.toml"))
        .message,
      /not a Cargo\.lock file: it has no \[\[package\]\] entries \(top-level keys: `advisories`\)/,
    );
    assert.match(
      lockfileError(() => parseBoth("hello world\n")).message,
      /^not a Cargo\.lock file: invalid TOML/,
    );
  });

  it("reports truncated TOML with its position", () => {
    const text = lockText(
      3,
      pkg("a", "1.0.0", { source: CRATES_IO, dependencies: ["b"] }),
      pkg("b", "1.0.0"),
    );
    const cut = text.indexOf('"b",') + 2;
    const e = lockfileError(() => parseBoth(text.slice(0, cut)));
    assert.match(e.message, /^invalid TOML: /);
    assert.equal(e.line, 10);
    const e2 = lockfileError(() => parseBoth(text.slice(0, text.indexOf("dependencies") + 18)));
    assert.match(e2.message, /^invalid TOML: /);
    assert.ok(e2.line > 0);
    // Truncated at a line boundary it is valid TOML, and the package is incomplete.
    const e3 = lockfileError(() => parseBoth(text.slice(0, text.indexOf('version = "1.0.0"'))));
    assert.equal(e3.message, "package `a` has no version");
  });
});

describe("bytes", () => {
  const good = lockText(
    3,
    pkg("app", "0.1.0", { dependencies: ["caf"] }),
    pkg("caf", "1.0.0", { source: CRATES_IO }),
  );

  it("decodes UTF-8 (dropping a BOM)", () => {
    const bytes = new TextEncoder().encode(`\uFEFF# café\n${good}`);
    const lf = parseLockfileBytes(bytes, "Cargo.lock");
    assert.equal(lf.packages.length, 2);
    assert.equal(lf.packages[0]?.line, 6);
  });

  it("refuses invalid UTF-8 with its position", () => {
    const text = `${good}# ${"x".repeat(600)}\n# caf\u00e9\n`;
    const bytes = new TextEncoder().encode(text);
    bytes[bytes.length - 3] = 0xff; // first byte of é
    const e = lockfileError(() => parseLockfileBytes(bytes, "Cargo.lock"));
    assert.match(
      e.message,
      /^invalid UTF-8 \(byte 0xff\): not a Cargo\.lock file, which is UTF-8 text$/,
    );
    assert.equal(e.line, text.split("\n").length - 1);
    assert.equal(e.col, 6);
  });

  it("refuses binary data", () => {
    let seed = 42;
    const garbage = Uint8Array.from({ length: 4096 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    });
    for (const b of [
      garbage,
      Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
      Uint8Array.from([0xff, 0xfe, 0x41, 0x42]),
    ]) {
      const e = lockfileError(() => parseLockfileBytes(b, "Cargo.lock"));
      assert.equal(e.message, "not a Cargo.lock file: it is binary data");
    }
  });

  it("refuses an empty file", () => {
    assert.equal(
      String(lockfileError(() => parseLockfileBytes(new Uint8Array(0), "Cargo.lock"))),
      "Cargo.lock: empty file: not a Cargo.lock file",
    );
  });

  it("refuses a 100 MB input at once, before decoding it", () => {
    const big = new Uint8Array(100 * 1024 * 1024).fill(0x20);
    const t0 = performance.now();
    const e = lockfileError(() => parseLockfileBytes(big, "huge.lock"));
    const ms = performance.now() - t0;
    assert.match(e.message, /^file is 100\.0 MiB, over the 50\.0 MiB limit for a Cargo\.lock file/);
    assert.ok(ms < 50, `took ${ms} ms`);
    // The text entry point checks its length first too.
    const text = " ".repeat(100 * 1024 * 1024);
    const t1 = performance.now();
    assert.match(
      lockfileError(() => parseLockfile(text, "huge.lock")).message,
      /over the 50\.0 MiB limit/,
    );
    assert.ok(performance.now() - t1 < 50);
    // And the limit can be changed.
    assert.match(
      lockfileError(() =>
        parseLockfileBytes(new TextEncoder().encode(good), "Cargo.lock", { maxBytes: 100 }),
      ).message,
      /over the 100 bytes limit/,
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CRATES_IO_REGISTRY_SOURCE,
  CRATES_IO_SPARSE_SOURCE,
  isCratesIo,
  parseSourceId,
  SourceIdError,
} from "../../src/lockfile/index.js";

describe("sources", () => {
  it("knows crates.io in both spellings (cargo-audit misses the sparse one)", () => {
    for (const s of [
      CRATES_IO_REGISTRY_SOURCE,
      CRATES_IO_SPARSE_SOURCE,
      "registry+https://github.com/rust-lang/crates.io-index/",
      "sparse+https://index.crates.io",
    ]) {
      assert.ok(isCratesIo(s), s);
      assert.ok(isCratesIo(parseSourceId(s)), s);
    }
    for (const s of [
      "registry+https://example.com/index",
      "sparse+https://index.example.com/",
      "git+https://github.com/rust-lang/crates.io-index",
      "registry+https://index.crates.io/",
      "sparse+https://github.com/rust-lang/crates.io-index",
      "path+file:///x",
      "nonsense",
      null,
      undefined,
    ]) {
      assert.ok(!isCratesIo(s), String(s));
    }
  });

  it("parses git references and the pinned commit", () => {
    const cases: [string, string, string | undefined, unknown][] = [
      ["git+https://h/r#abc", "https://h/r", "abc", undefined],
      [
        "git+https://h/r?branch=main#abc",
        "https://h/r?branch=main",
        "abc",
        { kind: "branch", value: "main" },
      ],
      [
        "git+https://h/r?ref=dev#abc",
        "https://h/r?ref=dev",
        "abc",
        { kind: "branch", value: "dev" },
      ],
      [
        "git+https://h/r?tag=v1.0#abc",
        "https://h/r?tag=v1.0",
        "abc",
        { kind: "tag", value: "v1.0" },
      ],
      [
        "git+https://h/r?rev=refs%2Fpull%2F1%2Fhead",
        "https://h/r?rev=refs%2Fpull%2F1%2Fhead",
        undefined,
        { kind: "rev", value: "refs/pull/1/head" },
      ],
    ];
    for (const [raw, url, precise, ref] of cases) {
      const s = parseSourceId(raw);
      assert.equal(s.kind, "git");
      assert.equal(s.url, url);
      assert.equal(s.precise, precise);
      assert.deepEqual(s.gitReference, ref);
    }
  });

  it("keeps unknown kinds as `other` and refuses what is not KIND+URL", () => {
    assert.deepEqual(parseSourceId("directory+file:///vendor"), {
      raw: "directory+file:///vendor",
      kind: "other",
      url: "file:///vendor",
    });
    for (const bad of ["", "plain", "+https://x", "registry+", "git+not a url", "Foo Bar+x"]) {
      assert.throws(() => parseSourceId(bad), SourceIdError, bad);
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CRATES_IO_INDEX_URL,
  compareUtf8,
  formatPubtime,
  indexLineFor,
  serializeIndexLine,
  splitFeatures,
  validateMetadata,
} from "../../../src/registry/publish/index.js";
import { dep, newCrateJson } from "./helpers.js";

const CKSUM = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const line = (json: Record<string, unknown>, pubtime?: Date) =>
  serializeIndexLine(
    indexLineFor(validateMetadata(json), { cksum: CKSUM, ...(pubtime ? { pubtime } : {}) }),
  );

const split = (features: Record<string, string[]>) => {
  const { features: f1, features2: f2 } = splitFeatures(Object.entries(features));
  return { features: Object.fromEntries(f1), features2: Object.fromEntries(f2) };
};

describe("features / features2 split (crates.io's split_features)", () => {
  it("no new syntax: everything stays in features", () => {
    assert.deepEqual(split({ feature1: ["val1", "val2"], feature2: ["val3"] }), {
      features: { feature1: ["val1", "val2"], feature2: ["val3"] },
      features2: {},
    });
  });

  it("dep: and ?/ move to features2", () => {
    assert.deepEqual(split({ feature1: ["dep:val1", "val2"], feature2: ["val3", "val4?/val5"] }), {
      features: {},
      features2: { feature1: ["dep:val1", "val2"], feature2: ["val3", "val4?/val5"] },
    });
    assert.deepEqual(
      split({
        feature1: ["val1", "val2"],
        feature2: ["dep:val3"],
        feature3: ["val4", "val5?/val6"],
      }),
      {
        features: { feature1: ["val1", "val2"] },
        features2: { feature2: ["dep:val3"], feature3: ["val4", "val5?/val6"] },
      },
    );
  });

  it("features enabling features2 features follow them, transitively", () => {
    assert.deepEqual(
      split({ feature1: ["feature2"], feature2: [], feature3: ["feature1"] }).features2,
      {},
    );
    assert.deepEqual(
      split({ feature1: ["feature2"], feature2: ["feature3"], feature3: ["dep:foo"] }),
      {
        features: {},
        features2: { feature1: ["feature2"], feature2: ["feature3"], feature3: ["dep:foo"] },
      },
    );
  });

  it("matches crates.io's clap snapshot", () => {
    const { features, features2 } = split({
      env: ["clap_builder/env"],
      std: ["clap_builder/std"],
      help: ["clap_builder/help"],
      cargo: ["clap_builder/cargo"],
      color: ["clap_builder/color"],
      debug: ["clap_builder/debug", "clap_derive?/debug"],
      usage: ["clap_builder/usage"],
      derive: ["dep:clap_derive"],
      string: ["clap_builder/string"],
      default: ["std", "color", "help", "usage", "error-context", "suggestions"],
      unicode: ["clap_builder/unicode"],
      wrap_help: ["clap_builder/wrap_help"],
      deprecated: ["clap_builder/deprecated", "clap_derive?/deprecated"],
      suggestions: ["clap_builder/suggestions"],
      "unstable-v5": ["clap_builder/unstable-v5", "clap_derive?/unstable-v5", "deprecated"],
      "unstable-doc": ["clap_builder/unstable-doc", "derive"],
      "unstable-ext": ["clap_builder/unstable-ext"],
      "error-context": ["clap_builder/error-context"],
      "unstable-styles": ["clap_builder/unstable-styles"],
    });
    assert.deepEqual(Object.keys(features2).sort(), [
      "debug",
      "deprecated",
      "derive",
      "unstable-doc",
      "unstable-v5",
    ]);
    assert.equal(Object.keys(features).length, 14);
  });
});

describe("index line", () => {
  it("has crates.io's fields, order and format", () => {
    assert.equal(
      line(newCrateJson("foo", "1.2.3"), new Date(1_763_456_303_013)),
      `{"name":"foo","vers":"1.2.3","deps":[],"cksum":"${CKSUM}","features":{},"yanked":false,"pubtime":"2025-11-18T08:58:23Z"}`,
    );
  });

  it("pubtime is RFC 3339 UTC with whole seconds", () => {
    assert.equal(formatPubtime(new Date("2025-01-01T00:00:00.999Z")), "2025-01-01T00:00:00Z");
    assert.equal(formatPubtime(new Date("2025-01-01T01:02:03+02:00")), "2024-12-31T23:02:03Z");
  });

  it("writes every field: deps, features2 + v, links, rust_version", () => {
    const json = newCrateJson("app", "0.2.0-beta.1+build.5", {
      deps: [
        dep("base_crate", "^0.1", {
          explicit_name_in_toml: "alias",
          optional: true,
          default_features: false,
          features: ["std"],
        }),
        dep("base_crate", "=0.1.0", { target: "cfg(unix)" }),
        dep("base_crate", "^0.1.0", { kind: "dev" }),
        dep("base_crate", "^0.1.0", { kind: "build", explicit_name_in_toml: "b2" }),
        dep("serde", "^1.0.100", { registry: CRATES_IO_INDEX_URL, features: ["derive"] }),
      ],
      features: { default: ["x"], x: ["dep:alias"], y: ["alias?/std"], z: ["y"], plain: [] },
      links: "foo",
      rust_version: "1.70",
    });
    const text = line(json, new Date("2026-03-01T12:00:00Z"));
    assert.equal(
      text,
      `{"name":"app","vers":"0.2.0-beta.1+build.5","deps":[` +
        `{"name":"alias","req":"^0.1","features":["std"],"optional":true,"default_features":false,"target":null,"kind":"normal","package":"base_crate"},` +
        `{"name":"b2","req":"^0.1.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"build","package":"base_crate"},` +
        `{"name":"base_crate","req":"=0.1.0","features":[],"optional":false,"default_features":true,"target":"cfg(unix)","kind":"normal"},` +
        `{"name":"base_crate","req":"^0.1.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"dev"},` +
        `{"name":"serde","req":"^1.0.100","features":["derive"],"optional":false,"default_features":true,"target":null,"kind":"normal","registry":"${CRATES_IO_INDEX_URL}"}` +
        `],"cksum":"${CKSUM}","features":{"plain":[]},"features2":{"default":["x"],"x":["dep:alias"],"y":["alias?/std"],"z":["y"]},` +
        `"yanked":false,"links":"foo","rust_version":"1.70","pubtime":"2026-03-01T12:00:00Z","v":2}`,
    );
    assert.deepEqual(Object.keys(JSON.parse(text)), [
      "name",
      "vers",
      "deps",
      "cksum",
      "features",
      "features2",
      "yanked",
      "links",
      "rust_version",
      "pubtime",
      "v",
    ]);
  });

  it("a renamed dependency: name = the name in Cargo.toml, package = the crate", () => {
    const l = indexLineFor(
      validateMetadata(
        newCrateJson("a", "1.0.0", {
          deps: [dep("rand_core", "0.6", { explicit_name_in_toml: "rc" })],
        }),
      ),
      { cksum: CKSUM },
    );
    assert.deepEqual(l.deps, [
      {
        name: "rc",
        req: "^0.6",
        features: [],
        optional: false,
        default_features: true,
        target: null,
        kind: "normal",
        package: "rand_core",
      },
    ]);
  });

  it("sorts dependencies as crates.io does (name, then normal < build < dev, then req)", () => {
    const l = indexLineFor(
      validateMetadata(
        newCrateJson("a", "1.0.0", {
          deps: [
            dep("dep-b", "1"),
            dep("dep-a", "1", { kind: "dev" }),
            dep("dep-a", "1", { kind: "build" }),
            dep("dep-a", "2"),
            dep("dep-a", "1"),
          ],
        }),
      ),
      { cksum: CKSUM },
    );
    assert.deepEqual(
      l.deps.map((d) => `${d.name}/${d.kind}/${d.req}`),
      ["dep-a/normal/^1", "dep-a/normal/^2", "dep-a/build/^1", "dep-a/dev/^1", "dep-b/normal/^1"],
    );
  });

  it("orders feature names by bytes, like a Rust BTreeMap (numeric names too)", () => {
    const text = line(
      newCrateJson("a", "1.0.0", {
        features: { "9": [], "10": [], b: [], B: [], é: [], 𝒜x: [], ｚ: [] },
      }),
    );
    assert.match(
      text,
      /"features":\{"10":\[\],"9":\[\],"B":\[\],"b":\[\],"é":\[\],"ｚ":\[\],"𝒜x":\[\]\}/,
    );
    assert.ok(compareUtf8("\uffff", "\u{10000}") < 0);
    assert.ok("\uffff" > "\u{10000}", "UTF-16 order differs, hence compareUtf8");
  });

  it("escapes strings as serde_json does and stays one line", () => {
    const text = line(
      newCrateJson("a", "1.0.0", {
        links: 'q"\\/é',
        features: { x: ["dep:y"] },
        deps: [dep("y", "1", { optional: true, target: 'cfg(all(unix, target_os = "linux"))' })],
      }),
    );
    assert.ok(!text.includes("\n"));
    assert.match(text, /"links":"q\\"\\\\\/é"/);
    assert.match(text, /"target":"cfg\(all\(unix, target_os = \\"linux\\"\)\)"/);
    assert.deepEqual(JSON.parse(text).links, 'q"\\/é');
  });

  it("`__proto__` feature survives into the line", () => {
    const m = validateMetadata(
      JSON.parse('{"name":"a","vers":"1.0.0","features":{"__proto__":["x"],"x":[]}}'),
    );
    const text = serializeIndexLine(indexLineFor(m, { cksum: CKSUM }));
    assert.deepEqual(Object.keys(JSON.parse(text).features), ["__proto__", "x"]);
  });
});

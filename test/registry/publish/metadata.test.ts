import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CRATES_IO_INDEX_URL,
  canonicalCrateName,
  checkMetadataAgainstRegistry,
  checkPublish,
  crateNameProblem,
  DEFAULT_PUBLISH_CONFIG,
  featureValueProblem,
  licenseExpressionProblem,
  PublishError,
  resolvePublishConfig,
  rustVersionProblem,
  validateMetadata,
} from "../../../src/registry/publish/index.js";
import {
  assertPublishError,
  crateFile,
  dep,
  frame,
  MemoryView,
  manifestToml,
  newCrateJson,
  rejection,
  thrown,
} from "./helpers.js";

const validate = (json: Record<string, unknown>, config = DEFAULT_PUBLISH_CONFIG) =>
  thrown(() => validateMetadata(json, config));

describe("crate names", () => {
  it("follows crates.io's rules", () => {
    assert.equal(crateNameProblem("foo"), null);
    assert.equal(crateNameProblem("foo_bar-Baz9"), null);
    assert.equal(crateNameProblem("a".repeat(64)), null);
    assert.match(crateNameProblem("a".repeat(65)) ?? "", /too long \(max 64 characters\)/);
    assert.match(crateNameProblem("") ?? "", /cannot be empty/);
    assert.match(crateNameProblem("1foo") ?? "", /cannot start with a digit/);
    assert.match(crateNameProblem("_foo") ?? "", /first character must be an ASCII character/);
    assert.match(crateNameProblem("-foo") ?? "", /first character/);
    assert.match(crateNameProblem("京") ?? "", /first character/);
    assert.match(crateNameProblem("foo+bar") ?? "", /invalid character `\+`/);
    assert.match(crateNameProblem("foo.bar") ?? "", /invalid character `\.`/);
  });

  it("canonical names ignore case and -/_", () => {
    assert.equal(canonicalCrateName("Foo_Bar"), "foo_bar");
    assert.equal(canonicalCrateName("foo-bar"), "foo_bar");
  });

  it("feature values follow crates.io's rules", () => {
    for (const ok of [
      "foo",
      "1foo",
      "_foo",
      "c++20",
      "krate/c++20",
      "foo?/bar",
      "dep:foo",
      "bar.web",
      "ßtraße",
    ]) {
      assert.equal(featureValueProblem(ok), null, ok);
    }
    assert.match(featureValueProblem("") ?? "", /feature cannot be empty/);
    assert.match(
      featureValueProblem("c++20/wow") ?? "",
      /invalid character `\+` in dependency name/,
    );
    assert.match(featureValueProblem("dep:foo?/bar") ?? "", /invalid character `:`/);
    assert.match(
      featureValueProblem("foo/?bar") ?? "",
      /invalid character `\?` in feature `\?bar`/,
    );
    assert.match(featureValueProblem("dep:0foo") ?? "", /cannot start with a digit/);
    assert.match(featureValueProblem("🍺") ?? "", /first character must be a Unicode XID start/);
    assert.match(featureValueProblem("-foo") ?? "", /first character/);
  });
});

describe("validateMetadata", () => {
  it("builds the typed model from cargo's JSON", () => {
    const m = validateMetadata(
      newCrateJson("foo", "1.2.3", {
        deps: [
          dep("bar", "1.0", { kind: "dev", features: ["x"], target: "cfg(unix)" }),
          dep("baz", "^0.3", { explicit_name_in_toml: "qux", optional: true }),
        ],
        features: { default: ["std"], std: [] },
        rust_version: "1.70",
        links: "z",
      }),
    );
    assert.equal(m.name, "foo");
    assert.equal(m.vers, "1.2.3");
    assert.equal(m.deps.length, 2);
    assert.deepEqual(m.deps[0], {
      name: "bar",
      versionReq: "1.0",
      req: "^1.0",
      features: ["x"],
      optional: false,
      defaultFeatures: true,
      target: "cfg(unix)",
      kind: "dev",
      registry: null,
      explicitNameInToml: null,
    });
    assert.equal(m.deps[1]?.explicitNameInToml, "qux");
    assert.deepEqual([...m.features.keys()], ["default", "std"]);
    assert.equal(m.rustVersion, "1.70");
    assert.equal(m.links, "z");
  });

  it("refuses bad names with crates.io's sentence", () => {
    assertPublishError(
      validate(newCrateJson("1abc", "1.0.0")),
      "name-invalid",
      400,
      /cannot start with a digit/,
    );
    assertPublishError(
      validate(newCrateJson("a b", "1.0.0")),
      "name-invalid",
      400,
      /invalid character ` `/,
    );
    assertPublishError(
      validate(newCrateJson("x".repeat(65), "1.0.0")),
      "name-invalid",
      400,
      /too long/,
    );
    assertPublishError(
      validate({ vers: "1.0.0" }),
      "metadata-invalid",
      400,
      /missing field `name`/,
    );
    assertPublishError(
      validate({ name: 5, vers: "1.0.0" }),
      "metadata-invalid",
      400,
      /`name` must be a string/,
    );
  });

  it("refuses reserved names: Windows device names, crates.io's list, configured names", () => {
    for (const name of [
      "nul",
      "CON",
      "aux",
      "com1",
      "Lpt9",
      "std",
      "core",
      "proc-macro",
      "rustc_driver",
    ]) {
      assertPublishError(
        validate(newCrateJson(name, "1.0.0")),
        "name-reserved",
        400,
        /reserved name/,
      );
    }
    const config = resolvePublishConfig({ reservedNames: ["internal-secret"] });
    assertPublishError(
      validate(newCrateJson("Internal_Secret", "1.0.0"), config),
      "name-reserved",
      400,
      /`Internal_Secret` is reserved/,
    );
    assert.equal(validateMetadata(newCrateJson("console", "1.0.0")).name, "console");
  });

  it("refuses versions that are not semver", () => {
    for (const vers of ["1.0", "v1.0.0", "1.0.0-", "01.0.0", "1.0.0+", "", "1.0.0 "]) {
      assertPublishError(
        validate(newCrateJson("a", vers)),
        "version-invalid",
        400,
        /is an invalid semver version/,
      );
    }
    assertPublishError(
      validate(newCrateJson("a", `1.0.0-${"a".repeat(200)}`)),
      "version-invalid",
      400,
      /longer than 150 characters/,
    );
  });

  it("refuses `*` requirements", () => {
    for (const req of ["*", "x", "X"]) {
      assertPublishError(
        validate(newCrateJson("a", "1.0.0", { deps: [dep("serde", req)] })),
        "dependency-wildcard",
        400,
        /wildcard \(`\*`\) dependency constraints are not allowed: dependency `serde`/,
      );
    }
    // Partial wildcards are ranges, accepted as crates.io does.
    assert.equal(
      validateMetadata(newCrateJson("a", "1.0.0", { deps: [dep("serde", "1.*")] })).deps[0]?.req,
      "1.*",
    );
  });

  it("refuses invalid requirements and dependency names", () => {
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { deps: [dep("serde", "not a req")] })),
      "dependency-invalid",
      400,
      /`not a req` is an invalid version requirement/,
    );
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { deps: [dep("_x", "1")] })),
      "dependency-invalid",
      400,
      /in dependency name/,
    );
    assertPublishError(
      validate(
        newCrateJson("a", "1.0.0", { deps: [dep("x", "1", { explicit_name_in_toml: "1y" })] }),
      ),
      "dependency-invalid",
      400,
      /cannot be used as a dependency name/,
    );
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { deps: [dep("x", "1", { kind: "peer" })] })),
      "dependency-invalid",
      400,
      /`kind` must be "normal", "dev" or "build"/,
    );
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { deps: [dep("x", "1", { features: ["a b"] })] })),
      "feature-invalid",
      400,
      /dependency `x`: invalid character ` `/,
    );
  });

  it("dependencies from other registries: crates.io allowed and canonicalised, others refused", () => {
    const m = validateMetadata(
      newCrateJson("a", "1.0.0", {
        deps: [
          dep("serde", "1", { registry: CRATES_IO_INDEX_URL }),
          dep("log", "0.4", { registry: "sparse+https://index.crates.io/" }),
          dep("local", "1", { registry: "" }),
        ],
      }),
    );
    assert.deepEqual(
      m.deps.map((d) => d.registry),
      [CRATES_IO_INDEX_URL, CRATES_IO_INDEX_URL, null],
    );
    assertPublishError(
      validate(
        newCrateJson("a", "1.0.0", {
          deps: [dep("evil", "1", { registry: "https://evil.example/index" })],
        }),
      ),
      "dependency-registry",
      400,
      /dependency `evil` comes from another registry .*only on its own crates and on crates\.io/,
    );
    const allowed = resolvePublishConfig({
      allowedExternalRegistries: ["sparse+https://other.example/"],
    });
    assert.equal(
      validateMetadata(
        newCrateJson("a", "1.0.0", {
          deps: [dep("x", "1", { registry: "sparse+https://other.example/" })],
        }),
        allowed,
      ).deps[0]?.registry,
      "sparse+https://other.example/",
    );
    const own = resolvePublishConfig({ ownIndexUrls: ["sparse+http://127.0.0.1:1/index/"] });
    assert.equal(
      validateMetadata(
        newCrateJson("a", "1.0.0", {
          deps: [dep("x", "1", { registry: "sparse+http://127.0.0.1:1/index/" })],
        }),
        own,
      ).deps[0]?.registry,
      null,
    );
  });

  it("checks features", () => {
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { features: { "~foo": [] } })),
      "feature-invalid",
      400,
      /invalid character `~` in feature `~foo`/,
    );
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { features: { foo: ["!bar"] } })),
      "feature-invalid",
      400,
      /invalid character `!` in feature `!bar`/,
    );
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { features: { "": [] } })),
      "feature-invalid",
      400,
      /feature cannot be empty/,
    );
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { features: { foo: "bar" } })),
      "metadata-invalid",
      400,
      /feature `foo` must be an array of strings/,
    );
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`f${i}`, []]));
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { features: many })),
      "feature-invalid",
      400,
      /at most 300 features, but the crate declares 301/,
    );
    // `__proto__` is an ordinary feature name.
    const proto = validateMetadata(
      JSON.parse('{"name":"a","vers":"1.0.0","features":{"__proto__":["x"]}}'),
    );
    assert.deepEqual(proto.features.get("__proto__"), ["x"]);
  });

  it("checks keywords, categories, description, URLs, license, links, rust_version", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ keywords: ["a", "b", "c", "d", "e", "f"] }, /expected at most 5 keywords per crate/],
      [
        { keywords: ["a".repeat(21)] },
        /invalid keyword \(keywords must have less than 20 characters\)/,
      ],
      [{ keywords: ["-abc"] }, /`-abc` is an invalid keyword/],
      [{ keywords: ["a b"] }, /invalid keyword/],
      [{ categories: ["a", "b", "c", "d", "e", "f"] }, /expected at most 5 categories per crate/],
      [{ categories: ["Not A Slug"] }, /not a valid category slug/],
      [
        { description: "x".repeat(1001) },
        /The `description` is too long. A maximum of 1000 characters/,
      ],
      [
        { homepage: "ftp://example.com" },
        /URL for field `homepage` must begin with http:\/\/ or https:\/\//,
      ],
      [{ repository: "https://" }, /`repository` is not a valid url/],
      [{ license: "MIT OR" }, /invalid license expression `MIT OR`/],
      [{ license: "MIT)(" }, /invalid license expression/],
      [{ links: "" }, /invalid `links` value/],
      [{ rust_version: "^1.70" }, /invalid `rust_version` value `\^1\.70`/],
      [{ rust_version: "1.70-nightly" }, /invalid `rust_version`/],
      [{ authors: "me" }, /`authors` must be an array of strings/],
      [{ description: 5 }, /`description` must be a string or null/],
      [{ description: "\ud800" }, /`description` is not valid Unicode/],
      [{ badges: [] }, /`badges` must be an object/],
      [{ deps: {} }, /`deps` must be an array/],
    ];
    for (const [overrides, detail] of cases) {
      const e = validate(newCrateJson("a", "1.0.0", overrides));
      assert.ok(
        e instanceof PublishError && detail.test(e.detail),
        `${JSON.stringify(overrides)}: ${String(e)}`,
      );
      assert.equal(e.status, 400);
    }
    assert.equal(
      validateMetadata(newCrateJson("a", "1.0.0", { description: "é".repeat(500) })).description
        ?.length,
      500,
    );
  });

  it("accepts what crates.io accepts", () => {
    for (const license of [
      "MIT",
      "MIT OR Apache-2.0",
      "MIT/Apache-2.0",
      "(MIT AND BSD-3-Clause) OR Apache-2.0",
      "GPL-2.0+ WITH Classpath-exception-2.0",
      "LicenseRef-Proprietary",
    ]) {
      assert.equal(licenseExpressionProblem(license), null, license);
    }
    for (const rv of ["1", "1.70", "1.70.0"]) assert.equal(rustVersionProblem(rv), null, rv);
    const m = validateMetadata(
      newCrateJson("a", "1.0.0", {
        keywords: ["cli", "c++", "a_b", "x-y", "a".repeat(20)],
        categories: ["development-tools::cargo-plugins", "command-line-utilities"],
        homepage: "https://example.com/x",
        documentation: "http://docs.rs/a",
        repository: "https://github.com/a/a",
        links: "git2",
        unknown_field_from_a_newer_cargo: { anything: true },
      }),
    );
    assert.equal(m.keywords.length, 5);
  });

  it("can require a description and license, as crates.io does", () => {
    const config = resolvePublishConfig({ requireDescription: true, requireLicense: true });
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { description: "", license: null }), config),
      "metadata-invalid",
      400,
      /missing or empty metadata fields: description, license/,
    );
    assert.ok(
      validateMetadata(
        newCrateJson("a", "1.0.0", { license: null, license_file: "LICENSE" }),
        config,
      ),
    );
  });

  it("can restrict categories to known slugs", () => {
    const config = resolvePublishConfig({ knownCategories: new Set(["science"]) });
    assertPublishError(
      validate(newCrateJson("a", "1.0.0", { categories: ["science", "magic"] }), config),
      "metadata-invalid",
      400,
      /category slugs are not currently supported: `magic`/,
    );
  });

  it("limits the number of dependencies", () => {
    const config = resolvePublishConfig({ maxDependencies: 2 });
    assertPublishError(
      validate(
        newCrateJson("a", "1.0.0", { deps: [dep("a1", "1"), dep("a2", "1"), dep("a3", "1")] }),
        config,
      ),
      "dependency-invalid",
      400,
      /at most 2 dependencies, but the crate declares 3/,
    );
  });
});

describe("checks against the registry", () => {
  const meta = (name: string, vers: string, extra: Record<string, unknown> = {}) =>
    validateMetadata(newCrateJson(name, vers, extra));

  it("a new crate is new; an existing one is an update", async () => {
    const view = new MemoryView().add("foo-bar", "1.0.0");
    assert.equal((await checkMetadataAgainstRegistry(meta("baz", "1.0.0"), view)).isNew, true);
    assert.equal((await checkMetadataAgainstRegistry(meta("foo-bar", "1.1.0"), view)).isNew, false);
  });

  it("refuses a canonical-name collision with another spelling", async () => {
    const view = new MemoryView().add("foo-bar", "1.0.0");
    for (const name of ["Foo_bar", "foo_bar", "FOO-BAR"]) {
      assertPublishError(
        await rejection(checkMetadataAgainstRegistry(meta(name, "2.0.0"), view)),
        "name-collision",
        400,
        /crate was previously named `foo-bar`.*ignoring case and treating `-` and `_` as equal/,
      );
    }
  });

  it("refuses an already published version, also when only build metadata differs", async () => {
    const view = new MemoryView().add("foo", "1.0.0", "2.0.0+abc");
    assertPublishError(
      await rejection(checkMetadataAgainstRegistry(meta("foo", "1.0.0"), view)),
      "version-exists",
      400,
      /crate version `1\.0\.0` is already uploaded$/,
    );
    assertPublishError(
      await rejection(checkMetadataAgainstRegistry(meta("foo", "1.0.0+build.7"), view)),
      "version-exists",
      400,
      /`1\.0\.0\+build\.7` is already uploaded as `1\.0\.0`/,
    );
    assertPublishError(
      await rejection(checkMetadataAgainstRegistry(meta("foo", "2.0.0"), view)),
      "version-exists",
      400,
      /already uploaded as `2\.0\.0\+abc`/,
    );
    // A pre-release is another version.
    assert.ok(await checkMetadataAgainstRegistry(meta("foo", "1.0.0-rc.1"), view));
  });

  it("refuses reserved names held by the registry", async () => {
    const view = new MemoryView();
    view.reserved.add("acme_internal");
    assertPublishError(
      await rejection(checkMetadataAgainstRegistry(meta("acme-internal", "1.0.0"), view)),
      "name-reserved",
      400,
      /reserved/,
    );
  });

  it("requires local dependencies to exist, spelled exactly", async () => {
    const view = new MemoryView().add("serde-lite", "1.0.0");
    assertPublishError(
      await rejection(
        checkMetadataAgainstRegistry(meta("a", "1.0.0", { deps: [dep("nope", "1")] }), view),
      ),
      "dependency-unknown",
      400,
      /no known crate named `nope` in this registry/,
    );
    assertPublishError(
      await rejection(
        checkMetadataAgainstRegistry(meta("a", "1.0.0", { deps: [dep("serde_lite", "1")] }), view),
      ),
      "dependency-unknown",
      400,
      /no known crate named `serde_lite` in this registry; did you mean `serde-lite`\?/,
    );
    const ok = await checkMetadataAgainstRegistry(
      meta("a", "1.0.0", {
        deps: [
          dep("serde-lite", "1"),
          dep("serde-lite", "^2", { kind: "dev" }),
          dep("serde", "1", { registry: CRATES_IO_INDEX_URL }),
        ],
      }),
      view,
    );
    assert.deepEqual(ok.warnings, [
      "dependency `serde-lite` requires `^2`, which no version published in this registry satisfies",
    ]);
  });

  it("a crate may depend on an earlier version of itself", async () => {
    const view = new MemoryView().add("selfish", "0.1.0");
    const r = await checkMetadataAgainstRegistry(
      meta("selfish", "0.2.0", { deps: [dep("selfish", "0.1", { kind: "dev" })] }),
      view,
    );
    assert.deepEqual(r.warnings, []);
  });

  it("the registry is consulted only after the metadata is valid", async () => {
    let calls = 0;
    const view = {
      crateByCanonicalName() {
        calls++;
        return null;
      },
    };
    const crate = await crateFile("a", "1.0.0");
    const r = await checkPublish(
      frame(newCrateJson("a", "1.0.0", { deps: [dep("x", "*")] }), crate),
      view,
    );
    assertPublishError(r, "dependency-wildcard", 400, /wildcard/);
    assert.equal(calls, 0);
  });

  it("end to end: unknown dependency, collision, reserved name, duplicate version", async () => {
    const view = new MemoryView().add("foo-bar", "1.0.0");
    const body = async (name: string, vers: string, extra: Record<string, unknown> = {}) =>
      frame(
        newCrateJson(name, vers, extra),
        await crateFile(name, vers, { manifest: manifestToml(name, vers) }),
      );
    assertPublishError(
      await checkPublish(await body("app", "1.0.0", { deps: [dep("ghost", "1")] }), view, {
        checkManifestConsistency: false,
      }),
      "dependency-unknown",
      400,
      /ghost/,
    );
    assertPublishError(
      await checkPublish(await body("Foo_Bar", "1.1.0"), view),
      "name-collision",
      400,
      /foo-bar/,
    );
    assertPublishError(
      await checkPublish(await body("nul", "1.0.0"), view),
      "name-reserved",
      400,
      /reserved/,
    );
    assertPublishError(
      await checkPublish(await body("foo-bar", "1.0.0"), view),
      "version-exists",
      400,
      /already uploaded/,
    );
    const ok = await checkPublish(await body("foo-bar", "1.0.1"), view);
    assert.ok(ok.ok);
    assert.equal(ok.crate.isNew, false);
  });
});

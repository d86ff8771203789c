import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError, defaultAuditConfig, parseAuditConfig } from "../../src/audit/config.js";
import { loadAuditConfig } from "../../src/audit/config-discovery.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-config-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("audit.toml", () => {
  test("reads every cargo-audit key", () => {
    const config = parseAuditConfig(
      `[advisories]
ignore = ["RUSTSEC-2020-0001"]
informational_warnings = ["unmaintained"]
severity_threshold = "medium"

[database]
path = "/tmp/db"
url = "https://example.com/advisory-db.git"
fetch = false
stale = true

[output]
deny = ["warnings", "yanked"]
format = "json"
quiet = true
show_tree = false

[target]
arch = ["x86_64"]
os = "linux"

[yanked]
enabled = false
update_index = false
`,
      "audit.toml",
    );
    assert.deepEqual(config.advisories.ignore, [
      { id: "RUSTSEC-2020-0001", reason: null, until: null, origin: "audit.toml" },
    ]);
    assert.deepEqual(config.advisories.informationalWarnings, ["unmaintained"]);
    assert.equal(config.advisories.severityThreshold, "medium");
    assert.deepEqual(config.database, {
      path: "/tmp/db",
      url: "https://example.com/advisory-db.git",
      fetch: false,
      stale: true,
    });
    assert.deepEqual(config.output, {
      deny: ["warnings", "yanked"],
      format: "json",
      quiet: true,
      showTree: false,
    });
    assert.deepEqual(config.target, { arch: ["x86_64"], os: ["linux"] });
    assert.deepEqual(config.yanked, { enabled: false, updateIndex: false });
  });

  test("an empty file means the defaults", () => {
    assert.deepEqual(parseAuditConfig("", "audit.toml"), defaultAuditConfig());
  });

  test("ignore entries may carry a reason and an expiry date (TOML date or string)", () => {
    const config = parseAuditConfig(
      `[advisories]
ignore = [
  { id = "CVE-2021-1234", reason = "not reachable: we never parse untrusted input", until = 2027-01-31 },
  { id = "GHSA-abcd-efgh-ijkl", until = "2026-12-01" },
]
`,
      "a.toml",
    );
    assert.deepEqual(
      config.advisories.ignore.map((i) => [i.id, i.reason, i.until]),
      [
        ["CVE-2021-1234", "not reachable: we never parse untrusted input", "2027-01-31"],
        ["GHSA-abcd-efgh-ijkl", null, "2026-12-01"],
      ],
    );
  });

  const bad: [string, string, RegExp, number][] = [
    ["unknown section", "[advisory]\nignore = []\n", /unknown section `\[advisory\]`/, 1],
    [
      "unknown key",
      "[advisories]\nignore = []\nignored = []\n",
      /unknown key `ignored` in \[advisories\]/,
      3,
    ],
    [
      "bad severity",
      '[advisories]\nseverity_threshold = "severe"\n',
      /invalid value "severe" .*severity_threshold/,
      2,
    ],
    ["bad deny", '[output]\ndeny = ["everything"]\n', /invalid value "everything"/, 2],
    ["bad bool", '[database]\nfetch = "no"\n', /must be true or false/, 2],
    [
      "bad until",
      '[advisories]\nignore = [{ id = "RUSTSEC-2020-0001", until = "2026-02-30" }]\n',
      /until.*YYYY-MM-DD/,
      2,
    ],
    ["bad id", '[advisories]\nignore = ["not an id"]\n', /not an advisory id/, 2],
    ["broken TOML", "[advisories\nignore = [\n", /invalid TOML/, 1],
  ];
  for (const [name, text, message, line] of bad) {
    test(`rejects ${name} with its line`, () => {
      assert.throws(
        () => parseAuditConfig(text, "cfg/audit.toml"),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, message);
          assert.equal(err.line, line);
          assert.match(String(err), new RegExp(`^cfg/audit\\.toml:${line}:`));
          return true;
        },
      );
    });
  }
});

describe("audit.toml discovery", () => {
  const write = (dir: string, text: string): string => {
    mkdirSync(join(dir, ".cargo"), { recursive: true });
    const path = join(dir, ".cargo", "audit.toml");
    writeFileSync(path, text);
    return path;
  };

  test("prefers the lockfile's directory over the working directory, then CARGO_HOME", () => {
    const project = join(work, "project");
    const cwd = join(work, "cwd");
    const cargoHome = join(work, "cargo-home");
    mkdirSync(cargoHome, { recursive: true });
    writeFileSync(join(cargoHome, "audit.toml"), '[advisories]\nignore = ["RUSTSEC-2000-0003"]\n');
    const env = { CARGO_HOME: cargoHome };
    const lockfile = join(project, "Cargo.lock");
    mkdirSync(cwd, { recursive: true });
    assert.equal(loadAuditConfig({ lockfile, cwd, env }).path, join(cargoHome, "audit.toml"));
    const inCwd = write(cwd, '[advisories]\nignore = ["RUSTSEC-2000-0002"]\n');
    assert.equal(loadAuditConfig({ lockfile, cwd, env }).path, inCwd);
    const inProject = write(project, '[advisories]\nignore = ["RUSTSEC-2000-0001"]\n');
    const found = loadAuditConfig({ lockfile, cwd, env });
    assert.equal(found.path, inProject);
    assert.equal(found.config.advisories.ignore[0]?.id, "RUSTSEC-2000-0001");
  });

  test("--config wins, and must exist", () => {
    const explicit = join(work, "explicit.toml");
    writeFileSync(explicit, "[output]\nquiet = true\n");
    assert.equal(loadAuditConfig({ explicit, cwd: work, env: {} }).config.output.quiet, true);
    assert.throws(
      () => loadAuditConfig({ explicit: join(work, "missing.toml"), cwd: work, env: {} }),
      /config file not found/,
    );
  });

  test("no file anywhere means the defaults", () => {
    const empty = join(work, "empty");
    mkdirSync(empty, { recursive: true });
    const r = loadAuditConfig({ cwd: empty, env: { CARGO_HOME: join(work, "no-cargo-home") } });
    assert.equal(r.path, null);
    assert.deepEqual(r.config, defaultAuditConfig());
  });
});

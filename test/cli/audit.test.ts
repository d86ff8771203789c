import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadOsvOracle, oracleFindings } from "../audit/oracle.js";
import { runCli, STACK_TRACE } from "../support/cli.js";
import { advisoryDbDir, advisoryDbOsvDir, sharedData } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-audit-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));
const env = { XDG_CACHE_HOME: join(work, "cache"), CARGO_HOME: join(work, "cargo-home") };
const indexDir = sharedData("crates-index-sample");
const base = ["audit", "--db", advisoryDbDir, "--no-yanked"];

const CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";

/** Writes a Cargo.lock with an `app` root depending on the given crates.io packages. */
function writeLock(dir: string, packages: [string, string][]): string {
  mkdirSync(dir, { recursive: true });
  const deps = packages.map(([n, v]) => `  "${n} ${v}",`).join("\n");
  const body = packages
    .map(([n, v]) => `[[package]]\nname = "${n}"\nversion = "${v}"\nsource = "${CRATES_IO}"\n`)
    .join("\n");
  const path = join(dir, "Cargo.lock");
  writeFileSync(
    path,
    `version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n${deps}\n]\n\n${body}`,
  );
  return path;
}

function assertCleanError(r: { stdout: string; stderr: string }): void {
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  assert.doesNotMatch(r.stdout, STACK_TRACE);
  assert.match(r.stderr, /^error: /m);
}

const vulnerable = writeLock(join(work, "vulnerable"), [
  ["abi_stable", "0.9.0"],
  ["json", "0.12.4"],
]);
const clean = writeLock(join(work, "clean"), [["abi_stable", "0.9.1"]]);

describe("cratesec audit: exit codes as cargo-audit", () => {
  test("vulnerable → 1, clean → 0, unmaintained only → 0, --deny warnings → 1", () => {
    assert.equal(runCli([...base, "-f", vulnerable], { env }).code, 1);
    assert.equal(runCli([...base, "-f", clean], { env }).code, 0);
    const unmaintained = writeLock(join(work, "unmaintained"), [["json", "0.12.4"]]);
    assert.equal(runCli([...base, "-f", unmaintained], { env }).code, 0);
    assert.equal(runCli([...base, "-f", unmaintained, "-D", "warnings"], { env }).code, 1);
    assert.equal(runCli([...base, "-f", unmaintained, "--deny", "unsound"], { env }).code, 0);
  });

  test("a yanked package is a warning, fatal with -D yanked (local index, no network)", () => {
    const yanked = writeLock(join(work, "yanked"), [["log", "0.4.9"]]);
    const args = ["audit", "--db", advisoryDbDir, "--index-dir", indexDir, "-f", yanked, "--json"];
    const r = runCli(args, { env });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      warnings: { yanked?: { package: { name: string; version: string } }[] };
    };
    assert.deepEqual(
      json.warnings.yanked?.map((w) => `${w.package.name} ${w.package.version}`),
      ["log 0.4.9"],
    );
    assert.equal(runCli([...args, "-D", "yanked"], { env }).code, 1);
    assert.equal(runCli([...args, "-D", "yanked", "--no-yanked"], { env }).code, 0);
  });

  test("a missing lockfile → 2 with an error naming it", () => {
    const r = runCli([...base, "-f", join(work, "nope", "Cargo.lock")], { env });
    assert.equal(r.code, 2);
    assertCleanError(r);
    assert.match(r.stderr, /nope\/Cargo\.lock: (no such file|lockfile not found)/);
  });

  test("bad lockfiles → 2 with file:line, never a stack trace", () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ["truncated", readFileSync(vulnerable, "utf8").slice(0, 120), /truncated\.lock(:\d+:\d+)?: /],
      [
        "garbled",
        'version = 3\n\n[[package]]\nname = "x"\nversion = "1.0.0"\ndependencies = ["y 1.0"]\n',
        /garbled\.lock:\d+:\d+: /,
      ],
      [
        "binary",
        new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]),
        /binary\.lock: /,
      ],
      ["cargo-toml", '[package]\nname = "x"\nversion = "0.1.0"\n', /Cargo\.toml/],
      ["audit-toml", "[advisories]\nignore = []\n", /cargo-toml|audit-toml|not a Cargo\.lock/],
      ["empty", "", /empty\.lock/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(work, `${name}.lock`);
      writeFileSync(path, content);
      const r = runCli([...base, "-f", path], { env });
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assertCleanError(r);
      assert.match(r.stderr, message, name);
    }
  });

  test("a 100 MB lockfile is refused quickly with a clear message", () => {
    const path = join(work, "huge.lock");
    writeFileSync(path, Buffer.alloc(100 * 1024 * 1024, 0x20));
    const r = runCli([...base, "-f", path], { env });
    assert.equal(r.code, 2);
    assertCleanError(r);
    assert.match(r.stderr, /huge\.lock/);
    rmSync(path);
  });

  test("a database path that is not a database → 2", () => {
    const notDb = join(work, "not-a-db");
    mkdirSync(notDb, { recursive: true });
    writeFileSync(join(notDb, "README"), "hello");
    const r = runCli(["audit", "--db", notDb, "--no-yanked", "-f", vulnerable], { env });
    assert.equal(r.code, 2);
    assertCleanError(r);
  });

  test("the lockfile can come from standard input", () => {
    const r = runCli([...base, "-f", "-", "--json"], {
      env,
      input: readFileSync(vulnerable, "utf8"),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as { vulnerabilities: { count: number } }).vulnerabilities.count,
      1,
    );
  });

  test("several lockfiles: one report each, worst exit code wins", () => {
    const r = runCli([...base, "--json", "-f", clean, "-f", vulnerable], { env });
    assert.equal(r.code, 1);
    const docs = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { vulnerabilities: { count: number } });
    assert.deepEqual(
      docs.map((d) => d.vulnerabilities.count),
      [0, 1],
    );
  });
});

describe("cratesec audit: reports", () => {
  test("JSON has cargo-audit's keys and structure, plus dependency paths", () => {
    const r = runCli([...base, "-f", vulnerable, "--json"], { env });
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), [
      "database",
      "lockfile",
      "settings",
      "vulnerabilities",
      "warnings",
      "cratesec",
    ]);
    assert.deepEqual(Object.keys(json.database), ["advisory-count", "last-commit", "last-updated"]);
    assert.deepEqual(json.lockfile, { "dependency-count": 3 });
    assert.deepEqual(Object.keys(json.settings), [
      "target_arch",
      "target_os",
      "severity",
      "ignore",
      "informational_warnings",
    ]);
    assert.equal(json.vulnerabilities.found, true);
    const vuln = json.vulnerabilities.list[0];
    assert.deepEqual(Object.keys(vuln), [
      "advisory",
      "versions",
      "affected",
      "package",
      "dependency_paths",
    ]);
    assert.equal(vuln.advisory.id, "RUSTSEC-2020-0105");
    assert.deepEqual(vuln.versions, { patched: [">=0.9.1"], unaffected: [] });
    assert.deepEqual(vuln.package, {
      name: "abi_stable",
      version: "0.9.0",
      source: CRATES_IO,
      checksum: null,
      replace: null,
    });
    assert.deepEqual(vuln.dependency_paths, [["app@0.1.0", "abi_stable@0.9.0"]]);
    assert.deepEqual(Object.keys(json.warnings), ["unmaintained"]);
  });

  test("SARIF points at the package's own [[package]] line", () => {
    const r = runCli([...base, "-f", vulnerable, "--format", "sarif"], { env });
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, "2.1.0");
    const result = sarif.runs[0].results.find(
      (x: { ruleId: string }) => x.ruleId === "RUSTSEC-2020-0105",
    );
    const line = result.locations[0].physicalLocation.region.startLine as number;
    const lines = readFileSync(vulnerable, "utf8").split("\n");
    assert.equal(lines[line - 1], "[[package]]");
    assert.equal(lines[line], 'name = "abi_stable"');
  });

  test("terminal report: cargo-audit's fields, tree, summary; colour only when asked", () => {
    const r = runCli([...base, "-f", vulnerable], { env });
    assert.match(r.stdout, /^Crate: +abi_stable$/m);
    assert.match(r.stdout, /^ID: +RUSTSEC-2020-0105$/m);
    assert.match(r.stdout, /^Solution: +Upgrade to >=0\.9\.1$/m);
    assert.match(r.stdout, /^Dependency tree:\nabi_stable 0\.9\.0\n└── app 0\.1\.0$/m);
    assert.match(r.stdout, /error: 1 vulnerability found!/);
    assert.ok(!r.stdout.includes("\u001b["), "no ANSI escapes without a TTY");
    const coloured = runCli([...base, "-f", vulnerable, "--color", "always"], { env });
    assert.ok(coloured.stdout.includes("\u001b["), "ANSI escapes with --color always");
    const quiet = runCli([...base, "-f", vulnerable, "-q"], { env });
    assert.doesNotMatch(quiet.stdout, /Dependency tree/);
    assert.equal(quiet.stderr, "");
  });

  test("Markdown for pull-request comments", () => {
    const r = runCli([...base, "-f", vulnerable, "--format", "markdown"], { env });
    assert.match(r.stdout, /\| .*RUSTSEC-2020-0105.* \| abi\\_stable \| 0\.9\.0 \|/);
  });
});

describe("cratesec audit: ignores and config", () => {
  test("--ignore by CVE alias suppresses the advisory (cargo-audit cannot)", () => {
    const r = runCli([...base, "-f", vulnerable, "--ignore", "CVE-2020-36212"], { env });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /ignored: RUSTSEC-2020-0105/);
  });

  test(".cargo/audit.toml next to the lockfile is found; reasons and expiry are honoured", () => {
    const dir = join(work, "with-config");
    const lock = writeLock(dir, [["abi_stable", "0.9.0"]]);
    mkdirSync(join(dir, ".cargo"), { recursive: true });
    const config = (until: string) =>
      `[advisories]\nignore = [{ id = "RUSTSEC-2020-0105", reason = "not reachable", until = ${until} }]\n`;
    writeFileSync(join(dir, ".cargo", "audit.toml"), config("2099-01-01"));
    const ok = runCli([...base, "-f", lock], { env });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /not reachable/);
    writeFileSync(join(dir, ".cargo", "audit.toml"), config("2020-01-01"));
    const expired = runCli([...base, "-f", lock], { env });
    assert.equal(expired.code, 1);
    assert.match(expired.stdout, /expired on 2020-01-01/);
  });

  test("a broken audit.toml is an error with its line", () => {
    const path = join(work, "bad-audit.toml");
    writeFileSync(path, "[advisories]\nignore = []\nbogus = 1\n");
    const r = runCli([...base, "-f", vulnerable, "--config", path], { env });
    assert.equal(r.code, 2);
    assertCleanError(r);
    assert.match(r.stderr, /bad-audit\.toml:3:1: unknown key `bogus`/);
  });

  test("--target-os drops advisories for other platforms", () => {
    const lock = writeLock(join(work, "atty"), [["atty", "0.2.14"]]);
    const kinds = (extra: string[]): string[] => {
      const r = runCli([...base, "-f", lock, "--json", ...extra], { env });
      return Object.keys(JSON.parse(r.stdout).warnings);
    };
    assert.deepEqual(kinds([]), ["unmaintained", "unsound"]);
    assert.deepEqual(kinds(["--target-os", "linux"]), ["unmaintained"]);
  });
});

describe("cratesec audit on the shared lockfiles", () => {
  test("the JSON findings equal the independent OSV oracle for every lockfile", () => {
    const oracle = loadOsvOracle(advisoryDbOsvDir);
    const dir = sharedData("lockfiles");
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".lock"))
      .slice(0, 8)) {
      const r = runCli([...base, "-f", join(dir, file), "--json"], { env });
      assert.ok(r.code === 0 || r.code === 1, `${file}: ${r.stderr}`);
      const json = JSON.parse(r.stdout);
      const found: string[] = [];
      for (const v of json.vulnerabilities.list)
        found.push(`${v.advisory.id} ${v.package.name} ${v.package.version} vulnerability`);
      for (const [kind, list] of Object.entries(json.warnings) as [
        string,
        { advisory: { id: string }; package: { name: string; version: string } }[],
      ][]) {
        for (const w of list)
          found.push(`${w.advisory.id} ${w.package.name} ${w.package.version} ${kind}`);
      }
      assert.deepEqual(
        found.sort(),
        oracleFindings(readFileSync(join(dir, file), "utf8"), oracle),
        file,
      );
    }
  });
});

describe("cratesec audit on an OSV source", () => {
  test("gives the same findings as the advisory-db it was exported from", () => {
    const dir = sharedData("lockfiles");
    const summary = (db: string, file: string): unknown => {
      const r = runCli(["audit", "--db", db, "--no-yanked", "--json", "-f", join(dir, file)], {
        env,
      });
      const json = JSON.parse(r.stdout);
      return {
        vulnerabilities: json.vulnerabilities.list.map(
          (v: { advisory: { id: string } }) => v.advisory.id,
        ),
        warnings: Object.fromEntries(
          Object.entries(json.warnings).map(([k, list]) => [
            k,
            (list as { advisory: { id: string } }[]).map((w) => w.advisory.id),
          ]),
        ),
      };
    };
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".lock"))
      .slice(-4)) {
      assert.deepEqual(summary(advisoryDbOsvDir, file), summary(advisoryDbDir, file), file);
    }
  });
});

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runCli, STACK_TRACE } from "../support/cli.js";
import { advisoryDbDir, advisoryDbOsvDir, repoRoot } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-cli-"));
const env = { XDG_CACHE_HOME: join(work, "cache") };
after(() => rmSync(work, { recursive: true, force: true }));

const example = join(repoRoot, "examples", "advisory-db");

/** Every advisory file of the shared database, read without cratesec's own parser. */
function sharedAdvisoryTexts(): string[] {
  const crates = join(advisoryDbDir, "crates");
  return readdirSync(crates).flatMap((pkg) =>
    readdirSync(join(crates, pkg)).map((f) => readFileSync(join(crates, pkg, f), "utf8")),
  );
}

function assertNoStack(r: { stdout: string; stderr: string }): void {
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  assert.doesNotMatch(r.stdout, STACK_TRACE);
}

describe("advisories list", () => {
  test("lists the bundled example database as a table", () => {
    const r = runCli(["advisories", "list", "--db", example], { env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0] as string, /^ID\s+PACKAGE\s+DATE\s+KIND\s+SEVERITY\s+TITLE$/);
    assert.equal(lines.length, 4);
    assert.match(
      r.stdout,
      /RUSTSEC-2099-0003\s+cratesec-example-tls\s+2099-03-10\s+vulnerability\s+9\.3 critical/,
    );
  });

  test("--json on the shared database excludes withdrawn advisories by default", () => {
    const texts = sharedAdvisoryTexts();
    const withdrawn = texts.filter((t) => /^withdrawn\s*=/m.test(t)).length;
    assert.ok(withdrawn > 0);
    const r = runCli(["advisories", "list", "--db", advisoryDbDir, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { advisory: { id: string; withdrawn: string | null } }[];
    assert.equal(list.length, texts.length - withdrawn);
    assert.ok(list.every((a) => a.advisory.withdrawn === null));

    const all = runCli(
      ["advisories", "list", "--db", advisoryDbDir, "--json", "--withdrawn", "include"],
      { env },
    );
    assert.equal((JSON.parse(all.stdout) as unknown[]).length, texts.length);
    const only = runCli(
      ["advisories", "list", "--db", advisoryDbDir, "--json", "--withdrawn", "only"],
      { env },
    );
    assert.equal((JSON.parse(only.stdout) as unknown[]).length, withdrawn);
  });

  test("--affects NAME@VERSION uses the RustSec ranges across the patched boundary", () => {
    const ids = (spec: string): string[] => {
      const r = runCli(["advisories", "list", "--db", advisoryDbDir, "--json", "--affects", spec], {
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { advisory: { id: string } }[]).map((a) => a.advisory.id);
    };
    assert.ok(ids("abi_stable@0.9.0").includes("RUSTSEC-2020-0105"));
    assert.ok(!ids("abi_stable@0.9.1").includes("RUSTSEC-2020-0105"));
  });

  test("filters by kind, year and category", () => {
    const r = runCli(
      [
        "advisories",
        "list",
        "--db",
        advisoryDbDir,
        "--json",
        "--kind",
        "unmaintained",
        "--year",
        "2020",
      ],
      {
        env,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { advisory: { id: string; informational: string } }[];
    assert.ok(list.length > 0);
    for (const a of list) {
      assert.equal(a.advisory.informational, "unmaintained");
      assert.match(a.advisory.id, /^RUSTSEC-2020-/);
    }
    const mc = runCli(
      ["advisories", "list", "--db", advisoryDbDir, "--json", "--category", "memory-corruption"],
      { env },
    );
    const cats = JSON.parse(mc.stdout) as { advisory: { categories: string[] } }[];
    assert.ok(
      cats.length > 0 && cats.every((a) => a.advisory.categories.includes("memory-corruption")),
    );
  });

  test("bad option values are usage errors (exit 2, no stack trace)", () => {
    for (const args of [
      ["--year", "20x1"],
      ["--affects", "abi_stable"],
      ["--affects", "abi_stable@01.0.0"],
      ["--kind", "bogus"],
    ]) {
      const r = runCli(["advisories", "list", "--db", advisoryDbDir, ...args], { env });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
      assertNoStack(r);
    }
  });

  test("a missing database directory is a clear error", () => {
    const r = runCli(["advisories", "list", "--db", join(work, "nope")], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /advisory database not found: .*nope/);
    assertNoStack(r);
  });

  test("--no-fetch without a cloned database says how to get one", () => {
    const r = runCli(["advisories", "list", "--no-fetch"], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not found .*--no-fetch/);
    assertNoStack(r);
  });

  test("a directory of OSV records works as --db", () => {
    const r = runCli(
      ["advisories", "list", "--db", advisoryDbOsvDir, "--json", "--withdrawn", "include"],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, readdirSync(advisoryDbOsvDir).length);
  });
});

describe("advisories show and search", () => {
  test("show by id and by alias give the same advisory", () => {
    const byId = runCli(
      ["advisories", "show", "RUSTSEC-2020-0105", "--db", advisoryDbDir, "--json"],
      { env },
    );
    assert.equal(byId.code, 0, byId.stderr);
    const json = JSON.parse(byId.stdout) as {
      advisory: { id: string; package: string; cvss: string };
      versions: { patched: string[] };
      affected_ranges: { introduced: string | null; fixed: string | null }[];
    };
    assert.equal(json.advisory.package, "abi_stable");
    assert.deepEqual(json.versions.patched, [">=0.9.1"]);
    assert.deepEqual(json.affected_ranges, [{ introduced: null, fixed: "0.9.1" }]);
    const byAlias = runCli(
      ["advisories", "show", "CVE-2020-36212", "--db", advisoryDbDir, "--json"],
      { env },
    );
    assert.equal(byAlias.stdout, byId.stdout);
  });

  test("show prints a readable record", () => {
    const r = runCli(["advisories", "show", "RUSTSEC-2020-0105", "--db", advisoryDbDir], { env });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^ID:\s+RUSTSEC-2020-0105$/m);
    assert.match(r.stdout, /^Severity:\s+7\.5 \(high\) CVSS:3\.1\//m);
    assert.match(r.stdout, /^Patched:\s+>=0\.9\.1$/m);
  });

  test("show of an unknown id exits 1 with a message", () => {
    const r = runCli(["advisories", "show", "RUSTSEC-2000-9999", "--db", advisoryDbDir], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no advisory with id or alias `RUSTSEC-2000-9999`/);
  });

  test("search matches words anywhere, case-insensitively", () => {
    const r = runCli(
      ["advisories", "search", "DRAINFILTER retain", "--db", advisoryDbDir, "--json"],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { advisory: { id: string } }[]).map((a) => a.advisory.id);
    assert.deepEqual(ids, ["RUSTSEC-2020-0105"]);
  });
});

describe("advisories lint", () => {
  test("the shared database lints clean", () => {
    const r = runCli(["advisories", "lint", advisoryDbDir], { env });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /no errors/);
  });

  test("reports every problem of every file as path:line:col, and exits 1", () => {
    const db = join(work, "bad-db");
    const write = (rel: string, text: string | Uint8Array): void => {
      mkdirSync(join(db, rel, ".."), { recursive: true });
      writeFileSync(join(db, rel), text);
    };
    const good = (id: string, pkg: string, extra = ""): string =>
      `\`\`\`toml\n[advisory]\nid = "${id}"\npackage = "${pkg}"\ndate = "2021-01-01"\n${extra}\n[versions]\npatched = [">= 1.0.0"]\n\`\`\`\n\n# Title\n\nBody.\n`;
    write("crates/fine/RUSTSEC-2021-0001.md", good("RUSTSEC-2021-0001", "fine"));
    write(
      "crates/typo/RUSTSEC-2021-0002.md",
      good("RUSTSEC-2021-0002", "typo", 'urll = "https://example.com"'),
    );
    write("crates/wrongdir/RUSTSEC-2021-0003.md", good("RUSTSEC-2021-0003", "other"));
    write(
      "crates/badurl/RUSTSEC-2021-0004.md",
      good("RUSTSEC-2021-0004", "badurl", 'url = "http://example.com"'),
    );
    write(
      "crates/truncated/RUSTSEC-2021-0005.md",
      '```toml\n[advisory]\nid = "RUSTSEC-2021-0005"\npackage = "trun',
    );
    write(
      "crates/binary/RUSTSEC-2021-0006.md",
      new Uint8Array([0x60, 0x60, 0x60, 0xff, 0xfe, 0x00]),
    );
    write("crates/stray.md", "not a directory");

    const r = runCli(["advisories", "lint", db], { env });
    assert.equal(r.code, 1);
    assertNoStack(r);
    const lines = r.stdout.trim().split("\n");
    for (const line of lines) assert.match(line, /^[^:]+(:\d+:\d+)?: error: .+$/, line);
    const about = (name: string): string[] => lines.filter((l) => l.includes(name));
    assert.equal(about("fine/").length, 0, "the valid advisory has no problems");
    assert.match(about("typo/")[0] ?? "", /RUSTSEC-2021-0002\.md:6:1: error: .*urll/);
    assert.ok(about("wrongdir/").length > 0);
    assert.match(about("badurl/").join("\n"), /RUSTSEC-2021-0004\.md:6:\d+: error: .*https/);
    assert.ok(about("truncated/").length > 0);
    assert.match(about("binary/").join("\n"), /UTF-8/);
    assert.ok(about("stray.md").length > 0);
    assert.match(r.stderr, /error\(s\)/);
  });

  test("lints a single advisory file", () => {
    const file = join(advisoryDbDir, "crates", "abi_stable", "RUSTSEC-2020-0105.md");
    const r = runCli(["advisories", "lint", file], { env });
    assert.equal(r.code, 0, r.stdout);
  });

  test("a path that does not exist is a usage error", () => {
    const r = runCli(["advisories", "lint", join(work, "missing")], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no such file or directory/);
  });
});

describe("advisories export-osv / import-osv", () => {
  test("export writes one record per crate advisory; import reads them back", () => {
    const out = join(work, "osv-out");
    const r = runCli(["advisories", "export-osv", "--db", advisoryDbDir, out], { env });
    assert.equal(r.code, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.deepEqual(files, readdirSync(advisoryDbOsvDir).sort());
    const strip = (text: string): unknown => {
      const { modified: _modified, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    const name = "RUSTSEC-2020-0105.json";
    assert.deepEqual(
      strip(readFileSync(join(out, name), "utf8")),
      strip(readFileSync(join(advisoryDbOsvDir, name), "utf8")),
    );

    const imported = runCli(["advisories", "import-osv", out], { env });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, new RegExp(`imported ${files.length} advisory record`));
  });

  test("import-osv reports a broken record with its location and still imports the rest", () => {
    const dir = join(work, "osv-bad");
    mkdirSync(dir, { recursive: true });
    const name = "RUSTSEC-2020-0105.json";
    writeFileSync(join(dir, name), readFileSync(join(advisoryDbOsvDir, name)));
    writeFileSync(join(dir, "broken.json"), '{\n  "id": "GHSA-xxxx",\n  "affected": [\n');
    const r = runCli(["advisories", "import-osv", dir], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.json:\d+:\d+: error: /);
    assert.match(r.stderr, /imported 1 advisory record/);
    assertNoStack(r);
  });
});

describe("cli basics", () => {
  test("--help and --version", () => {
    const help = runCli(["advisories", "--help"]);
    assert.equal(help.code, 0);
    for (const sub of ["list", "show", "search", "lint", "export-osv", "import-osv"])
      assert.match(help.stdout, new RegExp(sub));
    const version = runCli(["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  test("an unknown command is a usage error", () => {
    const r = runCli(["advisories", "frobnicate"]);
    assert.equal(r.code, 2);
    assertNoStack(r);
  });
});

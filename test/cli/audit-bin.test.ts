import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type AuditPackageJson, auditPayload, elf, pe } from "../binary/fixtures.js";
import { runCli, STACK_TRACE } from "../support/cli.js";
import { advisoryDbDir } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-audit-bin-"));
const env = { XDG_CACHE_HOME: join(work, "cache"), CARGO_HOME: join(work, "cargo-home") };
after(() => rmSync(work, { recursive: true, force: true }));

const CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";
const DB = ["--db", advisoryDbDir, "--no-yanked"];

/** app -> abi_stable 0.9.0 (RUSTSEC-2020-0105) -> atty 0.2.14 (unmaintained; unsound on Windows). */
const VULNERABLE: AuditPackageJson[] = [
  { name: "app", version: "0.1.0", source: "local", dependencies: [1, 2], root: true },
  { name: "abi_stable", version: "0.9.0", source: "crates.io", dependencies: [2] },
  { name: "atty", version: "0.2.14", source: "crates.io" },
];
const ATTY_ONLY: AuditPackageJson[] = [
  { name: "app", version: "0.1.0", source: "local", dependencies: [1], root: true },
  { name: "atty", version: "0.2.14", source: "crates.io" },
];
const CLEAN: AuditPackageJson[] = [
  { name: "app", version: "0.1.0", source: "local", dependencies: [1, 2], root: true },
  { name: "abi_stable", version: "0.9.1", source: "crates.io" },
  // Vulnerable, but from git: advisories only match crates.io packages.
  { name: "atty", version: "0.2.14", source: "git" },
];

const sections = (packages: AuditPackageJson[]) => [
  { name: ".text", data: Buffer.from([0x90, 0xc3]) },
  { name: ".dep-v0", data: auditPayload({ format: 1, packages }) },
];

function write(name: string, bytes: Uint8Array | string): string {
  writeFileSync(join(work, name), bytes);
  return name;
}

before(() => {
  mkdirSync(env.CARGO_HOME, { recursive: true });
  write("a.elf", elf({ bits: 64, littleEndian: true, sections: sections(VULNERABLE) }));
  write("b.exe", pe({ plus: true, sections: sections(VULNERABLE) }));
  write("atty.elf", elf({ bits: 64, littleEndian: true, sections: sections(ATTY_ONLY) }));
  write("atty.exe", pe({ plus: false, sections: sections(ATTY_ONLY) }));
  write("clean.elf", elf({ bits: 32, littleEndian: false, sections: sections(CLEAN) }));
  write("notes.txt", "not a program at all\n");
  const full = elf({ bits: 64, littleEndian: true, sections: sections(VULNERABLE) });
  write("truncated.elf", full.subarray(0, 100));
  write(
    "panicky.bin",
    elf({
      bits: 64,
      littleEndian: true,
      sections: [
        {
          name: ".rodata",
          data: Buffer.from(
            "\0/home/dev/.cargo/registry/src/index.crates.io-6f17d22bba15001f/abi_stable-0.9.0/src/lib.rs\0" +
              "/home/dev/.cargo/registry/src/index.crates.io-6f17d22bba15001f/itoa-1.0.11/src/lib.rs\0",
            "latin1",
          ),
        },
      ],
    }),
  );
});

function cli(args: string[]) {
  const r = runCli(args, { cwd: work, env });
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  assert.doesNotMatch(r.stdout, STACK_TRACE);
  return r;
}

interface JsonFinding {
  advisory: { id: string } | null;
  package: { name: string; version: string; source: string | null };
}
interface JsonReport {
  lockfile: { "dependency-count": number };
  vulnerabilities: { found: boolean; count: number; list: JsonFinding[] };
  warnings: Record<string, JsonFinding[]>;
}

/** One JSON document per line of stdout. */
function documents(stdout: string): JsonReport[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as JsonReport);
}

const vulnIds = (r: JsonReport) => r.vulnerabilities.list.map((v) => v.advisory?.id);
const warningIds = (r: JsonReport) =>
  Object.entries(r.warnings).flatMap(([kind, list]) =>
    list.map((w) => `${kind} ${w.advisory?.id} ${w.package.name}`),
  );

describe("cratesec audit bin", () => {
  test("one JSON document per binary; the Windows-only advisory only for the PE", () => {
    const r = cli(["audit", "bin", ...DB, "--json", "a.elf", "b.exe"]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stdout.endsWith("\n"));
    const [elfReport, peReport, ...rest] = documents(r.stdout);
    assert.ok(elfReport && peReport);
    assert.equal(rest.length, 0);
    for (const doc of [elfReport, peReport]) {
      assert.equal(doc.lockfile["dependency-count"], 3);
      assert.equal(doc.vulnerabilities.found, true);
      assert.deepEqual(vulnIds(doc), ["RUSTSEC-2020-0105"]);
      const pkg = doc.vulnerabilities.list[0]?.package;
      assert.equal(pkg?.name, "abi_stable");
      assert.equal(pkg?.version, "0.9.0");
      assert.equal(pkg?.source, CRATES_IO);
    }
    assert.deepEqual(warningIds(elfReport), ["unmaintained RUSTSEC-2024-0375 atty"]);
    assert.deepEqual(warningIds(peReport), [
      "unmaintained RUSTSEC-2024-0375 atty",
      "unsound RUSTSEC-2021-0145 atty",
    ]);
    // Machine formats get no status lines.
    assert.doesNotMatch(r.stderr, /Scanning/);
  });

  test("the terminal report names each binary, with status lines on stderr", () => {
    const r = cli(["audit", "bin", ...DB, "a.elf", "b.exe"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Scanning a\.elf for vulnerabilities \(3 crate dependencies\)/);
    assert.match(r.stderr, /Scanning b\.exe for vulnerabilities \(3 crate dependencies\)/);
    assert.match(r.stdout, /1 vulnerability found in a\.elf/);
    assert.match(r.stdout, /1 vulnerability found in b\.exe/);
    assert.match(r.stdout, /Dependency tree:\nabi_stable 0\.9\.0\n└── app 0\.1\.0/);
    const quiet = cli(["audit", "bin", ...DB, "-q", "a.elf"]);
    assert.equal(quiet.code, 1);
    assert.doesNotMatch(quiet.stderr, /Scanning|Loaded/);
  });

  test("a clean binary exits 0", () => {
    const r = cli(["audit", "bin", ...DB, "--json", "clean.elf"]);
    assert.equal(r.code, 0, r.stderr);
    const [doc, ...rest] = documents(r.stdout);
    assert.equal(rest.length, 0);
    assert.equal(doc?.lockfile["dependency-count"], 3);
    assert.equal(doc?.vulnerabilities.count, 0);
    assert.deepEqual(doc?.warnings, {});
  });

  test("audit options work before `bin` (as cargo-audit), after it, and mixed", () => {
    const variants = [
      ["audit", ...DB, "--json", "bin", "a.elf"],
      ["audit", "bin", "a.elf", ...DB, "--json"],
      ["audit", "--json", "bin", "--no-yanked", "a.elf", "--db", advisoryDbDir],
    ];
    const outputs = variants.map((args) => {
      const r = cli(args);
      assert.equal(r.code, 1, `${args.join(" ")}\n${r.stderr}`);
      return r.stdout;
    });
    assert.equal(documents(outputs[0] as string).length, 1);
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
  });

  test("--deny unsound before `bin` fails the PE but not the ELF", () => {
    const exe = cli(["audit", ...DB, "--deny", "unsound", "bin", "atty.exe"]);
    assert.equal(exe.code, 1, exe.stderr);
    assert.match(exe.stdout, /1 denied warning found in atty\.exe/);
    const elfRun = cli(["audit", ...DB, "--deny", "unsound", "bin", "atty.elf"]);
    assert.equal(elfRun.code, 0, elfRun.stderr);
    const both = cli(["audit", "bin", "-D", "unsound", ...DB, "atty.elf", "atty.exe"]);
    assert.equal(both.code, 1);
  });

  test("a file with no Rust dependency information is an error (exit 2)", () => {
    const r = cli(["audit", "bin", ...DB, "--json", "notes.txt"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /error: notes\.txt: No dependency information found! Is this a Rust executable built with cargo\?/,
    );
  });

  test("a non-Rust system executable is an error (exit 2)", (t) => {
    const source = ["/bin/true", "/usr/bin/true"].find((p) => existsSync(p));
    if (source === undefined) {
      t.skip("no /bin/true here");
      return;
    }
    copyFileSync(source, join(work, "true.bin"));
    const r = cli(["audit", "bin", ...DB, "true.bin"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: true\.bin: No dependency information found!/);
  });

  test("without audit data, crates from panic paths are audited with a warning", () => {
    const r = cli(["audit", "bin", ...DB, "--json", "panicky.bin"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /warning: panicky\.bin was not built with 'cargo auditable', the report will be incomplete \(2 dependencies recovered\)/,
    );
    const [doc] = documents(r.stdout);
    assert.equal(doc?.lockfile["dependency-count"], 2);
    assert.deepEqual(doc && vulnIds(doc), ["RUSTSEC-2020-0105"]);
  });

  test("a truncated ELF is an error naming the file (exit 2, no stack trace)", () => {
    const r = cli(["audit", "bin", ...DB, "truncated.elf"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: truncated\.elf: .*truncated/m);
    assert.equal(r.stdout, "");
  });

  test("a missing file is an error naming it", () => {
    const r = cli(["audit", "bin", ...DB, "missing.elf"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: missing\.elf: file not found/);
  });

  test("vulnerabilities win over errors: broken + vulnerable exits 1, broken + clean exits 2", () => {
    const r = cli(["audit", "bin", ...DB, "--json", "truncated.elf", "a.elf", "notes.txt"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error: truncated\.elf:/);
    assert.match(r.stderr, /error: notes\.txt: No dependency information found!/);
    assert.equal(documents(r.stdout).length, 1);
    const clean = cli(["audit", "bin", ...DB, "--json", "clean.elf", "truncated.elf"]);
    assert.equal(clean.code, 2);
    assert.equal(documents(clean.stdout).length, 1);
  });

  test("--max-binary-size refuses larger files; 0 means no limit", () => {
    const r = cli(["audit", "bin", ...DB, "--max-binary-size", "10", "a.elf"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: a\.elf: file is \d+ bytes, over the 10-byte limit/);
    assert.match(r.stderr, /--max-binary-size/);
    const unlimited = cli(["audit", "bin", ...DB, "--max-binary-size", "0", "a.elf"]);
    assert.equal(unlimited.code, 1, unlimited.stderr);
  });

  test("--audit-data-size-limit caps the decompressed audit data", () => {
    const r = cli(["audit", "bin", ...DB, "--audit-data-size-limit", "5", "a.elf"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: a\.elf: .*5-byte limit/);
    const unlimited = cli(["audit", "bin", ...DB, "--audit-data-size-limit", "0", "a.elf"]);
    assert.equal(unlimited.code, 1, unlimited.stderr);
  });

  test("size options must be non-negative integers", () => {
    for (const bad of ["-1", "1.5", "10MB", "", "1e3"]) {
      for (const flag of ["--max-binary-size", "--audit-data-size-limit"]) {
        const r = cli(["audit", "bin", ...DB, flag, bad, "a.elf"]);
        assert.equal(r.code, 2, `${flag} ${bad}`);
        assert.match(r.stderr, /non-negative integer/, `${flag} ${bad}`);
      }
    }
  });

  test("usage errors: no files, and --file does not apply", () => {
    const none = cli(["audit", "bin", ...DB]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing required argument/);
    const file = cli(["audit", "-f", "Cargo.lock", "bin", ...DB, "a.elf"]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /--file.*does not apply to `audit bin`/);
  });

  test("SARIF: one document per binary, located at the binary", () => {
    const r = cli(["audit", "bin", ...DB, "--format", "sarif", "b.exe"]);
    assert.equal(r.code, 1, r.stderr);
    const sarif = JSON.parse(r.stdout) as {
      runs: { results: { ruleId: string; locations: unknown[] }[] }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    assert.deepEqual(results.map((x) => x.ruleId).sort(), [
      "RUSTSEC-2020-0105",
      "RUSTSEC-2021-0145",
      "RUSTSEC-2024-0375",
    ]);
    assert.match(JSON.stringify(results[0]?.locations), /b\.exe/);
  });
});

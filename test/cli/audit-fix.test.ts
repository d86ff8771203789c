import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runCli, STACK_TRACE } from "../support/cli.js";
import { advisoryDbDir, sharedData } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-fix-"));
const env = { XDG_CACHE_HOME: join(work, "cache"), CARGO_HOME: join(work, "cargo-home") };
after(() => rmSync(work, { recursive: true, force: true }));

const CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";
const indexSample = sharedData("crates-index-sample");
const db = ["--db", advisoryDbDir];

let counter = 0;
/** A Cargo.lock in a fresh directory: an `app` root depending on these crates.io packages. */
function lockfile(packages: [string, string][]): string {
  const dir = join(work, `lock-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const deps = packages.map(([name, version]) => `  "${name} ${version}",`).join("\n");
  const crates = packages
    .map(
      ([name, version]) =>
        `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = "${CRATES_IO}"\n`,
    )
    .join("\n");
  const path = join(dir, "Cargo.lock");
  writeFileSync(
    path,
    `version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n${deps}\n]\n\n${crates}`,
  );
  return path;
}

function assertNoStack(r: { stdout: string; stderr: string }): void {
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  assert.doesNotMatch(r.stdout, STACK_TRACE);
}

/** Crates of the sample index that have advisories in the shared database. */
const MIXED: [string, string][] = [
  ["ansi_term", "0.12.1"], // unmaintained only: a warning, nothing to fix
  ["base64", "0.5.0"],
  ["chrono", "0.4.19"],
  ["crossbeam-channel", "0.5.12"],
  ["crossbeam-deque", "0.7.2"],
  ["idna", "0.5.0"],
];
const FIXABLE: [string, string][] = [
  ["base64", "0.5.0"],
  ["chrono", "0.4.19"],
  ["crossbeam-deque", "0.7.2"],
];

interface PlanJson {
  lockfile: string;
  summary: { vulnerable: number; compatible: number; breaking: number; unfixable: number };
  fixes: {
    name: string;
    from: string;
    to: string;
    breaking: boolean;
    advisories: string[];
    candidates: string;
    command: string[] | null;
    note: string | null;
  }[];
  unfixable: {
    name: string;
    version: string;
    advisories: string[];
    candidates: string;
    reason: string;
  }[];
  commands: string[][];
  notes: string[];
  applied?: {
    name: string;
    from: string;
    to: string;
    command: string[];
    ok: boolean;
    "exit-code": number | null;
    output: string;
  }[];
  remaining?: { id: string; name: string; version: string }[];
}

describe("audit fix (dry run)", () => {
  test("with a local index: published versions, unfixable ones listed, copy-pasteable commands", () => {
    const file = lockfile(MIXED);
    const r = runCli(["audit", "fix", "-f", file, ...db, "--index-dir", indexSample], { env });
    assertNoStack(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Fix plan for .*Cargo\.lock: 5 vulnerable packages/);
    assert.match(r.stdout, /^ {2}base64 0\.5\.0 → 0\.5\.2 \(fixes RUSTSEC-2017-0004\)$/m);
    assert.match(r.stdout, /^ {2}chrono 0\.4\.19 → 0\.4\.20 \(fixes RUSTSEC-2020-0159\)$/m);
    assert.match(r.stdout, /^ {2}crossbeam-deque 0\.7\.2 → 0\.7\.4 \(fixes RUSTSEC-2021-0093\)$/m);
    // The sample index stops at crossbeam-channel 0.5.12 and idna 0.5.0: no published fix.
    assert.match(
      r.stdout,
      /No fix available:\n {2}crossbeam-channel 0\.5\.12 \(RUSTSEC-2025-0024\): /,
    );
    assert.match(r.stdout, /^ {2}idna 0\.5\.0 \(RUSTSEC-2024-0421\): no published/m);
    assert.doesNotMatch(r.stdout, /ansi_term/);
    const commands = r.stdout.split("\n").filter((l) => l.startsWith("cargo "));
    assert.deepEqual(commands, [
      "cargo update -p base64@0.5.0 --precise 0.5.2",
      "cargo update -p chrono@0.4.19 --precise 0.4.20",
      "cargo update -p crossbeam-deque@0.7.2 --precise 0.7.4",
    ]);
    assert.doesNotMatch(r.stdout, /without an index/);
    // Nothing was changed.
    assert.match(readFileSync(file, "utf8"), /name = "base64"\nversion = "0\.5\.0"/);

    const ok = runCli(
      ["audit", "fix", "-f", lockfile(FIXABLE), ...db, "--index-dir", indexSample],
      {
        env,
      },
    );
    assert.equal(ok.code, 0, ok.stderr);
  });

  test("without an index (--no-fetch): the advisories' bounds, breaking upgrades flagged", () => {
    const file = lockfile(MIXED);
    const r = runCli(["audit", "fix", "-f", file, ...db, "--no-yanked", "--no-fetch"], { env });
    assertNoStack(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}crossbeam-channel 0\.5\.12 → 0\.5\.15 \(fixes RUSTSEC-2025-0024\)$/m,
    );
    assert.match(
      r.stdout,
      /Breaking upgrades.*\n {2}idna 0\.5\.0 → 1\.0\.0 \(fixes RUSTSEC-2024-0421\) \[breaking\]\n {6}.*Cargo\.toml/,
    );
    assert.doesNotMatch(r.stdout, /cargo update -p idna/);
    assert.match(r.stdout, /^cargo update -p crossbeam-channel@0\.5\.12 --precise 0\.5\.15$/m);
    assert.match(
      r.stdout,
      /note: without an index, the plan proposes the lowest bound of a patched range, which may not have been published/,
    );
    assert.equal(
      runCli(["audit", "fix", "-f", lockfile(FIXABLE), ...db, "--no-fetch"], { env }).code,
      0,
    );
  });

  test("--json: the plan as one JSON document; flags may come before `fix`", () => {
    const file = lockfile(MIXED);
    const r = runCli(["audit", "fix", "-f", file, ...db, "--json", "--index-dir", indexSample], {
      env,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.trim().split("\n").length, 1);
    const plan = JSON.parse(r.stdout) as PlanJson;
    assert.deepEqual(Object.keys(plan), [
      "lockfile",
      "summary",
      "fixes",
      "unfixable",
      "commands",
      "notes",
    ]);
    assert.equal(plan.lockfile, file);
    assert.deepEqual(plan.summary, { vulnerable: 5, compatible: 3, breaking: 0, unfixable: 2 });
    assert.deepEqual(plan.fixes[0], {
      name: "base64",
      from: "0.5.0",
      to: "0.5.2",
      breaking: false,
      advisories: ["RUSTSEC-2017-0004"],
      candidates: "index",
      command: ["cargo", "update", "-p", "base64@0.5.0", "--precise", "0.5.2"],
      note: null,
    });
    assert.deepEqual(
      plan.unfixable.map((u) => [u.name, u.version, u.advisories, u.candidates]),
      [
        ["crossbeam-channel", "0.5.12", ["RUSTSEC-2025-0024"], "index"],
        ["idna", "0.5.0", ["RUSTSEC-2024-0421"], "index"],
      ],
    );
    assert.deepEqual(
      plan.commands,
      plan.fixes.map((f) => f.command),
    );
    assert.deepEqual(plan.notes, []);
    // No status lines with --json.
    assert.doesNotMatch(r.stderr, /Loaded|Scanning/);

    const before = runCli(["audit", "--json", "-f", file, ...db, "--no-fetch", "fix"], { env });
    assert.equal(before.code, 1, before.stderr);
    const derived = JSON.parse(before.stdout) as PlanJson;
    assert.deepEqual(derived.summary, { vulnerable: 5, compatible: 4, breaking: 1, unfixable: 0 });
    const idna = derived.fixes.find((f) => f.name === "idna");
    assert.equal(idna?.breaking, true);
    assert.equal(idna?.command, null);
    assert.match(idna?.note ?? "", /Cargo\.toml/);
    assert.equal(derived.fixes[0]?.candidates, "advisories");
    assert.equal(derived.notes.length, 1);
  });

  test("nothing vulnerable: nothing to fix, exit 0", () => {
    const r = runCli(
      ["audit", "fix", "-f", lockfile([["ansi_term", "0.12.1"]]), ...db, "--no-fetch"],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No vulnerable packages in .*: nothing to fix\./);
  });

  test("--ignore drops a vulnerability from the plan", () => {
    const r = runCli(
      [
        "audit",
        "fix",
        "-f",
        lockfile([["idna", "0.5.0"]]),
        ...db,
        "--no-fetch",
        "--ignore",
        "RUSTSEC-2024-0421",
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to fix/);
  });

  test("an unreachable index is one warning, and the plan falls back to the advisories", () => {
    const r = runCli(
      ["audit", "fix", "-f", lockfile(FIXABLE), ...db, "--index-url", "http://127.0.0.1:9/"],
      { env },
    );
    assertNoStack(r);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(
      warnings[0] as string,
      /couldn't consult the crates index .*derived from the advisories/,
    );
    assert.match(r.stdout, /base64 0\.5\.0 → 0\.5\.2/);
    assert.match(r.stdout, /note: without an index/);
  });

  test("errors exit 2", () => {
    const missing = runCli(["audit", "fix", "-f", join(work, "nope.lock"), ...db, "--no-fetch"], {
      env,
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error: .*nope\.lock/);
    assertNoStack(missing);

    const both = runCli(
      ["audit", "fix", "-f", lockfile(FIXABLE), ...db, "--no-fetch", "--dry-run", "--apply"],
      { env },
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /cannot be used with/);

    const stdin = runCli(["audit", "fix", "-f", "-", ...db, "--no-fetch", "--apply"], {
      env,
      input: "",
    });
    assert.equal(stdin.code, 2);
    assert.match(stdin.stderr, /--apply.*standard input/);

    const noIndex = runCli(
      ["audit", "fix", "-f", lockfile(FIXABLE), ...db, "--index-dir", join(work, "no-index")],
      { env },
    );
    assert.equal(noIndex.code, 2);
    assert.match(noIndex.stderr, /index directory not found/);

    const two = runCli(["audit", "fix", "-f", lockfile(FIXABLE), "-f", lockfile(FIXABLE), ...db], {
      env,
    });
    assert.equal(two.code, 2);
    assert.match(two.stderr, /one lockfile/);
  });

  test("--apply without cargo on PATH is an error (exit 2) and changes nothing", () => {
    const file = lockfile(FIXABLE);
    const before = readFileSync(file, "utf8");
    const r = runCli(["audit", "fix", "-f", file, ...db, "--no-fetch", "--apply"], {
      env: { ...env, PATH: join(work, "empty-path") },
    });
    assertNoStack(r);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: .*cargo.*not on PATH/);
    assert.equal(readFileSync(file, "utf8"), before);
  });
});

// --- --apply with the real cargo, offline, against a local registry ---------------------------

const cargoVersion = spawnSync("cargo", ["--version"], {
  encoding: "utf8",
  env: { ...process.env, ...env },
});
const noCargo =
  cargoVersion.status === 0
    ? false
    : `cargo is not installed or not runnable (${cargoVersion.error?.message ?? cargoVersion.stderr.trim()}): the --apply tests need the real cargo`;

const cargoEnv = { ...process.env, ...env };

function cargo(args: string[], cwd: string): void {
  const r = spawnSync("cargo", args, { cwd, env: cargoEnv, encoding: "utf8" });
  assert.equal(r.status, 0, `cargo ${args.join(" ")}: ${r.stderr}`);
}

/**
 * Publishes `base64 VERSION` to a cargo local registry (`local-registry` source): the `.crate`
 * made by `cargo package`, and its line in the registry's index (`index/ba/se/base64`).
 */
function publish(registry: string, version: string, yanked = false): void {
  const src = join(registry, "..", "src", `base64-${version}`);
  mkdirSync(join(src, "src"), { recursive: true });
  writeFileSync(
    join(src, "Cargo.toml"),
    `[package]\nname = "base64"\nversion = "${version}"\nedition = "2015"\ndescription = "test"\nlicense = "MIT"\n`,
  );
  writeFileSync(join(src, "src", "lib.rs"), "");
  cargo(["package", "--offline", "--no-verify", "--allow-dirty", "--quiet"], src);
  const crate = readFileSync(join(src, "target", "package", `base64-${version}.crate`));
  mkdirSync(registry, { recursive: true });
  writeFileSync(join(registry, `base64-${version}.crate`), crate);
  const cksum = createHash("sha256").update(crate).digest("hex");
  mkdirSync(join(registry, "index", "ba", "se"), { recursive: true });
  appendFileSync(
    join(registry, "index", "ba", "se", "base64"),
    `${JSON.stringify({ name: "base64", vers: version, deps: [], cksum, features: {}, yanked })}\n`,
  );
}

/**
 * A one-crate workspace depending on `base64 = "0.5"`, whose crates.io source is replaced by a
 * local registry (no network; unlike a vendor directory, it honours `--precise`). The lockfile
 * is generated while only 0.5.0 (affected by RUSTSEC-2017-0004, patched >= 0.5.2) exists; then
 * the `later` versions are published (a trailing `!` marks one yanked).
 */
function workspace(later: string[]): { dir: string; lock: string; index: string } {
  const root = join(work, `ws-${++counter}`);
  const registry = join(root, "registry");
  const dir = join(root, "app");
  publish(registry, "0.5.0");
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, ".cargo"), { recursive: true });
  writeFileSync(
    join(dir, "Cargo.toml"),
    `[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nbase64 = "0.5"\n`,
  );
  writeFileSync(join(dir, "src", "lib.rs"), "");
  writeFileSync(
    join(dir, ".cargo", "config.toml"),
    `[source.crates-io]\nreplace-with = "local"\n\n[source.local]\nlocal-registry = ${JSON.stringify(registry)}\n`,
  );
  cargo(["generate-lockfile", "--offline"], dir);
  for (const v of later) publish(registry, v.replace(/!$/, ""), v.endsWith("!"));
  const lock = join(dir, "Cargo.lock");
  assert.match(readFileSync(lock, "utf8"), /name = "base64"\nversion = "0\.5\.0"/);
  return { dir, lock, index: join(registry, "index") };
}

const lockedBase64 = (lock: string): string | undefined =>
  /name = "base64"\nversion = "([^"]+)"/.exec(readFileSync(lock, "utf8"))?.[1];

describe("audit fix --apply (real cargo, offline)", { skip: noCargo }, () => {
  test("moves the vulnerable crate to the patched version and the re-audit is clean", () => {
    const { lock } = workspace(["0.5.1", "0.5.2", "0.5.3", "0.6.0"]);
    // Run from elsewhere: cargo must run in the lockfile's directory.
    const r = runCli(["audit", "fix", "--apply", "-f", lock, ...db, "--no-yanked", "--no-fetch"], {
      env,
    });
    assertNoStack(r);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(lockedBase64(lock), "0.5.2");
    assert.match(r.stdout, /base64 0\.5\.0 → 0\.5\.2 \(fixes RUSTSEC-2017-0004\)/);
    assert.match(r.stdout, /Applied:\n {2}updated base64 0\.5\.0 → 0\.5\.2/);
    assert.match(r.stdout, /No vulnerabilities remain in /);
    assert.match(r.stderr, /Updating base64 0\.5\.0 -> 0\.5\.2/);

    // Applying again: nothing to fix any more.
    const again = runCli(["audit", "fix", "--apply", "-f", lock, ...db, "--no-fetch"], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to fix/);
  });

  test("fetching allowed but the index unreachable: cargo runs without --offline", () => {
    const { lock } = workspace(["0.5.2", "0.5.3"]);
    const r = runCli(
      [
        "audit",
        "fix",
        "--apply",
        "-f",
        lock,
        ...db,
        "--no-yanked",
        "--index-url",
        "http://127.0.0.1:9/",
      ],
      { env },
    );
    assertNoStack(r);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /warning: couldn't consult the crates index/);
    assert.equal(lockedBase64(lock), "0.5.2");
    assert.match(r.stdout, /No vulnerabilities remain/);
  });

  test("with an index: the yanked fix is skipped; --json reports what ran and what remains", () => {
    const { lock, index } = workspace(["0.5.2!", "0.5.3", "0.5.4"]);
    const r = runCli(
      ["audit", "fix", "--apply", "--json", "-f", lock, ...db, "--index-dir", index, "--no-fetch"],
      { env },
    );
    assertNoStack(r);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(lockedBase64(lock), "0.5.3");
    const out = JSON.parse(r.stdout) as PlanJson;
    assert.deepEqual(
      out.fixes.map((f) => [f.name, f.from, f.to, f.candidates]),
      [["base64", "0.5.0", "0.5.3", "index"]],
    );
    assert.equal(out.applied?.length, 1);
    assert.deepEqual(out.applied?.[0]?.command, [
      "cargo",
      "update",
      "-p",
      "base64@0.5.0",
      "--precise",
      "0.5.3",
      "--offline",
    ]);
    assert.equal(out.applied?.[0]?.ok, true);
    assert.equal(out.applied?.[0]?.["exit-code"], 0);
    assert.deepEqual(out.remaining, []);
  });

  test("a proposed version that was never published: cargo's failure is shown, exit 1", () => {
    // Without an index the plan proposes 0.5.2, the advisory's bound; only 0.5.3 exists.
    const { lock } = workspace(["0.5.3"]);
    const r = runCli(["audit", "fix", "--apply", "-f", lock, ...db, "--no-fetch"], { env });
    assertNoStack(r);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(lockedBase64(lock), "0.5.0");
    assert.match(
      r.stderr,
      /error: `cargo update -p base64@0\.5\.0 --precise 0\.5\.2 --offline` failed \(exit 101\)/,
    );
    assert.match(r.stdout, /failed {2}base64 0\.5\.0 → 0\.5\.2/);
    // The re-audit still finds the vulnerability, reported as `cratesec audit` does.
    assert.match(r.stdout, /ID:\s+RUSTSEC-2017-0004/);
    assert.match(r.stdout, /1 vulnerability found!/);
  });
});

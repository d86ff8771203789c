/**
 * `cratesec crate info|trusted-publisher|trusted-only` through the built binary, against a SQLite
 * data directory seeded through the store.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openStore } from "../../src/registry/store/index.js";
import { publishInput, sha256 } from "../registry/store/fixtures.js";
import { type CliResult, runCli, STACK_TRACE } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-crate-cli-"));
const dataDir = join(work, "data");
const env = { XDG_CACHE_HOME: join(work, "cache") };
const db = ["--data", dataDir];
after(() => rmSync(work, { recursive: true, force: true }));

let tokenId = 0;

before(async () => {
  const store = await openStore({ url: `sqlite:${join(dataDir, "registry.db")}` });
  try {
    const alice = await store.createUser({ name: "alice" });
    const token = await store.createToken({
      userId: alice.id,
      name: "ci",
      tokenHash: sha256("secret-token"),
    });
    tokenId = token.id;
    await store.createCrateVersion(publishInput("demo-crate", "1.0.0"), {
      userId: alice.id,
      tokenId,
      ip: "192.0.2.7",
      userAgent: "cargo/1.80.0",
    });
    await store.createCrateVersion(publishInput("demo-crate", "1.1.0"), {
      trusted: {
        repository: "acme/demo",
        workflowFilename: "release.yml",
        runId: "4242",
        sha: "a".repeat(40),
      },
      ip: "198.51.100.1",
      userAgent: "cargo/1.81.0",
    });
  } finally {
    await store.close();
  }
});

function cli(args: readonly string[]): CliResult {
  return runCli([...args, ...db], { env });
}

function ok(args: readonly string[]): CliResult {
  const r = cli(args);
  assert.equal(r.code, 0, `cratesec ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

function fails(args: readonly string[], message: RegExp): void {
  const r = cli(args);
  assert.equal(r.code, 2, `cratesec ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /^error: /);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.equal(r.stdout, "");
}

interface LogEntry {
  action: string;
  actor: string;
  user_agent: string | null;
  crate: string | null;
  details: Record<string, unknown> | null;
}

function log(action: string): LogEntry[] {
  return JSON.parse(ok(["log", "--crate", "demo-crate", "--action", action, "--json"]).stdout);
}

test("crate info shows owners, flag and publish records", () => {
  const info = JSON.parse(ok(["crate", "info", "Demo_Crate", "--json"]).stdout);
  assert.equal(info.name, "demo-crate");
  assert.deepEqual(info.owners, ["alice"]);
  assert.equal(info.trusted_publishing_only, false);
  assert.equal(info.versions.length, 2);
  const [v1, v2] = info.versions;
  assert.equal(v1.version, "1.0.0");
  assert.equal(v1.yanked, false);
  assert.match(v1.published_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(v1.publisher, "alice");
  assert.equal(v1.token_id, tokenId);
  assert.equal(v1.trusted_publishing, null);
  assert.equal(v1.checksum, sha256("demo-crate@1.0.0"));
  assert.equal(v1.size, 1005);
  assert.equal(v1.ip, "192.0.2.7");
  assert.equal(v1.user_agent, "cargo/1.80.0");
  assert.equal(v2.version, "1.1.0");
  assert.equal(v2.publisher, null);
  assert.equal(v2.token_id, null);
  assert.deepEqual(
    {
      repository: v2.trusted_publishing.repository,
      workflow: v2.trusted_publishing.workflow,
      run_id: v2.trusted_publishing.run_id,
      sha: v2.trusted_publishing.sha,
    },
    { repository: "acme/demo", workflow: "release.yml", run_id: "4242", sha: "a".repeat(40) },
  );

  const text = ok(["crate", "info", "demo-crate"]).stdout;
  assert.match(text, /owners: alice/);
  assert.match(text, /trusted publishing only: off/);
  assert.match(text, /1\.0\.0 .*alice .*token \d+/);
  assert.match(text, /1\.1\.0 .*trusted:acme\/demo release\.yml run=4242/);
});

test("trusted-publisher add / list / remove, audited", () => {
  const added = ok([
    "crate",
    "trusted-publisher",
    "add",
    "demo-crate",
    "--repository",
    "acme/demo",
    "--repository-owner-id",
    "0123",
    "--workflow",
    "release.yml",
    "--environment",
    "prod",
  ]).stdout;
  const id = Number(/added trusted publisher (\d+)/.exec(added)?.[1]);
  assert.ok(id > 0, added);

  const list = JSON.parse(
    ok(["crate", "trusted-publisher", "list", "demo-crate", "--json"]).stdout,
  );
  assert.deepEqual(
    list.map((p: Record<string, unknown>) => ({ ...p, created: undefined })),
    [
      {
        id,
        crate: "demo-crate",
        provider: "github",
        issuer: "https://token.actions.githubusercontent.com",
        repository: "acme/demo",
        repository_owner_id: "123",
        workflow: "release.yml",
        environment: "prod",
        created: undefined,
      },
    ],
  );
  assert.match(ok(["crate", "trusted-publisher", "list", "demo-crate"]).stdout, /acme\/demo/);

  const [addEntry] = log("trusted-publisher-add");
  assert.equal(addEntry?.actor, "cli");
  assert.equal(addEntry?.user_agent, "cratesec-cli");
  assert.equal(addEntry?.details?.config_id, id);

  fails(
    [
      "crate",
      "trusted-publisher",
      "add",
      "demo-crate",
      "--repository",
      "acme/demo",
      "--repository-owner-id",
      "123",
      "--workflow",
      "release.yml",
      "--environment",
      "prod",
    ],
    /already has this trusted publisher/,
  );
  fails(["crate", "trusted-publisher", "remove", "demo-crate", "999"], /no trusted publisher/);
  fails(
    ["crate", "trusted-publisher", "remove", "demo-crate", "x"],
    /invalid trusted publisher id/,
  );

  assert.match(
    ok(["crate", "trusted-publisher", "remove", "demo-crate", String(id)]).stdout,
    new RegExp(`removed trusted publisher ${id}`),
  );
  assert.deepEqual(
    JSON.parse(ok(["crate", "trusted-publisher", "list", "demo-crate", "--json"]).stdout),
    [],
  );
  const [removeEntry] = log("trusted-publisher-remove");
  assert.equal(removeEntry?.actor, "cli");
  assert.equal(removeEntry?.details?.config_id, id);
});

test("trusted-publisher add rejects invalid configs", () => {
  const base = ["crate", "trusted-publisher", "add", "demo-crate"];
  const good = {
    "--repository": "acme/demo",
    "--repository-owner-id": "1",
    "--workflow": "release.yml",
  };
  const args = (over: Record<string, string>): string[] =>
    Object.entries({ ...good, ...over }).flat();
  fails([...base, ...args({ "--workflow": "release.txt" })], /must end with `\.yml`/);
  fails(
    [...base, ...args({ "--repository-owner-id": "abc" })],
    /Invalid GitHub repository owner id/,
  );
  fails([...base, ...args({ "--repository": "acme" })], /expected OWNER\/REPO/);
  fails([...base, ...args({ "--repository": "ac me/demo" })], /Invalid GitHub repository owner/);
  fails([...base, ...args({ "--environment": " prod" })], /may not start with whitespace/);
  fails([...base, ...args({ "--issuer": "http://example.com" })], /invalid --issuer/);
  fails(["crate", "trusted-publisher", "add", "nope", ...args({})], /crate `nope` does not exist/);
  assert.deepEqual(log("trusted-publisher-add").length, 1);
});

test("trusted-only on / off, audited", () => {
  assert.match(ok(["crate", "trusted-only", "demo-crate", "on"]).stdout, /is now on/);
  assert.match(ok(["crate", "trusted-only", "demo-crate", "ON"]).stdout, /already on/);
  assert.equal(
    JSON.parse(ok(["crate", "info", "demo-crate", "--json"]).stdout).trusted_publishing_only,
    true,
  );
  assert.match(ok(["crate", "trusted-only", "demo-crate", "off"]).stdout, /is now off/);
  assert.equal(
    JSON.parse(ok(["crate", "info", "demo-crate", "--json"]).stdout).trusted_publishing_only,
    false,
  );
  const entries = log("trusted-publishing-only");
  assert.deepEqual(
    entries.map((e) => [e.actor, e.details?.value]),
    [
      ["cli", false],
      ["cli", true],
    ],
  );
  fails(["crate", "trusted-only", "demo-crate", "maybe"], /expected `on` or `off`/);
  fails(["crate", "trusted-only", "nope", "on"], /crate `nope` does not exist/);
});

test("unknown crates are user errors", () => {
  fails(["crate", "info", "nope"], /crate `nope` does not exist/);
  fails(["crate", "info", "nope", "--json"], /crate `nope` does not exist/);
  fails(["crate", "trusted-publisher", "list", "nope"], /crate `nope` does not exist/);
  fails(["crate", "trusted-publisher", "remove", "nope", "1"], /crate `nope` does not exist/);
});

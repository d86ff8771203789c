/**
 * `cratesec user|token|log` through the built binary (the esbuild bundle behind the launcher),
 * against a SQLite data directory and, when CRATESEC_TEST_DATABASE_URL is set, a PostgreSQL
 * database created (and dropped) for this file.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { TOKEN_PATTERN } from "../../src/registry/tokens/index.js";
import { type CliResult, runCli, STACK_TRACE } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-registry-cli-"));
const env = { XDG_CACHE_HOME: join(work, "cache") };
after(() => rmSync(work, { recursive: true, force: true }));

const PG_ADMIN_URL = process.env.CRATESEC_TEST_DATABASE_URL;

function cli(args: readonly string[], cwd?: string): CliResult {
  return runCli(args, { env, ...(cwd === undefined ? {} : { cwd }) });
}

function ok(args: readonly string[]): CliResult {
  const r = cli(args);
  assert.equal(r.code, 0, `cratesec ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** A user error: `error: …` on stderr, exit 2, no stack trace, nothing on stdout. */
function fails(args: readonly string[], message: RegExp): CliResult {
  const r = cli(args);
  assert.equal(r.code, 2, `cratesec ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /^error: /);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.equal(r.stdout, "");
  return r;
}

interface LogJson {
  id: number;
  action: string;
  actor: string;
  user_agent: string | null;
  details: Record<string, unknown> | null;
}

interface TokenJson {
  id: number;
  name: string;
  user: string;
  scopes: string[] | null;
  crates: string[] | null;
  expires: string | null;
  revoked: string | null;
}

/**
 * The flows every engine must pass. `db` are the storage flags; `inspect` returns the stored
 * token hashes and (SQLite) the raw bytes of every database file.
 */
function adminFlows(
  label: string,
  db: () => string[],
  inspect: () => Promise<{ hashes: string[]; files: Buffer[] }>,
): void {
  const tokens: string[] = [];

  test(`${label}: user add / list / lock`, () => {
    assert.match(ok(["user", "add", "alice", "--admin", ...db()]).stdout, /created user alice/);
    ok(["user", "add", "bob", ...db()]);
    fails(["user", "add", "alice", ...db()], /user `alice` already exists/);
    fails(["user", "add", "ALICE", ...db()], /already exists/);
    fails(["user", "add", "bad name!", ...db()], /invalid user name/);
    const list = ok(["user", "list", ...db()]).stdout;
    assert.match(list, /^ID\s+NAME\s+ADMIN/);
    assert.match(list, /\balice\s+yes\b.*active/);
    assert.match(list, /\bbob\s+no\b.*active/);
    ok(["user", "lock", "bob", "--reason", "compromised laptop", ...db()]);
    assert.match(
      ok(["user", "list", ...db()]).stdout,
      /bob\s+no\s+\S+\s+locked \(compromised laptop\)/,
    );
    fails(["user", "lock", "carol", ...db()], /unknown user `carol`/);
    const json = JSON.parse(ok(["user", "list", "--json", ...db()]).stdout) as {
      name: string;
      isAdmin: boolean;
      locked: boolean;
    }[];
    assert.deepEqual(
      json.map((u) => [u.name, u.isAdmin, u.locked]),
      [
        ["alice", true, false],
        ["bob", false, true],
      ],
    );
  });

  test(`${label}: token create prints the token once; only its SHA-256 is stored`, async () => {
    const r = ok([
      "token",
      "create",
      "--user",
      "alice",
      "--name",
      "ci",
      "--crates",
      "serde*,tokio",
      "--scopes",
      "publish-update,publish-new,yank",
      "--expires",
      "30d",
      ...db(),
    ]);
    const token = r.stdout.trim();
    assert.match(token, new RegExp(`^${TOKEN_PATTERN.source}$`));
    assert.equal(r.stdout, `${token}\n`, "stdout holds the token and nothing else");
    assert.match(r.stderr, /cannot be shown again/);
    assert.doesNotMatch(r.stderr, new RegExp(token));
    tokens.push(token);
    const legacy = ok(["token", "create", "--user", "alice", "--name", "laptop", ...db()]);
    tokens.push(legacy.stdout.trim());
    const forever = ok([
      "token",
      ...["create", "--user", "alice", "--name", "forever", "--expires", "never"],
      ...db(),
    ]);
    tokens.push(forever.stdout.trim());
    assert.equal(new Set(tokens).size, 3);

    const { hashes, files } = await inspect();
    for (const t of tokens) {
      assert.ok(hashes.includes(createHash("sha256").update(t).digest("hex")), "hash stored");
      for (const bytes of files) {
        assert.equal(bytes.indexOf(Buffer.from(t)), -1, "the plaintext token is in a DB file");
        assert.equal(bytes.indexOf(Buffer.from(t.slice(9, 30))), -1, "part of the token in a file");
      }
    }
  });

  test(`${label}: token list never shows a token; scopes, crates, expiry`, () => {
    const list = ok(["token", "list", ...db()]);
    const json = ok(["token", "list", "--json", ...db()]);
    const byUser = ok(["token", "list", "--user", "alice", "--json", ...db()]);
    for (const out of [list.stdout, list.stderr, json.stdout, byUser.stdout]) {
      for (const t of tokens) assert.ok(!out.includes(t), "a token was listed");
      assert.doesNotMatch(out, TOKEN_PATTERN);
    }
    assert.match(
      list.stdout,
      /^ID\s+USER\s+NAME\s+SCOPES\s+CRATES\s+CREATED\s+EXPIRES\s+LAST USED/,
    );
    assert.match(list.stdout, /alice\s+ci\s+publish-new,publish-update,yank\s+serde\*,tokio/);
    assert.match(list.stdout, /alice\s+forever\s+\(all\)\s+\(all\)\s+\S+\s+never/);
    const rows = JSON.parse(json.stdout) as TokenJson[];
    assert.deepEqual(
      rows.map((t) => [t.name, t.user, t.scopes, t.crates, t.revoked]),
      [
        ["ci", "alice", ["publish-new", "publish-update", "yank"], ["serde*", "tokio"], null],
        ["laptop", "alice", null, null, null],
        ["forever", "alice", null, null, null],
      ],
    );
    const day = 86_400_000;
    const ci = rows[0] as TokenJson;
    const laptop = rows[1] as TokenJson;
    assert.ok(Math.abs(Date.parse(ci.expires ?? "") - (Date.now() + 30 * day)) < 5 * 60_000);
    // The default expiry is 90 days.
    assert.ok(Math.abs(Date.parse(laptop.expires ?? "") - (Date.now() + 90 * day)) < 5 * 60_000);
    assert.equal((rows[2] as TokenJson).expires, null);
    assert.deepEqual(JSON.parse(byUser.stdout), rows);
    assert.deepEqual(
      JSON.parse(ok(["token", "list", "--user", "bob", "--json", ...db()]).stdout),
      [],
    );
    fails(["token", "list", "--user", "nobody", ...db()], /unknown user `nobody`/);
  });

  test(`${label}: token create refuses bad input, writing nothing`, () => {
    const base = ["token", "create", "--user", "alice", "--name", "x"];
    fails(["token", "create", "--user", "nobody", "--name", "x", ...db()], /unknown user `nobody`/);
    fails([...base, "--scopes", "publish", ...db()], /--scopes: Unknown endpoint scope `publish`/);
    fails([...base, "--scopes", "", ...db()], /--scopes: no endpoint scopes given/);
    fails([...base, "--crates", "ser*de", ...db()], /--crates: Invalid crate scope pattern/);
    fails([...base, "--crates", "a**", ...db()], /--crates: /);
    fails([...base, "--crates", "../x", ...db()], /--crates: /);
    fails([...base, "--expires", "90x", ...db()], /--expires: invalid expiry `90x`/);
    fails([...base, "--expires", "2001-01-01", ...db()], /--expires: .*not in the future/);
    fails([...base, "--expires", "0d", ...db()], /--expires: .*positive/);
    fails([...base, "--expires", "99999d", ...db()], /--expires: .*days away/);
    fails([...base, "--expires", "2030-02-30", ...db()], /--expires: invalid date/);
    const r = cli(["token", "create", "--name", "x", ...db()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--user/);
    const rows = JSON.parse(ok(["token", "list", "--json", ...db()]).stdout) as TokenJson[];
    assert.equal(rows.length, 3, "a refused create wrote a token");
  });

  test(`${label}: token revoke`, () => {
    const rows = JSON.parse(ok(["token", "list", "--json", ...db()]).stdout) as TokenJson[];
    const laptop = rows.find((t) => t.name === "laptop") as TokenJson;
    assert.match(ok(["token", "revoke", String(laptop.id), ...db()]).stdout, /revoked token/);
    assert.match(ok(["token", "revoke", String(laptop.id), ...db()]).stdout, /already revoked/);
    fails(["token", "revoke", "999", ...db()], /no API token with id 999/);
    fails(["token", "revoke", "abc", ...db()], /invalid token id/);
    const after = JSON.parse(ok(["token", "list", "--json", ...db()]).stdout) as TokenJson[];
    const revoked = after.find((t) => t.id === laptop.id) as TokenJson;
    assert.ok(revoked.revoked !== null && !Number.isNaN(Date.parse(revoked.revoked)));
    assert.match(ok(["token", "list", ...db()]).stdout, /laptop.*revoked /);
  });

  test(`${label}: log shows the trail newest first, with filters`, () => {
    const all = JSON.parse(ok(["log", "--json", ...db()]).stdout) as LogJson[];
    assert.deepEqual(all.map((e) => e.action).reverse(), [
      "user-create",
      "user-create",
      "user-lock",
      "token-create",
      "token-create",
      "token-create",
      "token-revoke",
    ]);
    const ids = all.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      "newest first",
    );
    for (const e of all) {
      assert.equal(e.actor, "cli");
      assert.equal(e.user_agent, "cratesec-cli");
    }
    assert.deepEqual(all.at(-1)?.details, { user: "alice", user_id: 1, is_admin: true });
    const text = ok(["log", ...db()]).stdout;
    assert.match(text, /^ID\s+TIME\s+ACTION\s+ACTOR/);
    assert.match(text, /token-revoke\s+cli/);
    for (const t of tokens) assert.ok(!text.includes(t), "a token in the log");

    const revokes = JSON.parse(
      ok(["log", "--action", "token-revoke", "--json", ...db()]).stdout,
    ) as LogJson[];
    assert.deepEqual(
      revokes.map((e) => e.action),
      ["token-revoke"],
    );
    const two = JSON.parse(
      ok(["log", "--action", "user-create,user-lock", "--json", ...db()]).stdout,
    ) as LogJson[];
    assert.deepEqual(
      two.map((e) => e.action),
      ["user-lock", "user-create", "user-create"],
    );
    const bob = JSON.parse(ok(["log", "--user", "bob", "--json", ...db()]).stdout) as LogJson[];
    assert.deepEqual(
      bob.map((e) => e.action),
      ["user-lock", "user-create"],
    );
    const alice = JSON.parse(ok(["log", "--user", "alice", "--json", ...db()]).stdout) as LogJson[];
    assert.deepEqual(
      alice.map((e) => e.action),
      ["token-revoke", "token-create", "token-create", "token-create", "user-create"],
    );
    const limited = JSON.parse(ok(["log", "--limit", "2", "--json", ...db()]).stdout) as LogJson[];
    assert.deepEqual(limited, all.slice(0, 2));
    assert.equal(
      (JSON.parse(ok(["log", "--since", "1h", "--json", ...db()]).stdout) as []).length,
      7,
    );
    assert.equal(
      (JSON.parse(ok(["log", "--since", "2999-01-01", "--json", ...db()]).stdout) as []).length,
      0,
    );
    assert.equal(
      (JSON.parse(ok(["log", "--since", "2000-01-01T00:00:00Z", "--json", ...db()]).stdout) as [])
        .length,
      7,
    );
    assert.deepEqual(JSON.parse(ok(["log", "--crate", "serde", "--json", ...db()]).stdout), []);
    fails(["log", "--since", "yesterday", ...db()], /invalid --since `yesterday`/);
    fails(["log", "--limit", "0", ...db()], /invalid --limit/);
  });
}

describe("registry admin CLI on SQLite", () => {
  const data = join(work, "sqlite-data");
  adminFlows(
    "SQLite",
    () => ["--data", data],
    async () => {
      const dbFile = join(data, "registry.db");
      // Every file the database lives in, read before anything checkpoints the WAL.
      const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f));
      const sqlite = new Sqlite(dbFile, { readonly: true });
      try {
        const rows = sqlite.prepare("select token_hash from api_tokens").all() as {
          token_hash: string;
        }[];
        return { hashes: rows.map((r) => r.token_hash), files };
      } finally {
        sqlite.close();
      }
    },
  );

  test("the data directory and database are created on first use", () => {
    const fresh = join(work, "fresh", "nested", "data");
    ok(["user", "list", "--data", fresh]);
    assert.ok(existsSync(join(fresh, "registry.db")));
  });

  test("--config file, ./cratesec.toml discovery and flag overrides", () => {
    const dir = mkdtempSync(join(work, "cfg-"));
    writeFileSync(join(dir, "cratesec.toml"), '[data]\ndir = "from-config"\n');
    // Discovered in the working directory; data dir relative to the file.
    assert.equal(cli(["user", "add", "carol"], dir).code, 0);
    assert.ok(existsSync(join(dir, "from-config", "registry.db")));
    // --config from elsewhere.
    const r = cli(["user", "list", "--config", join(dir, "cratesec.toml")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /carol/);
    // --data overrides the file.
    const other = join(dir, "other");
    assert.equal(cli(["user", "list", "--data", other], dir).code, 0);
    assert.ok(existsSync(join(other, "registry.db")));
    // --database overrides both.
    const explicit = join(dir, "explicit.db");
    assert.equal(cli(["user", "add", "dave", "--database", `sqlite:${explicit}`], dir).code, 0);
    assert.ok(existsSync(explicit));
  });

  test("a bad config or database is a located user error", () => {
    const dir = mkdtempSync(join(work, "badcfg-"));
    const file = join(dir, "cratesec.toml");
    writeFileSync(file, "[data]\ndir = 'x'\ndirectory = 'y'\n");
    fails(
      ["user", "list", "--config", file],
      /cratesec\.toml:3:1: unknown key `directory` in \[data\]/,
    );
    fails(["user", "list", "--config", join(dir, "missing.toml")], /configuration file not found/);
    fails(["user", "list", "--database", "mysql://x/y"], /unsupported database URL scheme/);
  });
});

describe("registry admin CLI on PostgreSQL", {
  skip: PG_ADMIN_URL
    ? false
    : "CRATESEC_TEST_DATABASE_URL is not set: PostgreSQL CLI tests skipped",
}, () => {
  const database = `cratesec_cli_${randomBytes(6).toString("hex")}`;
  const data = join(work, "pg-data");
  let url = "";
  before(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${database}`);
    } finally {
      await admin.end();
    }
    const u = new URL(PG_ADMIN_URL as string);
    u.pathname = `/${database}`;
    url = u.toString();
  });
  after(async () => {
    if (url === "") return;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${database} with (force)`);
    } finally {
      await admin.end();
    }
  });
  adminFlows(
    "PostgreSQL",
    () => ["--data", data, "--database", url],
    async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ token_hash: string }>(
          "select token_hash from api_tokens",
        );
        // No plaintext anywhere in the database: search every text column of every table.
        const dump = await client.query<{ t: string }>(
          "select string_agg(t::text, '\n') as t from (select row_to_json(x)::text as t from api_tokens x union all select row_to_json(a)::text from audit_log a) s",
        );
        return {
          hashes: rows.rows.map((r) => r.token_hash),
          files: [Buffer.from(dump.rows[0]?.t ?? "")],
        };
      } finally {
        await client.end();
      }
    },
  );

  test("PostgreSQL: no SQLite file is created when --database is given", () => {
    assert.ok(!existsSync(join(data, "registry.db")));
  });
});

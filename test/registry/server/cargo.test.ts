/**
 * The real cargo client against `createRegistryServer` on an ephemeral loopback port: publish
 * (a crate with features, one depending on it, one with a renamed dependency), yank / --undo,
 * owner --add/--list/--remove, search, and generate-lockfile + fetch in a consumer whose
 * dependencies all come from this registry (cargo verifies the checksums). Offline: nothing
 * but the loopback registry is contacted. SQLite always; PostgreSQL when
 * CRATESEC_TEST_DATABASE_URL is set. Skipped when cargo is not installed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseToml } from "smol-toml";
import { ENGINES, type Fixture, PG_SKIP, startFixture, userToken } from "./helpers.js";

const cargoVersion = spawnSync("cargo", ["--version"], { encoding: "utf8" });
const cargoMissing = cargoVersion.error !== undefined || cargoVersion.status !== 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cargo(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("cargo", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function writeCrate(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

const pkg = (name: string, version: string, rest = "") =>
  `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\ndescription = "${name} for the cargo test"\nlicense = "MIT"\npublish = ["cratesec"]\n${rest}`;

for (const engine of ENGINES) {
  describe(`real cargo against cratesec serve (${engine.label})`, {
    skip:
      (cargoMissing && "cargo is not installed: real-cargo server test skipped") ||
      (!engine.available && PG_SKIP),
  }, () => {
    let f: Fixture;
    let work = "";
    let env: NodeJS.ProcessEnv = {};
    let indexUrl = "";

    const ok = async (args: string[], cwd: string): Promise<Run> => {
      const run = await cargo(args, cwd, env);
      assert.equal(run.status, 0, `cargo ${args.join(" ")} failed:\n${run.stderr}`);
      return run;
    };

    const indexLines = async (name: string) => {
      const file = await f.store.getIndexLines(name);
      return (file?.lines ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
    };

    before(async () => {
      await engine.setup();
      f = await startFixture(engine, { host: "127.0.0.1", port: 0 });
      const base = await f.server.listen();
      indexUrl = `sparse+${base}/index/`;
      const { token } = await userToken(f.store, "alice");
      await f.store.createUser({ name: "bob" });
      work = mkdtempSync(join(tmpdir(), "cratesec-cargo-"));
      const home = join(work, "cargo-home");
      mkdirSync(home);
      writeFileSync(
        join(home, "config.toml"),
        `[registries.cratesec]\nindex = "${indexUrl}"\n\n[net]\nretry = 0\n`,
      );
      writeFileSync(join(home, "credentials.toml"), `[registries.cratesec]\ntoken = "${token}"\n`);
      const {
        CARGO_NET_OFFLINE: _offline,
        CARGO_REGISTRIES_CRATESEC_TOKEN: _t,
        ...rest
      } = process.env;
      env = {
        ...rest,
        CARGO_HOME: home,
        XDG_CACHE_HOME: join(work, "cache"),
        CARGO_TARGET_DIR: join(work, "target"),
        CARGO_TERM_COLOR: "never",
        CARGO_HTTP_TIMEOUT: "30",
        RUSTUP_HOME: process.env.RUSTUP_HOME ?? join(process.env.HOME ?? "/root", ".rustup"),
      };
    });

    after(async () => {
      await f?.close();
      await engine.teardown();
      if (work !== "") rmSync(work, { recursive: true, force: true });
    });

    const publish = (dir: string) =>
      ok(["publish", "--registry", "cratesec", "--allow-dirty", "--no-verify"], dir);

    it("publishes a crate with features, one depending on it and one renaming it", async () => {
      const base = join(work, "base_crate");
      writeCrate(base, {
        "Cargo.toml": pkg(
          "base_crate",
          "0.1.0",
          `\n[features]\ndefault = ["std"]\nstd = []\nextra = ["std"]\n`,
        ),
        "src/lib.rs": "pub fn base() -> u32 { 1 }\n",
      });
      await publish(base);

      const user = join(work, "dep-user");
      writeCrate(user, {
        "Cargo.toml": pkg(
          "dep-user",
          "0.2.0",
          `\n[dependencies]\nbase_crate = { version = "0.1", registry = "cratesec", features = ["extra"] }\n`,
        ),
        "src/lib.rs": "pub fn user() -> u32 { base_crate::base() }\n",
      });
      await publish(user);

      const renamed = join(work, "renamed");
      writeCrate(renamed, {
        "Cargo.toml": pkg(
          "renamed",
          "1.0.0",
          `\n[dependencies]\nalias = { package = "base_crate", version = "0.1", registry = "cratesec", optional = true }\n\n[features]\nwith-alias = ["dep:alias"]\n`,
        ),
        "src/lib.rs": "pub fn r() {}\n",
      });
      await publish(renamed);

      const [baseLine] = await indexLines("base_crate");
      assert.deepEqual(baseLine?.features, { default: ["std"], extra: ["std"], std: [] });
      const [userLine] = await indexLines("dep-user");
      assert.deepEqual(
        (userLine?.deps as { name: string; features: string[] }[] | undefined)?.map((d) => [
          d.name,
          d.features,
        ]),
        [["base_crate", ["extra"]]],
      );
      const [renamedLine] = await indexLines("renamed");
      const dep = (renamedLine?.deps as Record<string, unknown>[] | undefined)?.[0];
      assert.equal(dep?.name, "alias");
      assert.equal(dep?.package, "base_crate");
      assert.deepEqual(renamedLine?.features2, { "with-alias": ["dep:alias"] });
      assert.equal(renamedLine?.v, 2);
      for (const line of [baseLine, userLine, renamedLine]) {
        assert.ok(await f.storage.has(line?.cksum as string), "crate file stored");
      }
      const record = await f.store.getPublishRecord("renamed", "1.0.0");
      assert.equal(record?.publisher?.name, "alice");
      assert.match(record?.userAgent ?? "", /^cargo\//);
    });

    it("yanks and un-yanks with cargo yank", async () => {
      const args = ["yank", "--registry", "cratesec", "--version", "0.1.0", "base_crate"];
      await ok(args, work);
      assert.equal((await indexLines("base_crate"))[0]?.yanked, true);
      await ok([...args, "--undo"], work);
      assert.equal((await indexLines("base_crate"))[0]?.yanked, false);
    });

    it("adds, lists and removes owners with cargo owner", async () => {
      await ok(["owner", "--registry", "cratesec", "--add", "bob", "base_crate"], work);
      const list = await ok(["owner", "--registry", "cratesec", "--list", "base_crate"], work);
      assert.match(list.stdout, /alice/);
      assert.match(list.stdout, /bob/);
      await ok(["owner", "--registry", "cratesec", "--remove", "bob", "base_crate"], work);
      const after = await ok(["owner", "--registry", "cratesec", "--list", "base_crate"], work);
      assert.doesNotMatch(after.stdout, /bob/);
    });

    it("searches with cargo search", async () => {
      const run = await ok(["search", "--registry", "cratesec", "base"], work);
      assert.match(run.stdout, /base_crate = "0\.1\.0"/);
    });

    it("resolves, downloads and verifies checksums in a consumer project", async () => {
      const dir = join(work, "consumer");
      writeCrate(dir, {
        "Cargo.toml": `[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\ndep-user = { version = "0.2", registry = "cratesec" }\nrenamed = { version = "1", registry = "cratesec", features = ["with-alias"] }\n`,
        "src/main.rs": "fn main() {}\n",
      });
      await ok(["generate-lockfile"], dir);
      await ok(["fetch"], dir);
      const lock = parseToml(readFileSync(join(dir, "Cargo.lock"), "utf8")) as {
        package: { name: string; version: string; source?: string; checksum?: string }[];
      };
      for (const name of ["base_crate", "dep-user", "renamed"]) {
        const entry = lock.package.find((p) => p.name === name);
        assert.ok(entry, `${name} in Cargo.lock`);
        assert.equal(entry.source, `registry+${indexUrl}`.replace("registry+sparse+", "sparse+"));
        const [line] = await indexLines(name);
        assert.equal(entry.checksum, line?.cksum, "cargo verified the download");
      }
    });
  });
}

/**
 * The installed cargo is the ground truth: crates made and published by the real `cargo
 * publish` pass `checkPublish`, and the index lines it produces are what cargo then needs to
 * resolve (renamed dependency, features2, target/dev/build dependencies) and to download and
 * verify the `.crate` files (`cargo generate-lockfile` + `cargo fetch`).
 *
 * A tiny loopback registry (sparse index + publish + download) is served by this test, with
 * `checkPublish` deciding every publish. Skipped when cargo is not installed.
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseToml } from "smol-toml";
import {
  type CheckedCrate,
  checkPublish,
  type PublishError,
  serializeIndexLine,
} from "../../../src/registry/publish/index.js";
import { MemoryView } from "./helpers.js";

const cargoVersion = spawnSync("cargo", ["--version"], { encoding: "utf8" });
const cargoMissing = cargoVersion.error !== undefined || cargoVersion.status !== 0;

/** The sparse index path of a crate (§5). */
function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length === 1) return `1/${n}`;
  if (n.length === 2) return `2/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

const LONG_PATH = `src/${"a_rather_long_directory_name/".repeat(4)}deep.rs`;

class LoopbackRegistry {
  readonly view = new MemoryView();
  readonly lines = new Map<string, string[]>();
  readonly files = new Map<string, Buffer>();
  readonly published: CheckedCrate[] = [];
  readonly refused: PublishError[] = [];
  readonly metadataSent: unknown[] = [];
  private server: http.Server | null = null;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.handle(req, Buffer.concat(chunks), res).catch((e: unknown) => {
          res.statusCode = 500;
          res.end(String(e));
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get indexUrl(): string {
    return `sparse+http://127.0.0.1:${this.port}/index/`;
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  }

  private async handle(
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
  ): Promise<void> {
    const url = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    const base = `http://127.0.0.1:${this.port}`;
    if (req.method === "GET" && url === "/index/config.json") {
      return this.json(res, 200, { dl: `${base}/dl/{crate}/{version}/download`, api: base });
    }
    if (req.method === "GET" && url.startsWith("/index/")) {
      const name = url.slice(url.lastIndexOf("/") + 1);
      const lines = this.lines.get(name.toLowerCase());
      if (lines === undefined || `/index/${indexPath(name)}` !== url) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.end(`${lines.join("\n")}\n`);
      return;
    }
    if (req.method === "PUT" && url === "/api/v1/crates/new") {
      const jsonLen = body.length >= 4 ? body.readUInt32LE(0) : 0;
      try {
        this.metadataSent.push(JSON.parse(body.subarray(4, 4 + jsonLen).toString("utf8")));
      } catch {
        this.metadataSent.push(null);
      }
      const result = await checkPublish(body, this.view);
      if (!result.ok) {
        this.refused.push(result);
        return this.json(res, result.status, result.toResponseBody());
      }
      const c = result.crate;
      this.published.push(c);
      this.files.set(`${c.name}/${c.version}`, Buffer.from(c.crateBytes));
      const key = c.name.toLowerCase();
      this.lines.set(key, [...(this.lines.get(key) ?? []), c.indexLineJson]);
      this.view.add(c.name, c.version);
      return this.json(res, 200, {
        warnings: { invalid_categories: [], invalid_badges: [], other: c.warnings },
      });
    }
    const dl = /^\/dl\/([^/]+)\/([^/]+)\/download$/.exec(url);
    if (req.method === "GET" && dl) {
      const file = this.files.get(`${dl[1]}/${dl[2]}`);
      if (file === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.end(file);
      return;
    }
    res.statusCode = 404;
    res.end();
  }
}

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

describe("real cargo", {
  skip: cargoMissing && "cargo is not installed: real-cargo publish test skipped",
}, () => {
  const registry = new LoopbackRegistry();
  let work = "";
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    await registry.start();
    work = mkdtempSync(join(tmpdir(), "cratesec-publish-"));
    const home = join(work, "cargo-home");
    mkdirSync(home);
    writeFileSync(
      join(home, "config.toml"),
      `[registries.cratesec]\nindex = "${registry.indexUrl}"\n\n[net]\nretry = 0\n`,
    );
    writeFileSync(
      join(home, "credentials.toml"),
      `[registries.cratesec]\ntoken = "cio-test-token"\n`,
    );
    env = {
      ...process.env,
      CARGO_HOME: home,
      CARGO_TARGET_DIR: join(work, "target"),
      CARGO_TERM_COLOR: "never",
      CARGO_HTTP_TIMEOUT: "30",
      RUSTUP_HOME: process.env.RUSTUP_HOME ?? join(process.env.HOME ?? "/root", ".rustup"),
    };
  });

  after(async () => {
    await registry.stop();
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  const publish = async (dir: string): Promise<Run> => {
    const run = await cargo(
      ["publish", "--registry", "cratesec", "--no-verify", "--allow-dirty"],
      dir,
      env,
    );
    assert.equal(
      run.status,
      0,
      `cargo publish failed:\n${run.stderr}\nrefused: ${registry.refused.map((e) => e.detail).join("; ")}`,
    );
    return run;
  };

  it("publishes two base crates", async () => {
    for (const name of ["base_crate", "other-base"]) {
      const dir = join(work, name);
      writeCrate(dir, {
        "Cargo.toml": `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\ndescription = "base"\nlicense = "MIT"\npublish = ["cratesec"]\n\n[features]\ndefault = ["std"]\nstd = []\n`,
        "src/lib.rs": "pub fn f() {}\n",
      });
      await publish(dir);
    }
    assert.deepEqual(
      registry.published.map((c) => [c.name, c.version, c.isNew]),
      [
        ["base_crate", "0.1.0", true],
        ["other-base", "0.1.0", true],
      ],
    );
    const base = registry.published[0] as CheckedCrate;
    assert.deepEqual(base.tarball.paths, [
      "Cargo.lock",
      "Cargo.toml",
      "Cargo.toml.orig",
      "src/lib.rs",
    ]);
    assert.equal(base.cksum, createHash("sha256").update(base.crateBytes).digest("hex"));
    assert.match(
      base.indexLineJson,
      /^\{"name":"base_crate","vers":"0\.1\.0","deps":\[\],"cksum":"[0-9a-f]{64}","features":\{"default":\["std"\],"std":\[\]\},"yanked":false,"pubtime":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$/,
    );
  });

  it("publishes a crate with renamed, optional, target, dev and build dependencies and features2", async () => {
    const dir = join(work, "user-crate");
    writeCrate(dir, {
      "Cargo.toml": `[package]
name = "user-crate"
version = "0.2.0-beta.1+build.5"
edition = "2021"
description = "uses base"
license = "MIT OR Apache-2.0"
rust-version = "1.70"
links = "userfoo"
keywords = ["test", "b-c"]
categories = ["development-tools"]
readme = "README.md"
homepage = "https://example.com"
build = "build.rs"
publish = ["cratesec"]

[dependencies]
alias = { package = "base_crate", version = "0.1", registry = "cratesec", optional = true, default-features = false, features = ["std"] }

[target.'cfg(unix)'.dependencies]
other-base = { version = "=0.1.0", registry = "cratesec" }

[dev-dependencies]
base_crate = { version = "0.1.0", registry = "cratesec" }

[build-dependencies]
b2 = { package = "other-base", version = "0.1.0", registry = "cratesec" }

[features]
default = []
x = ["dep:alias"]
y = ["alias?/std"]
z = ["y"]
plain = []
`,
      "src/lib.rs": "pub fn g() {}\n",
      "build.rs": "fn main() {}\n",
      "README.md": "# user-crate\n",
      // Over 100 bytes: cargo's tar writes a GNU long-name header for it.
      [LONG_PATH]: "// deep\n",
    });
    await publish(dir);
    const c = registry.published.at(-1) as CheckedCrate;
    assert.equal(c.name, "user-crate");
    assert.equal(c.version, "0.2.0-beta.1+build.5");
    assert.equal(c.readme, "# user-crate\n");
    assert.deepEqual(c.warnings, []);
    assert.ok(c.tarball.paths.includes(LONG_PATH), "GNU long name read");

    // What cargo sent: the real crate in `name`, the alias in `explicit_name_in_toml`.
    const sent = registry.metadataSent.at(-1) as { deps: Record<string, unknown>[] };
    const sentAlias = sent.deps.find((d) => d.explicit_name_in_toml === "alias");
    assert.equal(sentAlias?.name, "base_crate");
    assert.equal(sentAlias?.version_req, "^0.1");
    assert.ok(
      sent.deps.every((d) => d.registry === undefined),
      "same-registry deps carry no registry",
    );

    // What the index says: the reverse (name = alias, package = crate), sorted, features2 + v.
    const line = JSON.parse(c.indexLineJson);
    assert.equal(c.indexLineJson, serializeIndexLine(c.indexLine));
    assert.deepEqual(line.deps, [
      {
        name: "alias",
        req: "^0.1",
        features: ["std"],
        optional: true,
        default_features: false,
        target: null,
        kind: "normal",
        package: "base_crate",
      },
      {
        name: "b2",
        req: "^0.1.0",
        features: [],
        optional: false,
        default_features: true,
        target: null,
        kind: "build",
        package: "other-base",
      },
      {
        name: "base_crate",
        req: "^0.1.0",
        features: [],
        optional: false,
        default_features: true,
        target: null,
        kind: "dev",
      },
      {
        name: "other-base",
        req: "=0.1.0",
        features: [],
        optional: false,
        default_features: true,
        target: "cfg(unix)",
        kind: "normal",
      },
    ]);
    assert.deepEqual(line.features, { default: [], plain: [] });
    assert.deepEqual(line.features2, { x: ["dep:alias"], y: ["alias?/std"], z: ["y"] });
    assert.equal(line.v, 2);
    assert.equal(line.links, "userfoo");
    assert.equal(line.rust_version, "1.70");
    assert.equal(line.yanked, false);
  });

  it("refuses a canonical-name collision from real cargo with a readable error", async () => {
    // cargo refuses exact duplicates itself (it reads the index first); a different spelling
    // of an existing name is not visible to it, so the registry must refuse it.
    const dir = join(work, "Base-Crate");
    writeCrate(dir, {
      "Cargo.toml": `[package]\nname = "Base-Crate"\nversion = "0.3.0"\nedition = "2021"\nlicense = "MIT"\npublish = ["cratesec"]\n`,
      "src/lib.rs": "",
    });
    const run = await cargo(
      ["publish", "--registry", "cratesec", "--no-verify", "--allow-dirty"],
      dir,
      env,
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /status 400 Bad Request/);
    assert.match(run.stderr, /crate was previously named `base_crate`/);
    assert.equal(registry.refused.at(-1)?.code, "name-collision");
  });

  it("cargo resolves, downloads and verifies the published crates", async () => {
    const dir = join(work, "consumer");
    writeCrate(dir, {
      "Cargo.toml": `[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nuser-crate = { version = "=0.2.0-beta.1", registry = "cratesec", features = ["x"] }\n`,
      "src/main.rs": "fn main() {}\n",
    });
    const lock = await cargo(["generate-lockfile"], dir, env);
    assert.equal(lock.status, 0, lock.stderr);
    const fetch = await cargo(["fetch"], dir, env);
    assert.equal(fetch.status, 0, fetch.stderr);

    const lockfile = parseToml(readFileSync(join(dir, "Cargo.lock"), "utf8")) as {
      package: { name: string; version: string; source?: string; checksum?: string }[];
    };
    for (const c of registry.published) {
      // Every published crate is needed; base_crate only through the renamed optional dependency.
      const entry = lockfile.package.find((p) => p.name === c.name);
      assert.ok(entry, `${c.name} is in Cargo.lock`);
      assert.equal(entry.version, c.version);
      assert.equal(entry.source, registry.indexUrl);
      assert.equal(entry.checksum, c.cksum, "cargo verified the download against this checksum");
    }
    const user = lockfile.package.find((p) => p.name === "user-crate") as unknown as {
      dependencies: string[];
    };
    assert.deepEqual([...user.dependencies].sort(), ["base_crate", "other-base"]);
  });
});

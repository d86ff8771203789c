/**
 * Graceful shutdown of `cratesec serve`: on SIGTERM the server stops accepting connections,
 * finishes the request in flight, closes the store and exits 0.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cliPath } from "../../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "cratesec-shutdown-"));
after(() => rmSync(work, { recursive: true, force: true }));

function start(): Promise<{ child: ChildProcess; port: number; exit: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [cliPath, "serve", "--data", join(work, "data"), "--host", "127.0.0.1", "--port", "0"],
    {
      env: { ...process.env, XDG_CACHE_HOME: join(work, "cache") },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), exit });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
}

test("SIGTERM finishes the request in flight, refuses new connections, and exits 0", async () => {
  const { child, port, exit } = await start();
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((r) => socket.once("connect", () => r()));
  let response = "";
  socket.on("data", (d) => {
    response += d.toString();
  });
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  // Half a request body, then SIGTERM, then the rest: the server must still answer it.
  socket.write(
    "PUT /api/v1/crates/new HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 8\r\nConnection: close\r\n\r\n1234",
  );
  await new Promise((r) => setTimeout(r, 200));
  child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  const refused = await new Promise<boolean>((resolve) => {
    const probe = connect(port, "127.0.0.1");
    probe.once("connect", () => {
      probe.destroy();
      resolve(false);
    });
    probe.once("error", () => resolve(true));
  });
  socket.write("5678");
  await closed;
  assert.match(response, /^HTTP\/1\.1 4\d\d /, "the in-flight request got its answer");
  assert.match(response, /"errors":\[\{"detail":/);
  assert.equal(refused, true, "new connections are refused during shutdown");
  assert.equal(await exit, 0);
});

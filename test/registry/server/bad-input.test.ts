/**
 * Bad publish bodies against the running server (issue 5, Acceptance): wrong lengths, truncated
 * frames, invalid JSON, tar bombs, gzip bombs, path traversal, random bytes (fast-check) and a
 * 100 MB body streamed over a real socket. Every answer is a 4xx with the
 * `{"errors":[{"detail":…}]}` envelope, `/healthz` answers after every batch, and nothing is
 * written: no crate or version rows, no audit rows, no file in storage.
 * SQLite always; PostgreSQL when CRATESEC_TEST_DATABASE_URL is set.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import zlib from "node:zlib";
import fc from "fast-check";
import {
  crateFile,
  frame,
  gzip,
  manifestToml,
  newCrateJson,
  tarBytes,
} from "../publish/helpers.js";
import { ENGINES, type Fixture, PG_SKIP, publishBody, startFixture, userToken } from "./helpers.js";

const MiB = 1024 * 1024;
const MAX_UNPACKED = 4 * MiB;

interface Answer {
  readonly status: number;
  readonly body: string;
}

function assertRefused(a: Answer, what: string, status?: number): void {
  assert.ok(
    a.status >= 400 && a.status < 500,
    `${what}: expected a 4xx, got ${a.status} ${a.body}`,
  );
  if (status !== undefined) assert.equal(a.status, status, `${what}: ${a.body}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.body);
  } catch {
    assert.fail(`${what}: the answer is not JSON: ${a.body.slice(0, 200)}`);
  }
  const errors = (parsed as { errors?: unknown }).errors;
  assert.ok(Array.isArray(errors) && errors.length > 0, `${what}: no errors array: ${a.body}`);
  const detail = (errors[0] as { detail?: unknown }).detail;
  assert.ok(typeof detail === "string" && detail.length > 0, `${what}: no detail: ${a.body}`);
  assert.ok(!detail.includes("    at "), `${what}: a stack trace in the detail`);
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** A crate whose tar holds ENTRIES, with a valid Cargo.toml unless the entries replace it. */
const crateWith = (name: string, extra: Parameters<typeof crateFile>[2]) =>
  crateFile(name, "1.0.0", {
    manifest: `${manifestToml(name, "1.0.0")}description = "bad input"\nlicense = "MIT"\n`,
    ...extra,
  });

/** Gzip of `total` bytes of `fill` (at most 64 MiB in these tests). */
const gzipRepeated = (total: number, fill: number): Buffer =>
  zlib.gzipSync(Buffer.alloc(total, fill), { level: 9 });

for (const engine of ENGINES) {
  describe(`bad publish bodies (${engine.label})`, { skip: !engine.available && PG_SKIP }, () => {
    let f: Fixture;
    let token = "";
    let auditBefore = 0;
    let base = "";

    const count = async (table: "versions" | "crates" | "audit_log") => {
      const row = await f.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };

    const publish = async (payload: Buffer, headers: Record<string, string> = {}) => {
      const res = await f.server.app.inject({
        method: "PUT",
        url: "/api/v1/crates/new",
        headers: { authorization: token, ...headers },
        payload,
      });
      return { status: res.statusCode, body: res.body };
    };

    const healthy = async () => {
      const res = await f.server.app.inject({ method: "GET", url: "/healthz" });
      assert.equal(res.statusCode, 200, `healthz: ${res.body}`);
    };

    const assertNothingWritten = async () => {
      assert.equal(await count("versions"), 0, "versions rows");
      assert.equal(await count("crates"), 0, "crates rows");
      assert.equal(await count("audit_log"), auditBefore, "audit rows");
      const root = f.storage.root;
      const files: string[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(d, e.name));
          else files.push(join(d, e.name));
        }
      };
      if (existsSync(root)) walk(root);
      assert.deepEqual(files, [], "files in storage");
    };

    const batch = async (cases: [string, Buffer | Promise<Buffer>, number?][]) => {
      for (const [what, payload, status] of cases) {
        assertRefused(await publish(await payload), what, status);
      }
      await healthy();
      await assertNothingWritten();
    };

    before(async () => {
      await engine.setup();
      f = await startFixture(engine, {
        host: "127.0.0.1",
        port: 0,
        publish: { maxUnpackedSize: MAX_UNPACKED },
        rateLimits: { "publish-new": null, "publish-update": null, yank: null },
      });
      base = await f.server.listen();
      ({ token } = await userToken(f.store, "fuzzer"));
      auditBefore = await count("audit_log");
    });

    after(async () => {
      await f?.close();
      await engine.teardown();
    });

    it("refuses wrong lengths and truncated frames", async () => {
      const good = await publishBody("lengths", "1.0.0");
      const jsonLen = good.readUInt32LE(0);
      const json = good.subarray(4, 4 + jsonLen);
      const crate = good.subarray(8 + jsonLen);
      const cases: [string, Buffer, number?][] = [
        ["empty body", Buffer.alloc(0)],
        ["1 byte", Buffer.from([1])],
        ["3 bytes", Buffer.from([1, 0, 0])],
        ["json length only", u32(10)],
        ["json length 0", Buffer.concat([u32(0), u32(crate.length), crate])],
        [
          "json length past the end",
          Buffer.concat([u32(jsonLen + 100), json, u32(crate.length), crate]),
        ],
        [
          "json length 0xFFFFFFFF",
          Buffer.concat([u32(0xffffffff), json, u32(crate.length), crate]),
        ],
        ["json length 2^31", Buffer.concat([u32(2 ** 31), json])],
        [
          "json length too short",
          Buffer.concat([u32(jsonLen - 5), json, u32(crate.length), crate]),
        ],
        ["no crate length", Buffer.concat([u32(jsonLen), json])],
        ["half a crate length", Buffer.concat([u32(jsonLen), json, Buffer.from([1, 2])])],
        [
          "crate length past the end",
          Buffer.concat([u32(jsonLen), json, u32(crate.length + 1), crate]),
        ],
        ["crate length 0xFFFFFFFF", Buffer.concat([u32(jsonLen), json, u32(0xffffffff), crate])],
        [
          "crate length too short",
          Buffer.concat([u32(jsonLen), json, u32(crate.length - 1), crate]),
        ],
        ["crate length 0", Buffer.concat([u32(jsonLen), json, u32(0)])],
        ["trailing bytes", Buffer.concat([good, Buffer.from("trailing")])],
      ];
      for (let cut = 1; cut < good.length; cut += Math.max(1, Math.floor(good.length / 40))) {
        cases.push([`truncated at ${cut}`, good.subarray(0, cut)]);
      }
      await batch(cases);
    });

    it("refuses invalid JSON metadata", async () => {
      const crate = await crateWith("jsonbad", {});
      const f2 = (json: string | Buffer) => frame(Buffer.from(json), crate);
      await batch([
        ["not JSON", f2("{ not json")],
        ["truncated JSON", f2('{"name":"jsonbad","vers":"1.0')],
        ["JSON array", f2("[]")],
        ["JSON string", f2('"jsonbad"')],
        ["JSON null", f2("null")],
        ["JSON number", f2("42")],
        ["empty JSON", f2("")],
        ["invalid UTF-8", f2(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))],
        ["UTF-8 BOM", f2(`\ufeff${JSON.stringify(newCrateJson("jsonbad", "1.0.0"))}`)],
        ["name missing", frame({ ...newCrateJson("jsonbad", "1.0.0"), name: undefined }, crate)],
        ["name a number", frame({ ...newCrateJson("jsonbad", "1.0.0"), name: 7 }, crate)],
        ["name empty", frame(newCrateJson("", "1.0.0"), crate)],
        ["name with a slash", frame(newCrateJson("../jsonbad", "1.0.0"), crate)],
        ["bad version", frame(newCrateJson("jsonbad", "one"), crate)],
        ["deps not a list", frame(newCrateJson("jsonbad", "1.0.0", { deps: "x" }), crate)],
        ["features not a map", frame(newCrateJson("jsonbad", "1.0.0", { features: [1] }), crate)],
        ["metadata larger than the limit", frame(`"${"a".repeat(MiB + 10)}"`, crate), 413],
        ["deeply nested JSON", f2(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)],
        ["name/version mismatch with the crate", frame(newCrateJson("jsonbad", "2.0.0"), crate)],
        ["other crate's name", frame(newCrateJson("jsonbad2", "1.0.0"), crate)],
      ]);
    });

    it("refuses tar bombs, gzip bombs and malformed archives", async () => {
      const name = "bomb";
      const root = `${name}-1.0.0`;
      const json = newCrateJson(name, "1.0.0");
      const big = MAX_UNPACKED * 16; // 64 MiB unpacked, ~64 KiB compressed
      const tarOfBigFile = await tarBytes([
        { name: `${root}/Cargo.toml`, content: manifestToml(name, "1.0.0") },
        { name: `${root}/zeros.bin`, content: Buffer.alloc(big) },
      ]);
      const manyEntries = Array.from({ length: 60_000 }, (_, i) => ({
        name: `${root}/f/${i}`,
        content: "",
      }));
      await batch([
        ["tar bomb (one 64 MiB file)", frame(json, gzip(tarOfBigFile))],
        [
          "tar bomb (many small files)",
          (async () => frame(json, gzip(await tarBytes(manyEntries))))(),
        ],
        ["gzip bomb of zeros", frame(json, gzipRepeated(big, 0))],
        ["gzip bomb of 'A's", frame(json, gzipRepeated(big, 0x41))],
        [
          "declared size beyond the data",
          (async () => {
            const t = await tarBytes([{ name: `${root}/Cargo.toml`, content: "x" }]);
            // Patch the size field (octal at 124) to 1 GiB and fix the header checksum.
            t.write("10000000000\0", 124, "ascii");
            t.fill(0x20, 148, 156);
            let sum = 0;
            for (let i = 0; i < 512; i++) sum += t[i] as number;
            t.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
            return frame(json, gzip(t));
          })(),
        ],
        ["not gzip", frame(json, Buffer.from("this is not a gzip stream"))],
        ["gzip of garbage", frame(json, gzip(randomBytes(4096)))],
        ["truncated gzip", frame(json, (await crateWith(name, {})).subarray(0, 40))],
        ["raw tar, not gzipped", frame(json, await tarBytes([{ name: `${root}/Cargo.toml` }]))],
        ["no Cargo.toml", frame(json, await crateFile(name, "1.0.0", { manifest: null }))],
      ]);
    });

    it("refuses path traversal and unsafe entries", async () => {
      const name = "trav";
      const root = `${name}-1.0.0`;
      const json = newCrateJson(name, "1.0.0");
      const withEntry = async (extra: Parameters<typeof tarBytes>[0]) =>
        frame(json, await crateWith(name, { extra }));
      await batch([
        ["../ escape", withEntry([{ name: `${root}/../../etc/passwd`, content: "x" }])],
        ["absolute path", withEntry([{ name: "/etc/passwd", content: "x" }])],
        ["outside the root dir", withEntry([{ name: "other-1.0.0/src/lib.rs", content: "x" }])],
        ["dot-dot only", withEntry([{ name: `${root}/..`, content: "x" }])],
        ["backslash traversal", withEntry([{ name: `${root}/..\\..\\x`, content: "x" }])],
        [
          "symlink out",
          withEntry([{ name: `${root}/l`, type: "symlink", linkname: "/etc/passwd" }]),
        ],
        ["hard link", withEntry([{ name: `${root}/h`, type: "link", linkname: "/etc/passwd" }])],
        ["device", withEntry([{ name: `${root}/d`, type: "character-device" }])],
        ["fifo", withEntry([{ name: `${root}/p`, type: "fifo" }])],
        [
          "pax path escape",
          withEntry([{ name: `${root}/ok`, content: "x", pax: { path: "../../x" } }]),
        ],
        [
          "NUL in a pax path",
          withEntry([{ name: `${root}/ok2`, content: "x", pax: { path: `${root}/a\u0000b` } }]),
        ],
        [
          "pax absolute path",
          withEntry([{ name: `${root}/ok3`, content: "x", pax: { path: "/x" } }]),
        ],
      ]);
    });

    it("refuses random bytes and randomly corrupted bodies (fast-check)", async () => {
      const valid = await publishBody("random", "1.0.0");
      const crate = valid.subarray(8 + valid.readUInt32LE(0));
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
        fc
          .tuple(fc.oneof(fc.json(), fc.string()), fc.uint8Array({ maxLength: 2048 }))
          .map(([j, c]) => frame(Buffer.from(j), Buffer.from(c))),
        fc
          .uint8Array({ maxLength: 2048 })
          .map((c) => frame(newCrateJson("random", "1.0.0"), Buffer.from(c))),
        fc
          .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          })
          .map((flips) => {
            const b = Buffer.from(valid);
            for (const [at, x] of flips) {
              const i = 8 + valid.readUInt32LE(0) + 10 + (at % (crate.length - 10));
              b[i] = (b[i] as number) ^ x;
            }
            return b;
          }),
        fc.nat({ max: valid.length - 1 }).map((cut) => valid.subarray(0, cut)),
      );
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          runs += 1;
          assertRefused(await publish(payload), `random body of ${payload.length} bytes`);
          if (runs % 100 === 0) await healthy();
        }),
        { numRuns: 300 },
      );
      await healthy();
      await assertNothingWritten();
    });

    it("refuses bodies with odd content types or no token", async () => {
      const good = await publishBody("ctype", "1.0.0");
      for (const ct of ["application/json", "text/plain", "multipart/form-data; boundary=x"]) {
        assertRefused(
          await publish(Buffer.concat([good.subarray(0, 20)]), { "content-type": ct }),
          ct,
        );
      }
      const res = await f.server.app.inject({
        method: "PUT",
        url: "/api/v1/crates/new",
        payload: good,
      });
      assertRefused({ status: res.statusCode, body: res.body }, "no token");
      await healthy();
      await assertNothingWritten();
    });

    /**
     * Streams SIZE bytes of zeros over a raw socket (Content-Length or chunked) and stops as soon
     * as the server answers. A raw socket, because the server answers 413 and closes without
     * reading the rest: node's http client would report the EPIPE instead of the answer.
     */
    const streamBody = (size: number, declareLength: boolean) =>
      new Promise<Answer & { written: number }>((resolve, reject) => {
        const url = new URL(base);
        const socket = net.connect(Number(url.port), url.hostname);
        let raw = "";
        let written = 0;
        let closed = false;
        socket.setEncoding("utf8");
        socket.on("data", (d: string) => {
          raw += d;
        });
        socket.on("error", () => {}); // EPIPE / ECONNRESET once the server stops reading
        socket.on("close", () => {
          closed = true;
          const m = /^HTTP\/1\.1 (\d{3})[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(raw);
          if (m === null) reject(new Error(`no HTTP answer after ${written} bytes: ${raw}`));
          else resolve({ status: Number(m[1]), body: m[2] as string, written });
        });
        socket.write(
          `PUT /api/v1/crates/new HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${token}\r\n` +
            `${declareLength ? `Content-Length: ${size}` : "Transfer-Encoding: chunked"}\r\n\r\n`,
        );
        const chunk = Buffer.alloc(256 * 1024);
        const framed = declareLength
          ? chunk
          : Buffer.concat([
              Buffer.from(`${chunk.length.toString(16)}\r\n`),
              chunk,
              Buffer.from("\r\n"),
            ]);
        const pump = () => {
          while (!closed && raw === "" && written < size) {
            written += chunk.length;
            if (!socket.write(framed)) {
              socket.once("drain", pump);
              return;
            }
          }
          // Answered (or everything sent): give the server a moment, then hang up.
          if (!closed) {
            if (written >= size && !declareLength) socket.write("0\r\n\r\n");
            setTimeout(() => socket.destroy(), 500);
          }
        };
        pump();
      });

    it("refuses a 100 MB body with 413 without reading it all", async () => {
      const size = 100 * MiB;
      for (const declared of [true, false]) {
        const before = process.memoryUsage().rss;
        const a = await streamBody(size, declared);
        assertRefused(a, `100 MB body (${declared ? "content-length" : "chunked"})`, 413);
        assert.ok(
          a.written < 40 * MiB,
          `the server let the client send ${a.written} bytes before refusing`,
        );
        const grown = process.memoryUsage().rss - before;
        assert.ok(grown < 60 * MiB, `memory grew by ${grown} bytes`);
        await healthy();
      }
      await assertNothingWritten();
    });

    it("still publishes a good crate afterwards", async () => {
      const res = await publish(await publishBody("after_fuzz", "1.0.0"));
      assert.equal(res.status, 200, res.body);
      assert.equal(await count("versions"), 1);
    });
  });
}

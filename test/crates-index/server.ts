/** A tiny sparse registry over the crates-index sample, with ETags and a request log. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { sharedData } from "../support/paths.js";

export const indexDir = sharedData("crates-index-sample");

export interface LoggedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

export type Behaviour =
  | "normal"
  | "http500" // every request answers 500
  | "destroy" // the connection is closed without an answer
  | "hang"; // never answers

export class SampleRegistry {
  readonly requests: LoggedRequest[] = [];
  /** Index paths whose body replaces the sample's file ("" deletes it: 404). */
  readonly overrides = new Map<string, string>();
  behaviour: Behaviour = "normal";
  /** Send `ETag` (default) and/or `Last-Modified` validators. */
  etags = true;
  lastModified = false;
  /** When set, requests without `Authorization: <token>` get 401 (an `auth-required` registry). */
  requiredToken: string | null = null;
  /** Delay before answering, in ms. */
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Bumped by reset(), so answers delayed from an earlier test are not logged in this one. */
  private generation = 0;
  url = "";
  private server: Server | null = null;
  private readonly hanging = new Set<import("node:http").ServerResponse>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = normalize(
        decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname),
      ).replace(/^\/+/, "");
      if (this.behaviour === "destroy") {
        this.requests.push({ path, headers: req.headers, status: 0 });
        req.socket.destroy();
        return;
      }
      if (this.behaviour === "hang") {
        this.requests.push({ path, headers: req.headers, status: 0 });
        this.hanging.add(res);
        return;
      }
      const generation = this.generation;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      setTimeout(() => {
        if (generation === this.generation) this.inFlight--;
        const status = this.answer(path, req.headers, res);
        if (generation === this.generation) {
          this.requests.push({ path, headers: req.headers, status });
        }
      }, this.delayMs);
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  private body(path: string): Buffer | null {
    const override = this.overrides.get(path);
    if (override !== undefined) return override === "" ? null : Buffer.from(override);
    try {
      return readFileSync(join(indexDir, path));
    } catch {
      return null;
    }
  }

  private answer(
    path: string,
    headers: IncomingHttpHeaders,
    res: import("node:http").ServerResponse,
  ): number {
    if (this.behaviour === "http500") {
      res.writeHead(500).end("boom");
      return 500;
    }
    if (this.requiredToken !== null && headers.authorization !== this.requiredToken) {
      res
        .writeHead(401, { "www-authenticate": 'Cargo login_url="https://registry.example/me"' })
        .end();
      return 401;
    }
    const body = this.body(path);
    if (body === null) {
      res.writeHead(404).end("not found");
      return 404;
    }
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    // A fixed date per body, so If-Modified-Since can be checked without clocks.
    const modified = new Date(Date.UTC(2024, 0, 1) + body.length * 1000).toUTCString();
    const validators: Record<string, string> = {};
    if (this.etags) validators.etag = etag;
    if (this.lastModified) validators["last-modified"] = modified;
    const notModified =
      (this.etags && headers["if-none-match"] === etag) ||
      (!this.etags && this.lastModified && headers["if-modified-since"] === modified);
    if (notModified) {
      res.writeHead(304, validators).end();
      return 304;
    }
    res.writeHead(200, { "content-type": "text/plain", ...validators }).end(body);
    return 200;
  }

  /** Requests for one index path, in order. */
  requestsFor(path: string): LoggedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  reset(): void {
    this.generation++;
    this.requests.length = 0;
    this.overrides.clear();
    this.behaviour = "normal";
    this.etags = true;
    this.lastModified = false;
    this.requiredToken = null;
    this.delayMs = 0;
    this.inFlight = 0;
    this.maxInFlight = 0;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  async stop(): Promise<void> {
    this.reset();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

/** A URL on which nothing listens (a port that was just closed). */
export async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/`;
}

const temps: string[] = [];

export function tempDir(prefix = "cratesec-index-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Lines of a sample index file, parsed. */
export function sampleLines(path: string): { vers: string; yanked: boolean }[] {
  return readFileSync(join(indexDir, path), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { vers: string; yanked: boolean });
}

/** Builders for publish bodies, `.crate` files and registry views used by the publish tests. */

import assert from "node:assert/strict";
import zlib from "node:zlib";
import tar from "tar-stream";
import {
  type ExistingCrate,
  PublishError,
  type PublishErrorCode,
  type RegistryView,
} from "../../../src/registry/publish/index.js";

export interface TarEntry {
  name: string;
  content?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  linkname?: string;
  mode?: number;
  pax?: Record<string, string>;
  /** Declared size (defaults to the content's length). */
  size?: number;
}

/** An uncompressed tar archive (tar-stream's ustar + pax), ending with the two zero blocks. */
export async function tarBytes(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c: unknown) => chunks.push(c as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const e of entries) {
    const type = e.type ?? "file";
    const content =
      e.content === undefined
        ? Buffer.alloc(0)
        : Buffer.isBuffer(e.content)
          ? e.content
          : Buffer.from(e.content);
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: e.name,
        type,
        mode: e.mode ?? (type === "directory" ? 0o755 : 0o644),
        mtime: new Date(1153704088000),
        ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
        ...(e.pax === undefined ? {} : { pax: e.pax }),
      };
      if (type === "file") {
        pack.entry({ ...header, size: e.size ?? content.length }, content, (err) =>
          err ? reject(err) : resolve(),
        );
      } else {
        pack.entry(header, (err) => (err ? reject(err) : resolve()));
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const gzip = (data: Buffer): Buffer => zlib.gzipSync(data, { level: 9 });

export function manifestToml(name: string, version: string, extra = ""): string {
  return `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n${extra}`;
}

/** A `.crate` for NAME-VERSION with a Cargo.toml, a lib.rs and the given extra entries. */
export async function crateFile(
  name: string,
  version: string,
  options: {
    extra?: readonly TarEntry[];
    manifest?: string | null;
    entries?: readonly TarEntry[];
  } = {},
): Promise<Buffer> {
  const root = `${name}-${version}`;
  const entries: TarEntry[] = options.entries
    ? [...options.entries]
    : [
        ...(options.manifest === null
          ? []
          : [
              {
                name: `${root}/Cargo.toml`,
                content: options.manifest ?? manifestToml(name, version),
              },
            ]),
        { name: `${root}/src/lib.rs`, content: "pub fn f() {}\n" },
      ];
  entries.push(...(options.extra ?? []));
  return gzip(await tarBytes(entries));
}

/** The publish metadata cargo would send for a crate without dependencies. */
export function newCrateJson(
  name: string,
  vers: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    vers,
    deps: [],
    features: {},
    authors: [],
    description: "a test crate",
    documentation: null,
    homepage: null,
    readme: null,
    readme_file: null,
    keywords: [],
    categories: [],
    license: "MIT",
    license_file: null,
    repository: null,
    badges: {},
    links: null,
    rust_version: null,
    ...overrides,
  };
}

/** A dependency entry as cargo sends it. */
export function dep(name: string, versionReq: string, overrides: Record<string, unknown> = {}) {
  return {
    optional: false,
    default_features: true,
    name,
    features: [],
    version_req: versionReq,
    target: null,
    kind: "normal",
    ...overrides,
  };
}

/** The §5 framing: u32 LE json_len, json, u32 LE crate_len, crate. */
export function frame(json: string | Buffer | object, crate: Buffer): Buffer {
  const j = Buffer.isBuffer(json)
    ? json
    : Buffer.from(typeof json === "string" ? json : JSON.stringify(json));
  const a = Buffer.alloc(4);
  a.writeUInt32LE(j.length);
  const b = Buffer.alloc(4);
  b.writeUInt32LE(crate.length);
  return Buffer.concat([a, j, b, crate]);
}

/** An in-memory registry view. */
export class MemoryView implements RegistryView {
  readonly crates = new Map<string, ExistingCrate>();
  reserved = new Set<string>();

  static canonical(name: string): string {
    return name.toLowerCase().replaceAll("-", "_");
  }

  add(name: string, ...versions: string[]): this {
    const key = MemoryView.canonical(name);
    const existing = this.crates.get(key);
    this.crates.set(key, { name, versions: [...(existing?.versions ?? []), ...versions] });
    return this;
  }

  crateByCanonicalName(canonicalName: string): ExistingCrate | null {
    return this.crates.get(canonicalName) ?? null;
  }

  isReservedName(canonicalName: string): boolean {
    return this.reserved.has(canonicalName);
  }
}

/** Asserts a PublishError with this code and status whose detail matches. */
export function assertPublishError(
  result: unknown,
  code: PublishErrorCode,
  status: 400 | 413,
  detail: RegExp,
): PublishError {
  assert.ok(
    result instanceof PublishError,
    `expected a PublishError, got ${describeResult(result)}`,
  );
  assert.equal(result.code, code, `code (detail: ${result.detail})`);
  assert.equal(result.status, status, `status (detail: ${result.detail})`);
  assert.match(result.detail, detail);
  // A detail a person understands: a sentence, not a stack trace or an empty string.
  assert.ok(result.detail.length > 10 && !result.detail.includes("    at "), result.detail);
  return result;
}

/** Runs an async function that must reject with a PublishError, returning it. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

/** Runs a function that must throw, returning what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected a throw");
}

/** A short description of a check result for assertion messages (results hold BigInts). */
export function describeResult(result: unknown): string {
  if (result instanceof PublishError) return `PublishError(${result.code}): ${result.detail}`;
  if (typeof result === "object" && result !== null && "ok" in result) {
    const crate = (result as { crate?: { name?: string; version?: string } }).crate;
    return `ok: ${crate?.name}@${crate?.version}`;
  }
  return String(result);
}

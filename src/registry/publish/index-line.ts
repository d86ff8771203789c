/**
 * The sparse-index line of a published version (§5), built as crates.io builds it
 * (`crates_io_index::{Crate, Dependency}`, `split_features`, `index_metadata`):
 *
 *   {"name","vers","deps":[{"name","req","features","optional","default_features","target",
 *    "kind","registry"?,"package"?}],"cksum","features","features2"?,"yanked","links"?,
 *    "rust_version"?,"pubtime"?,"v"?}
 *
 * - a renamed dependency is written with `name` = the name in Cargo.toml and `package` = the
 *   real crate (the publish metadata has them the other way round);
 * - `registry` is written only for a dependency from another registry (crates.io's own index
 *   never has one; cargo's index format defines it for third-party registries);
 * - dependencies are sorted as crates.io sorts them (name, kind normal < build < dev, req, …);
 * - features using `dep:` or `pkg?/feat`, and any feature enabling one of those, move to
 *   `features2`, and then `v` is 2;
 * - `pubtime` is RFC 3339 UTC with whole seconds: `2025-11-18T08:58:23Z`.
 */

import { CRATES_IO_INDEX_URL, CRATES_IO_SPARSE_INDEX_URL } from "./config.js";
import type { DependencyKind, PublishMetadata } from "./metadata.js";

export interface IndexDependency {
  readonly name: string;
  readonly req: string;
  readonly features: readonly string[];
  readonly optional: boolean;
  readonly default_features: boolean;
  readonly target: string | null;
  readonly kind: DependencyKind;
  readonly registry?: string;
  readonly package?: string;
}

export type FeatureMap = Readonly<Record<string, readonly string[]>>;

export interface IndexLine {
  readonly name: string;
  readonly vers: string;
  readonly deps: readonly IndexDependency[];
  readonly cksum: string;
  readonly features: FeatureMap;
  readonly features2?: FeatureMap;
  readonly yanked: boolean;
  readonly links?: string;
  readonly rust_version?: string;
  readonly pubtime?: string;
  readonly v?: 2;
}

export interface IndexLineOptions {
  /** SHA-256 of the `.crate` file, lower-case hex. */
  readonly cksum: string;
  /** The publish time; omitted from the line when not given. */
  readonly pubtime?: Date;
  /** Written as `registry` for crates.io dependencies. */
  readonly cratesIoIndexUrl?: string;
}

/** Compares as Rust's `str` `Ord` does: by UTF-8 bytes, which is code point order. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF, i.e. code points ≥ U+10000) sort after every BMP code point.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** `pubtime`: chrono's `DateTime<Utc>` with the sub-second part dropped. */
export function formatPubtime(date: Date): string {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError("pubtime: invalid date");
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function hasFeatures2Syntax(value: string): boolean {
  return value.startsWith("dep:") || value.includes("?/");
}

/**
 * crates.io's `split_features`: features whose values use `dep:` / `?/` go to `features2`,
 * then (up to 100 rounds) any feature enabling a `features2` feature follows it.
 */
export function splitFeatures(features: Iterable<readonly [string, readonly string[]]>): {
  features: Map<string, readonly string[]>;
  features2: Map<string, readonly string[]>;
} {
  let plain = new Map<string, readonly string[]>();
  const extended = new Map<string, readonly string[]>();
  for (const [k, vals] of features) {
    if (vals.some(hasFeatures2Syntax)) extended.set(k, vals);
    else plain.set(k, vals);
  }
  for (let i = 0; i < 100; i++) {
    const keep = new Map<string, readonly string[]>();
    let moved = false;
    for (const [k, vals] of plain) {
      if (vals.some((v) => extended.has(v))) {
        extended.set(k, vals);
        moved = true;
      } else {
        keep.set(k, vals);
      }
    }
    plain = keep;
    if (!moved) break;
  }
  return { features: plain, features2: extended };
}

const KIND_ORDER: Record<DependencyKind, number> = { normal: 0, build: 1, dev: 2 };

const compareOptional = (a: string | undefined | null, b: string | undefined | null): number => {
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  return compareUtf8(a, b);
};

/** crates.io's `Ord for Dependency` (then `registry`, which crates.io's index never carries). */
export function compareIndexDependencies(a: IndexDependency, b: IndexDependency): number {
  return (
    compareUtf8(a.name, b.name) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareUtf8(a.req, b.req) ||
    Number(a.optional) - Number(b.optional) ||
    Number(a.default_features) - Number(b.default_features) ||
    compareOptional(a.target, b.target) ||
    compareOptional(a.package, b.package) ||
    compareStringLists(a.features, b.features) ||
    compareOptional(a.registry, b.registry)
  );
}

function compareStringLists(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A feature map as an object with no prototype (so `__proto__` is an ordinary feature name). */
function featureObject(map: ReadonlyMap<string, readonly string[]>): FeatureMap {
  const out: Record<string, readonly string[]> = Object.create(null);
  for (const key of [...map.keys()].sort(compareUtf8)) out[key] = [...(map.get(key) ?? [])];
  return out;
}

const isCratesIo = (url: string): boolean =>
  url.replace(/\/+$/, "") === CRATES_IO_INDEX_URL ||
  `${url.replace(/\/+$/, "")}/` === CRATES_IO_SPARSE_INDEX_URL;

/** The index line for a validated publish. */
export function indexLineFor(metadata: PublishMetadata, options: IndexLineOptions): IndexLine {
  const cratesIo = options.cratesIoIndexUrl ?? CRATES_IO_INDEX_URL;
  const deps = metadata.deps.map((d): IndexDependency => {
    // crates.io writes `package` whenever cargo sent an explicit name, even an identical one.
    const renamed = d.explicitNameInToml !== null;
    const registry =
      d.registry === null ? undefined : isCratesIo(d.registry) ? cratesIo : d.registry;
    return {
      name: renamed ? (d.explicitNameInToml as string) : d.name,
      req: d.req,
      features: [...d.features],
      optional: d.optional,
      default_features: d.defaultFeatures,
      target: d.target,
      kind: d.kind,
      ...(registry === undefined ? {} : { registry }),
      ...(renamed ? { package: d.name } : {}),
    };
  });
  deps.sort(compareIndexDependencies);

  const split = splitFeatures(metadata.features);
  const line: {
    -readonly [K in keyof IndexLine]?: IndexLine[K];
  } = {
    name: metadata.name,
    vers: metadata.vers,
    deps,
    cksum: options.cksum,
    features: featureObject(split.features),
  };
  if (split.features2.size > 0) line.features2 = featureObject(split.features2);
  line.yanked = false;
  if (metadata.links !== null) line.links = metadata.links;
  if (metadata.rustVersion !== null) line.rust_version = metadata.rustVersion;
  if (options.pubtime !== undefined) line.pubtime = formatPubtime(options.pubtime);
  if (split.features2.size > 0) line.v = 2;
  return line as IndexLine;
}

const str = (s: string): string => JSON.stringify(s);

function serializeFeatures(map: FeatureMap): string {
  const keys = Object.keys(map).sort(compareUtf8);
  return `{${keys.map((k) => `${str(k)}:[${(map[k] ?? []).map(str).join(",")}]`).join(",")}}`;
}

function serializeDependency(d: IndexDependency): string {
  let s = `{"name":${str(d.name)},"req":${str(d.req)},"features":[${d.features.map(str).join(",")}]`;
  s += `,"optional":${d.optional},"default_features":${d.default_features}`;
  s += `,"target":${d.target === null ? "null" : str(d.target)},"kind":${str(d.kind)}`;
  if (d.registry !== undefined) s += `,"registry":${str(d.registry)}`;
  if (d.package !== undefined) s += `,"package":${str(d.package)}`;
  return `${s}}`;
}

/**
 * The line as it goes into the index file: one line of JSON, no spaces, fields in crates.io's
 * order, feature maps in byte order (as serde writes a `BTreeMap`), no trailing newline.
 */
export function serializeIndexLine(line: IndexLine): string {
  let s = `{"name":${str(line.name)},"vers":${str(line.vers)}`;
  s += `,"deps":[${line.deps.map(serializeDependency).join(",")}]`;
  s += `,"cksum":${str(line.cksum)},"features":${serializeFeatures(line.features)}`;
  if (line.features2 !== undefined) s += `,"features2":${serializeFeatures(line.features2)}`;
  s += `,"yanked":${line.yanked}`;
  if (line.links !== undefined) s += `,"links":${str(line.links)}`;
  if (line.rust_version !== undefined) s += `,"rust_version":${str(line.rust_version)}`;
  if (line.pubtime !== undefined) s += `,"pubtime":${str(line.pubtime)}`;
  if (line.v !== undefined) s += `,"v":${line.v}`;
  return `${s}}`;
}

/**
 * The `Cargo.toml` inside a `.crate`: parsed, checked as crates.io checks it
 * (`crates_io_tarball::manifest::validate_manifest`: a `[package]` table, no `[patch]`, no
 * workspace inheritance left) and compared with the publish metadata.
 */

import { parse as parseToml } from "smol-toml";
import { Version, VersionReq } from "../../semver/index.js";
import { CRATES_IO_INDEX_URL, CRATES_IO_SPARSE_INDEX_URL } from "./config.js";
import { PublishError, quote } from "./errors.js";
import type { DependencyKind, PublishMetadata } from "./metadata.js";

export type CargoManifest = Record<string, unknown>;

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const invalid = (why: string): never => {
  throw new PublishError("manifest-invalid", `Cargo.toml manifest is invalid: ${why}`);
};
const mismatch = (why: string): never => {
  throw new PublishError("manifest-mismatch", why);
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The dependency tables of a manifest and the kind each holds. */
const DEP_TABLES: readonly [string, DependencyKind][] = [
  ["dependencies", "normal"],
  ["dev-dependencies", "dev"],
  ["dev_dependencies", "dev"],
  ["build-dependencies", "build"],
  ["build_dependencies", "build"],
];

/**
 * Parses `Cargo.toml` bytes and checks them against the crate being published. Throws
 * `PublishError`: `manifest-invalid` (not UTF-8, not TOML, no `[package]`, `[patch]`, inherited
 * values) or `manifest-mismatch` (name or version differ from the metadata).
 */
export function parseCargoToml(bytes: Uint8Array, name: string, version: string): CargoManifest {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return invalid("it is not valid UTF-8");
  }
  let manifest: CargoManifest;
  try {
    manifest = parseToml(text) as CargoManifest;
  } catch (e) {
    const message = e instanceof Error ? (e.message.split("\n")[0] ?? e.message) : String(e);
    return invalid(message.slice(0, 300));
  }

  const pkg = manifest.package;
  if (!isTable(pkg))
    return invalid("missing field `package` (workspace manifests cannot be published)");

  if (isTable(manifest.patch) && Object.keys(manifest.patch).length > 0) {
    invalid("crates cannot be published with `[patch]` tables");
  }
  for (const [key, value] of Object.entries(pkg)) {
    if (key !== "metadata" && isTable(value) && Object.hasOwn(value, "workspace")) {
      invalid(
        `value from workspace hasn't been set (\`package.${key}\` is inherited from a workspace)`,
      );
    }
  }
  for (const { table, where } of dependencyTables(manifest)) {
    for (const [dep, spec] of Object.entries(table)) {
      if (isTable(spec) && Object.hasOwn(spec, "workspace")) {
        invalid(`value from workspace hasn't been set (dependency ${quote(dep)} in ${where})`);
      }
    }
  }

  if (typeof pkg.name !== "string") return invalid("`package.name` is missing or not a string");
  if (pkg.name !== name) {
    mismatch(
      `the name in Cargo.toml (${quote(pkg.name)}) does not match the name being published (${quote(name)})`,
    );
  }
  if (typeof pkg.version !== "string")
    return invalid("`package.version` is missing or not a string");
  const parsed = Version.tryParse(pkg.version);
  if (parsed === null)
    invalid(`\`package.version\` ${quote(pkg.version)} is not a valid semver version`);
  if (parsed?.toString() !== version) {
    mismatch(
      `the version in Cargo.toml (${quote(pkg.version)}) does not match the version being published (${quote(version)})`,
    );
  }
  return manifest;
}

interface DepTable {
  table: Table;
  kind: DependencyKind;
  target: string | null;
  where: string;
}

function* dependencyTables(manifest: CargoManifest): Generator<DepTable> {
  for (const [key, kind] of DEP_TABLES) {
    const t = manifest[key];
    if (isTable(t)) yield { table: t, kind, target: null, where: `[${key}]` };
  }
  const targets = manifest.target;
  if (isTable(targets)) {
    for (const [target, spec] of Object.entries(targets)) {
      if (!isTable(spec)) continue;
      for (const [key, kind] of DEP_TABLES) {
        const t = spec[key];
        if (isTable(t)) yield { table: t, kind, target, where: `[target.'${target}'.${key}]` };
      }
    }
  }
}

interface DepFacts {
  readonly display: string;
  readonly package: string;
  /** "crates.io", "this registry", "a named registry" or an index URL. */
  readonly source: string;
  readonly req: string;
  readonly optional: boolean;
  readonly defaultFeatures: boolean;
  readonly features: string;
}

const normaliseReq = (req: string): string => VersionReq.tryParse(req)?.toString() ?? req;

const depKey = (kind: DependencyKind, target: string | null, tomlName: string): string =>
  `${kind}\u0000${target ?? ""}\u0000${tomlName}`;

const describe = (kind: DependencyKind, target: string | null, tomlName: string): string =>
  `${kind === "normal" ? "" : `${kind}-`}dependency ${quote(tomlName)}${target === null ? "" : ` for target ${quote(target)}`}`;

/** How registries are named, to compare a manifest's `registry-index` with the metadata. */
export interface RegistryUrls {
  readonly cratesIoIndexUrl?: string;
  /** This registry's index URL(s); when empty, any non-crates.io, non-external URL is this one. */
  readonly ownIndexUrls?: readonly string[];
  readonly allowedExternalRegistries?: readonly string[];
}

const CRATES_IO = "crates.io";
const THIS_REGISTRY = "this registry";
const NAMED = "a named registry";

const trimUrl = (u: string): string => u.replace(/\/+$/, "");

function isCratesIo(url: string, urls: RegistryUrls): boolean {
  const t = trimUrl(url);
  return (
    t === trimUrl(CRATES_IO_INDEX_URL) ||
    `${t}/` === CRATES_IO_SPARSE_INDEX_URL ||
    (urls.cratesIoIndexUrl !== undefined && t === trimUrl(urls.cratesIoIndexUrl))
  );
}

/** The source of a dependency as the normalised Cargo.toml states it (`registry-index`). */
function manifestSource(t: Table, urls: RegistryUrls): string {
  const index = t["registry-index"];
  if (typeof index === "string") {
    if (isCratesIo(index, urls)) return CRATES_IO;
    const own = urls.ownIndexUrls ?? [];
    if (own.some((u) => trimUrl(u) === trimUrl(index))) return THIS_REGISTRY;
    if ((urls.allowedExternalRegistries ?? []).includes(index)) return index;
    return own.length === 0 ? THIS_REGISTRY : index;
  }
  const name = t.registry;
  if (typeof name === "string") return name === "crates-io" ? CRATES_IO : NAMED;
  // No registry in a published manifest means crates.io.
  return CRATES_IO;
}

function metadataSource(registry: string | null, urls: RegistryUrls): string {
  if (registry === null) return THIS_REGISTRY;
  return isCratesIo(registry, urls) ? CRATES_IO : registry;
}

/**
 * Differences between the manifest and the metadata the index line is built from, or null.
 * Compares dependencies (name, rename, source registry, requirement, optional, default
 * features, features, kind, target), features, `links` and `rust-version`.
 */
export function manifestConsistencyProblem(
  manifest: CargoManifest,
  metadata: PublishMetadata,
  urls: RegistryUrls = {},
): string | null {
  const fromManifest = new Map<string, DepFacts>();
  for (const { table, kind, target } of dependencyTables(manifest)) {
    for (const [tomlName, spec] of Object.entries(table)) {
      const t: Table = typeof spec === "string" ? { version: spec } : isTable(spec) ? spec : {};
      const display = describe(kind, target, tomlName);
      if (typeof t.version !== "string") {
        return `Cargo.toml ${display} has no version requirement (path and git dependencies cannot be published)`;
      }
      if (t.path !== undefined || t.git !== undefined) {
        return `Cargo.toml ${display} still has a \`path\` or \`git\` source; cargo removes them when packaging`;
      }
      const features = Array.isArray(t.features) ? t.features.map(String) : [];
      fromManifest.set(depKey(kind, target, tomlName), {
        display,
        package: typeof t.package === "string" ? t.package : tomlName,
        source: manifestSource(t, urls),
        req: normaliseReq(t.version),
        optional: t.optional === true,
        defaultFeatures: (t["default-features"] ?? t.default_features) !== false,
        features: JSON.stringify([...new Set(features)].sort()),
      });
    }
  }

  const fromMetadata = new Map<string, DepFacts>();
  for (const d of metadata.deps) {
    const tomlName = d.explicitNameInToml ?? d.name;
    fromMetadata.set(depKey(d.kind, d.target, tomlName), {
      display: describe(d.kind, d.target, tomlName),
      package: d.name,
      source: metadataSource(d.registry, urls),
      req: d.req,
      optional: d.optional,
      defaultFeatures: d.defaultFeatures,
      features: JSON.stringify([...new Set(d.features)].sort()),
    });
  }

  for (const [key, m] of fromMetadata) {
    const c = fromManifest.get(key);
    if (c === undefined) {
      return `the publish metadata lists ${m.display}, but Cargo.toml does not declare it`;
    }
    const fields: [string, unknown, unknown][] = [
      ["package", c.package, m.package],
      ["registry", c.source, m.source],
      ["version requirement", c.req, m.req],
      ["optional", c.optional, m.optional],
      ["default-features", c.defaultFeatures, m.defaultFeatures],
      ["features", c.features, m.features],
    ];
    for (const [field, inToml, inMeta] of fields) {
      if (field === "registry" && inToml === NAMED && inMeta !== CRATES_IO) continue;
      if (inToml !== inMeta) {
        return `${m.display}: Cargo.toml says ${field} ${quote(String(inToml))} but the publish metadata says ${quote(String(inMeta))}`;
      }
    }
  }
  for (const [key, c] of fromManifest) {
    if (!fromMetadata.has(key)) {
      return `Cargo.toml declares ${c.display}, but the publish metadata does not list it`;
    }
  }

  const tomlFeatures = isTable(manifest.features) ? manifest.features : {};
  const tomlNames = Object.keys(tomlFeatures).sort();
  const metaNames = [...metadata.features.keys()].sort();
  if (JSON.stringify(tomlNames) !== JSON.stringify(metaNames)) {
    return `the features in Cargo.toml (${tomlNames.join(", ") || "none"}) differ from those in the publish metadata (${metaNames.join(", ") || "none"})`;
  }
  for (const name of metaNames) {
    const a = JSON.stringify(tomlFeatures[name]);
    const b = JSON.stringify(metadata.features.get(name));
    if (a !== b) {
      return `feature ${quote(name)}: Cargo.toml enables ${a} but the publish metadata says ${b}`;
    }
  }

  const pkg = manifest.package as Table;
  const links = typeof pkg.links === "string" ? pkg.links : null;
  if (links !== metadata.links) {
    return `\`links\` differs: Cargo.toml says ${quote(String(links))}, the publish metadata ${quote(String(metadata.links))}`;
  }
  const rustVersion = typeof pkg["rust-version"] === "string" ? pkg["rust-version"] : null;
  if (rustVersion !== metadata.rustVersion) {
    return `\`rust-version\` differs: Cargo.toml says ${quote(String(rustVersion))}, the publish metadata ${quote(String(metadata.rustVersion))}`;
  }
  return null;
}

/** Throws `manifest-mismatch` when the manifest and the metadata disagree. */
export function checkManifestConsistency(
  manifest: CargoManifest,
  metadata: PublishMetadata,
  urls: RegistryUrls = {},
): void {
  const problem = manifestConsistencyProblem(manifest, metadata, urls);
  if (problem !== null) {
    mismatch(`Cargo.toml and the publish metadata disagree: ${problem}`);
  }
}

/**
 * The publish metadata JSON (cargo's `NewCrate` / `NewCrateDependency`, §5) validated into a
 * typed model, then checked against what the registry already holds.
 *
 * `validateMetadata` needs nothing but the JSON and the config; `checkMetadataAgainstRegistry`
 * asks a `RegistryView` (the database, behind an interface) about existing crates.
 */

import { Version, VersionReq } from "../../semver/index.js";
import {
  CRATES_IO_INDEX_URL,
  CRATES_IO_SPARSE_INDEX_URL,
  DEFAULT_PUBLISH_CONFIG,
  type PublishConfig,
} from "./config.js";
import { PublishError, type PublishErrorCode, quote } from "./errors.js";
import {
  canonicalCrateName,
  crateNameProblem,
  dependencyNameProblem,
  featureNameProblem,
  featureValueProblem,
  hasControlCharacter,
  reservedNameSet,
} from "./names.js";

export type DependencyKind = "normal" | "dev" | "build";

export interface PublishDependency {
  /** The crate depended on (for a renamed dependency: the real crate, `package` in the index). */
  readonly name: string;
  /** `version_req` as cargo sent it. */
  readonly versionReq: string;
  /** The requirement normalised as the `semver` crate displays it (what the index stores). */
  readonly req: string;
  readonly features: readonly string[];
  readonly optional: boolean;
  readonly defaultFeatures: boolean;
  /** A target triple or `cfg(…)` expression, or null for every target. */
  readonly target: string | null;
  readonly kind: DependencyKind;
  /** null: a crate of this registry; otherwise the index URL of the registry it comes from. */
  readonly registry: string | null;
  /** The name used in Cargo.toml when the dependency is renamed (`alias = { package = … }`). */
  readonly explicitNameInToml: string | null;
}

export interface PublishMetadata {
  readonly name: string;
  /** The version, normalised (`semver::Version` Display). */
  readonly vers: string;
  readonly version: Version;
  readonly deps: readonly PublishDependency[];
  /** Feature name → values, as sent (order of values kept). */
  readonly features: ReadonlyMap<string, readonly string[]>;
  readonly authors: readonly string[];
  readonly description: string | null;
  readonly documentation: string | null;
  readonly homepage: string | null;
  /** The README's content (cargo sends the text itself). */
  readonly readme: string | null;
  /** The README's path inside the package. */
  readonly readmeFile: string | null;
  readonly keywords: readonly string[];
  readonly categories: readonly string[];
  readonly license: string | null;
  readonly licenseFile: string | null;
  readonly repository: string | null;
  readonly links: string | null;
  readonly rustVersion: string | null;
}

/** A crate the registry already holds. */
export interface ExistingCrate {
  /** The name exactly as first published. */
  readonly name: string;
  /** Every published version (yanked ones included), as stored. */
  readonly versions: readonly string[];
}

export type MaybePromise<T> = T | Promise<T>;

/** What the publish checks need to know about the registry's current state. */
export interface RegistryView {
  /** The crate whose canonical name (lower case, `-` = `_`) is this one, or null. */
  crateByCanonicalName(canonicalName: string): MaybePromise<ExistingCrate | null>;
  /** Names reserved at run time (e.g. a database table), on top of the configured list. */
  isReservedName?(canonicalName: string): MaybePromise<boolean>;
}

export const MAX_VERSION_LENGTH = 150;
const MAX_URL_LENGTH = 2048;
const MAX_PATH_LENGTH = 1024;
const MAX_LICENSE_LENGTH = 1024;
const MAX_TARGET_LENGTH = 512;
const MAX_LINKS_LENGTH = 255;

const fail = (code: PublishErrorCode, detail: string): never => {
  throw new PublishError(code, detail);
};

const invalid = (detail: string): never =>
  fail("metadata-invalid", `invalid upload request: ${detail}`);

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const LONE_SURROGATE = /\p{Cs}/u;

/** A string that is valid Unicode (cargo and serde cannot produce lone surrogates). */
function checkText(value: string, field: string): string {
  if (LONE_SURROGATE.test(value)) invalid(`\`${field}\` is not valid Unicode`);
  return value;
}

function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function requiredString(obj: JsonObject, key: string, field = key): string {
  const v = own(obj, key);
  if (typeof v !== "string") {
    return invalid(
      v === undefined ? `missing field \`${field}\`` : `\`${field}\` must be a string`,
    );
  }
  return checkText(v, field);
}

function optionalString(obj: JsonObject, key: string, field = key): string | null {
  const v = own(obj, key);
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") return invalid(`\`${field}\` must be a string or null`);
  return checkText(v, field);
}

function optionalBool(obj: JsonObject, key: string, fallback: boolean, field = key): boolean {
  const v = own(obj, key);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") return invalid(`\`${field}\` must be true or false`);
  return v;
}

function stringArray(obj: JsonObject, key: string, field = key): string[] {
  const v = own(obj, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return invalid(`\`${field}\` must be an array of strings`);
  return v.map((item, i) => {
    if (typeof item !== "string") return invalid(`\`${field}[${i}]\` must be a string`);
    return checkText(item, `${field}[${i}]`);
  });
}

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8");

/** `Keyword::valid_name`: ASCII alphanumeric first, then alphanumerics, `_`, `-`, `+`. */
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9_+-]*$/;
/** crates.io category slugs: `development-tools`, `development-tools::cargo-plugins`. */
const CATEGORY_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:::[a-z0-9]+(?:-[a-z0-9]+)*)*$/;

function checkUrl(value: string | null, field: string): void {
  if (value === null) return;
  if (value.length > MAX_URL_LENGTH) {
    invalid(`\`${field}\` is longer than ${MAX_URL_LENGTH} characters`);
  }
  // crates.io checks the prefix by hand: URL parsers normalise some relative forms.
  if (!value.startsWith("http://") && !value.startsWith("https://")) {
    fail(
      "metadata-invalid",
      `URL for field \`${field}\` must begin with http:// or https:// (url: ${quote(value)})`,
    );
  }
  try {
    new URL(value);
  } catch {
    fail("metadata-invalid", `\`${field}\` is not a valid url: ${quote(value)}`);
  }
}

/**
 * SPDX license expression syntax (`MIT OR Apache-2.0`, `(MIT AND BSD-3-Clause)`,
 * `GPL-2.0+ WITH Classpath-exception-2.0`, legacy `MIT/Apache-2.0`). Only the syntax is
 * checked: identifiers are not matched against the SPDX list.
 */
export function licenseExpressionProblem(expr: string): string | null {
  if (expr.trim() === "") return "the license expression is empty";
  const tokens = expr.match(/\(|\)|\/|[^\s()/]+/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const isId = (t: string | undefined): t is string =>
    t !== undefined && /^[A-Za-z0-9.+:-]+$/.test(t) && !["AND", "OR", "WITH"].includes(t);
  const parseTerm = (): boolean => {
    const t = peek();
    if (t === "(") {
      pos++;
      if (!parseExpr()) return false;
      if (peek() !== ")") return false;
      pos++;
      return true;
    }
    if (!isId(t)) return false;
    pos++;
    if (peek() === "WITH") {
      pos++;
      if (!isId(peek())) return false;
      pos++;
    }
    return true;
  };
  const parseExpr = (): boolean => {
    if (!parseTerm()) return false;
    for (;;) {
      const op = peek();
      if (op !== "AND" && op !== "OR" && op !== "/" && op !== "and" && op !== "or") return true;
      pos++;
      if (!parseTerm()) return false;
    }
  };
  if (!parseExpr() || pos !== tokens.length) {
    return `unknown or invalid license expression ${quote(expr)}; see https://spdx.org/licenses/ for identifiers, and use \`license-file\` for a non-standard license`;
  }
  return null;
}

/** crates.io's `validate_rust_version`: a requirement made only of digits and dots (`1.70`, `1.70.0`). */
export function rustVersionProblem(value: string): string | null {
  if (/^[0-9.]+$/.test(value) && VersionReq.tryParse(value) !== null) return null;
  return `invalid \`rust_version\` value ${quote(value)}: expected a Rust version such as \`1.70\` or \`1.70.0\``;
}

const KINDS: readonly DependencyKind[] = ["normal", "dev", "build"];

function isCratesIoUrl(url: string, config: PublishConfig): boolean {
  const trimmed = url.replace(/\/+$/, "");
  return (
    url === config.cratesIoIndexUrl ||
    trimmed === CRATES_IO_INDEX_URL ||
    trimmed === CRATES_IO_INDEX_URL.replace(/^https:/, "git+https:") ||
    `${trimmed}/` === CRATES_IO_SPARSE_INDEX_URL
  );
}

function parseDependency(raw: unknown, i: number, config: PublishConfig): PublishDependency {
  const at = `deps[${i}]`;
  if (!isObject(raw)) return invalid(`\`${at}\` must be an object`);
  const name = requiredString(raw, "name", `${at}.name`);
  const nameProblem = crateNameProblem(name, "dependency");
  if (nameProblem) fail("dependency-invalid", nameProblem);
  const shown = quote(name);

  const features = stringArray(raw, "features", `${at}.features`);
  if (features.length > config.maxFeatureValues) {
    fail(
      "dependency-invalid",
      `dependency ${shown} enables ${features.length} features; at most ${config.maxFeatureValues} are allowed`,
    );
  }
  for (const f of features) {
    const problem = featureValueProblem(f);
    if (problem) fail("feature-invalid", `dependency ${shown}: ${problem}`);
  }

  let registry = optionalString(raw, "registry", `${at}.registry`);
  if (registry === "") registry = null;
  if (registry !== null) {
    if (isCratesIoUrl(registry, config)) {
      registry = config.cratesIoIndexUrl;
    } else if (config.ownIndexUrls.includes(registry)) {
      registry = null;
    } else if (!config.allowedExternalRegistries.includes(registry)) {
      fail(
        "dependency-registry",
        `dependency ${shown} comes from another registry (${quote(registry, 200)}); this registry accepts dependencies only on its own crates and on crates.io (${config.cratesIoIndexUrl})`,
      );
    }
  }

  const versionReq = requiredString(raw, "version_req", `${at}.version_req`);
  const req = VersionReq.tryParse(versionReq);
  if (req === null) {
    fail(
      "dependency-invalid",
      `dependency ${shown}: ${quote(versionReq)} is an invalid version requirement`,
    );
  } else if (req.comparators.length === 0) {
    fail(
      "dependency-wildcard",
      `wildcard (\`*\`) dependency constraints are not allowed: dependency ${shown} has version requirement ${quote(versionReq)}. Give a version range, e.g. \`1.2\` (see https://doc.rust-lang.org/cargo/faq.html#can-libraries-use--as-a-version-for-their-dependencies)`,
    );
  }

  const explicitNameInToml = optionalString(
    raw,
    "explicit_name_in_toml",
    `${at}.explicit_name_in_toml`,
  );
  if (explicitNameInToml !== null) {
    const problem = dependencyNameProblem(explicitNameInToml);
    if (problem) fail("dependency-invalid", problem);
  }

  const target = optionalString(raw, "target", `${at}.target`);
  if (
    target !== null &&
    (target === "" || target.length > MAX_TARGET_LENGTH || hasControlCharacter(target))
  ) {
    fail(
      "dependency-invalid",
      `dependency ${shown}: invalid target ${quote(target)} (expected a target triple or a \`cfg(…)\` expression)`,
    );
  }

  const kindRaw = own(raw, "kind");
  let kind: DependencyKind = "normal";
  if (kindRaw !== undefined && kindRaw !== null) {
    if (typeof kindRaw !== "string" || !(KINDS as readonly string[]).includes(kindRaw)) {
      fail(
        "dependency-invalid",
        `dependency ${shown}: \`kind\` must be "normal", "dev" or "build", got ${quote(String(kindRaw))}`,
      );
    }
    kind = kindRaw as DependencyKind;
  }

  return {
    name,
    versionReq,
    req: (req as VersionReq).toString(),
    features,
    optional: optionalBool(raw, "optional", false, `${at}.optional`),
    defaultFeatures: optionalBool(raw, "default_features", true, `${at}.default_features`),
    target,
    kind,
    registry,
    explicitNameInToml,
  };
}

function parseFeatures(raw: unknown, config: PublishConfig): Map<string, string[]> {
  const features = new Map<string, string[]>();
  if (raw === undefined || raw === null) return features;
  if (!isObject(raw))
    return invalid("`features` must be an object of feature name → array of strings");
  const names = Object.keys(raw);
  if (names.length > config.maxFeatures) {
    fail(
      "feature-invalid",
      `this registry allows at most ${config.maxFeatures} features, but the crate declares ${names.length}`,
    );
  }
  for (const name of names) {
    checkText(name, "features");
    const problem = featureNameProblem(name);
    if (problem) fail("feature-invalid", problem);
    const values = raw[name];
    if (!Array.isArray(values))
      return invalid(`feature ${quote(name)} must be an array of strings`);
    if (values.length > config.maxFeatureValues) {
      fail(
        "feature-invalid",
        `the ${quote(name)} feature enables ${values.length} features or dependencies; at most ${config.maxFeatureValues} are allowed`,
      );
    }
    const list: string[] = [];
    for (const v of values) {
      if (typeof v !== "string")
        return invalid(`feature ${quote(name)} must be an array of strings`);
      checkText(v, `features.${name}`);
      const vp = featureValueProblem(v);
      if (vp) fail("feature-invalid", vp);
      list.push(v);
    }
    features.set(name, list);
  }
  return features;
}

/**
 * Validates the metadata JSON of a publish request into a `PublishMetadata`. Throws
 * `PublishError` (400) naming the first problem. Does not consult the registry.
 */
export function validateMetadata(
  raw: unknown,
  config: PublishConfig = DEFAULT_PUBLISH_CONFIG,
): PublishMetadata {
  if (!isObject(raw)) return invalid("the metadata must be a JSON object");

  const name = requiredString(raw, "name");
  const nameProblem = crateNameProblem(name, "crate");
  if (nameProblem) fail("name-invalid", nameProblem);
  if (reservedNameSet(config.reservedNames).has(canonicalCrateName(name))) {
    fail("name-reserved", `cannot upload a crate with a reserved name: ${quote(name)} is reserved`);
  }

  const versRaw = requiredString(raw, "vers");
  if (versRaw.length > MAX_VERSION_LENGTH) {
    fail("version-invalid", `the version is longer than ${MAX_VERSION_LENGTH} characters`);
  }
  const version = Version.tryParse(versRaw);
  if (version === null) {
    return fail("version-invalid", `${quote(versRaw)} is an invalid semver version`);
  }

  const description = optionalString(raw, "description");
  if (description !== null && utf8Length(description) > config.maxDescriptionLength) {
    fail(
      "metadata-invalid",
      `The \`description\` is too long. A maximum of ${config.maxDescriptionLength} characters are currently allowed.`,
    );
  }
  const license = optionalString(raw, "license");
  const licenseFile = optionalString(raw, "license_file");
  const missing: string[] = [];
  if (config.requireDescription && !description) missing.push("description");
  if (config.requireLicense && !license && !licenseFile) missing.push("license");
  if (missing.length > 0) {
    fail(
      "metadata-invalid",
      `missing or empty metadata fields: ${missing.join(", ")}. Please see https://doc.rust-lang.org/cargo/reference/manifest.html for more information on configuring these fields`,
    );
  }
  if (license !== null && license !== "") {
    if (license.length > MAX_LICENSE_LENGTH)
      invalid(`\`license\` is longer than ${MAX_LICENSE_LENGTH} characters`);
    const problem = licenseExpressionProblem(license);
    if (problem) fail("metadata-invalid", problem);
  }
  for (const [field, value] of [
    ["license_file", licenseFile],
    ["readme_file", optionalString(raw, "readme_file")],
  ] as const) {
    if (value !== null && (value.length > MAX_PATH_LENGTH || hasControlCharacter(value))) {
      invalid(
        `\`${field}\` is not a usable path (at most ${MAX_PATH_LENGTH} characters, no control characters)`,
      );
    }
  }

  const homepage = optionalString(raw, "homepage");
  const documentation = optionalString(raw, "documentation");
  const repository = optionalString(raw, "repository");
  checkUrl(homepage, "homepage");
  checkUrl(documentation, "documentation");
  checkUrl(repository, "repository");

  const keywords = stringArray(raw, "keywords");
  if (keywords.length > config.maxKeywords) {
    fail("metadata-invalid", `expected at most ${config.maxKeywords} keywords per crate`);
  }
  for (const k of keywords) {
    if (utf8Length(k) > config.maxKeywordLength) {
      fail(
        "metadata-invalid",
        `${quote(k)} is an invalid keyword (keywords must have less than ${config.maxKeywordLength} characters)`,
      );
    }
    if (!KEYWORD.test(k)) {
      fail(
        "metadata-invalid",
        `${quote(k)} is an invalid keyword (a keyword starts with an ASCII letter or digit and contains only letters, digits, \`_\`, \`-\` and \`+\`)`,
      );
    }
  }

  const categories = stringArray(raw, "categories");
  if (categories.length > config.maxCategories) {
    fail("metadata-invalid", `expected at most ${config.maxCategories} categories per crate`);
  }
  const known = config.knownCategories;
  if (known !== null) {
    const unknown = categories.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      fail(
        "metadata-invalid",
        `The following category slugs are not currently supported: ${unknown.map((c) => quote(c)).join(", ")}`,
      );
    }
  } else {
    for (const c of categories) {
      if (c.length > 100 || !CATEGORY_SLUG.test(c)) {
        fail(
          "metadata-invalid",
          `${quote(c)} is not a valid category slug (e.g. \`development-tools::testing\`)`,
        );
      }
    }
  }

  const links = optionalString(raw, "links");
  if (
    links !== null &&
    (links === "" || links.length > MAX_LINKS_LENGTH || hasControlCharacter(links))
  ) {
    fail(
      "metadata-invalid",
      `invalid \`links\` value ${quote(links)}: expected the name of a native library (1 to ${MAX_LINKS_LENGTH} characters, no control characters)`,
    );
  }

  const rustVersion = optionalString(raw, "rust_version");
  if (rustVersion !== null) {
    const problem = rustVersionProblem(rustVersion);
    if (problem) fail("metadata-invalid", problem);
  }

  const badges = own(raw, "badges");
  if (badges !== undefined && badges !== null && !isObject(badges)) {
    invalid("`badges` must be an object");
  }

  const features = parseFeatures(own(raw, "features"), config);

  const depsRaw = own(raw, "deps");
  if (depsRaw !== undefined && depsRaw !== null && !Array.isArray(depsRaw)) {
    invalid("`deps` must be an array");
  }
  const depsList = (depsRaw ?? []) as unknown[];
  if (depsList.length > config.maxDependencies) {
    fail(
      "dependency-invalid",
      `this registry allows at most ${config.maxDependencies} dependencies, but the crate declares ${depsList.length}`,
    );
  }
  const deps = depsList.map((d, i) => parseDependency(d, i, config));

  return {
    name,
    vers: version.toString(),
    version,
    deps,
    features,
    authors: stringArray(raw, "authors"),
    description,
    documentation,
    homepage,
    readme: optionalString(raw, "readme"),
    readmeFile: optionalString(raw, "readme_file"),
    keywords,
    categories,
    license,
    licenseFile,
    repository,
    links,
    rustVersion,
  };
}

/** `1.0.0+build` → `1.0.0`: crates.io's `num_no_build`, the key that must be unique per crate. */
export function versionWithoutBuild(version: string): string {
  const plus = version.indexOf("+");
  return plus === -1 ? version : version.slice(0, plus);
}

export interface RegistryCheck {
  /** true when no crate with this canonical name exists yet (a `publish-new`). */
  readonly isNew: boolean;
  readonly existing: ExistingCrate | null;
  /** Not refusals: things the publisher may want to know (cargo prints `warnings.other`). */
  readonly warnings: readonly string[];
}

/**
 * The checks that depend on the registry's state: reserved names held by the registry,
 * canonical-name collisions, an already-published version, and that every dependency of this
 * registry exists under exactly that name. Throws `PublishError`.
 */
export async function checkMetadataAgainstRegistry(
  metadata: PublishMetadata,
  view: RegistryView,
): Promise<RegistryCheck> {
  const canonical = canonicalCrateName(metadata.name);
  if (view.isReservedName && (await view.isReservedName(canonical))) {
    fail(
      "name-reserved",
      `cannot upload a crate with a reserved name: ${quote(metadata.name)} is reserved`,
    );
  }

  const existing = await view.crateByCanonicalName(canonical);
  if (existing !== null && existing.name !== metadata.name) {
    fail(
      "name-collision",
      `crate was previously named ${quote(existing.name)}: crate names are compared ignoring case and treating \`-\` and \`_\` as equal, so ${quote(metadata.name)} is the same name. Publish it as ${quote(existing.name)}, or choose another name`,
    );
  }

  if (existing !== null) {
    const key = versionWithoutBuild(metadata.vers);
    for (const v of existing.versions) {
      const normalised = Version.tryParse(v)?.toString() ?? v;
      if (versionWithoutBuild(normalised) !== key) continue;
      if (normalised === metadata.vers) {
        fail("version-exists", `crate version ${quote(metadata.vers)} is already uploaded`);
      }
      fail(
        "version-exists",
        `crate version ${quote(metadata.vers)} is already uploaded as ${quote(normalised)}: versions that differ only in build metadata (after \`+\`) are the same version`,
      );
    }
  }

  const warnings: string[] = [];
  const cache = new Map<string, ExistingCrate | null>();
  for (const dep of metadata.deps) {
    if (dep.registry !== null) continue;
    const depCanonical = canonicalCrateName(dep.name);
    let found: ExistingCrate | null;
    if (depCanonical === canonical) {
      // A crate may depend on itself (typically a dev-dependency on an earlier version).
      found = { name: metadata.name, versions: [...(existing?.versions ?? []), metadata.vers] };
    } else if (cache.has(depCanonical)) {
      found = cache.get(depCanonical) ?? null;
    } else {
      found = await view.crateByCanonicalName(depCanonical);
      cache.set(depCanonical, found);
    }
    if (found === null) {
      fail(
        "dependency-unknown",
        `no known crate named ${quote(dep.name)} in this registry (a ${dep.kind} dependency of ${quote(metadata.name)}). Publish it here first, or depend on the crates.io crate (\`registry = "crates-io"\` is the default in Cargo.toml)`,
      );
    } else if (found.name !== dep.name) {
      fail(
        "dependency-unknown",
        `no known crate named ${quote(dep.name)} in this registry; did you mean ${quote(found.name)}? Dependencies must spell the crate name exactly as it was published`,
      );
    } else {
      const req = VersionReq.parse(dep.req);
      const matches = found.versions.some((v) => {
        const parsed = Version.tryParse(v);
        return parsed !== null && req.matches(parsed);
      });
      if (!matches) {
        warnings.push(
          `dependency ${quote(dep.name)} requires ${quote(dep.req)}, which no version published in this registry satisfies`,
        );
      }
    }
  }

  return { isNew: existing === null, existing, warnings };
}

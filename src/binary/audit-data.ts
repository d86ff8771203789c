/**
 * The decompressed `.dep-v0` JSON (cargo-auditable.schema.json, `$id`
 * https://rustsec.org/schemas/cargo-auditable.json) turned into validated packages: the raw
 * shape is checked field by field, then the graph as a whole (indexes in range, exactly one
 * root, no cycles) before anyone walks it.
 */
import { SemverError, Version } from "../semver/index.js";
import { BinaryScanError } from "./errors.js";
import type { AuditDataFormat, BinaryPackage, DependencyKind } from "./model.js";

export interface AuditData {
  readonly declaredFormat: number;
  readonly format: AuditDataFormat;
  readonly packages: readonly BinaryPackage[];
}

const KNOWN_FORMATS: readonly AuditDataFormat[] = [8, 1, 0];
const U32_MAX = 0xffff_ffff;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function invalid(detail: string, cause?: unknown): BinaryScanError {
  return new BinaryScanError(
    "audit-data",
    `invalid audit data: ${detail}`,
    cause === undefined ? {} : { cause },
  );
}

/** Decodes, parses and validates decompressed audit data. */
export function parseAuditData(json: Uint8Array): AuditData {
  let text: string;
  try {
    text = utf8.decode(json);
  } catch (e) {
    throw invalid("not valid UTF-8", e);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(`not valid JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
  return validateAuditData(raw);
}

/** Validates an already-parsed JSON value against the schema and the graph rules. */
export function validateAuditData(raw: unknown): AuditData {
  if (!isObject(raw)) throw invalid(`expected a JSON object, got ${describe(raw)}`);
  let declaredFormat = 0;
  if (raw.format !== undefined) {
    const f = raw.format;
    if (typeof f !== "number" || !Number.isInteger(f) || f < 0 || f > U32_MAX) {
      throw invalid(`"format" must be an unsigned 32-bit integer, got ${describe(f)}`);
    }
    declaredFormat = f;
  }
  const list = raw.packages;
  if (!Array.isArray(list)) throw invalid(`"packages" must be an array, got ${describe(list)}`);
  const packages = list.map((p, i) => validatePackage(p, i));
  validateGraph(packages);
  const format = KNOWN_FORMATS.find((known) => known <= declaredFormat) ?? 0;
  return { declaredFormat, format, packages };
}

function validatePackage(raw: unknown, index: number): BinaryPackage {
  const where = `packages[${index}]`;
  if (!isObject(raw)) throw invalid(`${where} must be an object, got ${describe(raw)}`);
  const name = raw.name;
  if (typeof name !== "string" || name === "") {
    throw invalid(`${where}.name must be a non-empty string, got ${describe(name)}`);
  }
  const at = `${where} (${name})`;
  if (typeof raw.version !== "string") {
    throw invalid(`${at}.version must be a string, got ${describe(raw.version)}`);
  }
  let version: Version;
  try {
    version = Version.parse(raw.version);
  } catch (e) {
    if (!(e instanceof SemverError)) throw e;
    throw invalid(`${at}.version ${JSON.stringify(raw.version)} is not SemVer: ${e.message}`, e);
  }
  if (typeof raw.source !== "string") {
    throw invalid(`${at}.source must be a string, got ${describe(raw.source)}`);
  }
  let kind: DependencyKind = "runtime";
  if (raw.kind !== undefined) {
    if (raw.kind !== "runtime" && raw.kind !== "build") {
      throw invalid(`${at}.kind must be "runtime" or "build", got ${describe(raw.kind)}`);
    }
    kind = raw.kind;
  }
  let dependencies: number[] = [];
  if (raw.dependencies !== undefined) {
    const deps = raw.dependencies;
    if (!Array.isArray(deps)) {
      throw invalid(`${at}.dependencies must be an array, got ${describe(deps)}`);
    }
    for (const d of deps) {
      if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
        throw invalid(`${at}.dependencies holds ${describe(d)}, not a package index`);
      }
    }
    dependencies = deps as number[];
  }
  let root = false;
  if (raw.root !== undefined) {
    if (typeof raw.root !== "boolean") {
      throw invalid(`${at}.root must be a boolean, got ${describe(raw.root)}`);
    }
    root = raw.root;
  }
  return { name, version, source: raw.source, kind, dependencies, root };
}

/** Indexes in range, exactly one root, no cycles; the order the errors are reported in. */
export function validateGraph(packages: readonly BinaryPackage[]): void {
  packages.forEach((p, i) => {
    for (const d of p.dependencies) {
      if (d >= packages.length) {
        throw invalid(
          `packages[${i}] (${label(p)}) depends on package index ${d}, but there are only ${packages.length} packages`,
        );
      }
    }
  });
  const roots = packages.filter((p) => p.root);
  if (roots.length === 0) throw invalid("no package is marked as the root");
  if (roots.length > 1) {
    throw invalid(
      `${roots.length} packages are marked as the root (${roots.map(label).join(", ")}); exactly one is allowed`,
    );
  }
  const cycle = findCycle(packages);
  if (cycle !== null) {
    throw invalid(
      `dependency cycle ${cycle.map((i) => label(packages[i] as BinaryPackage)).join(" -> ")}`,
    );
  }
}

/** A cycle as a list of indexes whose first and last element are equal, or null. */
export function findCycle(packages: readonly BinaryPackage[]): number[] | null {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Uint8Array(packages.length);
  // Iterative DFS: a deep chain of dependencies must not overflow the call stack.
  for (let start = 0; start < packages.length; start++) {
    if (colour[start] !== WHITE) continue;
    const stack: { node: number; next: number }[] = [{ node: start, next: 0 }];
    colour[start] = GREY;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: number; next: number };
      const deps = (packages[top.node] as BinaryPackage).dependencies;
      if (top.next === deps.length) {
        colour[top.node] = BLACK;
        stack.pop();
        continue;
      }
      const child = deps[top.next++] as number;
      if (colour[child] === GREY) {
        const from = stack.findIndex((f) => f.node === child);
        return [...stack.slice(from).map((f) => f.node), child];
      }
      if (colour[child] === WHITE) {
        colour[child] = GREY;
        stack.push({ node: child, next: 0 });
      }
    }
  }
  return null;
}

/**
 * One dependency list for a fat Mach-O whose slices each carry audit data (targets may pull
 * in different crates): packages are identified by name, version and source, the graph is the
 * union of the slices' graphs, a package is `runtime` if any slice says so, and the root is
 * the first slice's.
 */
export function mergeAuditData(all: readonly AuditData[]): AuditData {
  const first = all[0];
  if (first === undefined) throw new Error("mergeAuditData needs at least one input");
  if (all.length === 1) return first;
  interface Merged {
    name: string;
    version: Version;
    source: string;
    kind: DependencyKind;
    dependencies: Set<number>;
    root: boolean;
  }
  const merged: Merged[] = [];
  const byKey = new Map<string, number>();
  all.forEach((data, slice) => {
    const local = data.packages.map((p) => {
      const key = `${p.name}\0${p.version.toString()}\0${p.source}`;
      let at = byKey.get(key);
      if (at === undefined) {
        at = merged.length;
        byKey.set(key, at);
        merged.push({ ...p, dependencies: new Set(), root: false });
      }
      const m = merged[at] as Merged;
      if (p.kind === "runtime") m.kind = "runtime";
      if (p.root && slice === 0) m.root = true;
      return at;
    });
    data.packages.forEach((p, i) => {
      const m = merged[local[i] as number] as Merged;
      for (const d of p.dependencies) m.dependencies.add(local[d] as number);
    });
  });
  const packages: BinaryPackage[] = merged.map((m) => ({
    ...m,
    dependencies: [...m.dependencies],
  }));
  const cycle = findCycle(packages);
  if (cycle !== null) {
    throw invalid(
      `the slices of this fat Mach-O have conflicting dependency graphs (cycle ${cycle
        .map((i) => label(packages[i] as BinaryPackage))
        .join(" -> ")})`,
    );
  }
  const declaredFormat = Math.min(...all.map((d) => d.declaredFormat));
  const format = Math.min(...all.map((d) => d.format)) as AuditDataFormat;
  return { declaredFormat, format, packages };
}

function label(p: BinaryPackage): string {
  return `${p.name} ${p.version.toString()}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}

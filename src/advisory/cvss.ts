/**
 * CVSS vectors: strict syntax validation (as the Rust `cvss` crate does, plus mandatory base
 * metrics for every version), then scoring with ae-cvss-calculator, which is lenient on its own
 * (it accepts duplicates and missing metrics), so it only ever sees vectors validated here.
 */
import { createRequire } from "node:module";

type Calculator = typeof import("ae-cvss-calculator");
let calculatorModule: Calculator | null = null;

/**
 * The scoring library is loaded on first use: a warm start (compiled cache) scores nothing,
 * and evaluating the library costs ~15 ms of every CLI start otherwise.
 */
function calculator(): Calculator {
  calculatorModule ??= createRequire(import.meta.url)("ae-cvss-calculator") as Calculator;
  return calculatorModule;
}

import { CVSS2_METRICS, CVSS3_METRICS, CVSS4_METRICS, type MetricTable } from "./cvss-metrics.js";
import type { Cvss, CvssVersion, Severity } from "./model.js";

export class CvssError extends Error {
  override name = "CvssError";
}

const PREFIX = "CVSS";
const CACHE_LIMIT = 4096;
const cache = new Map<string, Cvss | CvssError>();

/** Parses and scores `vector`; throws `CvssError` with a precise message when it is invalid. */
export function parseCvss(vector: string): Cvss {
  let result = cache.get(vector);
  if (result === undefined) {
    result = compute(vector);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(vector, result);
  }
  if (result instanceof CvssError) throw result;
  return result;
}

/** The qualitative rating of a score (CVSS v3.1 §5, also used for v2 and v4 here). */
export function severityOf(score: number): Severity {
  const tenths = Math.round(score * 10);
  if (tenths === 0) return "none";
  if (tenths < 40) return "low";
  if (tenths < 70) return "medium";
  if (tenths < 90) return "high";
  return "critical";
}

function compute(vector: string): Cvss | CvssError {
  try {
    const { version, canonical } = validate(vector);
    const baseScore = score(version, canonical);
    return { vector, version, baseScore, severity: severityOf(baseScore) };
  } catch (e) {
    return e instanceof CvssError ? e : new CvssError(`cannot score CVSS vector: ${String(e)}`);
  }
}

interface Validated {
  readonly version: CvssVersion;
  /** The vector with canonical metric and value spelling (v3/v4 are case-insensitive). */
  readonly canonical: string;
}

function validate(vector: string): Validated {
  if (vector === "") throw new CvssError("empty CVSS vector");
  const slash = vector.indexOf("/");
  if (slash === -1) throw invalidComponent(vector);
  const first = vector.slice(0, slash);
  const colon = first.indexOf(":");
  if (colon === -1) throw invalidComponent(first);
  const prefix = first.slice(0, colon);
  const version = first.slice(colon + 1);
  // v2 vectors have no `CVSS:x.y/` prefix: a first component without a dotted version means v2.
  if (!version.includes(".")) {
    return { version: "2.0", canonical: metrics(vector.split("/"), CVSS2_METRICS, false) };
  }
  if (prefix !== PREFIX) throw new CvssError(`invalid CVSS string prefix: \`${prefix}\``);
  const components = vector.slice(slash + 1).split("/");
  switch (version) {
    case "3.0":
    case "3.1":
      return { version, canonical: `${first}/${metrics(components, CVSS3_METRICS, true)}` };
    case "4.0":
      return { version, canonical: `${first}/${metrics(components, CVSS4_METRICS, true)}` };
    default:
      throw new CvssError(`unsupported CVSS version: ${version}`);
  }
}

/** Validates `NAME:VALUE` components and returns them re-joined in canonical spelling. */
function metrics(components: string[], table: MetricTable, caseless: boolean): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const component of components) {
    if (component === "") throw new CvssError("empty component in CVSS vector");
    const pieces = component.split(":");
    if (pieces.length !== 2) throw invalidComponent(component);
    const [rawName = "", rawValue = ""] = pieces;
    const name = caseless ? rawName.toUpperCase() : rawName;
    const spec = table.get(name);
    if (spec === undefined) throw new CvssError(`unknown metric \`${rawName}\``);
    if (seen.has(name)) throw new CvssError(`duplicate metric \`${name}\``);
    seen.add(name);
    const wanted = caseless ? rawValue.toUpperCase() : rawValue;
    const value = spec.values.find((v) => (caseless ? v.toUpperCase() : v) === wanted);
    if (value === undefined) {
      throw new CvssError(`invalid value \`${rawValue}\` for metric \`${name}\``);
    }
    out.push(`${name}:${value}`);
  }
  for (const [name, spec] of table) {
    if (spec.base && !seen.has(name)) throw new CvssError(`missing base metric \`${name}\``);
  }
  return out.join("/");
}

const invalidComponent = (component: string): CvssError =>
  new CvssError(`invalid CVSS metric group component: \`${component}\``);

function score(version: CvssVersion, canonical: string): number {
  const vector =
    version === "2.0"
      ? new (calculator().Cvss2)(canonical)
      : version === "3.0"
        ? new (calculator().Cvss3P0)(canonical)
        : version === "3.1"
          ? new (calculator().Cvss3P1)(canonical)
          : new (calculator().Cvss4P0)(canonical);
  const base = vector.calculateScores().base;
  if (typeof base !== "number" || !Number.isFinite(base) || base < 0 || base > 10) {
    throw new CvssError(`cannot score CVSS vector: ${canonical}`);
  }
  return base;
}

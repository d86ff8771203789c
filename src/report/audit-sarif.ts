/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF consumers, shaped as cargo-audit's
 * (`cargo-audit/src/sarif.rs`): one run; one rule per advisory id (or per warning kind for
 * warnings without an advisory, e.g. `yanked`); level `error` for vulnerabilities and `warning`
 * for warnings; one location per result, the lockfile.
 *
 * Where cratesec differs from cargo-audit:
 * - driver `cratesec`, with `informationUri`;
 * - `region.startLine` is the package's own `[[package]]` line (cargo-audit always says 1; 1 is
 *   still used when the package has no line, e.g. from a binary), so the alert points at it;
 * - the fingerprint key is `cratesec/advisory-fingerprint/v1` (`<ruleId>:<name>:<version>`, stable
 *   across runs and line moves);
 * - rule `help` carries the description, the solution and the advisory URL chosen as the terminal
 *   report chooses it (RUSTSEC page, or the original `url` for CC-BY-4.0 advisories);
 * - each result's `properties["cratesec/dependency-paths"]` lists its `name@version` paths.
 *
 * No timestamps and no machine paths: the output depends only on the report and the options.
 */
import type { Advisory } from "../advisory/model.js";
import type { AuditReport, Vulnerability, Warning, WarningKind } from "../audit/report.js";
import { orderedWarnings, packageSpec } from "./audit-common.js";
import { advisoryUrl, safeLinkUrl, solutionText } from "./audit-solution.js";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_FINGERPRINT_KEY = "cratesec/advisory-fingerprint/v1";
export const CRATESEC_INFORMATION_URI = "https://www.npmjs.com/package/cratesec";

export interface AuditSarifOptions {
  /** The lockfile (or binary) as a URI relative to the repository root, e.g. `Cargo.lock`. */
  readonly lockfileUri: string;
  /** cratesec's version (package.json). */
  readonly toolVersion: string;
  /** Where to read about the tool; default the npm package page. */
  readonly informationUri?: string;
}

type Json = Record<string, unknown>;

const WARNING_RULES: Record<WarningKind, string> = {
  notice: "Package has an informational notice",
  unmaintained: "Package is unmaintained and may have unaddressed security vulnerabilities",
  unsound: "Package has known soundness issues that may lead to memory safety problems",
  yanked: "Package version has been yanked from the registry",
};

/** Backslash-escapes the Markdown punctuation that could format or link plain text. */
const mdText = (text: string): string => text.replace(/[\\`*_<>[\]()!~|#]/g, (c) => `\\${c}`);

function advisoryRule(advisory: Advisory, isVulnerability: boolean): Json {
  const m = advisory.metadata;
  const url = advisoryUrl(m);
  const text: string[] = [];
  const markdown: string[] = [];
  if (m.description !== "") {
    text.push(m.description);
    markdown.push(m.description);
  }
  if (isVulnerability) {
    const solution = solutionText(advisory);
    text.push(`Solution: ${solution}`);
    markdown.push(`**Solution:** ${mdText(solution)}`);
  }
  if (url !== null) {
    text.push(`For more information, see: ${url}`);
    const link = safeLinkUrl(url);
    markdown.push(
      link === null
        ? `For more information, see: ${mdText(url)}`
        : `For more information, see: [${mdText(m.id)}](${link})`,
    );
  }
  const rule: Json = {
    id: m.id,
    name: m.id,
    shortDescription: { text: m.title },
  };
  if (m.description !== "") rule.fullDescription = { text: m.description };
  rule.defaultConfiguration = { level: isVulnerability ? "error" : "warning" };
  if (text.length > 0) rule.help = { text: text.join("\n\n"), markdown: markdown.join("\n\n") };
  const helpUri = safeLinkUrl(url);
  if (helpUri !== null) rule.helpUri = helpUri;
  const properties: Json = {
    tags: ["security", isVulnerability ? "vulnerability" : "warning"],
    precision: "very-high",
  };
  if (!isVulnerability) properties["problem.severity"] = "warning";
  if (m.cvss) properties["security-severity"] = m.cvss.baseScore.toFixed(1);
  rule.properties = properties;
  return rule;
}

function warningKindRule(kind: WarningKind): Json {
  return {
    id: kind,
    name: kind,
    shortDescription: { text: WARNING_RULES[kind] },
    defaultConfiguration: { level: "warning" },
    properties: { tags: ["security", "warning"], precision: "high", "problem.severity": "warning" },
  };
}

const ruleIdOf = (finding: Vulnerability | Warning): string =>
  finding.advisory ? finding.advisory.metadata.id : (finding as Warning).kind;

function result(
  finding: Vulnerability | Warning,
  ruleId: string,
  ruleIndex: number,
  level: "error" | "warning",
  message: string,
  options: AuditSarifOptions,
): Json {
  const p = finding.package;
  return {
    ruleId,
    ruleIndex,
    message: { text: message },
    level,
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: options.lockfileUri },
          region: { startLine: p.line !== null && p.line >= 1 ? p.line : 1 },
        },
      },
    ],
    partialFingerprints: {
      [SARIF_FINGERPRINT_KEY]: `${ruleId}:${p.name}:${p.version.toString()}`,
    },
    properties: {
      "cratesec/dependency-paths": finding.paths.map((path) => path.map(packageSpec)),
    },
  };
}

/** The SARIF log as a JSON value. */
export function auditReportSarif(report: AuditReport, options: AuditSarifOptions): Json {
  const rules: Json[] = [];
  const ruleIndex = new Map<string, number>();
  const results: Json[] = [];
  const ruleFor = (id: string, make: () => Json): number => {
    let index = ruleIndex.get(id);
    if (index === undefined) {
      index = rules.length;
      rules.push(make());
      ruleIndex.set(id, index);
    }
    return index;
  };

  for (const v of report.vulnerabilities) {
    const id = v.advisory.metadata.id;
    const index = ruleFor(id, () => advisoryRule(v.advisory, true));
    const text = `${v.package.name} ${v.package.version.toString()} is vulnerable to ${id} (${v.advisory.metadata.title})`;
    results.push(result(v, id, index, "error", text, options));
  }
  for (const w of orderedWarnings(report.warnings)) {
    const id = ruleIdOf(w);
    const advisory = w.advisory;
    const index = ruleFor(id, () =>
      advisory ? advisoryRule(advisory, false) : warningKindRule(w.kind),
    );
    const base = `${w.package.name} ${w.package.version.toString()} has a ${w.kind} warning`;
    const text = advisory ? `${base}: ${advisory.metadata.title}` : base;
    results.push(result(w, id, index, "warning", text, options));
  }

  const version = options.toolVersion;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "cratesec",
            version,
            semanticVersion: version,
            informationUri: options.informationUri ?? CRATESEC_INFORMATION_URI,
            rules,
          },
        },
        results,
      },
    ],
  };
}

/** `--format sarif`: the SARIF log, pretty-printed, with a final newline. */
export function renderAuditSarif(report: AuditReport, options: AuditSarifOptions): string {
  return `${JSON.stringify(auditReportSarif(report, options), null, 2)}\n`;
}

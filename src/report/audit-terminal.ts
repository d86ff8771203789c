/**
 * The terminal audit report, laid out as cargo-audit's presenter (`cargo-audit/src/presenter.rs`)
 * prints it: one block per finding (`Crate:`, `Version:`, … `Dependency tree:`), a blank line
 * after each, then the summary (`error: 2 vulnerabilities found!`).
 *
 * cratesec's additions, all after cargo-audit's lines so its layout stays recognisable:
 * - a `Path:` line per dependency path after the tree (which direct dependency pulls it in);
 * - `ignored:` lines for findings an ignore entry suppressed, with reason and expiry;
 * - `warning:` lines for ignore entries that matched nothing or have expired;
 * - `note:` lines for the report's notices;
 * - a dependency tree node whose dependents were already printed ends in ` (*)`;
 * - advisory and lockfile text is printed without control characters (a hostile database cannot
 *   send escape sequences to the terminal or forge lines).
 *
 * cargo-audit prints the summary's `error:` lines to stderr and everything else to stdout; this
 * renderer returns one string in display order and leaves streams to the caller.
 */
import type { AdvisoryMetadata } from "../advisory/model.js";
import type { IgnoreEntry } from "../audit/config.js";
import type {
  AuditReport,
  DependentsTree,
  IgnoredFinding,
  Vulnerability,
  Warning,
} from "../audit/report.js";
import {
  countWarnings,
  orderedWarnings,
  packageKey,
  packageLabel,
  pathLabel,
  plural,
} from "./audit-common.js";
import { advisoryUrl, severityText, solutionText } from "./audit-solution.js";
import type { Style } from "./style.js";

export interface AuditTerminalOptions {
  readonly style: Style;
  /** `--quiet`: no dependency trees and no `Path:` lines (findings and summary stay). */
  readonly quiet?: boolean;
  /** `show_tree = false`: no dependency trees (`Path:` lines stay). Default true. */
  readonly showTree?: boolean;
  /**
   * `cargo audit bin`: the audited file, named in the summary as cargo-audit does for binaries
   * ("2 vulnerabilities found in ./app" instead of "2 vulnerabilities found!").
   */
  readonly summaryPath?: string;
}

type Paint = (text: string) => string;

/** C0/C1 controls (tab aside) and bidi overrides, which could restyle the terminal or fake lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Untrusted text made safe to print: every control character becomes U+FFFD. */
export const terminalText = (text: string): string => text.replace(UNSAFE, "\ufffd");

/** cargo-lock's tree symbols. */
const DOWN = "│";
const TEE = "├";
const ELL = "└";
const RIGHT = "─";

/**
 * The inverse dependency tree as cargo-lock's `Tree::render` draws it: the package, then what
 * depends on it, recursively, with `├──`/`└──`/`│` guides. One line per node, no trailing newline.
 */
export function renderDependentsTree(tree: DependentsTree): string[] {
  const lines: string[] = [];
  const levels: boolean[] = [];
  const visit = (node: DependentsTree): void => {
    let prefix = "";
    const last = levels.length - 1;
    levels.forEach((continues, i) => {
      if (i < last) prefix += `${continues ? DOWN : " "}   `;
      else prefix += `${continues ? TEE : ELL}${RIGHT}${RIGHT} `;
    });
    lines.push(`${prefix}${terminalText(packageLabel(node.package))}${node.elided ? " (*)" : ""}`);
    if (node.elided) return;
    node.dependents.forEach((dependent, i) => {
      levels.push(i < node.dependents.length - 1);
      visit(dependent);
      levels.pop();
    });
  };
  visit(tree);
  return lines;
}

function ignoredLine(finding: IgnoredFinding): string {
  const id = finding.advisory.metadata.id;
  const via = finding.entry.id !== id ? ` via ${finding.entry.id}` : "";
  const reason = finding.entry.reason ?? "no reason given";
  const until = finding.entry.until ? ` until ${finding.entry.until}` : "";
  return `${id}${via} in ${packageLabel(finding.package)} (${reason})${until}`;
}

const fromOrigin = (entry: IgnoreEntry): string => (entry.origin ? ` (${entry.origin})` : "");

/** cargo-audit's terminal report, plus cratesec's additions (see the module comment). */
export function renderAuditTerminal(report: AuditReport, options: AuditTerminalOptions): string {
  const { style } = options;
  const quiet = options.quiet === true;
  const showTree = !quiet && options.showTree !== false;
  const out: string[] = [];
  const displayed = new Set<string>();

  // `Status::new().bold().color(c).status(label).print_stdout(content)`: the label is bold and
  // coloured, then a space and the content.
  const attr = (paint: Paint, label: string, content: string): void => {
    out.push(`${style.bold(paint(label))} ${terminalText(content)}`);
  };

  const metadata = (paint: Paint, m: AdvisoryMetadata): void => {
    attr(paint, "Title:    ", m.title);
    attr(paint, "Date:     ", m.date);
    attr(paint, "ID:       ", m.id);
    const url = advisoryUrl(m);
    if (url !== null) attr(paint, "URL:      ", url);
    if (m.cvss) attr(paint, "Severity: ", severityText(m.cvss));
  };

  const treeAndPaths = (paint: Paint, finding: Vulnerability | Warning): void => {
    // Only show the tree once per package, as cargo-audit does.
    const key = packageKey(finding.package);
    const first = !displayed.has(key);
    displayed.add(key);
    if (first && showTree && finding.tree !== null) {
      out.push(style.bold(paint("Dependency tree:")));
      out.push(...renderDependentsTree(finding.tree));
    }
    if (!quiet) for (const path of finding.paths) attr(paint, "Path:     ", pathLabel(path));
  };

  for (const vulnerability of report.vulnerabilities) {
    const red = style.red;
    attr(red, "Crate:    ", vulnerability.package.name);
    attr(red, "Version:  ", vulnerability.package.version.toString());
    metadata(red, vulnerability.advisory.metadata);
    attr(red, "Solution: ", solutionText(vulnerability.advisory));
    treeAndPaths(red, vulnerability);
    out.push("");
  }

  for (const warning of orderedWarnings(report.warnings)) {
    const paint = warning.denied ? style.red : style.yellow;
    attr(paint, "Crate:    ", warning.package.name);
    attr(paint, "Version:  ", warning.package.version.toString());
    attr(paint, "Warning:  ", warning.kind);
    if (warning.advisory) metadata(paint, warning.advisory.metadata);
    treeAndPaths(paint, warning);
    out.push("");
  }

  const error = (message: string): void => {
    out.push(`${style.bold(style.red("error:"))} ${terminalText(message)}`);
  };
  const warn = (message: string): void => {
    out.push(`${style.bold(style.yellow("warning:"))} ${terminalText(message)}`);
  };

  for (const finding of report.ignored)
    out.push(`${style.bold("ignored:")} ${terminalText(ignoredLine(finding))}`);
  for (const entry of report.unusedIgnores)
    warn(`ignore entry ${entry.id} matched nothing${fromOrigin(entry)}`);
  for (const entry of report.expiredIgnores)
    warn(
      `ignore of ${entry.id} expired on ${entry.until ?? "an earlier date"} and no longer applies${fromOrigin(entry)}`,
    );
  for (const notice of report.notices) out.push(`${style.bold("note:")} ${terminalText(notice)}`);

  const where = options.summaryPath;
  const vulnCount = report.vulnerabilities.length;
  if (vulnCount > 0) {
    const what = plural(vulnCount, "vulnerability", "vulnerabilities");
    error(where === undefined ? `${what} found!` : `${what} found in ${where}`);
  }
  const { denied, allowed } = countWarnings(report);
  if (denied > 0) {
    const what = `${denied} denied ${denied === 1 ? "warning" : "warnings"}`;
    error(where === undefined ? `${what} found!` : `${what} found in ${where}`);
  }
  if (allowed > 0) {
    const what = `${allowed} allowed ${allowed === 1 ? "warning" : "warnings"}`;
    warn(where === undefined ? `${what} found` : `${what} found in ${where}`);
  }

  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

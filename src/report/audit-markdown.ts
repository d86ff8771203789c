/**
 * The audit as a compact pull-request comment (GitHub-flavoured Markdown): a one-line summary, a
 * table of vulnerabilities, a smaller table of warnings, ignored findings folded in `<details>`,
 * and notes (unused or expired ignores, notices).
 *
 * Advisory text is untrusted: every piece of it is escaped so it stays inert text — no HTML, no
 * code spans, no links or emphasis of its own, no table breaks, no `@mentions`.
 */
import type { Advisory } from "../advisory/model.js";
import { type AuditReport, auditFailed, type Warning } from "../audit/report.js";
import { countWarnings, orderedWarnings, packageLabel, plural } from "./audit-common.js";
import { advisoryUrl, fixedVersionsText, safeLinkUrl } from "./audit-solution.js";

/** A hidden marker a CI job can search for to update its previous comment instead of adding one. */
export const AUDIT_COMMENT_MARKER = "<!-- cratesec-audit -->";

/**
 * Untrusted text as inert Markdown on one line: HTML special characters as entities, Markdown
 * punctuation backslash-escaped (so `|` cannot end a table cell and backticks cannot open code),
 * line breaks as spaces, and a zero-width space after `@` so nobody gets mentioned.
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\t\v\f]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]()!~|#]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b")
    .trim();
}

function advisoryLink(advisory: Advisory): string {
  const id = markdownText(advisory.metadata.id);
  const url = safeLinkUrl(advisoryUrl(advisory.metadata));
  return url === null ? id : `[${id}](${url})`;
}

function severityCell(advisory: Advisory): string {
  const cvss = advisory.metadata.cvss;
  return cvss ? `${cvss.severity} (${cvss.baseScore.toFixed(1)})` : "unknown";
}

/** Version requirements only hold `0-9A-Za-z.+-<>=^~*, `, so a code span is safe for them. */
function fixCell(advisory: Advisory): string {
  const fix = fixedVersionsText(advisory);
  return fix === null || /[`|]/.test(fix) ? "no fix available" : `\`${fix}\``;
}

const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)];
}

function summaryLine(report: AuditReport): string {
  const { denied } = countWarnings(report);
  const parts: string[] = [];
  const vulns = report.vulnerabilities.length;
  parts.push(
    vulns === 0 ? "no vulnerabilities" : plural(vulns, "vulnerability", "vulnerabilities"),
  );
  if (report.warnings.length > 0)
    parts.push(
      `${plural(report.warnings.length, "warning", "warnings")}${denied > 0 ? ` (${denied} denied)` : ""}`,
    );
  if (report.ignored.length > 0) parts.push(`${report.ignored.length} ignored`);
  const icon = auditFailed(report) ? "❌" : report.warnings.length > 0 ? "⚠️" : "✅";
  const deps = plural(report.lockfile.dependencyCount, "dependency", "dependencies");
  return `${icon} **cratesec audit:** ${parts.join(", ")} in ${markdownText(report.lockfile.path)} (${deps})`;
}

function warningKindCell(w: Warning): string {
  return w.denied ? `${w.kind} (denied)` : w.kind;
}

/** `--format markdown`: the pull-request comment. */
export function renderAuditMarkdown(report: AuditReport): string {
  const out: string[] = [AUDIT_COMMENT_MARKER, summaryLine(report)];

  if (report.vulnerabilities.length > 0) {
    // Worst first; advisories without CVSS last; report order otherwise.
    const sorted = [...report.vulnerabilities].sort(
      (a, b) =>
        (b.advisory.metadata.cvss?.baseScore ?? -1) - (a.advisory.metadata.cvss?.baseScore ?? -1),
    );
    out.push(
      "",
      ...table(
        ["Severity", "Advisory", "Crate", "Version", "Title", "Fix"],
        sorted.map((v) => [
          severityCell(v.advisory),
          advisoryLink(v.advisory),
          markdownText(v.package.name),
          markdownText(v.package.version.toString()),
          markdownText(v.advisory.metadata.title),
          fixCell(v.advisory),
        ]),
      ),
    );
  }

  const warnings = orderedWarnings(report.warnings);
  if (warnings.length > 0) {
    out.push(
      "",
      ...table(
        ["Warning", "Advisory", "Crate", "Version", "Title"],
        warnings.map((w) => [
          warningKindCell(w),
          w.advisory ? advisoryLink(w.advisory) : "—",
          markdownText(w.package.name),
          markdownText(w.package.version.toString()),
          w.advisory ? markdownText(w.advisory.metadata.title) : "—",
        ]),
      ),
    );
  }

  if (report.ignored.length > 0) {
    out.push(
      "",
      `<details><summary>${plural(report.ignored.length, "ignored finding", "ignored findings")}</summary>`,
      "",
    );
    for (const f of report.ignored) {
      const reason = f.entry.reason === null ? "no reason given" : markdownText(f.entry.reason);
      const until = f.entry.until === null ? "" : ` (until ${markdownText(f.entry.until)})`;
      out.push(
        `- ${advisoryLink(f.advisory)} in ${markdownText(packageLabel(f.package))}: ${reason}${until}`,
      );
    }
    out.push("", "</details>");
  }

  const notes: string[] = [
    ...report.unusedIgnores.map(
      (e) =>
        `ignore entry ${markdownText(e.id)} matched nothing${e.origin ? ` (${markdownText(e.origin)})` : ""}`,
    ),
    ...report.expiredIgnores.map(
      (e) =>
        `ignore of ${markdownText(e.id)} expired on ${markdownText(e.until ?? "an earlier date")} and no longer applies`,
    ),
    ...report.notices.map(markdownText),
  ];
  if (notes.length > 0) out.push("", ...notes.map((n) => `- ⚠️ ${n}`));

  return `${out.join("\n")}\n`;
}

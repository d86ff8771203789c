import type { Advisory } from "../advisory/model.js";
import { plainStyle, type Style } from "./style.js";

function kindOf(advisory: Advisory): string {
  const m = advisory.metadata;
  if (m.withdrawn) return "withdrawn";
  return m.informational ?? "vulnerability";
}

function severityOf(advisory: Advisory): string {
  const cvss = advisory.metadata.cvss;
  return cvss ? `${cvss.baseScore.toFixed(1)} ${cvss.severity}` : "-";
}

/** One line per advisory, columns aligned: what `advisories list` and `search` print. */
export function renderAdvisoryTable(
  advisories: readonly Advisory[],
  style: Style = plainStyle,
): string {
  if (advisories.length === 0) return "no advisories found\n";
  const rows = advisories.map((a) => [
    a.metadata.id,
    a.metadata.package,
    a.metadata.date,
    kindOf(a),
    severityOf(a),
    a.metadata.title,
  ]);
  const header = ["ID", "PACKAGE", "DATE", "KIND", "SEVERITY", "TITLE"];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ");
  return `${style.bold(line(header))}\n${rows.map(line).join("\n")}\n`;
}

/** The full record of one advisory, as `advisories show` prints it. */
export function renderAdvisoryDetail(advisory: Advisory, style: Style = plainStyle): string {
  const m = advisory.metadata;
  const out: string[] = [];
  const field = (name: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined && value !== "")
      out.push(`${style.bold(`${name}:`.padEnd(14))}${value}`);
  };
  field("ID", m.id);
  field("Package", m.package);
  field("Title", m.title);
  field("Date", m.date);
  field("Kind", kindOf(advisory));
  field("Withdrawn", m.withdrawn);
  field("Aliases", m.aliases.join(", "));
  field("Related", m.related.join(", "));
  field("Categories", m.categories.join(", "));
  field("Keywords", m.keywords.join(", "));
  if (m.cvss)
    field("Severity", `${m.cvss.baseScore.toFixed(1)} (${m.cvss.severity}) ${m.cvss.vector}`);
  field("URL", m.url);
  field("License", m.license);
  field("Patched", advisory.versions.patched.map(String).join(" OR ") || "none");
  field("Unaffected", advisory.versions.unaffected.map(String).join(" OR "));
  field(
    "Affected",
    advisory.versions.ranges
      .map(
        (r) =>
          `>= ${r.introduced?.toString() ?? "0.0.0-0"}${r.fixed ? `, < ${r.fixed.toString()}` : ""}`,
      )
      .join(" OR "),
  );
  if (advisory.affected) {
    field("OS", advisory.affected.os.join(", "));
    field("Arch", advisory.affected.arch.join(", "));
    for (const [path, reqs] of advisory.affected.functions)
      field("Function", `${path} ${reqs.map(String).join(", ")}`);
  }
  for (const ref of m.references) field("Reference", ref);
  out.push("", m.description, "");
  return out.join("\n");
}

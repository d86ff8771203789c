/**
 * The JSON form of a fix plan (`cratesec audit fix --json`), one line and a newline:
 *
 * ```
 * { "lockfile": str,
 *   "summary": {"vulnerable": n, "compatible": n, "breaking": n, "unfixable": n},
 *   "fixes": [{"name", "from", "to", "breaking": bool, "advisories": [id], "candidates":
 *              "index"|"advisories", "command": [argv]|null, "note": str|null}],
 *   "unfixable": [{"name", "version", "advisories": [id], "candidates", "reason"}],
 *   "commands": [[argv]],
 *   "notes": [str],
 *   // with --apply only:
 *   "applied": [{"name", "from", "to", "command": [argv], "ok": bool, "exit-code": n|null,
 *                "output": str}],
 *   "remaining": [{"id", "name", "version"}] }
 * ```
 *
 * `candidates` says where the target came from: a crates index (published, non-yanked versions)
 * or the advisories' patched bounds (which may not have been published).
 */
import type { AppliedStep, FixPlan } from "../audit/fix-plan.js";
import { fixCommands } from "../audit/fix-plan.js";
import type { AuditReport } from "../audit/report.js";

export interface FixPlanJsonExtras {
  /** What `--apply` ran. */
  readonly applied?: readonly AppliedStep[];
  /** The re-audit after `--apply`: its vulnerabilities are listed as `remaining`. */
  readonly reaudit?: AuditReport;
}

export function fixPlanJson(
  plan: FixPlan,
  extras: FixPlanJsonExtras = {},
): Record<string, unknown> {
  const idsOf = (list: { advisories: readonly { metadata: { id: string } }[] }): string[] =>
    list.advisories.map((a) => a.metadata.id);
  const json: Record<string, unknown> = {
    lockfile: plan.lockfile,
    summary: {
      vulnerable: plan.steps.length + plan.unfixable.length,
      compatible: plan.steps.filter((s) => !s.breaking).length,
      breaking: plan.steps.filter((s) => s.breaking).length,
      unfixable: plan.unfixable.length,
    },
    fixes: plan.steps.map((s) => ({
      name: s.name,
      from: s.from.toString(),
      to: s.to.toString(),
      breaking: s.breaking,
      advisories: idsOf(s),
      candidates: s.basis,
      command: s.command === null ? null : [...s.command],
      note: s.note,
    })),
    unfixable: plan.unfixable.map((u) => ({
      name: u.name,
      version: u.version.toString(),
      advisories: idsOf(u),
      candidates: u.basis,
      reason: u.reason,
    })),
    commands: fixCommands(plan).map((c) => [...c]),
    notes: [...plan.notes],
  };
  if (extras.applied !== undefined) {
    json.applied = extras.applied.map((a) => ({
      name: a.step.name,
      from: a.step.from.toString(),
      to: a.step.to.toString(),
      command: [...a.command],
      ok: a.ok,
      "exit-code": a.exitCode,
      output: a.output,
    }));
  }
  if (extras.reaudit !== undefined) {
    json.remaining = extras.reaudit.vulnerabilities.map((v) => ({
      id: v.advisory.metadata.id,
      name: v.package.name,
      version: v.package.version.toString(),
    }));
  }
  return json;
}

export function renderFixPlanJson(plan: FixPlan, extras: FixPlanJsonExtras = {}): string {
  return `${JSON.stringify(fixPlanJson(plan, extras))}\n`;
}

/**
 * The terminal form of a fix plan (`cratesec audit fix`): one line per vulnerable package
 * (`name old → new (fixes RUSTSEC-…)`), grouped as semver-compatible upgrades, breaking upgrades
 * (with what has to change by hand) and packages without a fix, then the `cargo update` commands
 * as copy-pasteable lines, then notes. Returns one string; streams are the caller's business.
 */
import type { AppliedStep, FixPlan, FixStep, UnfixablePackage } from "../audit/fix-plan.js";
import { fixCommands } from "../audit/fix-plan.js";
import { plural } from "./audit-common.js";
import { terminalText } from "./audit-terminal.js";
import type { Style } from "./style.js";

export interface FixPlanTerminalOptions {
  readonly style: Style;
  /** The directory the commands must run in (the lockfile's), named above them. */
  readonly commandDir?: string;
}

/** A word a POSIX shell reads back unchanged: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9@%+=:,./_-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argument vector as one copy-pasteable shell line. */
export const commandLine = (argv: readonly string[]): string =>
  terminalText(argv.map(shellWord).join(" "));

const fixes = (step: { advisories: FixStep["advisories"] }): string =>
  step.advisories.map((a) => a.metadata.id).join(", ");

function stepLine(step: FixStep, style: Style): string {
  const line = `${style.bold(terminalText(step.name))} ${step.from} → ${style.green(step.to.toString())} (fixes ${terminalText(fixes(step))})`;
  return step.breaking ? `${line} ${style.yellow("[breaking]")}` : line;
}

function unfixableLine(u: UnfixablePackage, style: Style): string {
  return `${style.bold(terminalText(u.name))} ${u.version} (${terminalText(fixes(u))}): ${style.red(terminalText(u.reason))}`;
}

export function renderFixPlanTerminal(plan: FixPlan, options: FixPlanTerminalOptions): string {
  const { style } = options;
  const out: string[] = [];
  const vulnerable = plan.steps.length + plan.unfixable.length;
  if (vulnerable === 0) {
    out.push(`No vulnerable packages in ${terminalText(plan.lockfile)}: nothing to fix.`);
    return `${out.join("\n")}\n`;
  }
  out.push(
    style.bold(
      `Fix plan for ${terminalText(plan.lockfile)}: ${plural(vulnerable, "vulnerable package", "vulnerable packages")}`,
    ),
  );

  const compatible = plan.steps.filter((s) => !s.breaking);
  const breaking = plan.steps.filter((s) => s.breaking);
  if (compatible.length > 0) {
    out.push("", "Semver-compatible upgrades:");
    for (const step of compatible) out.push(`  ${stepLine(step, style)}`);
  }
  if (breaking.length > 0) {
    out.push("", "Breaking upgrades (not applied by cargo update; Cargo.toml must change):");
    for (const step of breaking) {
      out.push(`  ${stepLine(step, style)}`);
      if (step.note !== null) out.push(`      ${terminalText(step.note)}`);
    }
  }
  if (plan.unfixable.length > 0) {
    out.push("", "No fix available:");
    for (const u of plan.unfixable) out.push(`  ${unfixableLine(u, style)}`);
  }

  const commands = fixCommands(plan);
  if (commands.length > 0) {
    const where = options.commandDir === undefined ? "" : ` in ${terminalText(options.commandDir)}`;
    out.push("", `Commands (run${where}):`);
    for (const command of commands) out.push(commandLine(command));
  }
  if (plan.notes.length > 0) out.push("");
  for (const note of plan.notes) out.push(`${style.bold("note:")} ${terminalText(note)}`);
  return `${out.join("\n")}\n`;
}

/** One line per command `--apply` ran: what it did, or how it failed. */
export function renderAppliedTerminal(applied: readonly AppliedStep[], style: Style): string {
  if (applied.length === 0) return "";
  const out: string[] = ["", "Applied:"];
  for (const a of applied) {
    const what = `${terminalText(a.step.name)} ${a.step.from} → ${a.step.to}`;
    if (a.ok) {
      out.push(`  ${style.green("updated")} ${what}`);
    } else {
      const status = a.exitCode === null ? "killed" : `exit ${a.exitCode}`;
      out.push(`  ${style.red("failed")}  ${what}: \`${commandLine(a.command)}\` (${status})`);
      for (const line of a.output.split("\n").filter((l) => l.trim() !== ""))
        out.push(`      ${terminalText(line)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

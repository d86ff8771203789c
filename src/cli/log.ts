/**
 * `cratesec log [--crate NAME] [--user NAME] [--action A] [--since DATE|DURATION] [--limit N]
 * [--json]`: the registry's audit trail, newest first.
 *
 * `--user` matches entries the user made (the actor) and entries about the user (account and
 * token changes made from the CLI, whose actor is the CLI itself).
 */
import type { Command } from "commander";
import type { AuditEntry, AuditQuery, RegistryStore } from "../registry/store/index.js";
import { CliError } from "./errors.js";
import { formatTable, formatTime } from "./registry-format.js";
import {
  addRegistryOptions,
  type RegistryCliOptions,
  withRegistryStore,
} from "./registry-options.js";

interface LogOptions extends RegistryCliOptions {
  crate?: string;
  user?: string;
  action?: string[];
  since?: string;
  limit: string;
  json?: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `--since`: a duration back from now (`30m`, `12h`, `7d`, `2w`), a date or an ISO date-time. */
export function parseSince(text: string, now = Date.now()): number {
  const s = text.trim();
  const duration = /^(\d{1,9})([smhdw])$/i.exec(s);
  if (duration) {
    return now - Number(duration[1]) * (UNIT_MS[(duration[2] ?? "d").toLowerCase()] ?? 0);
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const t = new Date(Date.UTC(y, m - 1, d));
    if (t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d) {
      return t.getTime();
    }
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return t;
  }
  throw new CliError(
    `invalid --since \`${text}\`: expected a duration such as \`30m\`, \`12h\`, \`7d\`, \`2w\`, a date YYYY-MM-DD or a date-time such as 2026-01-02T03:04:05Z`,
  );
}

function aboutUser(entry: AuditEntry, name: string, id: number | null): boolean {
  if (entry.actorName !== null && entry.actorName.toLowerCase() === name.toLowerCase()) return true;
  if (id !== null && entry.actorUserId === id) return true;
  const details = entry.details ?? {};
  if (typeof details.user === "string" && details.user.toLowerCase() === name.toLowerCase()) {
    return true;
  }
  return id !== null && details.user_id === id;
}

async function collect(
  store: RegistryStore,
  query: AuditQuery,
  limit: number,
  user: string | undefined,
): Promise<AuditEntry[]> {
  if (user === undefined) return [...(await store.queryAuditLog({ ...query, limit })).entries];
  const found = await store.findUserByName(user);
  const id = found?.id ?? null;
  const out: AuditEntry[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.queryAuditLog({ ...query, limit: 1000, before });
    for (const entry of page.entries) {
      if (aboutUser(entry, user, id)) out.push(entry);
      if (out.length >= limit) return out;
    }
    if (page.next === null) return out;
    before = page.next;
  }
}

function actor(entry: AuditEntry): string {
  if (entry.actorName !== null) return entry.actorName;
  if (entry.actorUserId !== null) return `user#${entry.actorUserId}`;
  if (entry.trustedClaims !== null) {
    const repo = entry.trustedClaims.repository;
    return typeof repo === "string" ? `trusted:${repo}` : "trusted-publishing";
  }
  if (entry.userAgent?.startsWith("cratesec-cli")) return "cli";
  return "-";
}

function summary(entry: AuditEntry): string {
  const parts: string[] = [];
  const d = entry.details ?? {};
  for (const [key, value] of Object.entries(d)) {
    if (value === null || value === undefined) continue;
    parts.push(`${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  if (entry.tokenId !== null) parts.push(`via-token=${entry.tokenId}`);
  if (entry.ip !== null) parts.push(`ip=${entry.ip}`);
  return parts.join(" ");
}

function entryJson(entry: AuditEntry): Record<string, unknown> {
  return {
    id: entry.id,
    at: formatTime(entry.at),
    action: entry.action,
    actor: actor(entry),
    actor_user_id: entry.actorUserId,
    token_id: entry.tokenId,
    trusted_claims: entry.trustedClaims,
    ip: entry.ip,
    user_agent: entry.userAgent,
    crate: entry.crate,
    version: entry.version,
    details: entry.details,
  };
}

export function registerLogCommand(program: Command): void {
  addRegistryOptions(
    program
      .command("log")
      .description("Show the registry's audit trail, newest first")
      .option("--crate <NAME>", "only entries about this crate")
      .option("--user <NAME>", "only entries made by or about this user")
      .option(
        "--action <ACTION>",
        "only this action (repeatable): publish, yank, unyank, owner-add, owner-remove, token-create, token-revoke, user-create, user-lock, …",
        (value: string, previous: string[] | undefined) => [
          ...(previous ?? []),
          ...value
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
        ],
      )
      .option(
        "--since <WHEN>",
        "only entries since a date (YYYY-MM-DD) or for a duration (7d, 12h)",
      )
      .option("--limit <N>", "at most N entries", "100")
      .option("--json", "print JSON"),
  ).action(async (opts: LogOptions) => {
    if (
      !/^\d+$/.test(opts.limit.trim()) ||
      Number(opts.limit) < 1 ||
      Number(opts.limit) > 100_000
    ) {
      throw new CliError(`invalid --limit \`${opts.limit}\`: expected a number from 1 to 100000`);
    }
    const limit = Number(opts.limit);
    const query: AuditQuery = {
      ...(opts.crate === undefined ? {} : { crate: opts.crate }),
      ...(opts.action === undefined ? {} : { action: opts.action }),
      ...(opts.since === undefined ? {} : { since: parseSince(opts.since) }),
    };
    await withRegistryStore(opts, async (store) => {
      const entries =
        limit <= 1000 || opts.user !== undefined
          ? await collect(store, query, limit, opts.user)
          : await collectMany(store, query, limit);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(entries.map(entryJson), null, 2)}\n`);
        return;
      }
      if (entries.length === 0) {
        process.stderr.write("no audit entries match\n");
        return;
      }
      process.stdout.write(
        formatTable(
          ["ID", "TIME", "ACTION", "ACTOR", "CRATE", "DETAILS"],
          entries.map((e) => [
            String(e.id),
            formatTime(e.at),
            e.action,
            actor(e),
            e.crate === null ? "-" : `${e.crate}${e.version === null ? "" : `@${e.version}`}`,
            summary(e),
          ]),
        ),
      );
    });
  });
}

async function collectMany(
  store: RegistryStore,
  query: AuditQuery,
  limit: number,
): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let before: number | undefined;
  while (out.length < limit) {
    const page = await store.queryAuditLog({
      ...query,
      limit: Math.min(1000, limit - out.length),
      before,
    });
    out.push(...page.entries);
    if (page.next === null) break;
    before = page.next;
  }
  return out;
}

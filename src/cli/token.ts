/**
 * `cratesec token create|list|revoke`: API tokens. A new token is printed once on stdout and only
 * its SHA-256 is stored; listings never show a token (they cannot: the store does not have it).
 */
import type { Command } from "commander";
import type { ApiToken, RegistryStore, User } from "../registry/store/index.js";
import {
  DEFAULT_TOKEN_EXPIRY,
  generateToken,
  hashToken,
  parseCratePatterns,
  parseEndpointScopes,
  parseExpiry,
} from "../registry/tokens/index.js";
import { CliError } from "./errors.js";
import { formatTable, formatTime } from "./registry-format.js";
import {
  addRegistryOptions,
  CLI_ACTOR,
  type RegistryCliOptions,
  withRegistryStore,
} from "./registry-options.js";
import { listAllUsers, requireUser } from "./user.js";

interface CreateOptions extends RegistryCliOptions {
  user: string;
  name: string;
  crates?: string;
  scopes?: string;
  expires?: string;
}

function tokenJson(token: ApiToken, user: User | undefined): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    user: user?.name ?? null,
    scopes: token.endpointScopes,
    crates: token.crateScopes,
    created: formatTime(token.createdAt),
    expires: token.expiresAt === null ? null : formatTime(token.expiresAt),
    last_used: token.lastUsedAt === null ? null : formatTime(token.lastUsedAt),
    revoked: token.revokedAt === null ? null : formatTime(token.revokedAt),
  };
}

function tokenState(token: ApiToken, now: number): string {
  if (token.revokedAt !== null) return `revoked ${formatTime(token.revokedAt)}`;
  if (token.expiresAt !== null && token.expiresAt <= now) return "expired";
  return "active";
}

async function allTokens(
  store: RegistryStore,
  userName: string | undefined,
): Promise<{ token: ApiToken; user: User }[]> {
  const users =
    userName === undefined ? await listAllUsers(store) : [await requireUser(store, userName)];
  const out: { token: ApiToken; user: User }[] = [];
  for (const user of users) {
    for (const token of await store.listTokens(user.id, { includeRevoked: true })) {
      out.push({ token, user });
    }
  }
  return out.sort((a, b) => a.token.id - b.token.id);
}

export function registerTokenCommand(program: Command): void {
  const token = program.command("token").description("Manage registry API tokens");

  addRegistryOptions(
    token
      .command("create")
      .description("Create an API token for a user; it is printed once and cannot be shown again")
      .requiredOption("--user <NAME>", "the user the token acts as")
      .requiredOption("--name <LABEL>", "a label for the token")
      .option(
        "--crates <PATTERNS>",
        "crates the token may act on: names or `prefix*`, comma-separated",
      )
      .option(
        "--scopes <SCOPES>",
        "endpoints the token may call: publish-new,publish-update,yank,change-owners (default: all, a legacy token)",
      )
      .option(
        "--expires <WHEN>",
        `expiry: 90d, 12h, 2w, a date YYYY-MM-DD, or never (default: ${DEFAULT_TOKEN_EXPIRY})`,
      ),
  ).action(async (opts: CreateOptions) => {
    const label = opts.name.trim();
    if (label === "") throw new CliError("--name must not be empty");
    let endpointScopes: readonly string[] | null = null;
    if (opts.scopes !== undefined) {
      const parsed = parseEndpointScopes(opts.scopes);
      if (!parsed.ok) throw new CliError(`--scopes: ${parsed.reason}`);
      endpointScopes = parsed.value;
    }
    let crateScopes: readonly string[] | null = null;
    if (opts.crates !== undefined) {
      const parsed = parseCratePatterns(opts.crates);
      if (!parsed.ok) throw new CliError(`--crates: ${parsed.reason}`);
      crateScopes = parsed.value.map((p) => p.pattern);
    }
    const parsedExpiry = parseExpiry(opts.expires ?? DEFAULT_TOKEN_EXPIRY);
    if (!parsedExpiry.ok) throw new CliError(`--expires: ${parsedExpiry.reason}`);
    const expiresAt = parsedExpiry.value === null ? null : parsedExpiry.value.getTime();
    await withRegistryStore(opts, async (store) => {
      const user = await requireUser(store, opts.user);
      const plaintext = generateToken("api");
      const created = await store.createToken(
        {
          userId: user.id,
          name: label,
          tokenHash: hashToken(plaintext),
          endpointScopes,
          crateScopes,
          expiresAt,
        },
        CLI_ACTOR,
      );
      process.stdout.write(`${plaintext}\n`);
      process.stderr.write(
        `created token ${created.id} \`${created.name}\` for ${user.name}` +
          `${expiresAt === null ? " (no expiry)" : ` (expires ${formatTime(expiresAt)})`}\n` +
          "note: copy the token now; it cannot be shown again (only its SHA-256 is stored)\n",
      );
    });
  });

  addRegistryOptions(
    token
      .command("list")
      .description("List API tokens (never the tokens themselves)")
      .option("--user <NAME>", "only this user's tokens")
      .option("--json", "print JSON"),
  ).action(async (opts: RegistryCliOptions & { user?: string; json?: boolean }) => {
    await withRegistryStore(opts, async (store) => {
      const tokens = await allTokens(store, opts.user);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            tokens.map((t) => tokenJson(t.token, t.user)),
            null,
            2,
          )}\n`,
        );
        return;
      }
      if (tokens.length === 0) {
        process.stderr.write("no tokens\n");
        return;
      }
      const now = Date.now();
      process.stdout.write(
        formatTable(
          ["ID", "USER", "NAME", "SCOPES", "CRATES", "CREATED", "EXPIRES", "LAST USED", "STATE"],
          tokens.map(({ token: t, user }) => [
            String(t.id),
            user.name,
            t.name,
            t.endpointScopes === null ? "(all)" : t.endpointScopes.join(","),
            t.crateScopes === null ? "(all)" : t.crateScopes.join(","),
            formatTime(t.createdAt),
            t.expiresAt === null ? "never" : formatTime(t.expiresAt),
            formatTime(t.lastUsedAt),
            tokenState(t, now),
          ]),
        ),
      );
    });
  });

  addRegistryOptions(
    token
      .command("revoke")
      .description("Revoke an API token by id (see `cratesec token list`)")
      .argument("<ID>", "token id"),
  ).action(async (id: string, opts: RegistryCliOptions) => {
    if (!/^\d+$/.test(id.trim()) || !Number.isSafeInteger(Number(id))) {
      throw new CliError(
        `invalid token id \`${id}\`: expected a number from \`cratesec token list\``,
      );
    }
    await withRegistryStore(opts, async (store) => {
      const existing = await store.getToken(Number(id));
      if (existing?.kind !== "api") throw new CliError(`no API token with id ${id}`);
      const revoked = await store.revokeToken(existing.id, CLI_ACTOR);
      process.stdout.write(
        revoked
          ? `revoked token ${existing.id} \`${existing.name}\`\n`
          : `token ${existing.id} \`${existing.name}\` was already revoked\n`,
      );
    });
  });
}

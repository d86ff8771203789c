/**
 * `cratesec user add NAME [--admin]`, `cratesec user lock NAME [--reason TEXT]`,
 * `cratesec user list`: registry accounts, changed through the store so every change is audited
 * (actor: the CLI).
 */
import type { Command } from "commander";
import type { RegistryStore, User } from "../registry/store/index.js";
import { CliError } from "./errors.js";
import { formatTable, formatTime } from "./registry-format.js";
import {
  addRegistryOptions,
  CLI_ACTOR,
  type RegistryCliOptions,
  withRegistryStore,
} from "./registry-options.js";

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkUserName(name: string): string {
  const trimmed = name.trim();
  if (!USER_NAME.test(trimmed)) {
    throw new CliError(
      `invalid user name \`${name}\`: use 1-64 letters, digits, \`_\`, \`-\` or \`.\`, starting with a letter or digit`,
    );
  }
  return trimmed;
}

/** Every user, in creation order. */
export async function listAllUsers(store: RegistryStore): Promise<User[]> {
  const rows = await store.db.selectFrom("users").select("id").orderBy("id").execute();
  const users: User[] = [];
  for (const row of rows) {
    const user = await store.getUser(row.id);
    if (user) users.push(user);
  }
  return users;
}

export async function requireUser(store: RegistryStore, name: string): Promise<User> {
  const user = await store.findUserByName(name);
  if (!user) throw new CliError(`unknown user \`${name}\` (create it with \`cratesec user add\`)`);
  return user;
}

function userStatus(user: User): string {
  if (!user.locked) return "active";
  const until = user.lockedUntil === null ? "" : ` until ${formatTime(user.lockedUntil)}`;
  return `locked${until}${user.lockReason ? ` (${user.lockReason})` : ""}`;
}

export function registerUserCommand(program: Command): void {
  const user = program.command("user").description("Manage registry user accounts");

  addRegistryOptions(
    user
      .command("add")
      .description("Create a registry user")
      .argument("<NAME>", "user name")
      .option("--admin", "make the user a registry administrator"),
  ).action(async (name: string, opts: RegistryCliOptions & { admin?: boolean }) => {
    const userName = checkUserName(name);
    await withRegistryStore(opts, async (store) => {
      if (await store.findUserByName(userName)) {
        throw new CliError(`user \`${userName}\` already exists`);
      }
      const created = await store.createUser(
        { name: userName, isAdmin: opts.admin === true },
        CLI_ACTOR,
      );
      process.stdout.write(
        `created user ${created.name} (id ${created.id}${created.isAdmin ? ", admin" : ""})\n`,
      );
    });
  });

  addRegistryOptions(
    user
      .command("lock")
      .description("Lock a user: the registry refuses every request made with their tokens")
      .argument("<NAME>", "user name")
      .option("--reason <TEXT>", "why the account is locked (kept in the audit log)"),
  ).action(async (name: string, opts: RegistryCliOptions & { reason?: string }) => {
    await withRegistryStore(opts, async (store) => {
      await requireUser(store, name);
      const locked = await store.lockUser(name, { reason: opts.reason ?? null }, CLI_ACTOR);
      process.stdout.write(`locked user ${locked.name}\n`);
    });
  });

  addRegistryOptions(
    user.command("list").description("List registry users").option("--json", "print JSON"),
  ).action(async (opts: RegistryCliOptions & { json?: boolean }) => {
    await withRegistryStore(opts, async (store) => {
      const users = await listAllUsers(store);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
        return;
      }
      if (users.length === 0) {
        process.stderr.write("no users (create one with `cratesec user add NAME`)\n");
        return;
      }
      process.stdout.write(
        formatTable(
          ["ID", "NAME", "ADMIN", "CREATED", "STATUS"],
          users.map((u) => [
            String(u.id),
            u.name,
            u.isAdmin ? "yes" : "no",
            formatTime(u.createdAt),
            userStatus(u),
          ]),
        ),
      );
    });
  });
}

/**
 * `cratesec crate info|trusted-publisher|trusted-only`: a crate's owners and publish records, and
 * its Trusted Publishing configuration. Every change goes through the store as the CLI, so it is
 * in the audit trail (`cratesec log`).
 */
import type { Command } from "commander";
import type {
  PublishRecord,
  RegistryStore,
  TrustedClaims,
  TrustedPublisher,
} from "../registry/store/index.js";
import { canonicalOwnerId, publisherConfigProblem } from "../registry/tokens/index.js";
import { CliError } from "./errors.js";
import { formatTable, formatTime } from "./registry-format.js";
import {
  addRegistryOptions,
  CLI_ACTOR,
  type RegistryCliOptions,
  withRegistryStore,
} from "./registry-options.js";

export const DEFAULT_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

interface JsonOptions extends RegistryCliOptions {
  json?: boolean;
}

interface AddOptions extends RegistryCliOptions {
  repository: string;
  repositoryOwnerId: string;
  workflow: string;
  environment?: string;
  issuer: string;
}

async function requireCrateName(store: RegistryStore, name: string): Promise<string> {
  const crate = await store.crateByCanonicalName(name);
  if (crate === null) throw new CliError(`crate \`${name}\` does not exist`);
  return crate.name;
}

/** A claim by its camelCase (exchange audit) or snake_case (raw OIDC) name. */
function claim(claims: TrustedClaims, camel: string, snake: string): string | null {
  const value = claims[camel] ?? claims[snake];
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function claimsJson(claims: TrustedClaims | null): Record<string, unknown> | null {
  if (claims === null) return null;
  return {
    repository: claim(claims, "repository", "repository"),
    workflow: claim(claims, "workflowFilename", "workflow_filename"),
    workflow_ref: claim(claims, "workflowRef", "workflow_ref"),
    run_id: claim(claims, "runId", "run_id"),
    sha: claim(claims, "sha", "sha"),
    environment: claim(claims, "environment", "environment"),
  };
}

function versionJson(v: PublishRecord): Record<string, unknown> {
  return {
    version: v.version,
    yanked: v.yanked,
    published_at: formatTime(v.publishedAt),
    publisher: v.publisher?.name ?? null,
    token_id: v.tokenId,
    token_name: v.tokenName,
    trusted_publishing: claimsJson(v.trustedClaims),
    checksum: v.cksum,
    size: v.size,
    ip: v.ip,
    user_agent: v.userAgent,
  };
}

function publishedVia(v: PublishRecord): string {
  if (v.trustedClaims !== null) {
    const c = claimsJson(v.trustedClaims) ?? {};
    return `trusted:${c.repository ?? "?"} ${c.workflow ?? "?"} run=${c.run_id ?? "?"} sha=${c.sha ?? "?"}`;
  }
  if (v.tokenId !== null) return `token ${v.tokenId}`;
  return "-";
}

function publisherJson(p: TrustedPublisher): Record<string, unknown> {
  return {
    id: p.id,
    crate: p.crateName,
    provider: p.provider,
    issuer: p.issuer,
    repository: `${p.repositoryOwner}/${p.repository}`,
    repository_owner_id: p.repositoryOwnerId,
    workflow: p.workflowFilename,
    environment: p.environment,
    created: formatTime(p.createdAt),
  };
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function registerCrateCommand(program: Command): void {
  const crate = program
    .command("crate")
    .description("Inspect crates and manage their Trusted Publishing settings");

  addRegistryOptions(
    crate
      .command("info")
      .description("Show a crate's owners, settings and every version's publish record")
      .argument("<NAME>", "crate name")
      .option("--json", "print JSON"),
  ).action(async (name: string, opts: JsonOptions) => {
    await withRegistryStore(opts, async (store) => {
      const found = await store.crateByCanonicalName(name);
      if (found === null) throw new CliError(`crate \`${name}\` does not exist`);
      const owners = await store.listOwners(found.name);
      const versions = await store.listVersions(found.name);
      if (opts.json) {
        printJson({
          name: found.name,
          owners: owners.map((o) => o.name),
          trusted_publishing_only: found.trustedPublishingOnly,
          versions: versions.map(versionJson),
        });
        return;
      }
      process.stdout.write(
        `crate: ${found.name}\n` +
          `owners: ${owners.length === 0 ? "(none)" : owners.map((o) => o.name).join(", ")}\n` +
          `trusted publishing only: ${found.trustedPublishingOnly ? "on" : "off"}\n`,
      );
      if (versions.length === 0) {
        process.stdout.write("versions: (none)\n");
        return;
      }
      process.stdout.write(
        `\n${formatTable(
          ["VERSION", "YANKED", "PUBLISHED", "BY", "VIA", "SIZE", "IP", "USER AGENT", "CHECKSUM"],
          versions.map((v) => [
            v.version,
            v.yanked ? "yes" : "no",
            formatTime(v.publishedAt),
            v.publisher?.name ?? "-",
            publishedVia(v),
            String(v.size),
            v.ip ?? "-",
            v.userAgent ?? "-",
            v.cksum,
          ]),
        )}`,
      );
    });
  });

  const tp = crate
    .command("trusted-publisher")
    .description("Manage a crate's Trusted Publishing (GitHub Actions) configs");

  addRegistryOptions(
    tp
      .command("add")
      .description("Allow a GitHub Actions workflow to publish the crate")
      .argument("<NAME>", "crate name")
      .requiredOption("--repository <OWNER/REPO>", "GitHub repository")
      .requiredOption("--repository-owner-id <ID>", "numeric id of the repository owner account")
      .requiredOption("--workflow <FILE>", "workflow file name, e.g. release.yml")
      .option("--environment <ENV>", "GitHub environment the job must run in")
      .option("--issuer <URL>", "OIDC issuer", DEFAULT_OIDC_ISSUER),
  ).action(async (name: string, opts: AddOptions) => {
    const slash = opts.repository.indexOf("/");
    if (slash <= 0 || slash === opts.repository.length - 1) {
      throw new CliError(`invalid --repository \`${opts.repository}\`: expected OWNER/REPO`);
    }
    const repositoryOwner = opts.repository.slice(0, slash);
    const repository = opts.repository.slice(slash + 1);
    let issuer: URL | undefined;
    try {
      issuer = new URL(opts.issuer);
    } catch {
      issuer = undefined;
    }
    if (issuer?.protocol !== "https:") {
      throw new CliError(`invalid --issuer \`${opts.issuer}\`: expected an https:// URL`);
    }
    const config = {
      crate: name,
      issuer: opts.issuer,
      repositoryOwner,
      repositoryOwnerId: opts.repositoryOwnerId,
      repository,
      workflowFilename: opts.workflow,
      environment: opts.environment ?? null,
    };
    const problem = publisherConfigProblem(config);
    if (problem !== undefined) throw new CliError(problem);
    const ownerId = canonicalOwnerId(opts.repositoryOwnerId) ?? opts.repositoryOwnerId;
    await withRegistryStore(opts, async (store) => {
      const crateName = await requireCrateName(store, name);
      const added = await store.addTrustedPublisher(
        crateName,
        { ...config, repositoryOwnerId: ownerId },
        CLI_ACTOR,
      );
      process.stdout.write(
        `added trusted publisher ${added.id} for ${crateName}: ` +
          `${added.repositoryOwner}/${added.repository} ${added.workflowFilename}` +
          `${added.environment === null ? "" : ` (environment ${added.environment})`}\n`,
      );
    });
  });

  addRegistryOptions(
    tp
      .command("list")
      .description("List a crate's Trusted Publishing configs")
      .argument("<NAME>", "crate name")
      .option("--json", "print JSON"),
  ).action(async (name: string, opts: JsonOptions) => {
    await withRegistryStore(opts, async (store) => {
      const crateName = await requireCrateName(store, name);
      const publishers = await store.listTrustedPublishers(crateName);
      if (opts.json) {
        printJson(publishers.map(publisherJson));
        return;
      }
      if (publishers.length === 0) {
        process.stderr.write(`no trusted publishers for ${crateName}\n`);
        return;
      }
      process.stdout.write(
        formatTable(
          ["ID", "REPOSITORY", "OWNER ID", "WORKFLOW", "ENVIRONMENT", "ISSUER", "CREATED"],
          publishers.map((p) => [
            String(p.id),
            `${p.repositoryOwner}/${p.repository}`,
            p.repositoryOwnerId,
            p.workflowFilename,
            p.environment ?? "(any)",
            p.issuer,
            formatTime(p.createdAt),
          ]),
        ),
      );
    });
  });

  addRegistryOptions(
    tp
      .command("remove")
      .description("Remove a Trusted Publishing config by id (see `… list`)")
      .argument("<NAME>", "crate name")
      .argument("<ID>", "config id"),
  ).action(async (name: string, id: string, opts: RegistryCliOptions) => {
    if (!/^\d+$/.test(id.trim()) || !Number.isSafeInteger(Number(id))) {
      throw new CliError(
        `invalid trusted publisher id \`${id}\`: expected a number from \`cratesec crate trusted-publisher list\``,
      );
    }
    await withRegistryStore(opts, async (store) => {
      const crateName = await requireCrateName(store, name);
      const existing = (await store.listTrustedPublishers(crateName)).find(
        (p) => p.id === Number(id),
      );
      if (existing === undefined) {
        throw new CliError(`crate \`${crateName}\` has no trusted publisher with id ${id}`);
      }
      await store.removeTrustedPublisher(existing.id, CLI_ACTOR, { crate: crateName });
      process.stdout.write(
        `removed trusted publisher ${existing.id} from ${crateName}: ` +
          `${existing.repositoryOwner}/${existing.repository} ${existing.workflowFilename}\n`,
      );
    });
  });

  addRegistryOptions(
    crate
      .command("trusted-only")
      .description("Require (on) or stop requiring (off) Trusted Publishing for new versions")
      .argument("<NAME>", "crate name")
      .argument("<on|off>", "on or off"),
  ).action(async (name: string, value: string, opts: RegistryCliOptions) => {
    const v = value.trim().toLowerCase();
    if (v !== "on" && v !== "off") {
      throw new CliError(`invalid value \`${value}\`: expected \`on\` or \`off\``);
    }
    await withRegistryStore(opts, async (store) => {
      const crateName = await requireCrateName(store, name);
      const { changed } = await store.setTrustedPublishingOnly(crateName, v === "on", CLI_ACTOR);
      process.stdout.write(
        changed
          ? `trusted publishing only is now ${v} for ${crateName}\n`
          : `trusted publishing only was already ${v} for ${crateName}\n`,
      );
    });
  });
}

/**
 * Trusted Publishing configuration API, after crates.io's `controllers/trustpub/github_configs`:
 *
 * - `GET /api/v1/trusted_publishing/github_configs?crate=NAME` → `{"github_configs":[…]}`
 * - `POST /api/v1/trusted_publishing/github_configs` with `{"github_config":{…}}` → the config
 * - `DELETE /api/v1/trusted_publishing/github_configs/:id` → 204
 *
 * Every route needs a legacy (unscoped) API token of a crate owner (action
 * `manage-trusted-publishing`); changes are audited by the store with the request's actor.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RegistryStore, TrustedPublisher } from "../store/index.js";
import {
  canonicalOwnerId,
  GITHUB_ACTIONS_ISSUER,
  publisherConfigProblem,
} from "../tokens/index.js";
import { actorOf, authenticateRequest, type Principal, requireAuthorized } from "./auth.js";
import { HttpError } from "./http-error.js";

export interface TrustedPublisherRoutesOptions {
  readonly store: RegistryStore;
  readonly now: () => Date;
}

const BASE = "/api/v1/trusted_publishing/github_configs";

function configJson(p: TrustedPublisher) {
  return {
    id: p.id,
    crate: p.crateName,
    repository_owner: p.repositoryOwner,
    repository_owner_id: p.repositoryOwnerId,
    repository_name: p.repository,
    workflow_filename: p.workflowFilename,
    environment: p.environment,
    created_at: new Date(p.createdAt).toISOString(),
  };
}

export function registerTrustedPublisherRoutes(
  app: FastifyInstance,
  { store, now }: TrustedPublisherRoutesOptions,
): void {
  /** Authenticates, then requires `manage-trusted-publishing` on `crate` by one of its owners. */
  async function ownerOf(request: FastifyRequest, crateName: string) {
    const principal: Principal = await authenticateRequest(store, request.headers.authorization);
    const crate = await store.crateByCanonicalName(crateName);
    if (crate === null) throw new HttpError(404, `crate \`${crateName}\` does not exist`);
    requireAuthorized(principal, { action: "manage-trusted-publishing", crate: crate.name }, now());
    const user = principal.user;
    if (
      principal.token.kind !== "api" ||
      user === null ||
      !(await store.isOwner(crate.name, user.id))
    ) {
      throw new HttpError(403, `this user is not an owner of crate \`${crate.name}\``);
    }
    return { principal, crate };
  }

  app.get(BASE, async (request) => {
    const q = request.query as Record<string, unknown>;
    if (typeof q.crate !== "string" || q.crate === "") {
      throw new HttpError(400, "missing query parameter `crate`");
    }
    const { crate } = await ownerOf(request, q.crate);
    const configs = await store.listTrustedPublishers(crate.name);
    return { github_configs: configs.map(configJson) };
  });

  app.post(BASE, async (request) => {
    const body = request.body as { github_config?: unknown } | undefined;
    const spec = body?.github_config as Record<string, unknown> | undefined;
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
      throw new HttpError(
        400,
        'expected a body like {"github_config":{"crate":"…","repository_owner":"…","repository_owner_id":"…","repository_name":"…","workflow_filename":"…"}}',
      );
    }
    const text = (field: string): string => {
      const v = spec[field];
      if (typeof v !== "string")
        throw new HttpError(400, `\`github_config.${field}\` must be a string`);
      return v;
    };
    const crateName = text("crate");
    const ownerIdRaw = spec.repository_owner_id;
    if (typeof ownerIdRaw !== "string" && typeof ownerIdRaw !== "number") {
      throw new HttpError(400, "`github_config.repository_owner_id` must be a string or a number");
    }
    const env = spec.environment;
    if (env !== undefined && env !== null && typeof env !== "string") {
      throw new HttpError(400, "`github_config.environment` must be a string or null");
    }
    const config = {
      crate: crateName,
      issuer: GITHUB_ACTIONS_ISSUER,
      repositoryOwner: text("repository_owner"),
      repositoryOwnerId: ownerIdRaw,
      repository: text("repository_name"),
      workflowFilename: text("workflow_filename"),
      environment: env ?? null,
    };
    const problem = publisherConfigProblem(config);
    if (problem !== undefined) throw new HttpError(400, problem);
    const { principal, crate } = await ownerOf(request, crateName);
    const created = await store.addTrustedPublisher(
      crate.name,
      {
        issuer: config.issuer,
        repositoryOwner: config.repositoryOwner,
        repositoryOwnerId: canonicalOwnerId(ownerIdRaw) ?? String(ownerIdRaw),
        repository: config.repository,
        workflowFilename: config.workflowFilename,
        environment: config.environment,
      },
      actorOf(principal, request),
    );
    return { github_config: configJson(created) };
  });

  app.delete(`${BASE}/:id`, async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const existing =
      Number.isSafeInteger(id) && id > 0 ? await store.getTrustedPublisher(id) : null;
    if (existing === null) {
      // Authenticate first so that an anonymous caller learns nothing about config ids.
      await authenticateRequest(store, request.headers.authorization);
      throw new HttpError(404, "the trusted publisher config does not exist");
    }
    const { principal, crate } = await ownerOf(request, existing.crateName);
    await store.removeTrustedPublisher(id, actorOf(principal, request), { crate: crate.name });
    return reply.code(204).send();
  });
}

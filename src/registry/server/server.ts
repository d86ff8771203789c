/**
 * The registry's HTTP server (registry.md §5): sparse index, downloads and the cargo web API on
 * fastify, logging through pino. Every error is `{"errors":[{"detail":"…"}]}`.
 */
import type { Socket } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import pino, { type Logger } from "pino";
import {
  checkPublish,
  decodeMetadataJson,
  isPublishError,
  maxPublishBodySize,
  type PublishError,
  type RegistryView,
  resolvePublishConfig,
  splitPublishBody,
} from "../publish/index.js";
import { type CrateStorage, StorageError } from "../storage/index.js";
import {
  type ApiToken,
  type AuditQuery,
  canonicalCrateName,
  type IndexFile,
  type RegistryStore,
} from "../store/index.js";
import {
  exchangeOidcToken,
  generateToken,
  hashToken,
  type JtiStore,
  type PublisherConfigSource,
  parseCratePatterns,
  parseEndpointScopes,
  TrustedPublishingError,
} from "../tokens/index.js";
import { actorOf, authenticateRequest, type Principal, requireAuthorized } from "./auth.js";
import {
  DEFAULT_RATE_LIMITS,
  type RateLimitedAction,
  type RegistryServerConfig,
} from "./config.js";
import { envelope, fromStoreError, HttpError } from "./http-error.js";
import { registerTrustedPublisherRoutes } from "./trusted-publishers.js";

export interface RegistryServerOptions {
  readonly store: RegistryStore;
  readonly storage: CrateStorage;
  readonly config?: RegistryServerConfig;
  /** A pino logger, or false for none (tests). Default: pino to stdout at `info`. */
  readonly logger?: Logger | false;
}

export interface RegistryServer {
  readonly app: FastifyInstance;
  /** Starts listening; resolves to the base URL (`publicUrl`). */
  listen(): Promise<string>;
  /** Stops accepting connections and waits for in-flight requests. Does not close the store. */
  close(): Promise<void>;
  /** The public base URL (known once listening when not configured). */
  readonly baseUrl: string;
}

/** The sparse-index path of a crate name (§5), lower-cased. */
export function indexPathOf(name: string): string {
  const n = name.toLowerCase();
  if (n.length === 1) return `1/${n}`;
  if (n.length === 2) return `2/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

/** How long an index file may be served from memory without asking the store again. */
const INDEX_CACHE_TTL_MS = 1000;
const INDEX_CACHE_MAX_ENTRIES = 10_000;

const WARNINGS_EMPTY = { invalid_categories: [], invalid_badges: [], other: [] as string[] };

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.replace(/^W\//, "");
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === bare);
}

function tokenJson(t: ApiToken) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: t.id,
    name: t.name,
    endpoint_scopes: t.endpointScopes,
    crate_scopes: t.crateScopes,
    created_at: iso(t.createdAt),
    last_used_at: iso(t.lastUsedAt),
    expired_at: iso(t.expiresAt),
    revoked_at: iso(t.revokedAt),
  };
}

function positiveInt(value: unknown, fallback: number): number {
  if (typeof value !== "string" || value === "") return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : Number.NaN;
}

function timeParam(value: unknown, what: string): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new HttpError(400, `invalid \`${what}\`: expected a date`);
  return n;
}

/** How long a refused upload's connection keeps draining before it is closed (ms, bytes). */
const LINGER_MS = 1000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * A request refused before its body was read (a 413 for a too-large publish) is answered with
 * `connection: close`. Closing a socket whose receive buffer still holds unread bytes makes the
 * kernel send a RST, which can make the client drop the answer it has not read yet (cargo would
 * report "connection reset" instead of the 413's message). Like nginx's lingering close: send
 * the answer and a FIN, then read and discard what the client still sends, for at most
 * LINGER_MS / LINGER_BYTES (nothing is buffered), before closing.
 */
function lingerOnClose(socket: Socket | null | undefined): void {
  if (socket === null || socket === undefined || socket.destroyed) return;
  const s = socket as Socket & { destroySoon?: () => void; cratesecLinger?: boolean };
  if (s.cratesecLinger === true || typeof s.destroySoon !== "function") return;
  s.cratesecLinger = true;
  s.destroySoon = () => {
    let drained = 0;
    const done = () => {
      clearTimeout(timer);
      s.destroy();
    };
    const timer = setTimeout(done, LINGER_MS);
    timer.unref();
    s.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > LINGER_BYTES) done();
    });
    s.once("end", done);
    s.once("error", done);
    s.end();
    s.resume();
  };
}

export async function createRegistryServer(
  options: RegistryServerOptions,
): Promise<RegistryServer> {
  const { store, storage } = options;
  const config: RegistryServerConfig = options.config ?? {};
  const publishConfig = resolvePublishConfig(config.publish ?? {});
  const publishBodyLimit = maxPublishBodySize(publishConfig);
  const authRequired = config.authRequired === true;

  const logger =
    options.logger === false
      ? false
      : (options.logger ?? pino({ level: process.env.CRATESEC_LOG_LEVEL ?? "info" }));

  const app = (logger === false
    ? Fastify({ logger: false, trustProxy: config.trustProxy === true })
    : Fastify({
        loggerInstance: logger,
        trustProxy: config.trustProxy === true,
      })) as unknown as FastifyInstance;

  let baseUrl = config.publicUrl?.replace(/\/+$/, "") ?? "http://localhost";
  const loginUrl = () => config.loginUrl ?? `${baseUrl}/me`;
  const now = () => new Date(store.now());

  // ----- body parsers ---------------------------------------------------------------------------

  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: 1024 * 1024 },
    (_req, body, done) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (text.trim() === "") {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new HttpError(400, "the request body is not valid JSON"), undefined);
      }
    },
  );

  // ----- errors ---------------------------------------------------------------------------------

  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(envelope(`no such endpoint: ${request.method} ${request.url.split("?")[0]}`));
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    let http: HttpError | null = error instanceof HttpError ? error : fromStoreError(error);
    if (http === null && isPublishError(error)) {
      http = new HttpError(error.status, error.detail);
    }
    if (http === null && error instanceof StorageError) http = new HttpError(400, error.message);
    if (http === null && typeof error === "object" && error !== null) {
      const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
      const status = typeof e.statusCode === "number" ? e.statusCode : 500;
      if (status >= 400 && status < 500) {
        let detail = typeof e.message === "string" ? e.message : "bad request";
        if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
          detail = `the request body is larger than this registry accepts (${publishBodyLimit} bytes for a publish)`;
        } else if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
          detail = "unsupported content type";
        }
        http = new HttpError(status, detail);
      }
    }
    if (http === null || http.status >= 500) {
      request.log.error({ err: error }, "request failed");
      http ??= new HttpError(500, "internal server error");
    }
    if (http.status === 401 && authRequired) {
      void reply.header("www-authenticate", `Cargo login_url="${loginUrl()}"`);
    }
    for (const [k, v] of Object.entries(http.headers)) void reply.header(k, v);
    if (!request.raw.complete) lingerOnClose(request.raw.socket);
    void reply.code(http.status).send(envelope(http.message));
  });

  // ----- helpers --------------------------------------------------------------------------------

  const authenticateReq = (request: FastifyRequest) =>
    authenticateRequest(store, request.headers.authorization);

  /** For reads: a token is needed only on an auth-required registry. */
  async function readAccess(request: FastifyRequest): Promise<void> {
    if (!authRequired) return;
    const principal = await authenticateReq(request);
    requireAuthorized(principal, { action: "read" }, now());
  }

  async function rateLimit(principal: Principal, action: RateLimitedAction): Promise<void> {
    const configured = config.rateLimits?.[action];
    const limit = configured === undefined ? DEFAULT_RATE_LIMITS[action] : configured;
    if (limit === null) return;
    const keys = [`${action}:token:${principal.token.id}`];
    if (principal.user !== null) keys.push(`${action}:user:${principal.user.id}`);
    let retryMs = 0;
    for (const key of keys) {
      const hit = await store.hit(key, limit.windowMs, limit.max);
      if (!hit.allowed) retryMs = Math.max(retryMs, hit.retryAfterMs);
    }
    if (retryMs > 0) {
      const seconds = Math.max(1, Math.ceil(retryMs / 1000));
      throw new HttpError(
        429,
        `You have published too many crates in a short period of time (${action}: at most ${limit.max} per ${Math.round(limit.windowMs / 1000)} s). Please try again in ${seconds} s.`,
        { "retry-after": String(seconds) },
      );
    }
  }

  async function requireOwner(principal: Principal, crate: string): Promise<void> {
    if (principal.token.kind !== "api") return;
    const user = principal.user;
    if (user === null || !(await store.isOwner(crate, user.id))) {
      throw new HttpError(403, `this user is not an owner of crate \`${crate}\``);
    }
  }

  async function existingCrate(name: string) {
    const crate = await store.crateByCanonicalName(name);
    if (crate === null) throw new HttpError(404, `crate \`${name}\` does not exist`);
    return crate;
  }

  const requireUser = (principal: Principal) => {
    if (principal.user === null) {
      throw new HttpError(403, "this endpoint needs a token that belongs to a user");
    }
    return principal.user;
  };

  // ----- index cache ----------------------------------------------------------------------------

  // Index files (body + ETag) by canonical name. A publish, yank or unyank through this server
  // drops the crate's entry once it has committed; a write by anyone else (another replica on the
  // same PostgreSQL database, the CLI) is seen within INDEX_CACHE_TTL_MS. `indexGeneration`
  // keeps a read that started before a write from caching what it read after that write's
  // invalidation.
  const indexCache = new Map<string, { file: IndexFile; at: number }>();
  let indexGeneration = 0;
  const invalidateIndex = (crate: string) => {
    indexGeneration += 1;
    indexCache.delete(canonicalCrateName(crate));
  };
  async function indexFile(name: string): Promise<IndexFile | null> {
    const key = canonicalCrateName(name);
    const hit = indexCache.get(key);
    const t = performance.now();
    if (hit !== undefined && t - hit.at < INDEX_CACHE_TTL_MS) return hit.file;
    const generation = indexGeneration;
    const file = await store.getIndexLines(name);
    if (file === null) {
      indexCache.delete(key);
    } else if (generation === indexGeneration) {
      if (indexCache.size >= INDEX_CACHE_MAX_ENTRIES) {
        const oldest = indexCache.keys().next().value;
        if (oldest !== undefined) indexCache.delete(oldest);
      }
      indexCache.delete(key);
      indexCache.set(key, { file, at: t });
    }
    return file;
  }

  // ----- health and index -----------------------------------------------------------------------

  app.get("/healthz", async () => {
    await store.crateByCanonicalName("healthz-probe");
    return { ok: true };
  });

  app.get("/index/*", async (request, reply) => {
    await readAccess(request);
    const path = (request.params as { "*": string })["*"];
    if (path === "config.json") {
      const body: Record<string, unknown> = { dl: `${baseUrl}/api/v1/crates`, api: baseUrl };
      if (authRequired) body["auth-required"] = true;
      return reply.header("cache-control", "no-cache").send(body);
    }
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name === "" || indexPathOf(name) !== path.toLowerCase()) {
      throw new HttpError(404, "not found");
    }
    const file = await indexFile(name);
    if (file === null || file.name.toLowerCase() !== name.toLowerCase()) {
      throw new HttpError(404, `crate \`${name}\` does not exist`);
    }
    void reply.header("etag", file.etag).header("cache-control", "no-cache");
    if (etagMatches(request.headers["if-none-match"], file.etag)) {
      return reply.code(304).send();
    }
    return reply.type("text/plain; charset=utf-8").send(file.body);
  });

  // ----- downloads ------------------------------------------------------------------------------

  app.get("/api/v1/crates/:name/:version/download", async (request, reply) => {
    await readAccess(request);
    const { name, version } = request.params as { name: string; version: string };
    const record = await store.getPublishRecord(name, version);
    if (record === null) {
      throw new HttpError(404, `crate \`${name}\` has no version ${version}`);
    }
    const file = await storage.get(record.cksum);
    if (file === null) {
      request.log.error({ crate: name, version, cksum: record.cksum }, "crate file missing");
      throw new HttpError(500, "the crate file is missing");
    }
    return reply
      .type("application/octet-stream")
      .header("content-length", String(file.size))
      .header(
        "content-disposition",
        `attachment; filename="${record.crate}-${record.version}.crate"`,
      )
      .send(file.stream);
  });

  // ----- publish --------------------------------------------------------------------------------

  // cargo's publish request is the raw framed body; whatever content type it is labelled with
  // (cargo sends none), this route reads bytes, up to the publish size limit.
  const publishRoute = async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: publishBodyLimit },
      (_req, body, done) => done(null, body),
    );
    scope.put("/api/v1/crates/new", publishHandler);
  };
  void app.register(publishRoute);

  async function publishHandler(request: FastifyRequest, reply: FastifyReply) {
    const principal = await authenticateReq(request);
    const body = request.body;
    if (!Buffer.isBuffer(body)) {
      throw new HttpError(400, "the publish request has no body");
    }
    // The name first (cheap), to authorize before the expensive checks.
    let name: string;
    try {
      const { metadataBytes } = splitPublishBody(body, publishConfig);
      const meta = decodeMetadataJson(metadataBytes) as { name?: unknown };
      if (typeof meta !== "object" || meta === null || typeof meta.name !== "string") {
        throw new HttpError(400, "invalid upload request: missing field `name`");
      }
      name = meta.name;
    } catch (e) {
      if (isPublishError(e)) throw new HttpError(e.status, e.detail);
      throw e;
    }
    const crate = await store.crateByCanonicalName(name);
    const action = crate === null ? "publish-new" : "publish-update";
    requireAuthorized(
      principal,
      {
        action,
        crate: crate?.name ?? name,
        trustedPublishingOnly: crate?.trustedPublishingOnly === true,
      },
      now(),
    );
    if (crate !== null) await requireOwner(principal, crate.name);
    await rateLimit(principal, action);

    const view: RegistryView = {
      async crateByCanonicalName(canonical: string) {
        const c = await store.crateByCanonicalName(canonical);
        if (c === null) return null;
        const versions = await store.listVersions(c.name);
        return { name: c.name, versions: versions.map((v) => v.version) };
      },
    };
    const result = await checkPublish(body, view, publishConfig);
    if (!result.ok) {
      const err = result as PublishError;
      request.log.info({ crate: name, code: err.code }, "publish refused");
      throw new HttpError(err.status, err.detail);
    }
    const checked = result.crate;
    // The file first: an index line never points at a missing file.
    await storage.put(checked.cksum, checked.crateBytes);
    const meta = checked.metadata;
    const published = await store
      .createCrateVersion(
        {
          name: checked.name,
          version: checked.version,
          cksum: checked.cksum,
          size: checked.size,
          indexLine: checked.indexLineJson,
          links: meta.links,
          rustVersion: meta.rustVersion,
          description: meta.description,
          homepage: meta.homepage,
          repository: meta.repository,
          documentation: meta.documentation,
        },
        actorOf(principal, request),
      )
      .finally(() => invalidateIndex(checked.name));
    request.log.info(
      { crate: published.crateName, version: checked.version, cksum: checked.cksum },
      "published",
    );
    return reply.send({ warnings: { ...WARNINGS_EMPTY, other: [...checked.warnings] } });
  }

  // ----- yank / unyank --------------------------------------------------------------------------

  const yankHandler = (yanked: boolean) => async (request: FastifyRequest) => {
    const principal = await authenticateReq(request);
    const { name, version } = request.params as { name: string; version: string };
    const crate = await existingCrate(name);
    requireAuthorized(principal, { action: yanked ? "yank" : "unyank", crate: crate.name }, now());
    await requireOwner(principal, crate.name);
    await rateLimit(principal, "yank");
    const ctx = actorOf(principal, request);
    await (yanked
      ? store.yank(crate.name, version, ctx)
      : store.unyank(crate.name, version, ctx)
    ).finally(() => invalidateIndex(crate.name));
    return { ok: true };
  };
  app.delete("/api/v1/crates/:name/:version/yank", yankHandler(true));
  app.put("/api/v1/crates/:name/:version/unyank", yankHandler(false));

  // ----- owners ---------------------------------------------------------------------------------

  app.get("/api/v1/crates/:name/owners", async (request) => {
    await readAccess(request);
    const { name } = request.params as { name: string };
    const crate = await existingCrate(name);
    const owners = await store.listOwners(crate.name);
    return { users: owners.map((o) => ({ id: o.id, login: o.name, name: o.name })) };
  });

  const ownersHandler = (add: boolean) => async (request: FastifyRequest) => {
    const principal = await authenticateReq(request);
    const { name } = request.params as { name: string };
    const crate = await existingCrate(name);
    requireAuthorized(principal, { action: "change-owners", crate: crate.name }, now());
    await requireOwner(principal, crate.name);
    const body = request.body as { users?: unknown; owners?: unknown } | undefined;
    const users = body?.users ?? body?.owners;
    if (
      !Array.isArray(users) ||
      users.length === 0 ||
      users.some((u) => typeof u !== "string" || u.trim() === "")
    ) {
      throw new HttpError(400, 'expected a body like {"users":["login"]}');
    }
    const logins = users as string[];
    const ctx = actorOf(principal, request);
    if (add) {
      await store.addOwners(crate.name, logins, ctx);
      return {
        ok: true,
        msg: `user ${logins.map((u) => `\`${u}\``).join(", ")} has been added as an owner of crate \`${crate.name}\``,
      };
    }
    await store.removeOwners(crate.name, logins, ctx);
    return {
      ok: true,
      msg: `owners successfully removed: ${logins.join(", ")}`,
    };
  };
  app.put("/api/v1/crates/:name/owners", ownersHandler(true));
  app.delete("/api/v1/crates/:name/owners", ownersHandler(false));

  // ----- search ---------------------------------------------------------------------------------

  app.get("/api/v1/crates", async (request) => {
    await readAccess(request);
    const query = request.query as Record<string, unknown>;
    const q = typeof query.q === "string" ? query.q : "";
    const perPage = positiveInt(query.per_page, 10);
    const page = positiveInt(query.page, 1);
    if (Number.isNaN(perPage) || Number.isNaN(page)) {
      throw new HttpError(400, "`page` and `per_page` must be positive integers");
    }
    const result = await store.search(q, page, Math.min(perPage, 100));
    return {
      crates: result.crates.map((c) => ({
        name: c.name,
        max_version: c.maxVersion ?? "0.0.0",
        description: c.description,
      })),
      meta: { total: result.total },
    };
  });

  // ----- tokens ---------------------------------------------------------------------------------

  const meTokens = async (request: FastifyRequest) => {
    const principal = await authenticateReq(request);
    requireAuthorized(principal, { action: "me-tokens" }, now());
    return { principal, user: requireUser(principal) };
  };

  app.get("/api/v1/me/tokens", async (request) => {
    const { user } = await meTokens(request);
    const tokens = await store.listTokens(user.id);
    return { api_tokens: tokens.map(tokenJson) };
  });

  app.put("/api/v1/me/tokens", async (request) => {
    const { principal, user } = await meTokens(request);
    const body = request.body as { api_token?: Record<string, unknown> } | undefined;
    const spec = body?.api_token;
    if (typeof spec !== "object" || spec === null || typeof spec.name !== "string") {
      throw new HttpError(400, 'expected a body like {"api_token":{"name":"…"}}');
    }
    let endpointScopes: string[] | null = null;
    if (spec.endpoint_scopes !== undefined && spec.endpoint_scopes !== null) {
      const parsed = Array.isArray(spec.endpoint_scopes)
        ? parseEndpointScopes(spec.endpoint_scopes.map(String))
        : ({ ok: false, reason: "`endpoint_scopes` must be a list" } as const);
      if (!parsed.ok) throw new HttpError(400, parsed.reason);
      endpointScopes = [...parsed.value];
    }
    let crateScopes: string[] | null = null;
    if (spec.crate_scopes !== undefined && spec.crate_scopes !== null) {
      const parsed = Array.isArray(spec.crate_scopes)
        ? parseCratePatterns(spec.crate_scopes.map(String))
        : ({ ok: false, reason: "`crate_scopes` must be a list" } as const);
      if (!parsed.ok) throw new HttpError(400, parsed.reason);
      crateScopes = parsed.value.map((p) => p.pattern);
    }
    let expiresAt: number | null = null;
    if (spec.expired_at !== undefined && spec.expired_at !== null) {
      const t = typeof spec.expired_at === "string" ? Date.parse(spec.expired_at) : Number.NaN;
      if (!Number.isFinite(t)) throw new HttpError(400, "`expired_at` must be a date");
      if (t <= store.now()) throw new HttpError(400, "`expired_at` must be in the future");
      expiresAt = t;
    }
    const plaintext = generateToken("api");
    const token = await store.createToken(
      {
        userId: user.id,
        name: spec.name,
        tokenHash: hashToken(plaintext),
        endpointScopes,
        crateScopes,
        expiresAt,
      },
      actorOf(principal, request),
    );
    return { api_token: { ...tokenJson(token), token: plaintext } };
  });

  const tokenIdParam = (request: FastifyRequest) => {
    const id = Number((request.params as { id: string }).id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, "the token does not exist");
    return id;
  };

  app.get("/api/v1/me/tokens/:id", async (request) => {
    const { user } = await meTokens(request);
    const token = await store.getToken(tokenIdParam(request));
    if (token === null || token.userId !== user.id || token.kind !== "api") {
      throw new HttpError(404, "the token does not exist");
    }
    return { api_token: tokenJson(token) };
  });

  app.delete("/api/v1/me/tokens/:id", async (request) => {
    const { principal, user } = await meTokens(request);
    await store.revokeToken(tokenIdParam(request), actorOf(principal, request), {
      userId: user.id,
    });
    return {};
  });

  app.delete("/api/v1/tokens/current", async (request, reply) => {
    const principal = await authenticateReq(request);
    requireAuthorized(principal, { action: "revoke-current" }, now());
    await store.revokeToken(principal.token.id, actorOf(principal, request));
    return reply.code(204).send();
  });

  // ----- trusted publishing ---------------------------------------------------------------------

  app.post("/api/v1/trusted_publishing/tokens", async (request) => {
    const tp = config.trustedPublishing;
    if (tp === null || tp === undefined) {
      throw new HttpError(404, "trusted publishing is not enabled on this registry");
    }
    const body = request.body as { jwt?: unknown } | undefined;
    if (typeof body?.jwt !== "string" || body.jwt === "") {
      throw new HttpError(400, 'expected a body like {"jwt":"…"}');
    }
    const source: PublisherConfigSource = {
      async findByRepository(issuer, owner, repo) {
        const rows = await store.findTrustedPublishers({
          issuer,
          repositoryOwner: owner,
          repository: repo,
        });
        return rows.map((r) => ({
          id: r.id,
          crate: r.crateName,
          issuer: r.issuer,
          repositoryOwner: r.repositoryOwner,
          repositoryOwnerId: r.repositoryOwnerId,
          repository: r.repository,
          workflowFilename: r.workflowFilename,
          environment: r.environment,
        }));
      },
    };
    // The jti is claimed by the store in the same transaction that stores the token.
    const deferredJti: JtiStore = { claim: async () => true };
    let exchanged: Awaited<ReturnType<typeof exchangeOidcToken>>;
    try {
      exchanged = await exchangeOidcToken(body.jwt, {
        jwks: tp.jwks,
        audience: tp.audience,
        issuers: tp.issuers,
        now: now(),
        ...(tp.leewaySeconds === undefined ? {} : { leewaySeconds: tp.leewaySeconds }),
        configs: source,
        jtiStore: deferredJti,
      });
    } catch (e) {
      if (e instanceof TrustedPublishingError) {
        if (e.status >= 500) request.log.error({ err: e }, "trusted publishing exchange failed");
        throw new HttpError(e.status, e.status >= 500 ? "internal server error" : e.message);
      }
      throw e;
    }
    const claims = { ...exchanged.audit };
    const leeway = tp.leewaySeconds ?? 60;
    const token = await store.createTrustedPublishingToken(
      {
        jti: exchanged.claims.jti,
        jtiExpiresAt: (exchanged.claims.exp + leeway) * 1000,
        tokenHash: exchanged.tokenHash,
        crateNames: exchanged.crates,
        expiresAt: exchanged.expiresAt.getTime(),
        claims,
      },
      { ...actorOf(null, request), trusted: claims },
    );
    if (token === null) throw new HttpError(400, "JWT has already been used");
    return { token: exchanged.token };
  });

  registerTrustedPublisherRoutes(app, { store, now });

  // ----- admin ----------------------------------------------------------------------------------

  app.get("/api/v1/admin/audit-log", async (request) => {
    const principal = await authenticateReq(request);
    requireAuthorized(principal, { action: "admin" }, now());
    if (principal.user?.isAdmin !== true) {
      throw new HttpError(403, "only registry administrators may read the audit log");
    }
    const q = request.query as Record<string, unknown>;
    const limit = positiveInt(q.limit ?? q.per_page, 100);
    const before = positiveInt(q.before, 0);
    if (Number.isNaN(limit) || Number.isNaN(before)) {
      throw new HttpError(400, "`limit` and `before` must be positive integers");
    }
    const query: AuditQuery = {
      ...(typeof q.crate === "string" && q.crate !== "" ? { crate: q.crate } : {}),
      ...(typeof q.user === "string" && q.user !== "" ? { user: q.user } : {}),
      ...(typeof q.action === "string" && q.action !== "" ? { action: q.action.split(",") } : {}),
      ...(timeParam(q.since, "since") === undefined ? {} : { since: timeParam(q.since, "since") }),
      ...(timeParam(q.until, "until") === undefined ? {} : { until: timeParam(q.until, "until") }),
      limit: Math.min(limit, 1000),
      ...(before > 0 ? { before } : {}),
    };
    const page = await store.queryAuditLog(query);
    return {
      entries: page.entries.map((e) => ({
        id: e.id,
        at: new Date(e.at).toISOString(),
        action: e.action,
        actor: e.actorName,
        actor_user_id: e.actorUserId,
        token_id: e.tokenId,
        trusted_claims: e.trustedClaims,
        ip: e.ip,
        user_agent: e.userAgent,
        crate: e.crate,
        version: e.version,
        details: e.details,
      })),
      next: page.next,
    };
  });

  await app.ready();

  const server: RegistryServer = {
    app,
    get baseUrl() {
      return baseUrl;
    },
    async listen() {
      const address = await app.listen({
        host: config.host ?? "127.0.0.1",
        port: config.port ?? 8000,
      });
      if (config.publicUrl === undefined) baseUrl = address.replace(/\/+$/, "");
      return baseUrl;
    },
    async close() {
      await app.close();
    },
  };
  return server;
}

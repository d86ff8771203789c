/**
 * The registry's repository API: every read and write the server, the CLI and the admin console
 * need, on SQLite and PostgreSQL alike (see `schema.ts` for the tables and conventions).
 *
 * Guarantees:
 * - Every state change runs in ONE transaction together with its `audit_log` row: either both
 *   are committed or neither is (a publish writes crate, version, index line, first owner and
 *   audit row atomically).
 * - There is no API to update or delete audit rows; the database refuses it too (triggers).
 * - Errors are `StoreError`s with a code and a message for people; no SQL text leaks.
 * - Per-crate changes lock the crate row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite write
 *   transactions are serialised by `BEGIN IMMEDIATE`), so rules such as "a crate keeps at least
 *   one owner" hold under concurrent requests.
 */
import { createHash } from "node:crypto";
import { type Kysely, type Selectable, type SqlBool, sql, type Transaction } from "kysely";
import { StoreError, toStoreError } from "./errors.js";
import {
  canonicalCrateName,
  canonicalUserName,
  compareVersionStrings,
  versionWithoutBuild,
} from "./names.js";
import type {
  ApiTokensTable,
  AuditLogTable,
  CratesTable,
  Database,
  Engine,
  TrustedPublishersTable,
  UsersTable,
} from "./schema.js";

// ---------------------------------------------------------------------------------------------
// Public types. All times are epoch milliseconds (UTC).

/** Claims of a trusted-publishing (OIDC) identity, e.g. `{provider, repository, run_id, sha}`. */
export type TrustedClaims = Readonly<Record<string, unknown>>;

/** Who performs a change and from where; recorded in the audit log (and publish record). */
export interface ActorContext {
  readonly userId?: number | null;
  /** The API token used, if any. */
  readonly tokenId?: number | null;
  /** Trusted-publishing claims when the actor is a CI workflow rather than a user. */
  readonly trusted?: TrustedClaims | null;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

export interface User {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly isAdmin: boolean;
  readonly lockedAt: number | null;
  /** NULL with `lockedAt` set: locked indefinitely. */
  readonly lockedUntil: number | null;
  readonly lockReason: string | null;
  /** Whether the lock is in force at read time. */
  readonly locked: boolean;
}

export type TokenKind = "api" | "trusted-publishing";

export interface ApiToken {
  readonly id: number;
  /** NULL for trusted-publishing tokens (bound to crates, not to a user). */
  readonly userId: number | null;
  readonly kind: TokenKind;
  readonly name: string;
  /** NULL: a legacy token that may call every endpoint. */
  readonly endpointScopes: readonly string[] | null;
  /** NULL: every crate. */
  readonly crateScopes: readonly string[] | null;
  readonly trustedClaims: TrustedClaims | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface TokenLookup {
  readonly token: ApiToken;
  /** The owning user (NULL for trusted-publishing tokens). */
  readonly user: User | null;
}

export interface CreateTokenInput {
  readonly userId: number;
  readonly name: string;
  /** SHA-256 of the full token, 64 hex digits. The plaintext never reaches the store. */
  readonly tokenHash: string;
  readonly endpointScopes?: readonly string[] | null;
  readonly crateScopes?: readonly string[] | null;
  readonly expiresAt?: number | null;
}

export interface TrustedPublishingTokenInput {
  /** The OIDC token's `jti`; claimed in the same transaction (single use). */
  readonly jti: string;
  /** Keep the jti until then (the JWT's exp plus leeway). */
  readonly jtiExpiresAt: number;
  readonly tokenHash: string;
  /** The crates the token may publish (every matching config). */
  readonly crateNames: readonly string[];
  readonly expiresAt: number;
  readonly claims: TrustedClaims;
  readonly name?: string;
  /** Default `["publish-update"]`. */
  readonly endpointScopes?: readonly string[];
}

export interface Crate {
  readonly id: number;
  readonly name: string;
  readonly canonicalName: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly description: string | null;
  readonly homepage: string | null;
  readonly repository: string | null;
  readonly documentation: string | null;
  readonly trustedPublishingOnly: boolean;
  readonly lockedAt: number | null;
  readonly lockReason: string | null;
}

export interface PublishInput {
  /** The crate name exactly as published. */
  readonly name: string;
  readonly version: string;
  /** SHA-256 hex of the .crate file. */
  readonly cksum: string;
  /** Size of the .crate file in bytes. */
  readonly size: number;
  /** The sparse-index line (JSON text or object); `name`, `vers` and `cksum` must match. */
  readonly indexLine: string | Readonly<Record<string, unknown>>;
  readonly links?: string | null;
  readonly rustVersion?: string | null;
  readonly description?: string | null;
  readonly homepage?: string | null;
  readonly repository?: string | null;
  readonly documentation?: string | null;
}

export interface PublishResult {
  readonly crateId: number;
  readonly versionId: number;
  /** The crate's stored name (equal to the input name). */
  readonly crateName: string;
  /** True when this publish created the crate. */
  readonly newCrate: boolean;
}

export interface IndexFile {
  /** The crate's stored name (the server may compare it with the requested path). */
  readonly name: string;
  /** One JSON line per version, in publish order. */
  readonly lines: readonly string[];
  /** The index file: every line followed by `\n`. */
  readonly body: string;
  /** Strong ETag header value (quoted SHA-256 of `body`). */
  readonly etag: string;
}

export interface PublishRecord {
  readonly crate: string;
  readonly version: string;
  readonly cksum: string;
  readonly size: number;
  readonly yanked: boolean;
  readonly publishedAt: number;
  readonly links: string | null;
  readonly rustVersion: string | null;
  readonly publisher: { readonly id: number; readonly name: string } | null;
  readonly tokenId: number | null;
  readonly tokenName: string | null;
  readonly trustedClaims: TrustedClaims | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface Owner {
  readonly id: number;
  readonly name: string;
}

export interface SearchHit {
  readonly name: string;
  /** Highest non-yanked version (NULL when every version is yanked). */
  readonly maxVersion: string | null;
  readonly description: string | null;
  readonly updatedAt: number;
}

export interface SearchResult {
  readonly crates: readonly SearchHit[];
  readonly total: number;
}

export interface TrustedPublisherConfig {
  /** Default "github". */
  readonly provider?: string;
  readonly issuer: string;
  readonly repositoryOwner: string;
  readonly repositoryOwnerId: string;
  readonly repository: string;
  readonly workflowFilename: string;
  readonly environment?: string | null;
}

export interface TrustedPublisher {
  readonly id: number;
  readonly crateId: number;
  readonly crateName: string;
  readonly provider: string;
  readonly issuer: string;
  readonly repositoryOwner: string;
  readonly repositoryOwnerId: string;
  readonly repository: string;
  readonly workflowFilename: string;
  readonly environment: string | null;
  readonly createdAt: number;
  readonly createdBy: number | null;
}

/** Audit actions written by this module; other modules may append their own (e.g. `admin:…`). */
export type KnownAuditAction =
  | "user-create"
  | "user-lock"
  | "user-unlock"
  | "token-create"
  | "token-revoke"
  | "token-revoke-all"
  | "trusted-publishing-exchange"
  | "publish"
  | "yank"
  | "unyank"
  | "owner-add"
  | "owner-remove"
  | "trusted-publisher-add"
  | "trusted-publisher-remove"
  | "trusted-publishing-only"
  | "name-hold"
  | "login";
export type AuditAction = KnownAuditAction | (string & {});

export interface AuditTarget {
  readonly crate?: string | null;
  readonly version?: string | null;
  readonly details?: Readonly<Record<string, unknown>> | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly action: string;
  readonly actorUserId: number | null;
  readonly actorName: string | null;
  readonly tokenId: number | null;
  readonly trustedClaims: TrustedClaims | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly crate: string | null;
  readonly version: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
}

export interface AuditQuery {
  /** Crate name (compared canonically: case and `-`/`_` ignored). */
  readonly crate?: string;
  /** Actor: user name or id. */
  readonly user?: string | number;
  readonly action?: string | readonly string[];
  /** Inclusive lower bound on `at`. */
  readonly since?: number;
  /** Exclusive upper bound on `at`. */
  readonly until?: number;
  /** Page size, default 100, at most 1000. */
  readonly limit?: number;
  /** Cursor: only entries with an id below this (from `AuditPage.next`). */
  readonly before?: number;
}

export interface AuditPage {
  /** Newest first. */
  readonly entries: readonly AuditEntry[];
  /** Pass as `before` for the next page; NULL on the last page. */
  readonly next: number | null;
}

export interface RateLimitResult {
  readonly allowed: boolean;
  /** Hits in the current window, this one included. */
  readonly count: number;
  readonly limit: number;
  readonly remaining: number;
  /** When the current window ends. */
  readonly resetAt: number;
  /** 0 when allowed; otherwise how long until the window ends. */
  readonly retryAfterMs: number;
}

export interface NameHold {
  readonly canonicalName: string;
  /** NULL: held permanently. */
  readonly until: number | null;
  readonly reason: string | null;
  readonly createdAt: number;
}

export interface StoreOptions {
  /** Clock (epoch ms); tests inject one. */
  readonly now?: () => number;
  /** `last_used_at` is written at most this often per token (default 60 s). */
  readonly tokenTouchIntervalMs?: number;
  /**
   * Test hook: called between the statements of a multi-statement transaction with the name of
   * the step just done; throwing simulates a crash at that point.
   */
  readonly faultInjector?: (step: string) => void | Promise<void>;
}

// ---------------------------------------------------------------------------------------------

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DEFAULT_TOUCH_INTERVAL = 60_000;

const notFound = (message: string) => new StoreError("not-found", message);
const conflict = (message: string) => new StoreError("conflict", message);
const invalid = (message: string) => new StoreError("invalid", message);
const forbidden = (message: string) => new StoreError("forbidden", message);

const toJson = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

function fromJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw invalid(`${what} must not be empty`);
  return value;
}

function normalizeHash(hash: string): string {
  const h = hash.toLowerCase();
  if (!SHA256_HEX.test(h)) throw invalid("a token hash must be 64 hexadecimal digits (SHA-256)");
  return h;
}

function stringList(value: readonly string[] | null | undefined, what: string): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    throw invalid(`${what} must be a list of non-empty strings`);
  }
  return [...value];
}

function sqlLikePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

function toUser(row: Selectable<UsersTable>, now: number): User {
  const locked =
    row.locked_at !== null && (row.locked_until === null || Number(row.locked_until) > now);
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    isAdmin: row.is_admin === 1,
    lockedAt: row.locked_at,
    lockedUntil: row.locked_until,
    lockReason: row.lock_reason,
    locked,
  };
}

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind === "trusted-publishing" ? "trusted-publishing" : "api",
    name: row.name,
    endpointScopes: fromJson<string[]>(row.endpoint_scopes),
    crateScopes: fromJson<string[]>(row.crate_scopes),
    trustedClaims: fromJson<TrustedClaims>(row.trusted_claims),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function toCrate(row: Selectable<CratesTable>): Crate {
  return {
    id: row.id,
    name: row.name,
    canonicalName: row.canonical_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    description: row.description,
    homepage: row.homepage,
    repository: row.repository,
    documentation: row.documentation,
    trustedPublishingOnly: row.trusted_publishing_only === 1,
    lockedAt: row.locked_at,
    lockReason: row.lock_reason,
  };
}

function toTrustedPublisher(
  row: Selectable<TrustedPublishersTable>,
  crateName: string,
): TrustedPublisher {
  return {
    id: row.id,
    crateId: row.crate_id,
    crateName,
    provider: row.provider,
    issuer: row.issuer,
    repositoryOwner: row.repository_owner,
    repositoryOwnerId: row.repository_owner_id,
    repository: row.repository,
    workflowFilename: row.workflow_filename,
    environment: row.environment,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    actorUserId: row.actor_user_id,
    actorName: row.actor_name,
    tokenId: row.token_id,
    trustedClaims: fromJson<TrustedClaims>(row.trusted_claims),
    ip: row.ip,
    userAgent: row.user_agent,
    crate: row.crate,
    version: row.version,
    details: fromJson<Record<string, unknown>>(row.details),
  };
}

/** Validates the index line and returns it as stored: compact JSON with `yanked: false`. */
function normalizeIndexLine(input: PublishInput): string {
  let value: unknown = input.indexLine;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalid("the index line is not valid JSON");
    }
  }
  if (!isPlainObject(value)) throw invalid("the index line must be a JSON object");
  if (value.name !== input.name || value.vers !== input.version) {
    throw invalid("the index line's name and vers do not match the published crate");
  }
  if (value.cksum !== input.cksum) {
    throw invalid("the index line's cksum does not match the crate file");
  }
  return JSON.stringify({ ...value, yanked: false });
}

function withYanked(line: string, yanked: boolean): string {
  const value = fromJson<unknown>(line);
  if (!isPlainObject(value)) throw new StoreError("internal", "a stored index line is corrupt");
  value.yanked = yanked;
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------

export class RegistryStore {
  readonly db: Db;
  readonly engine: Engine;
  readonly #now: () => number;
  readonly #touchInterval: number;
  readonly #faultInjector: StoreOptions["faultInjector"];

  constructor(db: Db, engine: Engine, options: StoreOptions = {}) {
    this.db = db;
    this.engine = engine;
    this.#now = options.now ?? Date.now;
    this.#touchInterval = options.tokenTouchIntervalMs ?? DEFAULT_TOUCH_INTERVAL;
    this.#faultInjector = options.faultInjector;
  }

  /** Closes the SQLite file or the PostgreSQL pool. */
  async close(): Promise<void> {
    await this.db.destroy();
  }

  now(): number {
    return this.#now();
  }

  // ----- plumbing ------------------------------------------------------------------------------

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(e);
    }
  }

  #tx<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.#guard(() => this.db.transaction().execute(fn));
  }

  async #step(name: string): Promise<void> {
    if (this.#faultInjector) await this.#faultInjector(name);
  }

  async #audit(
    trx: Db,
    ctx: ActorContext,
    action: AuditAction,
    target: AuditTarget,
    at: number,
  ): Promise<number> {
    const userId = ctx.userId ?? null;
    const row = await trx
      .insertInto("audit_log")
      .values((eb) => ({
        at,
        action,
        actor_user_id: userId,
        actor_name:
          userId === null ? null : eb.selectFrom("users").select("name").where("id", "=", userId),
        token_id: ctx.tokenId ?? null,
        trusted_claims: toJson(ctx.trusted),
        ip: ctx.ip ?? null,
        user_agent: ctx.userAgent ?? null,
        crate: target.crate ?? null,
        version: target.version ?? null,
        details: toJson(target.details),
      }))
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The crate row, locked for the rest of the transaction on PostgreSQL. */
  async #crateForUpdate(trx: Trx, name: string): Promise<Selectable<CratesTable> | undefined> {
    const q = trx
      .selectFrom("crates")
      .selectAll()
      .where("canonical_name", "=", canonicalCrateName(name));
    return (this.engine === "postgres" ? q.forUpdate() : q).executeTakeFirst();
  }

  async #requireCrate(trx: Trx, name: string): Promise<Selectable<CratesTable>> {
    const row = await this.#crateForUpdate(trx, name);
    if (!row) throw notFound(`crate \`${name}\` does not exist`);
    return row;
  }

  async #userByName(db: Db, name: string): Promise<Selectable<UsersTable> | undefined> {
    return db
      .selectFrom("users")
      .selectAll()
      .where("name_canonical", "=", canonicalUserName(name))
      .executeTakeFirst();
  }

  // ----- audit ---------------------------------------------------------------------------------

  /**
   * Appends an audit row for an event that changes no other table (login, an admin action done
   * elsewhere). Returns the row id.
   */
  async appendAudit(
    action: AuditAction,
    ctx: ActorContext,
    target: AuditTarget = {},
  ): Promise<number> {
    requireText(action, "an audit action");
    return this.#tx((trx) => this.#audit(trx, ctx, action, target, this.now()));
  }

  /** Audit entries matching every given filter, newest first, one page at a time. */
  async queryAuditLog(query: AuditQuery = {}): Promise<AuditPage> {
    return this.#guard(async () => {
      const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 1000);
      let q = this.db.selectFrom("audit_log").selectAll();
      if (query.crate !== undefined) {
        q = q.where(
          sql<string>`lower(replace(crate, '-', '_'))`,
          "=",
          canonicalCrateName(query.crate),
        );
      }
      if (query.user !== undefined) {
        let userId: number;
        if (typeof query.user === "number") userId = query.user;
        else {
          const user = await this.#userByName(this.db, query.user);
          if (!user) return { entries: [], next: null };
          userId = user.id;
        }
        q = q.where("actor_user_id", "=", userId);
      }
      if (query.action !== undefined) {
        const actions = typeof query.action === "string" ? [query.action] : [...query.action];
        if (actions.length === 0) return { entries: [], next: null };
        q = q.where("action", "in", actions);
      }
      if (query.since !== undefined) q = q.where("at", ">=", query.since);
      if (query.until !== undefined) q = q.where("at", "<", query.until);
      if (query.before !== undefined) q = q.where("id", "<", query.before);
      const rows = await q
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit).map(toAuditEntry);
      const last = page[page.length - 1];
      return { entries: page, next: rows.length > limit && last ? last.id : null };
    });
  }

  // ----- users ---------------------------------------------------------------------------------

  async createUser(
    input: { name: string; isAdmin?: boolean },
    ctx: ActorContext = {},
  ): Promise<User> {
    const name = requireText(input.name, "a user name").trim();
    return this.#tx(async (trx) => {
      const now = this.now();
      if (await this.#userByName(trx, name)) throw conflict(`user \`${name}\` already exists`);
      const row = await trx
        .insertInto("users")
        .values({
          name,
          name_canonical: canonicalUserName(name),
          created_at: now,
          is_admin: input.isAdmin ? 1 : 0,
          locked_at: null,
          locked_until: null,
          lock_reason: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#step("user");
      await this.#audit(
        trx,
        ctx,
        "user-create",
        { details: { user: name, user_id: row.id, is_admin: input.isAdmin === true } },
        now,
      );
      return toUser(row, now);
    });
  }

  /** Case-insensitive lookup. */
  async findUserByName(name: string): Promise<User | null> {
    return this.#guard(async () => {
      const row = await this.#userByName(this.db, name);
      return row ? toUser(row, this.now()) : null;
    });
  }

  async getUser(id: number): Promise<User | null> {
    return this.#guard(async () => {
      const row = await this.db
        .selectFrom("users")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      return row ? toUser(row, this.now()) : null;
    });
  }

  /** Locks an account (until a time, or indefinitely). Auth must refuse locked users. */
  async lockUser(
    name: string,
    lock: { reason?: string | null; until?: number | null } = {},
    ctx: ActorContext = {},
  ): Promise<User> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const user = await this.#userByName(trx, name);
      if (!user) throw notFound(`user \`${name}\` does not exist`);
      const row = await trx
        .updateTable("users")
        .set({ locked_at: now, locked_until: lock.until ?? null, lock_reason: lock.reason ?? null })
        .where("id", "=", user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#audit(
        trx,
        ctx,
        "user-lock",
        {
          details: {
            user: user.name,
            user_id: user.id,
            until: lock.until ?? null,
            reason: lock.reason ?? null,
          },
        },
        now,
      );
      return toUser(row, now);
    });
  }

  async unlockUser(name: string, ctx: ActorContext = {}): Promise<User> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const user = await this.#userByName(trx, name);
      if (!user) throw notFound(`user \`${name}\` does not exist`);
      const row = await trx
        .updateTable("users")
        .set({ locked_at: null, locked_until: null, lock_reason: null })
        .where("id", "=", user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#audit(
        trx,
        ctx,
        "user-unlock",
        { details: { user: user.name, user_id: user.id } },
        now,
      );
      return toUser(row, now);
    });
  }

  // ----- tokens --------------------------------------------------------------------------------

  /** Stores a new API token (its SHA-256 only). Throws "conflict" if the hash is already known. */
  async createToken(input: CreateTokenInput, ctx: ActorContext = {}): Promise<ApiToken> {
    const name = requireText(input.name, "a token name");
    const hash = normalizeHash(input.tokenHash);
    const endpointScopes = stringList(input.endpointScopes, "endpoint scopes");
    const crateScopes = stringList(input.crateScopes, "crate scopes");
    return this.#tx(async (trx) => {
      const now = this.now();
      const user = await trx
        .selectFrom("users")
        .select(["id", "name"])
        .where("id", "=", input.userId)
        .executeTakeFirst();
      if (!user) throw notFound("the token's user does not exist");
      const existing = await trx
        .selectFrom("api_tokens")
        .select("id")
        .where("token_hash", "=", hash)
        .executeTakeFirst();
      if (existing) throw conflict("a token with this hash already exists");
      const row = await trx
        .insertInto("api_tokens")
        .values({
          user_id: user.id,
          kind: "api",
          name,
          token_hash: hash,
          endpoint_scopes: toJson(endpointScopes),
          crate_scopes: toJson(crateScopes),
          trusted_claims: null,
          created_at: now,
          expires_at: input.expiresAt ?? null,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#step("token");
      await this.#audit(
        trx,
        ctx,
        "token-create",
        {
          details: {
            token_id: row.id,
            name,
            user: user.name,
            endpoint_scopes: endpointScopes,
            crate_scopes: crateScopes,
            expires_at: input.expiresAt ?? null,
          },
        },
        now,
      );
      return toToken(row);
    });
  }

  /**
   * Trusted-publishing exchange in one transaction: claims the JWT's `jti`, stores the
   * short-lived token (hash only) bound to the given crates, and audits the exchange. Returns
   * null, writing nothing, when the jti was already used (a replay).
   */
  async createTrustedPublishingToken(
    input: TrustedPublishingTokenInput,
    ctx: ActorContext = {},
  ): Promise<ApiToken | null> {
    const jti = requireText(input.jti, "a jti");
    const hash = normalizeHash(input.tokenHash);
    const crates = stringList(input.crateNames, "crate names") ?? [];
    if (crates.length === 0) throw invalid("a trusted-publishing token needs at least one crate");
    const endpointScopes = stringList(input.endpointScopes, "endpoint scopes") ?? [
      "publish-update",
    ];
    return this.#tx(async (trx) => {
      const now = this.now();
      const claimed = await trx
        .insertInto("used_jtis")
        .values({ jti, expires_at: input.jtiExpiresAt, used_at: now })
        .onConflict((oc) => oc.column("jti").doNothing())
        .returning("jti")
        .executeTakeFirst();
      if (!claimed) return null;
      await this.#step("jti");
      const row = await trx
        .insertInto("api_tokens")
        .values({
          user_id: null,
          kind: "trusted-publishing",
          name: input.name ?? "trusted publishing",
          token_hash: hash,
          endpoint_scopes: toJson(endpointScopes),
          crate_scopes: toJson(crates),
          trusted_claims: toJson(input.claims),
          created_at: now,
          expires_at: input.expiresAt,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#step("token");
      await this.#audit(
        trx,
        { ...ctx, trusted: ctx.trusted ?? input.claims },
        "trusted-publishing-exchange",
        { details: { token_id: row.id, crates, jti, expires_at: input.expiresAt } },
        now,
      );
      return toToken(row);
    });
  }

  /**
   * The token with this SHA-256 (any state: the caller checks revoked/expired/scopes) and its
   * user. Records the use in `last_used_at`, at most once per touch interval, so authentication
   * does not write on every request; a failed touch never fails the lookup.
   */
  async findTokenByHash(tokenHash: string): Promise<TokenLookup | null> {
    return this.#guard(async () => {
      const hash = tokenHash.toLowerCase();
      if (!SHA256_HEX.test(hash)) return null;
      // One round trip: the token and its user.
      const joined = await this.db
        .selectFrom("api_tokens as t")
        .leftJoin("users as u", "u.id", "t.user_id")
        .selectAll("t")
        .select([
          "u.name as u_name",
          "u.name_canonical as u_name_canonical",
          "u.created_at as u_created_at",
          "u.is_admin as u_is_admin",
          "u.locked_at as u_locked_at",
          "u.locked_until as u_locked_until",
          "u.lock_reason as u_lock_reason",
        ])
        .where("t.token_hash", "=", hash)
        .executeTakeFirst();
      if (!joined) return null;
      const {
        u_name,
        u_name_canonical,
        u_created_at,
        u_is_admin,
        u_locked_at,
        u_locked_until,
        u_lock_reason,
        ...row
      } = joined;
      const now = this.now();
      const user =
        row.user_id === null || u_name === null
          ? undefined
          : {
              id: row.user_id,
              name: u_name,
              name_canonical: u_name_canonical ?? "",
              created_at: u_created_at ?? 0,
              is_admin: u_is_admin ?? 0,
              locked_at: u_locked_at,
              locked_until: u_locked_until,
              lock_reason: u_lock_reason,
            };
      let token = toToken(row);
      const usable = row.revoked_at === null && (row.expires_at === null || row.expires_at > now);
      const threshold = now - this.#touchInterval;
      if (usable && (row.last_used_at === null || row.last_used_at <= threshold)) {
        try {
          await this.db
            .updateTable("api_tokens")
            .set({ last_used_at: now })
            .where("id", "=", row.id)
            .where((eb) =>
              eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", threshold)]),
            )
            .execute();
          token = { ...token, lastUsedAt: now };
        } catch {
          // Read-only or busy database: authentication still works.
        }
      }
      return { token, user: user ? toUser(user, now) : null };
    });
  }

  async getToken(id: number): Promise<ApiToken | null> {
    return this.#guard(async () => {
      const row = await this.db
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      return row ? toToken(row) : null;
    });
  }

  /** A user's API tokens in creation order (revoked ones only on request). */
  async listTokens(
    userId: number,
    options: { includeRevoked?: boolean } = {},
  ): Promise<ApiToken[]> {
    return this.#guard(async () => {
      let q = this.db
        .selectFrom("api_tokens")
        .selectAll()
        .where("user_id", "=", userId)
        .where("kind", "=", "api");
      if (!options.includeRevoked) q = q.where("revoked_at", "is", null);
      const rows = await q.orderBy("id").execute();
      return rows.map(toToken);
    });
  }

  /**
   * Revokes a token. With `userId`, only that user's token is found (others are "not-found").
   * Returns false when it was already revoked (nothing written).
   */
  async revokeToken(
    id: number,
    ctx: ActorContext = {},
    options: { userId?: number } = {},
  ): Promise<boolean> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const row = await trx
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (!row || (options.userId !== undefined && row.user_id !== options.userId)) {
        throw notFound("the token does not exist");
      }
      if (row.revoked_at !== null) return false;
      await trx
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .execute();
      await this.#audit(
        trx,
        ctx,
        "token-revoke",
        { details: { token_id: id, name: row.name, kind: row.kind, user_id: row.user_id } },
        now,
      );
      return true;
    });
  }

  /** Revokes every live token of a user; returns how many. */
  async revokeAllTokens(userId: number, ctx: ActorContext = {}): Promise<number> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const rows = await trx
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .returning("id")
        .execute();
      if (rows.length > 0) {
        await this.#audit(
          trx,
          ctx,
          "token-revoke-all",
          { details: { user_id: userId, token_ids: rows.map((r) => r.id) } },
          now,
        );
      }
      return rows.length;
    });
  }

  /**
   * Marks an OIDC `jti` as used until `expiresAt`. Atomic on both engines (unique key): returns
   * false when it was already claimed (a replay). Expired entries are purged on the way.
   */
  async claimJti(jti: string, expiresAt: number): Promise<boolean> {
    requireText(jti, "a jti");
    return this.#tx(async (trx) => {
      const now = this.now();
      await trx.deleteFrom("used_jtis").where("expires_at", "<", now).execute();
      const row = await trx
        .insertInto("used_jtis")
        .values({ jti, expires_at: expiresAt, used_at: now })
        .onConflict((oc) => oc.column("jti").doNothing())
        .returning("jti")
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  // ----- crates and versions -------------------------------------------------------------------

  /** The crate whose canonical name equals that of `name` (case and `-`/`_` ignored). */
  async crateByCanonicalName(name: string): Promise<Crate | null> {
    return this.#guard(async () => {
      const row = await this.db
        .selectFrom("crates")
        .selectAll()
        .where("canonical_name", "=", canonicalCrateName(name))
        .executeTakeFirst();
      return row ? toCrate(row) : null;
    });
  }

  /**
   * Publishes a version, all or nothing: creates the crate on first publish (the publisher
   * becomes its first owner), stores the version with its publish record and index line,
   * refreshes the crate's metadata when this is its highest version, and appends the `publish`
   * audit row.
   *
   * Refused inside the transaction (so concurrent requests cannot slip past the server's checks):
   * - "conflict": the name differs from the existing crate's only in case or `-`/`_`; the name is
   *   held (deletion cool-down); the version (ignoring build metadata) already exists;
   * - "forbidden": the crate is locked; it is trusted-publishing-only and the actor is not a
   *   trusted publisher; a user actor is not an owner of the existing crate; nobody would own
   *   a new crate (no user actor).
   */
  async createCrateVersion(input: PublishInput, ctx: ActorContext = {}): Promise<PublishResult> {
    const name = requireText(input.name, "a crate name");
    const canonical = canonicalCrateName(name);
    const numNoBuild = versionWithoutBuild(input.version);
    if (!SHA256_HEX.test(input.cksum)) throw invalid("cksum must be 64 lowercase hex digits");
    if (!Number.isSafeInteger(input.size) || input.size < 0) throw invalid("invalid crate size");
    const indexLine = normalizeIndexLine(input);
    const userId = ctx.userId ?? null;
    const trusted = ctx.trusted ?? null;

    return this.#tx(async (trx) => {
      const now = this.now();
      let crate = await this.#crateForUpdate(trx, name);
      let newCrate = false;
      if (!crate) {
        if (userId === null) throw forbidden("a new crate must be published by a user");
        const hold = await trx
          .selectFrom("name_holds")
          .selectAll()
          .where("canonical_name", "=", canonical)
          .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", now)]))
          .executeTakeFirst();
        if (hold) {
          throw conflict(
            hold.until === null
              ? `the crate name \`${name}\` is reserved`
              : `the crate name \`${name}\` is not available until ${new Date(hold.until).toISOString()}`,
          );
        }
        crate = await trx
          .insertInto("crates")
          .values({
            name,
            canonical_name: canonical,
            created_at: now,
            updated_at: now,
            description: input.description ?? null,
            homepage: input.homepage ?? null,
            repository: input.repository ?? null,
            documentation: input.documentation ?? null,
            trusted_publishing_only: 0,
            locked_at: null,
            lock_reason: null,
          })
          .onConflict((oc) => oc.column("canonical_name").doNothing())
          .returningAll()
          .executeTakeFirst();
        if (crate) newCrate = true;
        else crate = await this.#requireCrate(trx, name); // created concurrently
      }
      await this.#step("crate");
      if (crate.name !== name) {
        throw conflict(
          `crate \`${name}\` collides with the existing crate \`${crate.name}\` (names differ only in case or -/_)`,
        );
      }
      if (!newCrate) {
        if (crate.locked_at !== null) throw forbidden(`crate \`${crate.name}\` is locked`);
        if (crate.trusted_publishing_only === 1 && trusted === null) {
          throw forbidden(`crate \`${crate.name}\` only accepts trusted publishing`);
        }
        if (userId !== null) {
          const owner = await trx
            .selectFrom("crate_owners")
            .select("user_id")
            .where("crate_id", "=", crate.id)
            .where("user_id", "=", userId)
            .executeTakeFirst();
          if (!owner) throw forbidden(`you are not an owner of crate \`${crate.name}\``);
        }
      }
      const existing = await trx
        .selectFrom("versions")
        .select(["num", "num_no_build"])
        .where("crate_id", "=", crate.id)
        .execute();
      const same = existing.find((v) => v.num_no_build === numNoBuild);
      if (same) {
        throw conflict(
          same.num === input.version
            ? `crate version \`${crate.name}@${input.version}\` already exists`
            : `crate version \`${crate.name}@${input.version}\` conflicts with the existing version ${same.num} (build metadata is ignored)`,
        );
      }
      const version = await trx
        .insertInto("versions")
        .values({
          crate_id: crate.id,
          num: input.version,
          num_no_build: numNoBuild,
          cksum: input.cksum,
          size: input.size,
          yanked: 0,
          created_at: now,
          index_line: indexLine,
          links: input.links ?? null,
          rust_version: input.rustVersion ?? null,
          published_by: userId,
          token_id: ctx.tokenId ?? null,
          trusted_claims: toJson(trusted),
          ip: ctx.ip ?? null,
          user_agent: ctx.userAgent ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await this.#step("version");
      if (newCrate && userId !== null) {
        await trx
          .insertInto("crate_owners")
          .values({ crate_id: crate.id, user_id: userId, created_at: now, created_by: userId })
          .execute();
        await this.#step("owner");
      }
      const highest = existing.every((v) => compareVersionStrings(input.version, v.num) > 0);
      await trx
        .updateTable("crates")
        .set(
          highest && !newCrate
            ? {
                updated_at: now,
                description: input.description ?? null,
                homepage: input.homepage ?? null,
                repository: input.repository ?? null,
                documentation: input.documentation ?? null,
              }
            : { updated_at: now },
        )
        .where("id", "=", crate.id)
        .execute();
      await this.#step("crate-update");
      await this.#audit(
        trx,
        ctx,
        "publish",
        {
          crate: crate.name,
          version: input.version,
          details: {
            new_crate: newCrate,
            version_id: version.id,
            cksum: input.cksum,
            size: input.size,
          },
        },
        now,
      );
      await this.#step("audit");
      return { crateId: crate.id, versionId: version.id, crateName: crate.name, newCrate };
    });
  }

  /**
   * The sparse-index file of a crate (lines in publish order) with its ETag, or null when the
   * crate does not exist or has no versions.
   */
  async getIndexLines(name: string): Promise<IndexFile | null> {
    return this.#guard(async () => {
      const rows = await this.db
        .selectFrom("crates")
        .innerJoin("versions", "versions.crate_id", "crates.id")
        .select(["crates.name as name", "versions.index_line as line"])
        .where("crates.canonical_name", "=", canonicalCrateName(name))
        .orderBy("versions.id")
        .execute();
      const first = rows[0];
      if (!first) return null;
      const lines = rows.map((r) => r.line);
      const body = `${lines.join("\n")}\n`;
      return { name: first.name, lines, body, etag: `"${sha256Hex(body)}"` };
    });
  }

  /** Yanks a version (index line and flag). Returns whether anything changed. */
  async yank(
    crate: string,
    version: string,
    ctx: ActorContext = {},
  ): Promise<{ changed: boolean }> {
    return this.#setYanked(crate, version, true, ctx);
  }

  async unyank(
    crate: string,
    version: string,
    ctx: ActorContext = {},
  ): Promise<{ changed: boolean }> {
    return this.#setYanked(crate, version, false, ctx);
  }

  async #setYanked(
    crateName: string,
    version: string,
    yanked: boolean,
    ctx: ActorContext,
  ): Promise<{ changed: boolean }> {
    const numNoBuild = versionWithoutBuild(version);
    return this.#tx(async (trx) => {
      const now = this.now();
      const crate = await this.#requireCrate(trx, crateName);
      const row = await trx
        .selectFrom("versions")
        .select(["id", "num", "yanked", "index_line"])
        .where("crate_id", "=", crate.id)
        .where("num_no_build", "=", numNoBuild)
        .executeTakeFirst();
      if (!row) throw notFound(`crate \`${crate.name}\` has no version ${version}`);
      if ((row.yanked === 1) === yanked) return { changed: false };
      await trx
        .updateTable("versions")
        .set({ yanked: yanked ? 1 : 0, index_line: withYanked(row.index_line, yanked) })
        .where("id", "=", row.id)
        .execute();
      await this.#step("version");
      await trx.updateTable("crates").set({ updated_at: now }).where("id", "=", crate.id).execute();
      await this.#audit(
        trx,
        ctx,
        yanked ? "yank" : "unyank",
        { crate: crate.name, version: row.num, details: { version_id: row.id } },
        now,
      );
      return { changed: true };
    });
  }

  /** The publish record of one version (build metadata in `version` is ignored), or null. */
  async getPublishRecord(crate: string, version: string): Promise<PublishRecord | null> {
    return this.#guard(async () => {
      const numNoBuild = noBuildOrNull(version);
      if (numNoBuild === null) return null;
      const rows = await this.#publishRecords(crate, numNoBuild);
      return rows[0] ?? null;
    });
  }

  /** Every version's publish record, in publish order. */
  async listVersions(crate: string): Promise<PublishRecord[]> {
    return this.#guard(() => this.#publishRecords(crate, null));
  }

  async #publishRecords(crate: string, numNoBuild: string | null): Promise<PublishRecord[]> {
    let q = this.db
      .selectFrom("versions as v")
      .innerJoin("crates as c", "c.id", "v.crate_id")
      .leftJoin("users as u", "u.id", "v.published_by")
      .leftJoin("api_tokens as t", "t.id", "v.token_id")
      .select([
        "c.name as crate",
        "v.num as version",
        "v.cksum",
        "v.size",
        "v.yanked",
        "v.created_at",
        "v.links",
        "v.rust_version",
        "v.published_by",
        "u.name as publisher_name",
        "v.token_id",
        "t.name as token_name",
        "v.trusted_claims",
        "v.ip",
        "v.user_agent",
      ])
      .where("c.canonical_name", "=", canonicalCrateName(crate));
    if (numNoBuild !== null) q = q.where("v.num_no_build", "=", numNoBuild);
    const rows = await q.orderBy("v.id").execute();
    return rows.map((r) => ({
      crate: r.crate,
      version: r.version,
      cksum: r.cksum,
      size: r.size,
      yanked: r.yanked === 1,
      publishedAt: r.created_at,
      links: r.links,
      rustVersion: r.rust_version,
      publisher:
        r.published_by === null ? null : { id: r.published_by, name: r.publisher_name ?? "" },
      tokenId: r.token_id,
      tokenName: r.token_name,
      trustedClaims: fromJson<TrustedClaims>(r.trusted_claims),
      ip: r.ip,
      userAgent: r.user_agent,
    }));
  }

  /** Whether the crate, on its own, refuses publishes from non-trusted publishers. */
  async setTrustedPublishingOnly(
    crateName: string,
    value: boolean,
    ctx: ActorContext = {},
  ): Promise<{ changed: boolean }> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const crate = await this.#requireCrate(trx, crateName);
      if ((crate.trusted_publishing_only === 1) === value) return { changed: false };
      await trx
        .updateTable("crates")
        .set({ trusted_publishing_only: value ? 1 : 0, updated_at: now })
        .where("id", "=", crate.id)
        .execute();
      await this.#audit(
        trx,
        ctx,
        "trusted-publishing-only",
        { crate: crate.name, details: { value } },
        now,
      );
      return { changed: true };
    });
  }

  // ----- owners --------------------------------------------------------------------------------

  async listOwners(crateName: string): Promise<Owner[]> {
    return this.#guard(async () => {
      const crate = await this.db
        .selectFrom("crates")
        .select("id")
        .where("canonical_name", "=", canonicalCrateName(crateName))
        .executeTakeFirst();
      if (!crate) throw notFound(`crate \`${crateName}\` does not exist`);
      return this.db
        .selectFrom("crate_owners as o")
        .innerJoin("users as u", "u.id", "o.user_id")
        .select(["u.id", "u.name"])
        .where("o.crate_id", "=", crate.id)
        .orderBy("o.created_at")
        .orderBy("u.id")
        .execute();
    });
  }

  async isOwner(crateName: string, userId: number): Promise<boolean> {
    return this.#guard(async () => {
      const row = await this.db
        .selectFrom("crate_owners as o")
        .innerJoin("crates as c", "c.id", "o.crate_id")
        .select("o.user_id")
        .where("c.canonical_name", "=", canonicalCrateName(crateName))
        .where("o.user_id", "=", userId)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  /** Adds owners (existing ones are skipped); returns those added. "not-found" for unknown users. */
  async addOwners(
    crateName: string,
    userNames: readonly string[],
    ctx: ActorContext = {},
  ): Promise<Owner[]> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const crate = await this.#requireCrate(trx, crateName);
      const added: Owner[] = [];
      for (const userName of userNames) {
        const user = await this.#userByName(trx, userName);
        if (!user) throw notFound(`user \`${userName}\` does not exist`);
        const row = await trx
          .insertInto("crate_owners")
          .values({
            crate_id: crate.id,
            user_id: user.id,
            created_at: now,
            created_by: ctx.userId ?? null,
          })
          .onConflict((oc) => oc.columns(["crate_id", "user_id"]).doNothing())
          .returning("user_id")
          .executeTakeFirst();
        if (!row) continue;
        await this.#audit(
          trx,
          ctx,
          "owner-add",
          { crate: crate.name, details: { user: user.name, user_id: user.id } },
          now,
        );
        added.push({ id: user.id, name: user.name });
      }
      return added;
    });
  }

  /**
   * Removes owners; returns those removed. "not-found" for a user who is not an owner;
   * "conflict" when no owner would remain.
   */
  async removeOwners(
    crateName: string,
    userNames: readonly string[],
    ctx: ActorContext = {},
  ): Promise<Owner[]> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const crate = await this.#requireCrate(trx, crateName);
      const owners = await trx
        .selectFrom("crate_owners as o")
        .innerJoin("users as u", "u.id", "o.user_id")
        .select(["u.id", "u.name", "u.name_canonical"])
        .where("o.crate_id", "=", crate.id)
        .execute();
      const removing = new Map<number, Owner>();
      for (const userName of userNames) {
        const owner = owners.find((o) => o.name_canonical === canonicalUserName(userName));
        if (!owner) throw notFound(`\`${userName}\` is not an owner of crate \`${crate.name}\``);
        removing.set(owner.id, { id: owner.id, name: owner.name });
      }
      if (removing.size > 0 && removing.size >= owners.length) {
        throw conflict(`crate \`${crate.name}\` must keep at least one owner`);
      }
      for (const owner of removing.values()) {
        await trx
          .deleteFrom("crate_owners")
          .where("crate_id", "=", crate.id)
          .where("user_id", "=", owner.id)
          .execute();
        await this.#audit(
          trx,
          ctx,
          "owner-remove",
          { crate: crate.name, details: { user: owner.name, user_id: owner.id } },
          now,
        );
      }
      return [...removing.values()];
    });
  }

  // ----- search --------------------------------------------------------------------------------

  /**
   * Crates whose name (canonically) or description contains `query`, case-insensitively; an
   * exact name match first, then by name. `page` starts at 1; `perPage` is clamped to 1..100.
   */
  async search(query: string, page = 1, perPage = 10): Promise<SearchResult> {
    return this.#guard(async () => {
      const size = Math.min(Math.max(Math.trunc(perPage) || 10, 1), 100);
      const pageNo = Math.max(Math.trunc(page) || 1, 1);
      const text = query.trim().toLowerCase();
      const canonical = canonicalCrateName(text);
      let base = this.db.selectFrom("crates");
      if (text !== "") {
        const namePattern = sqlLikePattern(canonical);
        const descPattern = sqlLikePattern(text);
        base = base.where((eb) =>
          eb.or([
            sql<SqlBool>`${eb.ref("canonical_name")} like ${namePattern} escape '\\'`,
            sql<SqlBool>`lower(coalesce(${eb.ref("description")}, '')) like ${descPattern} escape '\\'`,
          ]),
        );
      }
      const countRow = await base
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      const rows = await base
        .select(["id", "name", "description", "updated_at"])
        .orderBy(sql`case when canonical_name = ${canonical} then 0 else 1 end`)
        .orderBy("canonical_name")
        .limit(size)
        .offset((pageNo - 1) * size)
        .execute();
      const ids = rows.map((r) => r.id);
      const versions =
        ids.length === 0
          ? []
          : await this.db
              .selectFrom("versions")
              .select(["crate_id", "num", "yanked"])
              .where("crate_id", "in", ids)
              .execute();
      const max = new Map<number, string>();
      for (const v of versions) {
        if (v.yanked === 1) continue;
        const current = max.get(v.crate_id);
        if (current === undefined || compareVersionStrings(v.num, current) > 0) {
          max.set(v.crate_id, v.num);
        }
      }
      return {
        total: Number(countRow.n),
        crates: rows.map((r) => ({
          name: r.name,
          maxVersion: max.get(r.id) ?? null,
          description: r.description,
          updatedAt: r.updated_at,
        })),
      };
    });
  }

  // ----- trusted publishing configs ------------------------------------------------------------

  async addTrustedPublisher(
    crateName: string,
    config: TrustedPublisherConfig,
    ctx: ActorContext = {},
  ): Promise<TrustedPublisher> {
    const issuer = requireText(config.issuer, "the issuer");
    const owner = requireText(config.repositoryOwner, "the repository owner");
    const ownerId = requireText(config.repositoryOwnerId, "the repository owner id");
    const repository = requireText(config.repository, "the repository");
    const workflow = requireText(config.workflowFilename, "the workflow filename");
    const environment =
      config.environment === undefined || config.environment === null
        ? null
        : requireText(config.environment, "the environment");
    const provider = config.provider ?? "github";
    return this.#tx(async (trx) => {
      const now = this.now();
      const crate = await this.#requireCrate(trx, crateName);
      const existing = await trx
        .selectFrom("trusted_publishers")
        .selectAll()
        .where("crate_id", "=", crate.id)
        .execute();
      const duplicate = existing.some(
        (p) =>
          p.issuer === issuer &&
          p.repository_owner.toLowerCase() === owner.toLowerCase() &&
          p.repository.toLowerCase() === repository.toLowerCase() &&
          p.workflow_filename === workflow &&
          (p.environment ?? null) === environment,
      );
      if (duplicate) throw conflict(`crate \`${crate.name}\` already has this trusted publisher`);
      const row = await trx
        .insertInto("trusted_publishers")
        .values({
          crate_id: crate.id,
          provider,
          issuer,
          repository_owner: owner,
          repository_owner_id: ownerId,
          repository,
          workflow_filename: workflow,
          environment,
          created_at: now,
          created_by: ctx.userId ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#audit(
        trx,
        ctx,
        "trusted-publisher-add",
        {
          crate: crate.name,
          details: {
            config_id: row.id,
            provider,
            issuer,
            repository_owner: owner,
            repository_owner_id: ownerId,
            repository,
            workflow_filename: workflow,
            environment,
          },
        },
        now,
      );
      return toTrustedPublisher(row, crate.name);
    });
  }

  async listTrustedPublishers(crateName: string): Promise<TrustedPublisher[]> {
    return this.#guard(async () => {
      const crate = await this.crateByCanonicalName(crateName);
      if (!crate) throw notFound(`crate \`${crateName}\` does not exist`);
      const rows = await this.db
        .selectFrom("trusted_publishers")
        .selectAll()
        .where("crate_id", "=", crate.id)
        .orderBy("id")
        .execute();
      return rows.map((r) => toTrustedPublisher(r, crate.name));
    });
  }

  async getTrustedPublisher(id: number): Promise<TrustedPublisher | null> {
    return this.#guard(async () => {
      const row = await this.db
        .selectFrom("trusted_publishers as p")
        .innerJoin("crates as c", "c.id", "p.crate_id")
        .selectAll("p")
        .select("c.name as crate_name")
        .where("p.id", "=", id)
        .executeTakeFirst();
      return row ? toTrustedPublisher(row, row.crate_name) : null;
    });
  }

  /**
   * Configs whose issuer matches and whose repository owner and name match case-insensitively
   * (the caller then checks owner id, workflow and environment against the claims).
   */
  async findTrustedPublishers(query: {
    issuer: string;
    repositoryOwner: string;
    repository: string;
  }): Promise<TrustedPublisher[]> {
    return this.#guard(async () => {
      const rows = await this.db
        .selectFrom("trusted_publishers as p")
        .innerJoin("crates as c", "c.id", "p.crate_id")
        .selectAll("p")
        .select("c.name as crate_name")
        .where("p.issuer", "=", query.issuer)
        .where(sql<string>`lower(${sql.ref("p.repository")})`, "=", query.repository.toLowerCase())
        .where(
          sql<string>`lower(${sql.ref("p.repository_owner")})`,
          "=",
          query.repositoryOwner.toLowerCase(),
        )
        .orderBy("p.id")
        .execute();
      return rows.map((r) => toTrustedPublisher(r, r.crate_name));
    });
  }

  /** Deletes a config. With `crate`, a config of another crate is "not-found". */
  async removeTrustedPublisher(
    id: number,
    ctx: ActorContext = {},
    options: { crate?: string } = {},
  ): Promise<void> {
    return this.#tx(async (trx) => {
      const now = this.now();
      const row = await trx
        .selectFrom("trusted_publishers as p")
        .innerJoin("crates as c", "c.id", "p.crate_id")
        .selectAll("p")
        .select(["c.name as crate_name", "c.canonical_name"])
        .where("p.id", "=", id)
        .executeTakeFirst();
      if (
        !row ||
        (options.crate !== undefined && row.canonical_name !== canonicalCrateName(options.crate))
      ) {
        throw notFound("the trusted publisher config does not exist");
      }
      await trx.deleteFrom("trusted_publishers").where("id", "=", id).execute();
      await this.#audit(
        trx,
        ctx,
        "trusted-publisher-remove",
        {
          crate: row.crate_name,
          details: {
            config_id: id,
            issuer: row.issuer,
            repository_owner: row.repository_owner,
            repository: row.repository,
            workflow_filename: row.workflow_filename,
            environment: row.environment,
          },
        },
        now,
      );
    });
  }

  // ----- name holds ----------------------------------------------------------------------------

  /** Holds a crate name (deletion cool-down, or permanently with `until` NULL). */
  async holdName(
    name: string,
    until: number | null,
    reason: string | null,
    ctx: ActorContext = {},
  ): Promise<NameHold> {
    const canonical = canonicalCrateName(requireText(name, "a crate name"));
    return this.#tx(async (trx) => {
      const now = this.now();
      const values = {
        canonical_name: canonical,
        until,
        reason,
        created_at: now,
        created_by: ctx.userId ?? null,
      };
      await trx
        .insertInto("name_holds")
        .values(values)
        .onConflict((oc) =>
          oc.column("canonical_name").doUpdateSet({
            until,
            reason,
            created_at: now,
            created_by: ctx.userId ?? null,
          }),
        )
        .execute();
      await this.#audit(trx, ctx, "name-hold", { crate: name, details: { until, reason } }, now);
      return { canonicalName: canonical, until, reason, createdAt: now };
    });
  }

  /** The hold in force on a name, or null. */
  async getNameHold(name: string): Promise<NameHold | null> {
    return this.#guard(async () => {
      const now = this.now();
      const row = await this.db
        .selectFrom("name_holds")
        .selectAll()
        .where("canonical_name", "=", canonicalCrateName(name))
        .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", now)]))
        .executeTakeFirst();
      return row
        ? {
            canonicalName: row.canonical_name,
            until: row.until,
            reason: row.reason,
            createdAt: row.created_at,
          }
        : null;
    });
  }

  // ----- rate limits ---------------------------------------------------------------------------

  /**
   * Counts one hit of `key` in the current fixed window of `windowMs` (aligned to the epoch) and
   * says whether it is within `max`. One atomic upsert on both engines, so concurrent requests
   * (or several server processes on PostgreSQL) never lose a count.
   */
  async hit(key: string, windowMs: number, max: number): Promise<RateLimitResult> {
    requireText(key, "a rate-limit key");
    if (!Number.isSafeInteger(windowMs) || windowMs <= 0) throw invalid("invalid window");
    return this.#guard(async () => {
      const now = this.now();
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const row = await this.db
        .insertInto("rate_limits")
        .values({ key, window_start: windowStart, count: 1 })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            count: sql<number>`case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end`,
            window_start: sql<number>`excluded.window_start`,
          }),
        )
        .returning(["window_start", "count"])
        .executeTakeFirstOrThrow();
      const count = Number(row.count);
      const resetAt = Number(row.window_start) + windowMs;
      const allowed = count <= max;
      return {
        allowed,
        count,
        limit: max,
        remaining: Math.max(max - count, 0),
        resetAt,
        retryAfterMs: allowed ? 0 : Math.max(resetAt - now, 0),
      };
    });
  }

  /** Deletes expired jtis and rate-limit windows that ended before `olderThan`. */
  async purgeExpired(olderThan?: number): Promise<{ jtis: number; rateLimits: number }> {
    return this.#guard(async () => {
      const now = this.now();
      const jtis = await this.db.deleteFrom("used_jtis").where("expires_at", "<", now).execute();
      const buckets = await this.db
        .deleteFrom("rate_limits")
        .where("window_start", "<", olderThan ?? now - 24 * 3600_000)
        .execute();
      return {
        jtis: Number(jtis[0]?.numDeletedRows ?? 0),
        rateLimits: Number(buckets[0]?.numDeletedRows ?? 0),
      };
    });
  }
}

function noBuildOrNull(version: string): string | null {
  try {
    return versionWithoutBuild(version);
  } catch {
    return null;
  }
}

/**
 * Typed errors of the registry store. Callers (HTTP server, CLI) map `code` to a status; `message`
 * is written for people and never contains SQL text, parameters or driver messages. The driver
 * error, when there is one, is kept as `cause` for server logs only.
 */

export type StoreErrorCode =
  /** The crate, version, user, token or config does not exist. */
  | "not-found"
  /** A uniqueness rule or a state rule refused the change (name taken, last owner, …). */
  | "conflict"
  /** The change is not allowed for this actor or in the current state (locked crate, not an owner). */
  | "forbidden"
  /** The input is malformed (bad hash, bad version, bad URL). */
  | "invalid"
  /** The database is busy or unreachable; retrying later may succeed. */
  | "unavailable"
  /** Anything else the database reported. */
  | "internal";

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const isStoreError = (e: unknown, code?: StoreErrorCode): e is StoreError =>
  e instanceof StoreError && (code === undefined || e.code === code);

const SQLITE_UNIQUE = new Set(["SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"]);
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

function errorCode(e: unknown): string {
  if (typeof e === "object" && e !== null && "code" in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return "";
}

/**
 * Converts anything a driver throws into a StoreError with a safe message. Store errors pass
 * through unchanged.
 */
export function toStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = errorCode(e);
  if (SQLITE_UNIQUE.has(code) || code === "23505") {
    return new StoreError("conflict", "the record already exists", { cause: e });
  }
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503") {
    return new StoreError("not-found", "a referenced record does not exist", { cause: e });
  }
  if (code === "SQLITE_CONSTRAINT_TRIGGER" || code === "P0001") {
    return new StoreError("forbidden", "the database refused the change", { cause: e });
  }
  if (code.startsWith("SQLITE_CONSTRAINT") || code.startsWith("23")) {
    return new StoreError("invalid", "the record breaks a database constraint", { cause: e });
  }
  if (
    code.startsWith("SQLITE_BUSY") ||
    code.startsWith("SQLITE_LOCKED") ||
    code === "40001" ||
    code === "40P01" ||
    code === "55P03" ||
    code === "57P01" ||
    code.startsWith("08") ||
    CONNECTION_CODES.has(code)
  ) {
    return new StoreError("unavailable", "the database is busy or unreachable; try again", {
      cause: e,
    });
  }
  if (code === "SQLITE_READONLY" || code === "25006") {
    return new StoreError("unavailable", "the database is read-only", { cause: e });
  }
  if (code === "SQLITE_FULL" || code === "53100") {
    return new StoreError("unavailable", "the database disk is full", { cause: e });
  }
  return new StoreError("internal", "database error", { cause: e });
}

/**
 * A failure the user can act on (bad URL, offline, stale or missing database). The CLI prints
 * `message` alone: no stack trace.
 */
export class DatabaseError extends Error {
  override name = "DatabaseError";
}

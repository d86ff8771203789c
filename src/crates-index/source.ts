import type { IndexVersion } from "./entry.js";

/** Per-lookup options; an index that cannot be interrupted may ignore them. */
export interface LookupOptions {
  /** Aborts the lookup (e.g. an overall deadline); the rejection is an IndexUnavailableError. */
  readonly signal?: AbortSignal;
  /** Overrides the index's own per-request timeout. */
  readonly timeoutMs?: number;
}

/** Read access to a crates index. `null` means the crate does not exist there. */
export interface CratesIndex {
  /** A human-readable description for messages, e.g. the URL or directory. */
  readonly location: string;
  versions(crateName: string, options?: LookupOptions): Promise<readonly IndexVersion[] | null>;
}

/**
 * Why an index could not be consulted:
 * - `network`: no connection (refused, reset, DNS, TLS) — the index is unreachable;
 * - `timeout`: one request took longer than its timeout;
 * - `http`: the server answered with an error status (5xx, 429, …);
 * - `auth`: the server wants credentials (401/403);
 * - `offline`: offline mode and the file is not in the local cache;
 * - `io`: a local file could not be read;
 * - `deadline`: the overall deadline of a bulk lookup passed;
 * - `aborted`: the caller's signal aborted the lookup;
 * - `skipped`: a bulk lookup gave up before asking (see `LookupManyOptions.failFast`);
 * - `other`: anything else.
 */
export type IndexUnavailableKind =
  | "network"
  | "timeout"
  | "http"
  | "auth"
  | "offline"
  | "io"
  | "deadline"
  | "aborted"
  | "skipped"
  | "other";

/** The index could not be consulted (network, HTTP 5xx, unreadable file) — distinct from "not found". */
export class IndexUnavailableError extends Error {
  readonly kind: IndexUnavailableKind;

  constructor(
    message: string,
    kind: IndexUnavailableKind = "other",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "IndexUnavailableError";
    this.kind = kind;
  }

  /** True when the index itself is unreachable, so further requests are pointless. */
  get isConnectionFailure(): boolean {
    return this.kind === "network" || this.kind === "timeout";
  }
}

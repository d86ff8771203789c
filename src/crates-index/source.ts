import type { IndexVersion } from "./entry.js";

/** Read access to a crates index. `null` means the crate does not exist there. */
export interface CratesIndex {
  /** A human-readable description for messages, e.g. the URL or directory. */
  readonly location: string;
  versions(crateName: string): Promise<readonly IndexVersion[] | null>;
}

/** The index could not be consulted (network, HTTP 5xx, unreadable file) — distinct from "not found". */
export class IndexUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IndexUnavailableError";
  }
}

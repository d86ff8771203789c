/** Errors answered as `{"errors":[{"detail":"…"}]}` with a status. */
import { isStoreError, type StoreError } from "../store/index.js";

export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.status = status;
    this.headers = headers;
  }
}

export const envelope = (detail: string) => ({ errors: [{ detail }] });

const STORE_STATUS: Record<StoreError["code"], number> = {
  "not-found": 404,
  conflict: 409,
  forbidden: 403,
  invalid: 400,
  unavailable: 503,
  internal: 500,
};

/** A StoreError as an HttpError (5xx details are replaced: never SQL text in a response). */
export function fromStoreError(e: unknown): HttpError | null {
  if (!isStoreError(e)) return null;
  const status = STORE_STATUS[e.code];
  if (status >= 500) {
    return new HttpError(
      status,
      status === 503
        ? "the registry database is unavailable; try again later"
        : "internal server error",
    );
  }
  return new HttpError(status, e.message);
}

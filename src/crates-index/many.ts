import type { IndexVersion } from "./entry.js";
import { type CratesIndex, IndexUnavailableError } from "./source.js";

export interface LookupManyOptions {
  /** How many lookups run at once (default 16): an audit of 500 packages never opens more. */
  readonly concurrency?: number;
  /** Per-request timeout, overriding the index's own. */
  readonly timeoutMs?: number;
  /**
   * One deadline for the whole batch, in milliseconds from the call: when it passes, requests in
   * flight are aborted and every crate not yet answered gets an IndexUnavailableError of kind
   * `deadline`.
   */
  readonly deadlineMs?: number;
  /** Aborts the whole batch (unanswered crates get kind `aborted`). */
  readonly signal?: AbortSignal;
  /**
   * After the first connection-level failure (kind `network` or `timeout`: the index is
   * unreachable) abort the requests in flight and skip the rest; they get kind `skipped`, with
   * the failure as `cause`. Default true. HTTP errors (5xx…) are per crate and do not stop the
   * batch.
   */
  readonly failFast?: boolean;
}

/** A crate's versions, `null` when the index does not have it, or why it could not be asked. */
export type LookupResult = readonly IndexVersion[] | null | IndexUnavailableError;

/**
 * Looks up many crates with bounded parallelism. Never rejects: every distinct name of `names`
 * is a key of the result (in first-seen order), failures included as IndexUnavailableError
 * values. Errors other than IndexUnavailableError thrown by the index are wrapped in one.
 */
export async function lookupMany(
  index: CratesIndex,
  names: Iterable<string>,
  options: LookupManyOptions = {},
): Promise<Map<string, LookupResult>> {
  const unique = [...new Set(names)];
  const answers = new Map<string, LookupResult>();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 16) || 1);
  const failFast = options.failFast ?? true;
  const controller = new AbortController();
  let stopReason: IndexUnavailableError | null = null;
  const stop = (reason: IndexUnavailableError): void => {
    if (stopReason !== null) return;
    stopReason = reason;
    controller.abort(reason);
  };

  const onAbort = (): void => {
    const why = options.signal?.reason;
    stop(
      new IndexUnavailableError(
        `index lookups aborted${why instanceof Error ? `: ${why.message}` : ""}`,
        "aborted",
        { cause: why },
      ),
    );
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const deadlineMs = options.deadlineMs;
  const timer =
    deadlineMs === undefined
      ? undefined
      : setTimeout(
          () =>
            stop(
              new IndexUnavailableError(
                `index lookups did not finish within ${deadlineMs} ms`,
                "deadline",
              ),
            ),
          Math.max(0, deadlineMs),
        );

  let next = 0;
  const worker = async (): Promise<void> => {
    while (stopReason === null && next < unique.length) {
      const name = unique[next++] as string;
      try {
        answers.set(
          name,
          await index.versions(name, {
            signal: controller.signal,
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          }),
        );
      } catch (err) {
        if (stopReason !== null) {
          answers.set(name, unanswered(stopReason));
          continue;
        }
        const error =
          err instanceof IndexUnavailableError
            ? err
            : new IndexUnavailableError(
                `cannot look up ${name} in ${index.location}: ${(err as Error)?.message ?? String(err)}`,
                "other",
                { cause: err },
              );
        answers.set(name, error);
        if (failFast && error.isConnectionFailure) stop(error);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, () => worker()));
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }

  // Keep the caller's order; crates never asked (the batch stopped) get the reason it stopped.
  const results = new Map<string, LookupResult>();
  for (const name of unique) {
    const answer = answers.get(name);
    results.set(
      name,
      answer !== undefined
        ? answer
        : unanswered(stopReason ?? new IndexUnavailableError("lookup did not run", "other")),
    );
  }
  return results;
}

/** What a crate that was not (or not completely) looked up gets when the batch stops. */
function unanswered(reason: IndexUnavailableError): IndexUnavailableError {
  if (!reason.isConnectionFailure) return reason;
  return new IndexUnavailableError(
    `not looked up after an earlier failure: ${reason.message}`,
    "skipped",
    {
      cause: reason,
    },
  );
}

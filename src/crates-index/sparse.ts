import { type IndexVersion, parseIndexFile } from "./entry.js";
import { indexRelativePath, isValidCrateName } from "./path.js";
import { type CratesIndex, IndexUnavailableError } from "./source.js";

export const CRATES_IO_SPARSE_INDEX = "https://index.crates.io/";

export interface SparseIndexOptions {
  /** Per-request timeout; a registry that does not answer must not hang a CI job. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

/** A sparse (HTTP) crates index such as `https://index.crates.io/`. */
export class SparseIndex implements CratesIndex {
  readonly location: string;
  private readonly base: string;

  constructor(
    url: string = CRATES_IO_SPARSE_INDEX,
    private readonly options: SparseIndexOptions = {},
  ) {
    const withoutScheme = url.startsWith("sparse+") ? url.slice("sparse+".length) : url;
    this.base = withoutScheme.endsWith("/") ? withoutScheme : `${withoutScheme}/`;
    this.location = this.base;
  }

  async versions(crateName: string): Promise<readonly IndexVersion[] | null> {
    if (!isValidCrateName(crateName)) return null;
    const url = new URL(indexRelativePath(crateName), this.base);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { "user-agent": this.options.userAgent ?? "cratesec" },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      throw new IndexUnavailableError(
        `cannot reach ${url.href}: ${cause?.message ?? (err as Error).message}`,
      );
    }
    // crates.io answers 403/404 (and 410 for deleted crates) for names it does not have.
    if (response.status === 404 || response.status === 410 || response.status === 451) return null;
    if (!response.ok) {
      throw new IndexUnavailableError(`${url.href} answered HTTP ${response.status}`);
    }
    return parseIndexFile(await response.text());
  }
}

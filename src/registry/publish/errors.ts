/**
 * The one error type of the publish checks. Every refusal is a `PublishError` with an HTTP
 * status (4xx), a `detail` written for the person running `cargo publish` (cargo prints it
 * verbatim) and a stable machine-readable `code` for logs and the audit trail.
 */

export type PublishErrorCode =
  // framing (§5: u32 LE json_len, json, u32 LE crate_len, .crate bytes)
  | "body-too-large"
  | "body-truncated"
  | "body-trailing-bytes"
  | "metadata-too-large"
  | "crate-too-large"
  // metadata JSON
  | "metadata-json"
  | "metadata-invalid"
  | "name-invalid"
  | "name-reserved"
  | "name-collision"
  | "version-invalid"
  | "version-exists"
  | "dependency-invalid"
  | "dependency-wildcard"
  | "dependency-unknown"
  | "dependency-registry"
  | "feature-invalid"
  // the .crate file
  | "tarball-not-gzip"
  | "tarball-gzip"
  | "tarball-tar"
  | "tarball-too-large"
  | "tarball-too-many-entries"
  | "tarball-path"
  | "tarball-entry-type"
  | "tarball-duplicate"
  | "manifest-missing"
  | "manifest-multiple"
  | "manifest-invalid"
  | "manifest-mismatch";

export type PublishErrorStatus = 400 | 413;

export class PublishError extends Error {
  /** Discriminates `checkPublish`'s result: `{ ok: true, … } | PublishError`. */
  readonly ok = false as const;
  readonly status: PublishErrorStatus;
  readonly code: PublishErrorCode;
  /** The sentence cargo shows the user (`{"errors":[{"detail":…}]}`). */
  readonly detail: string;

  constructor(code: PublishErrorCode, detail: string, status: PublishErrorStatus = 400) {
    super(detail);
    this.name = "PublishError";
    this.code = code;
    this.detail = detail;
    this.status = status;
  }

  /** The registry API's error envelope (§5). */
  toResponseBody(): { errors: { detail: string }[] } {
    return { errors: [{ detail: this.detail }] };
  }
}

export const isPublishError = (e: unknown): e is PublishError => e instanceof PublishError;

/** Shortens user-supplied text quoted in a detail so a hostile value cannot flood a message. */
export function quote(text: string, max = 80): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  // JSON escaping keeps control characters and quotes visible and on one line.
  return `\`${JSON.stringify(shown).slice(1, -1)}\``;
}

/** `1048576` → `1 MiB`, `1500` → `1500 bytes`: limits read better in a detail. */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [1024 ** 3, "GiB"],
    [1024 ** 2, "MiB"],
    [1024, "KiB"],
  ];
  for (const [size, unit] of units) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  for (const [size, unit] of units) {
    if (n >= size) return `${(n / size).toFixed(1)} ${unit} (${n} bytes)`;
  }
  return `${n} bytes`;
}

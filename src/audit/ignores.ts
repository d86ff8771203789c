import type { Advisory } from "../advisory/model.js";
import type { IgnoreEntry } from "./config.js";

/**
 * Applies ignore entries to findings. An entry matches an advisory by id or by any alias (so
 * `CVE-…`/`GHSA-…` ignores work, unlike cargo-audit), and stops applying after its `until` day.
 */
export class IgnoreList {
  private readonly active: IgnoreEntry[];
  readonly expired: IgnoreEntry[];
  private readonly used = new Set<IgnoreEntry>();

  constructor(
    entries: readonly IgnoreEntry[],
    /** `YYYY-MM-DD`, the day the audit runs (injected so tests are deterministic). */
    today: string,
  ) {
    this.active = entries.filter((e) => e.until === null || e.until >= today);
    this.expired = entries.filter((e) => e.until !== null && e.until < today);
  }

  /** The entry that suppresses this advisory, if any (and remembers that it was used). */
  match(advisory: Advisory): IgnoreEntry | null {
    const { id, aliases } = advisory.metadata;
    const entry = this.active.find((e) => e.id === id || aliases.includes(e.id)) ?? null;
    if (entry) this.used.add(entry);
    return entry;
  }

  /** Active entries that suppressed nothing in this audit. */
  unused(): IgnoreEntry[] {
    return this.active.filter((e) => !this.used.has(e));
  }
}

/** Single use of OIDC token ids (crates.io `trustpub_used_jtis`). */

export interface JtiStore {
  /**
   * Record `jti` as used until `expiresAt`. Resolves true when it was not used before (the caller
   * may go on), false when it was (a replay). Must be atomic: two concurrent claims of the same
   * jti must not both resolve true (a database unique key does this).
   */
  claim(jti: string, expiresAt: Date): Promise<boolean>;
}

/** In-memory {@link JtiStore} (tests, single-process tools). Forgets a jti once it has expired. */
export class InMemoryJtiStore implements JtiStore {
  readonly #used = new Map<string, number>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  get size(): number {
    return this.#used.size;
  }

  async claim(jti: string, expiresAt: Date): Promise<boolean> {
    const now = this.#now().getTime();
    for (const [key, until] of this.#used) if (until <= now) this.#used.delete(key);
    if (this.#used.has(jti)) return false;
    this.#used.set(jti, expiresAt.getTime());
    return true;
  }
}

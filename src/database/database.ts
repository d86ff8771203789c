/**
 * An immutable, indexed set of advisories. Like rustsec, packages are indexed per collection, so
 * `std` advisories of `rust/` never answer a query about a crate named `std`.
 */
import type { Advisory, Collection } from "../advisory/model.js";
import type { Version } from "../semver/index.js";
import { type Entry, eagerEntry } from "./entry.js";
import { idSortKey } from "./ids.js";
import type { Provenance } from "./provenance.js";
import { crateScope, matchesQuery, type Query } from "./query.js";

/** Id order (natural), then package, then id spelling: a total, deterministic order. */
export function sortEntries(entries: readonly Entry[]): Entry[] {
  const keyed = entries.map((e) => ({ e, key: `${idSortKey(e.id)}\0${e.package}\0${e.id}` }));
  keyed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return keyed.map((k) => k.e);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class Database implements Iterable<Advisory> {
  readonly provenance: Provenance;
  readonly #entries: readonly Entry[];
  readonly #byId = new Map<string, Entry[]>();
  readonly #byAlias = new Map<string, Entry[]>();
  readonly #byPackage: Record<Collection | "none", Map<string, Entry[]>> = {
    crates: new Map(),
    rust: new Map(),
    none: new Map(),
  };
  readonly #rel = new WeakMap<Advisory, string>();
  #all: readonly Advisory[] | undefined;

  /** `entries` must already be in `sortEntries` order. */
  private constructor(entries: readonly Entry[], provenance: Provenance) {
    this.#entries = entries;
    this.provenance = provenance;
    for (const e of entries) {
      push(this.#byId, e.id, e);
      for (const alias of e.aliases) push(this.#byAlias, alias, e);
      push(this.#byPackage[e.collection ?? "none"], e.package, e);
    }
  }

  /**
   * Builds a database from already-validated advisories (from a directory, the cache or OSV).
   * Ids need not be unique: an OSV record naming several crates yields one advisory per crate.
   * `sources` maps advisories to their file, relative to `provenance.path` (used by the OSV export).
   */
  static fromAdvisories(
    advisories: Iterable<Advisory>,
    provenance: Provenance,
    sources: ReadonlyMap<Advisory, string> = new Map(),
  ): Database {
    const entries = [...advisories].map((a) => eagerEntry(a, sources.get(a) ?? null));
    return new Database(sortEntries(entries), provenance);
  }

  /** For the compiled cache: entries stored in `sortEntries` order, possibly lazy. */
  static fromSortedEntries(entries: readonly Entry[], provenance: Provenance): Database {
    return new Database(entries, provenance);
  }

  get count(): number {
    return this.#entries.length;
  }

  /** All advisories in id order. */
  advisories(): readonly Advisory[] {
    this.#all ??= this.#take(this.#entries);
    return this.#all;
  }

  [Symbol.iterator](): Iterator<Advisory> {
    return this.advisories()[Symbol.iterator]();
  }

  /** The advisory with this id (the first one, should an OSV source repeat it per crate). */
  get(id: string): Advisory | undefined {
    const e = this.#byId.get(id)?.[0];
    return e && this.#take([e])[0];
  }

  /** Every advisory with this id. */
  getAll(id: string): Advisory[] {
    return this.#take(this.#byId.get(id) ?? []);
  }

  /** The advisories that list `alias` (a CVE, GHSA… id) among their aliases. */
  byAlias(alias: string): Advisory[] {
    return this.#take(this.#byAlias.get(alias) ?? []);
  }

  /** Advisories with this id, then those aliasing it, without repeats. */
  lookup(idOrAlias: string): Advisory[] {
    return [...new Set([...this.getAll(idOrAlias), ...this.byAlias(idOrAlias)])];
  }

  /** Advisories for a package name in one collection (default `crates`), or in both with `"any"`. */
  byPackage(name: string, collection: Collection | "any" = "crates"): Advisory[] {
    if (collection !== "any") return this.#take(this.#byPackage[collection].get(name) ?? []);
    return this.#take(this.#entries.filter((e) => e.package === name));
  }

  /** True when some advisory of the collection (default `crates`) names this package: a cheap pre-check. */
  hasPackage(name: string, collection: Collection = "crates"): boolean {
    return this.#byPackage[collection].has(name);
  }

  /** Package names with at least one advisory in a collection (default `crates`), sorted. */
  packages(collection: Collection = "crates"): string[] {
    return [...this.#byPackage[collection].keys()].sort();
  }

  /** Advisories matching every constraint of `q`, in id order. An empty query matches all. */
  query(q: Query = {}): Advisory[] {
    const { package: name, collection } = q;
    let candidates: readonly Advisory[];
    if (name !== undefined && collection !== undefined && collection !== "any") {
      candidates = this.#take(this.#byPackage[collection].get(name) ?? []);
    } else if (name !== undefined) {
      candidates = this.byPackage(name, "any");
    } else {
      candidates = this.advisories();
    }
    return candidates.filter((a) => matchesQuery(a, q));
  }

  /**
   * What an audit asks for one lockfile package: the crate-scope advisories affecting
   * `name@version`. `extra` widens or narrows it, e.g. `{ informational: true }` for warnings.
   */
  affecting(name: string, version: Version, extra: Query = {}): Advisory[] {
    return this.query(crateScope({ ...extra, package: name, version }));
  }

  /** Case-insensitive free-text search, optionally combined with other constraints. */
  search(text: string, q: Query = {}): Advisory[] {
    return this.query({ ...q, text });
  }

  /** The file an advisory was loaded from, relative to `provenance.path`, when known. */
  sourceOf(advisory: Advisory): string | null {
    return this.#rel.get(advisory) ?? null;
  }

  #take(entries: readonly Entry[]): Advisory[] {
    return entries.map((e) => {
      const a = e.advisory();
      if (e.rel !== null && !this.#rel.has(a)) this.#rel.set(a, e.rel);
      return a;
    });
  }
}

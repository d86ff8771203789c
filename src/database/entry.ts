/**
 * A database slot: the fields the indexes need, plus the advisory itself, which the compiled
 * cache materializes only when asked for (an audit touches a few dozen of ~1,200).
 */
import type { Advisory, Collection } from "../advisory/model.js";

export interface Entry {
  readonly id: string;
  readonly package: string;
  readonly collection: Collection | null;
  readonly aliases: readonly string[];
  /** Source file relative to the database directory, when loaded from one. */
  readonly rel: string | null;
  /** The advisory; the same object on every call. */
  advisory(): Advisory;
}

export function eagerEntry(a: Advisory, rel: string | null): Entry {
  const m = a.metadata;
  return {
    id: m.id,
    package: m.package,
    collection: m.collection,
    aliases: m.aliases,
    rel,
    advisory: () => a,
  };
}

export function lazyEntry(fields: Omit<Entry, "advisory">, materialize: () => Advisory): Entry {
  let a: Advisory | undefined;
  return { ...fields, advisory: () => (a ??= materialize()) };
}

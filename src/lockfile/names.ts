/**
 * A string-keyed table for the many lookups of one lockfile's names by strings freshly sliced
 * from its text. A `Map` must hash each such string in full (a call into the runtime, the
 * larger part of a lookup); this table's hash reads the length and five characters, in line.
 * Such a hash is easy to defeat, so the table keeps count of its collisions and moves
 * everything into a `Map` (whose hash is seeded) once they cost more than a few probes per
 * operation: crafted names cannot make it quadratic.
 */
export class NameTable<T> {
  private readonly keys: string[] = [];
  private readonly entries: T[] = [];
  /** Open addressing with linear probing: index + 1 into `keys`, 0 for a free slot. At most
   * half full. */
  private slots: Int32Array;
  private mask: number;
  /** Insertions and lookups, and the slots they visited beyond the first. */
  private ops = 0;
  private probes = 0;
  private map: Map<string, T> | null = null;

  /** `expected`: how many keys there will probably be (the table grows as needed). */
  constructor(expected = 0) {
    // 16 slots fit in the heap object itself; larger typed arrays cost a separate allocation.
    let size = 16;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Whether collisions made the table fall back to a Map. */
  get degraded(): boolean {
    return this.map !== null;
  }

  /** The value for `key`, or undefined. */
  get(key: string): T | undefined {
    if (this.map !== null) return this.map.get(key);
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    this.ops++;
    let i = hash(key) & mask;
    for (;;) {
      const k = slots[i] as number;
      if (k === 0) return undefined;
      if (keys[k - 1] === key) return this.entries[k - 1];
      i = (i + 1) & mask;
      if (++this.probes > PROBES_PER_OP * this.ops + MIN_PROBES) return this.degrade().get(key);
    }
  }

  /**
   * The value for `key` if there is one; otherwise adds `key` with `value` and returns
   * undefined. (One lookup for both.)
   */
  addIfAbsent(key: string, value: T): T | undefined {
    if (this.map === null && (this.keys.length + 1) * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
    }
    if (this.map !== null) {
      const found = this.map.get(key);
      if (found !== undefined) return found;
      this.keys.push(key);
      this.entries.push(value);
      this.map.set(key, value);
      return undefined;
    }
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    this.ops++;
    let i = hash(key) & mask;
    for (;;) {
      const k = slots[i] as number;
      if (k === 0) {
        keys.push(key);
        this.entries.push(value);
        slots[i] = keys.length;
        return undefined;
      }
      if (keys[k - 1] === key) return this.entries[k - 1];
      i = (i + 1) & mask;
      if (++this.probes > PROBES_PER_OP * this.ops + MIN_PROBES) {
        this.degrade();
        return this.addIfAbsent(key, value);
      }
    }
  }

  /** The values in insertion order. */
  values(): readonly T[] {
    return this.entries;
  }

  private insert(key: string, k: number): void {
    const slots = this.slots;
    const mask = this.mask;
    this.ops++;
    let i = hash(key) & mask;
    while (slots[i] !== 0) {
      i = (i + 1) & mask;
      this.probes++;
    }
    slots[i] = k;
    if (this.probes > PROBES_PER_OP * this.ops + MIN_PROBES) this.degrade();
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    const keys = this.keys;
    for (let k = 0; k < keys.length && this.map === null; k++)
      this.insert(keys[k] as string, k + 1);
  }

  private degrade(): Map<string, T> {
    const map = new Map<string, T>();
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) map.set(keys[k] as string, this.entries[k] as T);
    this.map = map;
    this.slots = new Int32Array(0);
    return map;
  }
}

const PROBES_PER_OP = 4;
const MIN_PROBES = 256;

/**
 * From the length and six characters: the first, third, at a quarter, in the middle, and the
 * last two. (For a version, `1.2.3`, all of them; for `name version (source)`, some of the name
 * and version, which is where such strings differ.)
 */
function hash(s: string): number {
  const len = s.length;
  let h = Math.imul(len, 0x9e3779b1);
  if (len >= 3) {
    h = Math.imul(h ^ s.charCodeAt(0), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(2), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(len >> 2), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(len >> 1), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(len - 2), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(len - 1), 0x85ebca6b);
  } else if (len > 0) {
    h = Math.imul(h ^ s.charCodeAt(0), 0x85ebca6b);
    h = Math.imul(h ^ s.charCodeAt(len - 1), 0x85ebca6b);
  }
  return h ^ (h >>> 15);
}

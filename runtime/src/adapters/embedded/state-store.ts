// `LocalStateStore`: the in-memory StateStore of one operator's store on one partition — a Map,
// plus a sorted key index for `scan` that is rebuilt lazily. Keys appended in increasing order (the
// usual `<key>|<window start>` pattern as time moves on) keep the index without a re-sort; any
// other new key marks it stale, and the next scan sorts once. Deleted keys stay in the index until
// it is rebuilt (a scan skips them), so closing many windows after a scan costs no re-sort each.
//
// Snapshots copy the entries (sorted by key); values are shared unless a `cloneValue` is given, so
// an operator that mutates a stored value in place (instead of `put`ting a new one) must pass one.
import type { KeyRange, StateEntry, StateKey, StateSnapshot, StateStore, StateStoreFactory, StateStoreSpec } from '../../api/index.ts';

export interface LocalStateStoreOptions<V> {
  /** Copies a value into a snapshot and out of one on restore (values are shared by default). */
  readonly cloneValue?: (value: V) => V;
}

/** The first index of `keys` (sorted) whose key is `>= key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class LocalStateStore<V> implements StateStore<V> {
  private entries = new Map<StateKey, V>();
  /** Sorted keys, possibly with deleted ones; `null` when stale. */
  private index: string[] | null = [];
  private deletedInIndex = 0;
  private readonly cloneValue: ((value: V) => V) | null;

  constructor(
    readonly name: string,
    readonly partition: number,
    options: LocalStateStoreOptions<V> = {},
  ) {
    this.cloneValue = options.cloneValue ?? null;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: StateKey): V | undefined {
    return this.entries.get(key);
  }

  has(key: StateKey): boolean {
    return this.entries.has(key);
  }

  put(key: StateKey, value: V): void {
    if (!this.entries.has(key)) {
      const index = this.index;
      // A key above every indexed key cannot already be in the index (even as a deleted one).
      if (index !== null && (index.length === 0 || (index[index.length - 1] as string) < key)) index.push(key);
      else this.index = null;
    }
    this.entries.set(key, value);
  }

  delete(key: StateKey): void {
    if (this.entries.delete(key) && this.index !== null) {
      this.deletedInIndex++;
      if (this.deletedInIndex > 1024 && this.deletedInIndex > this.entries.size) this.index = null;
    }
  }

  clear(): void {
    this.entries.clear();
    this.index = [];
    this.deletedInIndex = 0;
  }

  *scan(range: KeyRange = {}): IterableIterator<StateEntry<V>> {
    const keys = this.sortedKeys();
    const { prefix, from, to } = range;
    let lower = from;
    if (prefix !== undefined && (lower === undefined || prefix > lower)) lower = prefix;
    let i = lower === undefined ? 0 : lowerBound(keys, lower);
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      if (to !== undefined && key >= to) return;
      if (prefix !== undefined && !key.startsWith(prefix)) return;
      if (!this.entries.has(key)) continue;
      yield { key, value: this.entries.get(key) as V };
    }
  }

  snapshot(): StateSnapshot<V> {
    const entries: StateEntry<V>[] = [];
    for (const entry of this.scan()) entries.push(this.cloneValue === null ? entry : { key: entry.key, value: this.cloneValue(entry.value) });
    return { store: this.name, partition: this.partition, entries };
  }

  restore(snapshot: StateSnapshot<V>): void {
    if (snapshot.store !== this.name || snapshot.partition !== this.partition) {
      throw new Error(`cannot restore store ${this.name} of partition ${this.partition} from a snapshot of ${snapshot.store} of partition ${snapshot.partition}`);
    }
    const entries = new Map<StateKey, V>();
    for (const { key, value } of snapshot.entries) entries.set(key, this.cloneValue === null ? value : this.cloneValue(value));
    this.entries = entries;
    this.index = null;
    this.deletedInIndex = 0;
  }

  private sortedKeys(): readonly string[] {
    if (this.index === null || this.deletedInIndex > 0) {
      // Rebuild when stale; also drop deleted keys here, so a scan never walks many dead ones.
      if (this.index === null || this.deletedInIndex > 64) {
        this.index = [...this.entries.keys()].sort();
        this.deletedInIndex = 0;
      }
    }
    return this.index;
  }
}

/** The engine's `StateStoreFactory` for in-memory stores: a fresh `LocalStateStore` per operator store and partition. */
export class LocalStateStoreFactory implements StateStoreFactory {
  createStore<V>(spec: StateStoreSpec, partition: number, _nodeId: string): StateStore<V> {
    return new LocalStateStore<V>(spec.name, partition);
  }
}

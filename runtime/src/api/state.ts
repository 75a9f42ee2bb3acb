// Keyed operator state. Every stateful operator (windows, patterns) keeps its state in stores that
// belong to one partition, so the state moves with the partition when the consumer group rebalances.
// A store's snapshot is what a checkpoint writes to the operator's compacted changelog topic.

/** State keys are strings: the encoded group or partition key, optionally with a suffix (`<key>|<window start>`). */
export type StateKey = string;

/** Bounds of a key scan; keys compare as JavaScript strings (UTF-16 code units). */
export interface KeyRange {
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Inclusive lower bound. */
  readonly from?: StateKey;
  /** Exclusive upper bound. */
  readonly to?: StateKey;
}

export interface StateEntry<V> {
  readonly key: StateKey;
  readonly value: V;
}

/** Turns values into bytes for the changelog and back. */
export interface Serde<V> {
  serialize(value: V): Uint8Array;
  deserialize(bytes: Uint8Array): V;
}

/**
 * One named store of one operator on one partition. Reads and writes are synchronous (the working
 * set lives in memory); durability comes from `snapshot()` at checkpoints.
 */
export interface StateStore<V> {
  readonly name: string;
  readonly partition: number;
  get(key: StateKey): V | undefined;
  put(key: StateKey, value: V): void;
  delete(key: StateKey): void;
  /** Entries in key order. The store must not be modified while the iterator is open. */
  scan(range?: KeyRange): IterableIterator<StateEntry<V>>;
  readonly size: number;
  /** A consistent copy of the store; later writes do not change it. */
  snapshot(): StateSnapshot<V>;
  /** Replaces the whole content with a snapshot (after a restart or when a partition is assigned). */
  restore(snapshot: StateSnapshot<V>): void;
}

export interface StateSnapshot<V> {
  readonly store: string;
  readonly partition: number;
  readonly entries: readonly StateEntry<V>[];
}

/** What an operator asks for at `init`. */
export interface StateStoreSpec {
  readonly name: string;
  /** The compacted topic it is checkpointed to (`<pipeline>-<node>-changelog`). */
  readonly changelogTopic: string;
}

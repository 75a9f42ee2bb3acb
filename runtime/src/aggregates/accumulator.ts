// The contract every aggregate state honours. An accumulator is the state of one aggregate call for
// one window (or pane, or partial) of one key: `add` folds one input in, `merge` folds another
// accumulator of the same kind and configuration in, and the result never depends on how the
// inputs were split into partials or in which order the partials were merged.
import type { AggregateKind } from '../api/aggregates.ts';

/** What a snapshot is made of: it goes through `JSON.stringify` to a changelog and back. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface Accumulator<V, R> {
  readonly kind: AggregateKind;
  /**
   * Folds one input in. `time` and `seq` (event time, arrival sequence number) are read by
   * `first` / `last` only, which require them; every other kind ignores them, so a generic operator
   * loop may pass them to all. `null` / `undefined` inputs are skipped (except by `count()` and
   * `rate()`, which count calls).
   */
  add(value: V, time?: number, seq?: number): void;
  /**
   * Folds `other` (same kind and configuration; otherwise it throws) into this one. `other` is
   * left unchanged and shares no mutable state with this one afterwards.
   */
  merge(other: this): void;
  result(): R;
  /** A JSON value that `restore` (of the same class) turns back into an equal accumulator. */
  snapshot(): JsonValue;
  /** An independent copy (of the same class). */
  clone(): Accumulator<V, R>;
  /** Back to the empty state, keeping the configuration (and, where cheap, the allocated storage). */
  reset(): void;
  /** An estimate of the heap bytes the state holds (object headers, arrays, set/map entries). */
  byteSize(): number;
}

/** An accumulator of any kind, as a heterogeneous operator holds its slots. */
export type AnyAccumulator = Accumulator<unknown, unknown>;

/** Heap bytes of a small object with `fields` in-object fields (V8: header plus 8 B per field, rounded). */
export function objectBytes(fields: number): number {
  return 16 + 8 * fields;
}

/** A snapshot that is not what `restore` expects. */
export class SnapshotError extends Error {
  constructor(kind: string, detail: string) {
    super(`invalid ${kind} snapshot: ${detail}`);
    this.name = 'SnapshotError';
  }
}

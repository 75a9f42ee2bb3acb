// top_k(x, k), exact: a count per distinct value in a Map; the result is the k values with the
// highest counts, ties broken by the smaller value (`compareValues`), so it is one deterministic
// list. Merge adds counts: exact, associative and commutative. Memory grows with the number of
// distinct values; space-saving.ts is the bounded alternative for huge cardinalities.
import type { DistinctValue, TopKEntry } from '../api/aggregates.ts';
import { objectBytes, SnapshotError, type Accumulator, type JsonValue } from './accumulator.ts';
import { decodeValue, encodeValue, expectArray, expectCount, expectObject } from './codec.ts';
import { isDistinctValue } from './count-distinct.ts';
import { TopSelector } from './top-selector.ts';

/** Heap bytes per `Map` entry (hash table slot, key and value words). */
const MAP_ENTRY_BYTES = 48;

export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`top_k: k must be a positive integer, got ${k}`);
}

export class TopKAccumulator<T extends DistinctValue = DistinctValue> implements Accumulator<T | null | undefined, TopKEntry<T>[]> {
  readonly kind = 'top_k';
  counts = new Map<T, number>();

  constructor(readonly k: number) {
    checkK(k);
  }

  add(v: T | null | undefined): void {
    if (v === null || v === undefined) return;
    const c = this.counts.get(v);
    this.counts.set(v, c === undefined ? 1 : c + 1);
  }

  merge(other: TopKAccumulator<T>): void {
    for (const [v, c] of other.counts) {
      const mine = this.counts.get(v);
      this.counts.set(v, mine === undefined ? c : mine + c);
    }
  }

  /** The `k` most frequent values, most frequent first; ties by smaller value. */
  result(): TopKEntry<T>[] {
    return this.top(this.k);
  }

  /** The `n` most frequent values (any n, not only the configured k). */
  top(n: number): TopKEntry<T>[] {
    const selector = new TopSelector<T>(n);
    for (const [v, c] of this.counts) selector.offer(v, c);
    return selector.finish();
  }

  /** `{ k, e: [value, count, value, count, …] }` in insertion order. */
  snapshot(): JsonValue {
    const entries: JsonValue[] = [];
    for (const [v, c] of this.counts) entries.push(encodeValue(v), c);
    return { k: this.k, e: entries };
  }

  static restore<T extends DistinctValue = DistinctValue>(snapshot: JsonValue): TopKAccumulator<T> {
    const kind = 'top_k';
    const o = expectObject(snapshot, kind);
    const acc = new TopKAccumulator<T>(expectCount(o.k, kind, 'k'));
    const entries = expectArray(o.e, kind, 'entries');
    if (entries.length % 2 !== 0) throw new SnapshotError(kind, 'entries are not value/count pairs');
    for (let i = 0; i < entries.length; i += 2) {
      const v = decodeValue(entries[i] as JsonValue, kind);
      if (!isDistinctValue(v)) throw new SnapshotError(kind, 'a value is not a string, number or boolean');
      acc.counts.set(v as T, expectCount(entries[i + 1], kind, 'count'));
    }
    return acc;
  }

  clone(): TopKAccumulator<T> {
    const copy = new TopKAccumulator<T>(this.k);
    copy.counts = new Map(this.counts);
    return copy;
  }

  reset(): void {
    this.counts.clear();
  }

  byteSize(): number {
    return objectBytes(3) + 64 + this.counts.size * MAP_ENTRY_BYTES;
  }
}

// count_distinct(x), exact: a Set of the values seen. Values are compared as a `Set` does
// (SameValueZero: `1` and `'1'` differ, -0 equals 0, NaN equals NaN). Merge is set union. Memory
// grows with the number of distinct values; approx_count_distinct is the bounded alternative.
import type { DistinctValue } from '../api/aggregates.ts';
import { objectBytes, SnapshotError, type Accumulator, type JsonValue } from './accumulator.ts';
import { decodeValue, encodeValue, expectArray } from './codec.ts';

/** Heap bytes per `Set` entry (hash table slot and chain link; the value itself is shared). */
const SET_ENTRY_BYTES = 40;

export function isDistinctValue(v: unknown): v is DistinctValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

export class CountDistinctAccumulator<T extends DistinctValue = DistinctValue> implements Accumulator<T | null | undefined, number> {
  readonly kind = 'count_distinct';
  values = new Set<T>();

  add(v: T | null | undefined): void {
    if (v === null || v === undefined) return;
    this.values.add(v);
  }

  merge(other: CountDistinctAccumulator<T>): void {
    for (const v of other.values) this.values.add(v);
  }

  result(): number {
    return this.values.size;
  }

  /** The values in insertion order (numbers that JSON cannot hold tagged, see codec.ts). */
  snapshot(): JsonValue {
    const out: JsonValue[] = [];
    for (const v of this.values) out.push(encodeValue(v));
    return out;
  }

  static restore<T extends DistinctValue = DistinctValue>(snapshot: JsonValue): CountDistinctAccumulator<T> {
    const acc = new CountDistinctAccumulator<T>();
    for (const item of expectArray(snapshot, 'count_distinct', 'snapshot')) {
      const v = decodeValue(item, 'count_distinct');
      if (!isDistinctValue(v)) throw new SnapshotError('count_distinct', 'a value is not a string, number or boolean');
      acc.values.add(v as T);
    }
    return acc;
  }

  clone(): CountDistinctAccumulator<T> {
    const copy = new CountDistinctAccumulator<T>();
    copy.values = new Set(this.values);
    return copy;
  }

  reset(): void {
    this.values.clear();
  }

  byteSize(): number {
    return objectBytes(2) + 64 + this.values.size * SET_ENTRY_BYTES;
  }
}

// top_k(x, k) in bounded memory: Space-Saving (Metwally, Agrawal & El Abbadi, 2005) with
// `capacity` counters (at least k; 10·k is a good default).
//
// A tracked value's counter is incremented; an untracked value takes over the counter with the
// smallest count c, which becomes c + 1 with error c. With N values added:
//   - every reported count over-estimates: true ≤ count ≤ true + error, and error ≤ N / capacity;
//   - every value occurring more than N / capacity times is tracked (so it is in the top list when
//     it belongs there);
//   - while fewer than `capacity` distinct values were seen, counts are exact (error 0).
//
// Merge (the parallel Space-Saving merge of Cafaro, Pulimeno & Tempesta, 2016): a value missing
// from a full summary is credited with that summary's smallest count (the most it can have had
// there), counts and errors add, and the `capacity` best counters are kept, ties broken by value.
// The bounds above hold for the merged summary with N = N₁ + N₂. The merge is commutative, but
// unlike the exact top_k not exactly associative: a different merge tree can keep different
// near-tie counters, always within the same bounds.
//
// Among equal counts the counter taken over is the one (re)assigned longest ago: counters carry a
// stamp, and snapshots list counters in stamp order, so a restored summary evolves exactly as the
// original would have.
import type { DistinctValue, TopKEntry } from '../api/aggregates.ts';
import { objectBytes, SnapshotError, type Accumulator, type JsonValue } from './accumulator.ts';
import { decodeValue, encodeValue, expectArray, expectCount, expectObject } from './codec.ts';
import { isDistinctValue } from './count-distinct.ts';
import { checkK } from './top-k.ts';
import { ranksBefore, TopSelector } from './top-selector.ts';

/** Counters per requested k when no capacity is given. */
export const SPACE_SAVING_COUNTERS_PER_K = 10;

/** One counter of the summary: `count − error ≤ true count ≤ count`. */
export interface SpaceSavingCounter<T> {
  readonly value: T;
  readonly count: number;
  readonly error: number;
}

export class SpaceSavingAccumulator<T extends DistinctValue = DistinctValue> implements Accumulator<T | null | undefined, TopKEntry<T>[]> {
  readonly kind = 'top_k';
  /** Values added: the N of the error bound. */
  total = 0;
  private readonly slotOf = new Map<T, number>();
  private readonly values: (T | undefined)[];
  private readonly counts: Float64Array;
  private readonly errors: Float64Array;
  /** When each counter got its value: the older one is taken over first among equal counts. */
  private readonly stamps: Float64Array;
  /** A min-heap of slots by (count, stamp), and each slot's position in it. */
  private readonly heap: Int32Array;
  private readonly heapPos: Int32Array;
  private size = 0;
  private nextStamp = 0;

  constructor(
    readonly k: number,
    readonly capacity: number = k * SPACE_SAVING_COUNTERS_PER_K,
  ) {
    checkK(k);
    if (!Number.isInteger(capacity) || capacity < k) throw new RangeError(`top_k: capacity must be an integer ≥ k (${k}), got ${capacity}`);
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.counts = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
    this.stamps = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.heapPos = new Int32Array(capacity);
  }

  add(v: T | null | undefined): void {
    if (v === null || v === undefined) return;
    this.total++;
    const slot = this.slotOf.get(v);
    if (slot !== undefined) {
      this.counts[slot] = (this.counts[slot] as number) + 1;
      this.siftDown(this.heapPos[slot] as number);
      return;
    }
    const value = (v === 0 ? 0 : v) as T; // -0 is the Map key 0: keep the value it reports the same
    if (this.size < this.capacity) {
      this.track(value, 1, 0);
    } else {
      const victim = this.heap[0] as number;
      this.slotOf.delete(this.values[victim] as T);
      this.slotOf.set(value, victim);
      this.values[victim] = value;
      const min = this.counts[victim] as number;
      this.errors[victim] = min;
      this.counts[victim] = min + 1;
      this.stamps[victim] = this.nextStamp++;
      this.siftDown(0);
    }
  }

  /** Puts `v` in a free counter (there must be one). */
  private track(v: T, count: number, error: number): void {
    const slot = this.size++;
    this.slotOf.set(v, slot);
    this.values[slot] = v;
    this.counts[slot] = count;
    this.errors[slot] = error;
    this.stamps[slot] = this.nextStamp++;
    this.heap[slot] = slot;
    this.heapPos[slot] = slot;
    this.siftUp(slot);
  }

  /** The largest error any count may carry: the smallest count once all counters are in use. */
  maxError(): number {
    return this.size < this.capacity ? 0 : (this.counts[this.heap[0] as number] as number);
  }

  merge(other: SpaceSavingAccumulator<T>): void {
    if (other.capacity !== this.capacity) throw new RangeError(`top_k: cannot merge capacity ${other.capacity} into ${this.capacity}`);
    const minMine = this.maxError();
    const minTheirs = other.maxError();
    const values: T[] = [];
    const counts: number[] = [];
    const errors: number[] = [];
    for (let slot = 0; slot < this.size; slot++) {
      const v = this.values[slot] as T;
      const theirs = other.slotOf.get(v);
      values.push(v);
      counts.push((this.counts[slot] as number) + (theirs === undefined ? minTheirs : (other.counts[theirs] as number)));
      errors.push((this.errors[slot] as number) + (theirs === undefined ? minTheirs : (other.errors[theirs] as number)));
    }
    for (let slot = 0; slot < other.size; slot++) {
      const v = other.values[slot] as T;
      if (this.slotOf.has(v)) continue;
      values.push(v);
      counts.push((other.counts[slot] as number) + minMine);
      errors.push((other.errors[slot] as number) + minMine);
    }
    // Best first; keep `capacity`, then re-track worst first so that the worst is taken over first.
    const order = values.map((_, i) => i).sort((a, b) => (ranksBefore(counts[a] as number, values[a], counts[b] as number, values[b]) ? -1 : 1));
    const kept = order.slice(0, this.capacity).reverse();
    const total = this.total + other.total;
    this.reset();
    this.total = total;
    for (const i of kept) this.track(values[i] as T, counts[i] as number, errors[i] as number);
  }

  /** The `k` values with the highest counts, highest first; ties by smaller value. Counts are upper bounds. */
  result(): TopKEntry<T>[] {
    const selector = new TopSelector<T>(this.k);
    for (let slot = 0; slot < this.size; slot++) selector.offer(this.values[slot] as T, this.counts[slot] as number);
    return selector.finish();
  }

  /** Every counter with its error, highest count first. */
  counters(): SpaceSavingCounter<T>[] {
    const out: SpaceSavingCounter<T>[] = [];
    for (let slot = 0; slot < this.size; slot++) out.push({ value: this.values[slot] as T, count: this.counts[slot] as number, error: this.errors[slot] as number });
    return out.sort((a, b) => (ranksBefore(a.count, a.value, b.count, b.value) ? -1 : 1));
  }

  /** `{ k, c: capacity, n: total, e: [value, count, error, …] }`, counters oldest stamp first. */
  snapshot(): JsonValue {
    const slots: number[] = [];
    for (let slot = 0; slot < this.size; slot++) slots.push(slot);
    slots.sort((a, b) => (this.stamps[a] as number) - (this.stamps[b] as number));
    const entries: JsonValue[] = [];
    for (const slot of slots) entries.push(encodeValue(this.values[slot]), this.counts[slot] as number, this.errors[slot] as number);
    return { k: this.k, c: this.capacity, n: this.total, e: entries };
  }

  static restore<T extends DistinctValue = DistinctValue>(snapshot: JsonValue): SpaceSavingAccumulator<T> {
    const kind = 'top_k';
    const o = expectObject(snapshot, kind);
    const acc = new SpaceSavingAccumulator<T>(expectCount(o.k, kind, 'k'), expectCount(o.c, kind, 'capacity'));
    acc.total = expectCount(o.n, kind, 'total');
    const entries = expectArray(o.e, kind, 'entries');
    if (entries.length % 3 !== 0 || entries.length / 3 > acc.capacity) throw new SnapshotError(kind, 'entries are not value/count/error triples within capacity');
    for (let i = 0; i < entries.length; i += 3) {
      const v = decodeValue(entries[i] as JsonValue, kind);
      if (!isDistinctValue(v)) throw new SnapshotError(kind, 'a value is not a string, number or boolean');
      if (acc.slotOf.has(v as T)) throw new SnapshotError(kind, 'a value appears twice');
      acc.track(v as T, expectCount(entries[i + 1], kind, 'count'), expectCount(entries[i + 2], kind, 'error'));
    }
    return acc;
  }

  clone(): SpaceSavingAccumulator<T> {
    const copy = new SpaceSavingAccumulator<T>(this.k, this.capacity);
    copy.total = this.total;
    for (const [v, slot] of this.slotOf) copy.slotOf.set(v, slot);
    for (let slot = 0; slot < this.size; slot++) copy.values[slot] = this.values[slot];
    copy.counts.set(this.counts);
    copy.errors.set(this.errors);
    copy.stamps.set(this.stamps);
    copy.heap.set(this.heap);
    copy.heapPos.set(this.heapPos);
    copy.size = this.size;
    copy.nextStamp = this.nextStamp;
    return copy;
  }

  reset(): void {
    this.slotOf.clear();
    this.values.fill(undefined, 0, this.size);
    this.size = 0;
    this.total = 0;
    this.nextStamp = 0;
  }

  byteSize(): number {
    return objectBytes(12) + 6 * 64 + this.capacity * (8 + 8 * 3 + 4 * 2) + this.slotOf.size * 48;
  }

  // ── heap of slots, smallest (count, stamp) at the root ──

  private below(a: number, b: number): boolean {
    const ca = this.counts[a] as number;
    const cb = this.counts[b] as number;
    return ca < cb || (ca === cb && (this.stamps[a] as number) < (this.stamps[b] as number));
  }

  private place(i: number, slot: number): void {
    this.heap[i] = slot;
    this.heapPos[slot] = i;
  }

  private siftUp(i: number): void {
    const slot = this.heap[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentSlot = this.heap[parent] as number;
      if (!this.below(slot, parentSlot)) break;
      this.place(i, parentSlot);
      i = parent;
    }
    this.place(i, slot);
  }

  private siftDown(i: number): void {
    const n = this.size;
    const slot = this.heap[i] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let childSlot = this.heap[left] as number;
      if (right < n && this.below(this.heap[right] as number, childSlot)) {
        child = right;
        childSlot = this.heap[right] as number;
      }
      if (!this.below(childSlot, slot)) break;
      this.place(i, childSlot);
      i = child;
    }
    this.place(i, slot);
  }
}

// Picks the k best (value, count) pairs of a stream of candidates in O(n log k): a heap of the k
// best so far with the worst at its root. "Better" is a higher count, then a smaller value in
// `compareValues` order, so the result is one deterministic list whatever the candidates' order.
import type { TopKEntry } from '../api/aggregates.ts';
import { compareValues } from './codec.ts';

/** Whether (countA, a) ranks before (countB, b). */
export function ranksBefore(countA: number, a: unknown, countB: number, b: unknown): boolean {
  return countA > countB || (countA === countB && compareValues(a, b) < 0);
}

export class TopSelector<T> {
  private readonly values: T[] = [];
  private readonly counts: number[] = [];

  constructor(private readonly k: number) {}

  offer(value: T, count: number): void {
    const values = this.values;
    const counts = this.counts;
    if (values.length < this.k) {
      values.push(value);
      counts.push(count);
      this.siftUp(values.length - 1);
    } else if (this.k > 0 && ranksBefore(count, value, counts[0] as number, values[0])) {
      values[0] = value;
      counts[0] = count;
      this.siftDown(0);
    }
  }

  /** The kept pairs, best first. */
  finish(): TopKEntry<T>[] {
    const entries: TopKEntry<T>[] = [];
    for (let i = 0; i < this.values.length; i++) entries.push({ value: this.values[i] as T, count: this.counts[i] as number });
    return entries.sort((a, b) => (a.count !== b.count ? b.count - a.count : compareValues(a.value, b.value)));
  }

  /** Heap order: the parent ranks after (is worse than) its children. */
  private worse(i: number, j: number): boolean {
    return ranksBefore(this.counts[j] as number, this.values[j], this.counts[i] as number, this.values[i]);
  }

  private swap(i: number, j: number): void {
    const v = this.values[i] as T;
    this.values[i] = this.values[j] as T;
    this.values[j] = v;
    const c = this.counts[i] as number;
    this.counts[i] = this.counts[j] as number;
    this.counts[j] = c;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.values.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.worse(right, left) ? right : left;
      if (!this.worse(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}

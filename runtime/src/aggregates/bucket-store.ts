// The bucket counts of one side (positive or negative values) of a DDSketch: a dense Float64Array
// window over bucket indices [offset, offset + length), of which [minIndex, maxIndex] is in use.
//
// At most `maxBuckets` indices are in use: when a new index would widen the span beyond that, the
// lowest buckets are collapsed into the lowest one kept (values closest to zero lose their
// accuracy first; high quantiles keep theirs). The collapse threshold only rises (it follows the
// largest index seen), so the final state is "every index below maxIndex − maxBuckets + 1 counted
// there": a function of the multiset of indices alone, whatever the order of adds and merges.
import { SnapshotError, type JsonValue } from './accumulator.ts';
import { expectArray, expectCount, expectObject } from './codec.ts';

/**
 * Extra buckets allocated beyond the span in use (at least this many, or a quarter of the span), so
 * a growing range reallocates O(log) times, not at every new index.
 */
const SLACK = 32;
const EMPTY = new Float64Array(0);

export class BucketStore {
  counts: Float64Array = EMPTY;
  offset = 0;
  minIndex = 0;
  maxIndex = 0;
  total = 0;

  constructor(readonly maxBuckets: number) {}

  add(index: number, weight: number): void {
    if (this.total === 0) {
      this.cover(index, index);
      this.minIndex = index;
      this.maxIndex = index;
    } else if (index > this.maxIndex) {
      const floor = index - this.maxBuckets + 1;
      if (floor > this.minIndex) {
        const moved = this.drain(this.minIndex, Math.min(floor - 1, this.maxIndex));
        this.cover(floor, index);
        this.counts[floor - this.offset] = (this.counts[floor - this.offset] as number) + moved;
        this.minIndex = floor;
      } else {
        this.cover(this.minIndex, index);
      }
      this.maxIndex = index;
    } else if (index < this.minIndex) {
      const floor = this.maxIndex - this.maxBuckets + 1;
      if (index < floor) index = floor;
      if (index < this.minIndex) {
        this.cover(index, this.maxIndex);
        this.minIndex = index;
      }
    }
    const j = index - this.offset;
    this.counts[j] = (this.counts[j] as number) + weight;
    this.total += weight;
  }

  /** Adds every bucket of `other` (highest first, so a collapse happens at most once). */
  merge(other: BucketStore): void {
    if (other.total === 0) return;
    for (let i = other.maxIndex; i >= other.minIndex; i--) {
      const c = other.counts[i - other.offset] as number;
      if (c !== 0) this.add(i, c);
    }
  }

  /** Zeroes buckets [from, to] and returns their sum. */
  private drain(from: number, to: number): number {
    let sum = 0;
    for (let i = from; i <= to; i++) {
      const j = i - this.offset;
      sum += this.counts[j] as number;
      this.counts[j] = 0;
    }
    return sum;
  }

  /** Makes `counts` cover [lo, hi] (a span of at most maxBuckets), keeping the buckets inside it. */
  private cover(lo: number, hi: number): void {
    const old = this.counts;
    if (lo >= this.offset && hi < this.offset + old.length) return;
    const span = hi - lo + 1;
    const length = Math.min(span + Math.max(SLACK, span >> 2), this.maxBuckets + SLACK);
    // Leave the slack on the side the range is growing towards.
    const offset = hi >= this.offset + old.length ? lo : hi - length + 1;
    const next = new Float64Array(length);
    if (this.total > 0) {
      const from = Math.max(lo, this.offset);
      const to = Math.min(hi, this.offset + old.length - 1);
      for (let i = from; i <= to; i++) next[i - offset] = old[i - this.offset] as number;
    }
    this.counts = next;
    this.offset = offset;
  }

  /** The index holding the item of 0-based `rank`, counting from the lowest index up. */
  indexAtRankAscending(rank: number): number {
    let seen = 0;
    for (let i = this.minIndex; i < this.maxIndex; i++) {
      seen += this.counts[i - this.offset] as number;
      if (seen > rank) return i;
    }
    return this.maxIndex;
  }

  /** The index holding the item of 0-based `rank`, counting from the highest index down. */
  indexAtRankDescending(rank: number): number {
    let seen = 0;
    for (let i = this.maxIndex; i > this.minIndex; i--) {
      seen += this.counts[i - this.offset] as number;
      if (seen > rank) return i;
    }
    return this.minIndex;
  }

  copyFrom(other: BucketStore): void {
    this.counts = other.counts.slice();
    this.offset = other.offset;
    this.minIndex = other.minIndex;
    this.maxIndex = other.maxIndex;
    this.total = other.total;
  }

  clear(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** `null` when empty, else `{ o: minIndex, c: [counts of minIndex … maxIndex] }`. */
  snapshot(): JsonValue {
    if (this.total === 0) return null;
    const start = this.minIndex - this.offset;
    return { o: this.minIndex, c: Array.from(this.counts.subarray(start, start + this.maxIndex - this.minIndex + 1)) };
  }

  restore(snapshot: JsonValue | undefined, kind: string): void {
    if (snapshot === null || snapshot === undefined) return;
    const o = expectObject(snapshot, kind);
    if (typeof o.o !== 'number' || !Number.isSafeInteger(o.o)) throw new SnapshotError(kind, 'bucket offset is not an integer');
    const counts = expectArray(o.c, kind, 'bucket counts');
    if (counts.length > this.maxBuckets) throw new SnapshotError(kind, `${counts.length} buckets exceed the limit of ${this.maxBuckets}`);
    if (counts.length === 0 || counts[0] === 0 || counts[counts.length - 1] === 0) throw new SnapshotError(kind, 'bucket range does not start and end with a non-empty bucket');
    for (let i = 0; i < counts.length; i++) {
      const c = expectCount(counts[i], kind, 'bucket count');
      if (c !== 0) this.add(o.o + i, c);
    }
  }

  byteSize(): number {
    return 16 + 8 * 6 + 64 + this.counts.byteLength;
  }
}

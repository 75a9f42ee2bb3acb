// percentile(x, q): a DDSketch (Masson, Rim & Lee, VLDB 2019), a quantile sketch with relative
// accuracy α: every quantile it returns is within α·|v| of the true value v at that rank.
//
// With γ = (1 + α)/(1 − α), a positive value x goes to bucket i = ⌈log_γ x⌉, which covers
// (γ^(i−1), γ^i]; the bucket's representative 2γ^i/(γ + 1) is within α of every value in it.
// Negative values are bucketed by |x| in a second store, zeros are counted apart. Merging adds
// bucket counts: associative and commutative, exactly. Each store keeps at most `maxBuckets`
// buckets (default 2048: at α = 1 % a ratio of 10^17 between the smallest and the largest
// magnitude); beyond that the buckets nearest zero collapse (see bucket-store.ts) and only the
// quantiles that land in them lose the guarantee.
//
// Rank: `quantile(q)` returns the item of 0-based rank ⌈q·n⌉ − 1 in sorted order (the "nearest
// rank" definition: the smallest value with at least q·n values at or below it), 0 for q = 0.
// The exact minimum and maximum are kept: the first and last ranks return them, and other
// estimates are clamped to them. NaN and ±Infinity inputs are skipped (a sketch cannot place them).
import { DEFAULT_PERCENTILE_ACCURACY } from '../api/aggregates.ts';
import { objectBytes, SnapshotError, type Accumulator, type JsonValue } from './accumulator.ts';
import { BucketStore } from './bucket-store.ts';
import { decodeNumber, encodeNumber, expectCount, expectObject } from './codec.ts';

export const DEFAULT_MAX_BUCKETS = 2048;

/**
 * The bucket mapping is built for α·(1 − 1e-7) rather than α, so the rounding of `Math.log` at a
 * bucket boundary (~1e-13 relative) can never push an estimate past α.
 */
const ACCURACY_MARGIN = 1 - 1e-7;

/**
 * The 0-based rank of quantile `q` among `n` sorted items: ⌈q·n⌉ − 1, clamped to [0, n − 1].
 * `q·n` is scaled down by 2^-40 before rounding up so that a product that should be an integer but
 * came out one ulp above it (0.9 · 70 = 63.00000000000001) still rounds to that integer.
 */
export function quantileRank(q: number, n: number): number {
  const rank = Math.ceil(q * n * (1 - 2 ** -40)) - 1;
  return rank < 0 ? 0 : rank >= n ? n - 1 : rank;
}

export class PercentileAccumulator implements Accumulator<number | null | undefined, number | null> {
  readonly kind = 'percentile';
  private readonly lnGamma: number;
  private readonly invLnGamma: number;
  /** 2/(γ + 1): a bucket's representative is γ^i times this. */
  private readonly midFactor: number;
  private readonly positive: BucketStore;
  private readonly negative: BucketStore;
  private zeros = 0;
  private n = 0;
  private minValue = Infinity;
  private maxValue = -Infinity;

  constructor(
    /** The quantile `result()` returns, in [0, 1]. */
    readonly quantile: number = 0.5,
    readonly relativeAccuracy: number = DEFAULT_PERCENTILE_ACCURACY,
    readonly maxBuckets: number = DEFAULT_MAX_BUCKETS,
  ) {
    if (!(quantile >= 0 && quantile <= 1)) throw new RangeError(`percentile: quantile must be in [0, 1], got ${quantile}`);
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError(`percentile: relative accuracy must be in (0, 1), got ${relativeAccuracy}`);
    if (!Number.isInteger(maxBuckets) || maxBuckets < 1) throw new RangeError(`percentile: maxBuckets must be a positive integer, got ${maxBuckets}`);
    const alpha = relativeAccuracy * ACCURACY_MARGIN;
    const gamma = (1 + alpha) / (1 - alpha);
    this.lnGamma = Math.log1p((2 * alpha) / (1 - alpha));
    this.invLnGamma = 1 / this.lnGamma;
    this.midFactor = 2 / (1 + gamma);
    this.positive = new BucketStore(maxBuckets);
    this.negative = new BucketStore(maxBuckets);
  }

  add(x: number | null | undefined): void {
    if (x === null || x === undefined) return;
    if (x > 0) {
      if (x === Infinity) return;
      this.positive.add(this.indexOf(x), 1);
    } else if (x < 0) {
      if (x === -Infinity) return;
      this.negative.add(this.indexOf(-x), 1);
    } else if (x === 0) {
      this.zeros++;
      x = 0; // -0 as +0: min and max must not depend on which zero came first
    } else {
      return; // NaN
    }
    this.n++;
    if (x < this.minValue) this.minValue = x;
    if (x > this.maxValue) this.maxValue = x;
  }

  merge(other: PercentileAccumulator): void {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.maxBuckets !== this.maxBuckets) {
      throw new RangeError(
        `percentile: cannot merge a sketch of accuracy ${other.relativeAccuracy}/${other.maxBuckets} buckets into ${this.relativeAccuracy}/${this.maxBuckets}`,
      );
    }
    this.positive.merge(other.positive);
    this.negative.merge(other.negative);
    this.zeros += other.zeros;
    this.n += other.n;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
  }

  /** Values added (NaN and ±Infinity excepted). */
  get count(): number {
    return this.n;
  }

  /** The estimate of quantile `q` (see the rank definition above); `null` when empty. */
  quantileOf(q: number): number | null {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: quantile must be in [0, 1], got ${q}`);
    if (this.n === 0) return null;
    const rank = quantileRank(q, this.n);
    if (rank === 0) return this.minValue;
    if (rank === this.n - 1) return this.maxValue;
    const negatives = this.negative.total;
    let estimate: number;
    if (rank < negatives) {
      estimate = -this.representative(this.negative.indexAtRankDescending(rank));
    } else if (rank < negatives + this.zeros) {
      estimate = 0;
    } else {
      estimate = this.representative(this.positive.indexAtRankAscending(rank - negatives - this.zeros));
    }
    return estimate < this.minValue ? this.minValue : estimate > this.maxValue ? this.maxValue : estimate;
  }

  /** Several quantiles at once. */
  quantiles(qs: readonly number[]): (number | null)[] {
    return qs.map((q) => this.quantileOf(q));
  }

  /** The bucket of a positive magnitude: ⌈log_γ x⌉ (`+ 0` turns a -0 from `Math.ceil` into 0). */
  private indexOf(x: number): number {
    return Math.ceil(Math.log(x) * this.invLnGamma) + 0;
  }

  private representative(index: number): number {
    return Math.exp(index * this.lnGamma) * this.midFactor;
  }

  /** The configured quantile; `null` when no value was added. */
  result(): number | null {
    return this.quantileOf(this.quantile);
  }

  /**
   * `{ q, a: α, b: maxBuckets, z: zeros, min, max, pos, neg }`, each store `null` or
   * `{ o: lowest index, c: [counts…] }`.
   */
  snapshot(): JsonValue {
    return {
      q: this.quantile,
      a: this.relativeAccuracy,
      b: this.maxBuckets,
      z: this.zeros,
      min: encodeNumber(this.minValue),
      max: encodeNumber(this.maxValue),
      pos: this.positive.snapshot(),
      neg: this.negative.snapshot(),
    };
  }

  static restore(snapshot: JsonValue): PercentileAccumulator {
    const kind = 'percentile';
    const o = expectObject(snapshot, kind);
    if (typeof o.q !== 'number' || typeof o.a !== 'number') throw new SnapshotError(kind, 'quantile or accuracy is not a number');
    const acc = new PercentileAccumulator(o.q, o.a, expectCount(o.b, kind, 'maxBuckets'));
    acc.positive.restore(o.pos, kind);
    acc.negative.restore(o.neg, kind);
    acc.zeros = expectCount(o.z, kind, 'zero count');
    acc.n = acc.positive.total + acc.negative.total + acc.zeros;
    acc.minValue = decodeNumber(o.min, kind, 'min');
    acc.maxValue = decodeNumber(o.max, kind, 'max');
    return acc;
  }

  clone(): PercentileAccumulator {
    const copy = new PercentileAccumulator(this.quantile, this.relativeAccuracy, this.maxBuckets);
    copy.positive.copyFrom(this.positive);
    copy.negative.copyFrom(this.negative);
    copy.zeros = this.zeros;
    copy.n = this.n;
    copy.minValue = this.minValue;
    copy.maxValue = this.maxValue;
    return copy;
  }

  reset(): void {
    this.positive.clear();
    this.negative.clear();
    this.zeros = 0;
    this.n = 0;
    this.minValue = Infinity;
    this.maxValue = -Infinity;
  }

  byteSize(): number {
    return objectBytes(12) + this.positive.byteSize() + this.negative.byteSize();
  }
}

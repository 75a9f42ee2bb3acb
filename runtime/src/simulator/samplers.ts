// Samplers over the seeded PRNG: weighted choice in O(1) (Walker/Vose alias tables), Zipf-like
// weights for skewed catalogues, exponential inter-arrival times, geometric counts and log-normal
// sizes. All draw only from the generator they are given, so a simulation stays reproducible.
import type { Xoshiro128 } from './prng.ts';

/** Weights 1/(k+1)^s for ranks k = 0…n−1: rank 0 is the most frequent. `s` around 1 is Zipf's law. */
export function zipfWeights(n: number, s: number): number[] {
  const weights: number[] = [];
  for (let k = 0; k < n; k++) weights.push(1 / Math.pow(k + 1, s));
  return weights;
}

/** Weighted choice of an index in O(1) per draw (one random number), built in O(n). */
export class AliasSampler {
  readonly size: number;
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new RangeError('AliasSampler needs at least one weight');
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weights must be finite and non-negative, got ${w}`);
      total += w;
    }
    if (total <= 0) throw new RangeError('weights must not all be zero');
    this.size = n;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.probability[s] = scaled[s] as number;
      this.alias[s] = l;
      const rest = (scaled[l] as number) + (scaled[s] as number) - 1;
      scaled[l] = rest;
      (rest < 1 ? small : large).push(l);
    }
    for (const i of large) this.probability[i] = 1;
    for (const i of small) this.probability[i] = 1; // rounding leftovers
  }

  /** An index in [0, size), drawn with probability proportional to its weight. */
  sample(rng: Xoshiro128): number {
    const u = rng.next() * this.size;
    const i = Math.floor(u);
    return u - i < (this.probability[i] as number) ? i : (this.alias[i] as number);
  }
}

/** A weighted choice among values. */
export class WeightedChoice<T> {
  private readonly sampler: AliasSampler;

  constructor(
    readonly values: readonly T[],
    weights: readonly number[],
  ) {
    if (values.length !== weights.length) throw new RangeError('values and weights differ in length');
    this.sampler = new AliasSampler(weights);
  }

  /** Values with their weights as pairs. */
  static of<T>(pairs: readonly (readonly [T, number])[]): WeightedChoice<T> {
    return new WeightedChoice(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
  }

  sample(rng: Xoshiro128): T {
    return this.values[this.sampler.sample(rng)] as T;
  }

  sampleIndex(rng: Xoshiro128): number {
    return this.sampler.sample(rng);
  }
}

/**
 * Ranks 0…n−1 with probability falling like 1/(rank+1)^s (0 ≤ s < 1), drawn in O(1) time and
 * memory by inverting the continuous power law: for populations too large for an alias table.
 */
export class PowerLawRanks {
  private readonly exponent: number;
  private readonly span: number;

  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`PowerLawRanks needs an integer n ≥ 1, got ${n}`);
    if (!(s >= 0 && s < 1)) throw new RangeError(`PowerLawRanks needs 0 ≤ s < 1, got ${s}`);
    this.exponent = 1 / (1 - s);
    this.span = Math.pow(n + 1, 1 - s) - 1;
  }

  sample(rng: Xoshiro128): number {
    const rank = Math.floor(Math.pow(1 + rng.next() * this.span, this.exponent) - 1);
    return rank < this.n ? rank : this.n - 1;
  }
}

/** An exponential variate of the given mean (a Poisson process's inter-arrival time). */
export function exponential(rng: Xoshiro128, mean: number): number {
  return -Math.log(1 - rng.next()) * mean;
}

/**
 * A geometric count ≥ 0 with the given mean: the number of successes before the first failure,
 * each trial continuing with probability mean / (1 + mean).
 */
export function geometric(rng: Xoshiro128, mean: number): number {
  if (mean <= 0) return 0;
  const q = mean / (1 + mean);
  return Math.floor(Math.log(1 - rng.next()) / Math.log(q));
}

/** A standard normal variate (Box–Muller; no cached spare, so each call draws two numbers). */
export function standardNormal(rng: Xoshiro128): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal variate with the given median and log-space standard deviation `sigma`. */
export function logNormal(rng: Xoshiro128, median: number, sigma: number): number {
  return median * Math.exp(sigma * standardNormal(rng));
}

/**
 * The standard normal quantile function (Acklam's rational approximation, relative error below
 * 1.2e-9), for building tables.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * Log-normal multipliers (median 1) from a 4096-entry quantile table: one draw and one lookup,
 * for hot paths where Box–Muller's log, sqrt and cos per value cost too much. The tails are cut
 * at the table's outermost quantiles (±3.5 sigma).
 */
export class LogNormalTable {
  private readonly table = new Float64Array(4096);

  constructor(readonly sigma: number) {
    for (let i = 0; i < 4096; i++) this.table[i] = Math.exp(sigma * normalQuantile((i + 0.5) / 4096));
  }

  /** A log-normal variate with the given median. */
  sample(rng: Xoshiro128, median: number): number {
    return median * (this.table[rng.nextUint32() >>> 20] as number);
  }
}

// approx_count_distinct(x): a HyperLogLog sketch with m = 2^p registers (p = 4…18, default 12:
// 4 KiB dense, standard error 1.04/√m ≈ 1.6 %).
//
// Each value is hashed to 64 bits (hash.ts). The top p bits pick a register; the register keeps
// the largest rank seen, the rank being 1 + the number of leading zeros of the remaining 64 − p
// bits (so ranks run 1 … 65 − p, 0 meaning "empty"). Merge is the register-wise maximum, which
// is associative, commutative and idempotent: sketches merge exactly whatever the split.
//
// The estimate is Otmar Ertl's "improved raw estimator" (Ertl 2017, New cardinality estimation
// algorithms for HyperLogLog sketches), computed from the histogram of register values. Its σ
// term is the limit of linear counting, so the small range needs no separate switch (no jump at
// 2.5·m, where the classic estimator is biased) and it needs no empirical bias tables; with a
// 64-bit hash there is no large-range correction either.
//
// Memory: a sketch starts *sparse*, an open-addressing table of (register, rank) entries packed in
// a Uint32Array, and turns dense (one byte per register) once the table would outgrow m/2 bytes.
// Windows of one key often see a few dozen values; they hold 64–512 bytes instead of 4 KiB. Sparse
// and dense hold the same registers, so estimates, merges and results do not depend on the mode.
import type { DistinctValue } from '../api/aggregates.ts';
import { objectBytes, SnapshotError, type Accumulator, type JsonValue } from './accumulator.ts';
import { expectArray, expectCount, expectObject, expectString } from './codec.ts';
import { hashOut, hashValue } from './hash.ts';

/** The default when a descriptor gives none (the planner's state estimate assumes 12 as well). */
const DEFAULT_PRECISION = 12;
export const MIN_HLL_PRECISION = 4;
export const MAX_HLL_PRECISION = 18;

/** Entries a fresh sparse table has room for (before its first growth). */
const SPARSE_INITIAL_CAPACITY = 16;
/** Typed-array header bytes (object plus backing store bookkeeping). */
const TYPED_ARRAY_BYTES = 64;
/** The α∞ constant of the estimator: 1 / (2 ln 2). */
const ALPHA_INF = 1 / (2 * Math.LN2);

/** Standard error of a p-precision sketch's estimate, relative: 1.04 / √(2^p). */
export function hllStandardError(precision: number): number {
  return 1.04 / Math.sqrt(2 ** precision);
}

export class ApproxCountDistinctAccumulator<T extends DistinctValue = DistinctValue> implements Accumulator<T | null | undefined, number> {
  readonly kind = 'approx_count_distinct';
  readonly precision: number;
  /** Registers, m of them; `null` while sparse. */
  private dense: Uint8Array | null = null;
  /** Sparse entries `((register + 1) << 6) | rank`, 0 for a free slot; `null` once dense. */
  private sparse: Uint32Array | null = null;
  /** Entries in `sparse`. */
  private sparseCount = 0;
  /** Largest sparse table, in entries: its bytes stay under m/2. */
  private readonly sparseMaxCapacity: number;

  constructor(precision: number = DEFAULT_PRECISION) {
    if (!Number.isInteger(precision) || precision < MIN_HLL_PRECISION || precision > MAX_HLL_PRECISION) {
      throw new RangeError(`approx_count_distinct: precision must be an integer in [${MIN_HLL_PRECISION}, ${MAX_HLL_PRECISION}], got ${precision}`);
    }
    this.precision = precision;
    this.sparseMaxCapacity = 2 ** precision / 8;
    this.clear();
  }

  private get registerCount(): number {
    return 2 ** this.precision;
  }

  add(v: T | null | undefined): void {
    if (v === null || v === undefined) return;
    hashValue(v);
    const h = hashOut[0] as number;
    const p = this.precision;
    const index = h >>> (32 - p);
    const rest = h << p;
    // Leading zeros of the 64 − p bits after the index: those of H's low 32 − p bits, then of L.
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - p + Math.clz32(hashOut[1] as number) + 1;
    this.setRegister(index, rank);
  }

  /** Raises register `index` to `rank` (if lower). */
  private setRegister(index: number, rank: number): void {
    const dense = this.dense;
    if (dense !== null) {
      if (rank > (dense[index] as number)) dense[index] = rank;
    } else {
      this.sparseSet(index, rank);
    }
  }

  private sparseSet(index: number, rank: number): void {
    const table = this.sparse as Uint32Array;
    const mask = table.length - 1;
    const key = index + 1;
    let slot = index & mask; // the register index is hash bits: uniform already
    for (;;) {
      const entry = table[slot] as number;
      if (entry === 0) {
        table[slot] = (key << 6) | rank;
        this.sparseCount++;
        if (this.sparseCount * 4 > table.length * 3) this.growSparse();
        return;
      }
      if (entry >>> 6 === key) {
        if (rank > (entry & 63)) table[slot] = (key << 6) | rank;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  private growSparse(): void {
    const old = this.sparse as Uint32Array;
    if (old.length * 2 > this.sparseMaxCapacity) {
      this.toDense();
      return;
    }
    this.sparse = new Uint32Array(old.length * 2);
    this.sparseCount = 0;
    for (const entry of old) if (entry !== 0) this.sparseSet((entry >>> 6) - 1, entry & 63);
  }

  private toDense(): void {
    const dense = new Uint8Array(this.registerCount);
    const sparse = this.sparse;
    if (sparse !== null) for (const entry of sparse) if (entry !== 0) dense[(entry >>> 6) - 1] = entry & 63;
    this.dense = dense;
    this.sparse = null;
    this.sparseCount = 0;
  }

  merge(other: ApproxCountDistinctAccumulator<T>): void {
    if (other.precision !== this.precision) {
      throw new RangeError(`approx_count_distinct: cannot merge precision ${other.precision} into ${this.precision}`);
    }
    if (other.dense !== null) {
      if (this.dense === null) this.toDense();
      const mine = this.dense as Uint8Array;
      const theirs = other.dense;
      for (let i = 0; i < mine.length; i++) if ((theirs[i] as number) > (mine[i] as number)) mine[i] = theirs[i] as number;
    } else if (other.sparse !== null) {
      for (const entry of other.sparse) if (entry !== 0) this.setRegister((entry >>> 6) - 1, entry & 63);
    }
  }

  /** How many registers hold each value 0 … 65 − p. */
  private histogram(): Float64Array {
    const m = this.registerCount;
    const counts = new Float64Array(66 - this.precision);
    if (this.dense !== null) {
      for (const r of this.dense) counts[r] = (counts[r] as number) + 1;
    } else if (this.sparse !== null) {
      for (const entry of this.sparse) if (entry !== 0) counts[entry & 63] = (counts[entry & 63] as number) + 1;
      counts[0] = m - this.sparseCount;
    }
    return counts;
  }

  /** The estimated number of distinct values (unrounded). */
  estimate(): number {
    const m = this.registerCount;
    const c = this.histogram();
    const q = 64 - this.precision;
    let z = m * tau(1 - (c[q + 1] as number) / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + (c[k] as number));
    z += m * sigma((c[0] as number) / m);
    return (ALPHA_INF * m * m) / z;
  }

  /** The estimate, rounded to an integer; 0 for an empty sketch. */
  result(): number {
    return Math.round(this.estimate());
  }

  /**
   * `{ p, s: [register · 64 + rank, …] }` (ascending) while sparse, `{ p, d: base64 registers }`
   * once dense.
   */
  snapshot(): JsonValue {
    if (this.dense !== null) {
      return { p: this.precision, d: Buffer.from(this.dense.buffer, this.dense.byteOffset, this.dense.byteLength).toString('base64') };
    }
    const entries: number[] = [];
    for (const entry of this.sparse as Uint32Array) if (entry !== 0) entries.push(((entry >>> 6) - 1) * 64 + (entry & 63));
    entries.sort((a, b) => a - b);
    return { p: this.precision, s: entries };
  }

  static restore<T extends DistinctValue = DistinctValue>(snapshot: JsonValue): ApproxCountDistinctAccumulator<T> {
    const kind = 'approx_count_distinct';
    const o = expectObject(snapshot, kind);
    const p = expectCount(o.p, kind, 'precision');
    if (p < MIN_HLL_PRECISION || p > MAX_HLL_PRECISION) throw new SnapshotError(kind, `precision ${p} out of range`);
    const acc = new ApproxCountDistinctAccumulator<T>(p);
    const maxRank = 65 - p;
    if (o.d !== undefined) {
      const bytes = Buffer.from(expectString(o.d, kind, 'registers'), 'base64');
      if (bytes.length !== acc.registerCount) throw new SnapshotError(kind, `expected ${acc.registerCount} registers, got ${bytes.length}`);
      const dense = new Uint8Array(bytes);
      for (const r of dense) if (r > maxRank) throw new SnapshotError(kind, `register value ${r} above ${maxRank}`);
      acc.sparse = null;
      acc.dense = dense;
      return acc;
    }
    for (const item of expectArray(o.s, kind, 'sparse entries')) {
      const packed = expectCount(item, kind, 'sparse entry');
      const index = Math.floor(packed / 64);
      const rank = packed % 64;
      if (index >= acc.registerCount || rank === 0 || rank > maxRank) throw new SnapshotError(kind, `bad sparse entry ${packed}`);
      acc.setRegister(index, rank);
    }
    return acc;
  }

  clone(): ApproxCountDistinctAccumulator<T> {
    const copy = new ApproxCountDistinctAccumulator<T>(this.precision);
    copy.dense = this.dense === null ? null : this.dense.slice();
    copy.sparse = this.sparse === null ? null : this.sparse.slice();
    copy.sparseCount = this.sparseCount;
    return copy;
  }

  /** Back to an empty sparse sketch (a dense one would keep m bytes for nothing). */
  reset(): void {
    this.clear();
  }

  private clear(): void {
    if (SPARSE_INITIAL_CAPACITY * 2 > this.sparseMaxCapacity) {
      this.dense = new Uint8Array(this.registerCount);
      this.sparse = null;
    } else {
      this.dense = null;
      this.sparse = new Uint32Array(SPARSE_INITIAL_CAPACITY);
    }
    this.sparseCount = 0;
  }

  /** Whether the sketch has switched to one byte per register. */
  get isDense(): boolean {
    return this.dense !== null;
  }

  byteSize(): number {
    const storage = this.dense !== null ? this.dense.byteLength : (this.sparse as Uint32Array).byteLength;
    return objectBytes(5) + TYPED_ARRAY_BYTES + storage;
  }
}

/** σ(x) = x + Σ_{k≥1} x^(2^k) · 2^(k−1); infinite at x = 1 (all registers empty: estimate 0). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

/** τ(x) = (1/3) · (1 − x − Σ_{k≥1} (1 − x^(2^−k))² · 2^−k). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z === previous) return z / 3;
  }
}

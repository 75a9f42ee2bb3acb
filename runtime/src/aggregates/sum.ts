// sum(x) with Neumaier's compensated summation: `sum` is the running float sum and `comp` the
// rounding error lost so far, so `sum + comp` is the sum as if computed in about twice the
// precision. Its error is at most 2u·|Σx| + O(n·u²)·Σ|x| (u = 2^-53) whatever the order of the
// additions, which is why a merge of partials (the other's `sum`, then its `comp`, added the same
// way) matches the sequential sum to ~1e-15 relative instead of drifting with the split.
import { objectBytes, type Accumulator, type JsonValue } from './accumulator.ts';
import { decodeNumber, encodeNumber, expectArray } from './codec.ts';

/** The rounding error of `t = s + x` (exact for finite inputs): Neumaier's branch of 2Sum. */
export function additionError(s: number, x: number, t: number): number {
  return Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
}

/** `sum + comp`, except when the float sum overflowed or met ±Infinity/NaN: then the sum as is. */
export function compensatedTotal(sum: number, comp: number): number {
  return Number.isFinite(sum) ? sum + comp : sum;
}

export class SumAccumulator implements Accumulator<number | null | undefined, number> {
  readonly kind = 'sum';
  sum = 0;
  comp = 0;

  add(x: number | null | undefined): void {
    if (x === null || x === undefined) return;
    const t = this.sum + x;
    this.comp += additionError(this.sum, x, t);
    this.sum = t;
  }

  merge(other: SumAccumulator): void {
    this.add(other.sum);
    this.add(other.comp);
  }

  /** 0 when nothing was summed. */
  result(): number {
    return compensatedTotal(this.sum, this.comp);
  }

  /** `[sum, comp]`; NaN, ±Infinity and -0 as strings. */
  snapshot(): JsonValue {
    return [encodeNumber(this.sum), encodeNumber(this.comp)];
  }

  static restore(snapshot: JsonValue): SumAccumulator {
    const [sum, comp] = expectArray(snapshot, 'sum', 'snapshot');
    const acc = new SumAccumulator();
    acc.sum = decodeNumber(sum, 'sum', 'sum');
    acc.comp = decodeNumber(comp, 'sum', 'compensation');
    return acc;
  }

  clone(): SumAccumulator {
    const copy = new SumAccumulator();
    copy.sum = this.sum;
    copy.comp = this.comp;
    return copy;
  }

  reset(): void {
    this.sum = 0;
    this.comp = 0;
  }

  byteSize(): number {
    return objectBytes(3);
  }
}

// avg(x): a compensated sum (see sum.ts) and a count; merge adds both.
import { objectBytes, type Accumulator, type JsonValue } from './accumulator.ts';
import { decodeNumber, encodeNumber, expectArray, expectCount } from './codec.ts';
import { additionError, compensatedTotal } from './sum.ts';

export class AvgAccumulator implements Accumulator<number | null | undefined, number | null> {
  readonly kind = 'avg';
  sum = 0;
  comp = 0;
  n = 0;

  add(x: number | null | undefined): void {
    if (x === null || x === undefined) return;
    this.accumulate(x);
    this.n++;
  }

  merge(other: AvgAccumulator): void {
    this.accumulate(other.sum);
    this.accumulate(other.comp);
    this.n += other.n;
  }

  private accumulate(x: number): void {
    const t = this.sum + x;
    this.comp += additionError(this.sum, x, t);
    this.sum = t;
  }

  /** `null` when no value was added. */
  result(): number | null {
    return this.n === 0 ? null : compensatedTotal(this.sum, this.comp) / this.n;
  }

  /** `[sum, comp, count]`. */
  snapshot(): JsonValue {
    return [encodeNumber(this.sum), encodeNumber(this.comp), this.n];
  }

  static restore(snapshot: JsonValue): AvgAccumulator {
    const [sum, comp, n] = expectArray(snapshot, 'avg', 'snapshot');
    const acc = new AvgAccumulator();
    acc.sum = decodeNumber(sum, 'avg', 'sum');
    acc.comp = decodeNumber(comp, 'avg', 'compensation');
    acc.n = expectCount(n, 'avg', 'count');
    return acc;
  }

  clone(): AvgAccumulator {
    const copy = new AvgAccumulator();
    copy.sum = this.sum;
    copy.comp = this.comp;
    copy.n = this.n;
    return copy;
  }

  reset(): void {
    this.sum = 0;
    this.comp = 0;
    this.n = 0;
  }

  byteSize(): number {
    return objectBytes(4);
  }
}

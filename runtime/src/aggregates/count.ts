// count() and count(x): a number of records (or of non-null values of x). Merge adds.
import { objectBytes, type Accumulator, type JsonValue } from './accumulator.ts';
import { expectCount } from './codec.ts';

export class CountAccumulator implements Accumulator<unknown, number> {
  readonly kind = 'count';
  n = 0;

  /** `nonNull`: `count(x)`, which skips null/undefined inputs; otherwise every `add` counts. */
  constructor(readonly nonNull: boolean = false) {}

  add(value?: unknown): void {
    if (this.nonNull && (value === null || value === undefined)) return;
    this.n++;
  }

  merge(other: CountAccumulator): void {
    this.n += other.n;
  }

  result(): number {
    return this.n;
  }

  /** The count itself. */
  snapshot(): JsonValue {
    return this.n;
  }

  static restore(snapshot: JsonValue, nonNull: boolean = false): CountAccumulator {
    const acc = new CountAccumulator(nonNull);
    acc.n = expectCount(snapshot, 'count', 'count');
    return acc;
  }

  clone(): CountAccumulator {
    const copy = new CountAccumulator(this.nonNull);
    copy.n = this.n;
    return copy;
  }

  reset(): void {
    this.n = 0;
  }

  byteSize(): number {
    return objectBytes(2);
  }
}

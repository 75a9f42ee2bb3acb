// rate(): records per `perMs` (a second by default) over the window's length. The state is a
// count; the window length is configuration, given at construction for fixed windows or to
// `result` for a session (whose length is known only when it closes). Merge adds counts and keeps
// this accumulator's configuration (panes merged into a window report the window's rate).
import { objectBytes, SnapshotError, type Accumulator, type JsonValue } from './accumulator.ts';
import { expectCount, expectObject } from './codec.ts';

export class RateAccumulator implements Accumulator<unknown, number> {
  readonly kind = 'rate';
  n = 0;

  constructor(
    /** The window's length; `null` when only `result(windowMs)` will know it. */
    readonly windowMs: number | null = null,
    readonly perMs: number = 1000,
  ) {
    if (windowMs !== null && !(windowMs > 0)) throw new RangeError(`rate: window length must be positive, got ${windowMs}`);
    if (!(perMs > 0)) throw new RangeError(`rate: perMs must be positive, got ${perMs}`);
  }

  add(): void {
    this.n++;
  }

  merge(other: RateAccumulator): void {
    this.n += other.n;
  }

  /** `count · perMs / windowMs`. */
  result(windowMs: number | null = this.windowMs): number {
    if (windowMs === null || !(windowMs > 0)) throw new RangeError('rate: the window length is unknown (pass it to result())');
    return (this.n * this.perMs) / windowMs;
  }

  /** `{ n: count, w: windowMs | null, p: perMs }` */
  snapshot(): JsonValue {
    return { n: this.n, w: this.windowMs, p: this.perMs };
  }

  static restore(snapshot: JsonValue): RateAccumulator {
    const o = expectObject(snapshot, 'rate');
    const w = o.w;
    if (w !== null && typeof w !== 'number') throw new SnapshotError('rate', 'window length is not a number');
    if (typeof o.p !== 'number') throw new SnapshotError('rate', 'perMs is not a number');
    const acc = new RateAccumulator(w, o.p);
    acc.n = expectCount(o.n, 'rate', 'count');
    return acc;
  }

  clone(): RateAccumulator {
    const copy = new RateAccumulator(this.windowMs, this.perMs);
    copy.n = this.n;
    return copy;
  }

  reset(): void {
    this.n = 0;
  }

  byteSize(): number {
    return objectBytes(4);
  }
}

// last(x): the value of the latest record by event time, then by arrival `seq` (see first.ts for
// the tie rules and what `seq` must be). Null inputs are skipped.
import { objectBytes, type Accumulator, type JsonValue } from './accumulator.ts';
import { compareValues } from './codec.ts';
import { copyTimed, restoreTimed, snapshotTimed, type TimedValue } from './timed.ts';

export class LastAccumulator<T = unknown> implements Accumulator<T | null | undefined, T | null>, TimedValue<T> {
  readonly kind = 'last';
  value: T | undefined = undefined;
  time = 0;
  seq = 0;
  has = false;

  add(value: T | null | undefined, time: number, seq: number): void {
    if (value === null || value === undefined) return;
    if (!this.has || time > this.time || (time === this.time && (seq > this.seq || (seq === this.seq && compareValues(value, this.value) < 0)))) {
      this.value = value;
      this.time = time;
      this.seq = seq;
      this.has = true;
    }
  }

  merge(other: LastAccumulator<T>): void {
    if (other.has) this.add(other.value, other.time, other.seq);
  }

  /** `null` when no value was added. */
  result(): T | null {
    return this.has ? (this.value as T) : null;
  }

  snapshot(): JsonValue {
    return snapshotTimed(this);
  }

  static restore<T = unknown>(snapshot: JsonValue): LastAccumulator<T> {
    const acc = new LastAccumulator<T>();
    restoreTimed(acc, snapshot, 'last');
    return acc;
  }

  clone(): LastAccumulator<T> {
    const copy = new LastAccumulator<T>();
    copyTimed(this, copy);
    return copy;
  }

  reset(): void {
    this.value = undefined;
    this.time = 0;
    this.seq = 0;
    this.has = false;
  }

  /** The value itself is shared with the record it came from and not counted. */
  byteSize(): number {
    return objectBytes(5);
  }
}

// first(x): the value of the earliest record by event time; records with the same time are ordered
// by `seq`, their arrival sequence number. Keeping the (time, seq) pair with the value is what
// makes merge deterministic: partials of the same stream agree on which record came first.
// `seq` must be comparable across the partials that get merged (an operator-wide arrival counter,
// or a source offset for one partition). On an exact (time, seq) tie the smaller value in
// `compareValues` order wins, so merge stays commutative even then. Null inputs are skipped.
import { objectBytes, type Accumulator, type JsonValue } from './accumulator.ts';
import { compareValues } from './codec.ts';
import { copyTimed, restoreTimed, snapshotTimed, type TimedValue } from './timed.ts';

export class FirstAccumulator<T = unknown> implements Accumulator<T | null | undefined, T | null>, TimedValue<T> {
  readonly kind = 'first';
  value: T | undefined = undefined;
  time = 0;
  seq = 0;
  has = false;

  add(value: T | null | undefined, time: number, seq: number): void {
    if (value === null || value === undefined) return;
    if (!this.has || time < this.time || (time === this.time && (seq < this.seq || (seq === this.seq && compareValues(value, this.value) < 0)))) {
      this.value = value;
      this.time = time;
      this.seq = seq;
      this.has = true;
    }
  }

  merge(other: FirstAccumulator<T>): void {
    if (other.has) this.add(other.value, other.time, other.seq);
  }

  /** `null` when no value was added. */
  result(): T | null {
    return this.has ? (this.value as T) : null;
  }

  snapshot(): JsonValue {
    return snapshotTimed(this);
  }

  static restore<T = unknown>(snapshot: JsonValue): FirstAccumulator<T> {
    const acc = new FirstAccumulator<T>();
    restoreTimed(acc, snapshot, 'first');
    return acc;
  }

  clone(): FirstAccumulator<T> {
    const copy = new FirstAccumulator<T>();
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

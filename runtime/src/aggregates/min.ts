// min(x) over numbers (timestamps are epoch-ms numbers) or strings (UTF-16 code-unit order).
// NaN inputs are skipped (they have no place in the order and would make the result depend on the
// arrival order); -0 is below +0, so min(0, -0) is -0 in any order.
import type { OrderedValue } from '../api/aggregates.ts';
import { objectBytes, type Accumulator, type JsonValue } from './accumulator.ts';
import { copyOrdered, ORDERED_FIELDS, restoreOrdered, snapshotOrdered, type OrderedState } from './ordered.ts';

export class MinAccumulator<T extends OrderedValue = number> implements Accumulator<T | null | undefined, T | null>, OrderedState {
  readonly kind = 'min';
  num = Infinity;
  hasNum = false;
  str = '';
  hasStr = false;

  add(v: T | null | undefined): void {
    if (typeof v === 'number') {
      if (v < this.num) {
        this.num = v;
        this.hasNum = true;
      } else if (v === this.num) {
        this.hasNum = true; // the first Infinity
        if (v === 0 && 1 / v < 0) this.num = v;
      }
    } else if (typeof v === 'string') {
      if (!this.hasStr || v < this.str) {
        this.str = v;
        this.hasStr = true;
      }
    }
  }

  merge(other: MinAccumulator<T>): void {
    if (other.hasNum) this.add(other.num as T);
    if (other.hasStr) this.add(other.str as T);
  }

  /** `null` when no value was added; numbers order before strings. */
  result(): T | null {
    if (this.hasNum) return this.num as T;
    return this.hasStr ? (this.str as T) : null;
  }

  snapshot(): JsonValue {
    return snapshotOrdered(this);
  }

  static restore<T extends OrderedValue = number>(snapshot: JsonValue): MinAccumulator<T> {
    const acc = new MinAccumulator<T>();
    restoreOrdered(acc, snapshot, 'min');
    return acc;
  }

  clone(): MinAccumulator<T> {
    const copy = new MinAccumulator<T>();
    copyOrdered(this, copy);
    return copy;
  }

  reset(): void {
    this.num = Infinity;
    this.hasNum = false;
    this.str = '';
    this.hasStr = false;
  }

  byteSize(): number {
    return objectBytes(ORDERED_FIELDS + 1) + (this.hasStr ? 16 + 2 * this.str.length : 0);
  }
}

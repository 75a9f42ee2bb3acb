import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaxAccumulator, MinAccumulator, type Accumulator, type JsonValue } from '../../src/aggregates/index.ts';
import { roundTrip, splitArb, viaPartials } from './support.ts';

// Oracle: the extreme of the non-null inputs by a hand-written order: NaN dropped, -0 < +0,
// numbers before strings, strings by code units.
function before(a: number | string, b: number | string): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b || (a === 0 && b === 0 && Object.is(a, -0) && Object.is(b, 0));
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  return typeof a === 'number';
}

function oracle(values: readonly (number | string | null)[], want: 'min' | 'max'): number | string | null {
  let best: number | string | null = null;
  for (const v of values) {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (best === null || (want === 'min' ? before(v, best) : before(best, v))) best = v;
  }
  return best;
}

const numbers = fc.array(fc.option(fc.oneof(fc.double(), fc.constantFrom(0, -0, Infinity, -Infinity, NaN))), { maxLength: 100 });
const strings = fc.array(fc.option(fc.string({ maxLength: 4 })), { maxLength: 100 });
const timestamps = fc.array(fc.option(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 })), { maxLength: 100 });

type Extremum = Accumulator<number | string | null | undefined, number | string | null>;

const subjects: readonly (readonly ['min' | 'max', () => Extremum, (s: JsonValue) => Extremum])[] = [
  ['min', () => new MinAccumulator<number | string>(), (s) => MinAccumulator.restore<number | string>(s)],
  ['max', () => new MaxAccumulator<number | string>(), (s) => MaxAccumulator.restore<number | string>(s)],
];

describe.each(subjects)('%s', (name, make, restore) => {
  it.each([
    ['numbers', numbers],
    ['strings', strings],
    ['timestamps', timestamps],
    ['mixed', fc.array(fc.option(fc.oneof(fc.double(), fc.string({ maxLength: 3 }))), { maxLength: 60 })],
  ] as const)('merged partials equal sequential equal the oracle over %s', (_label, arb) => {
    fc.assert(
      fc.property(arb, splitArb, (values, split) => {
        const expected = oracle(values, name);
        const sequential = make();
        for (const v of values) sequential.add(v);
        const merged = viaPartials(values, split, make, (acc, part) => part.forEach((v) => acc.add(v)));
        expect(sequential.result()).toEqual(expected);
        expect(merged.result()).toEqual(expected);
        expect(roundTrip(merged, restore).result()).toEqual(expected);
      }),
    );
  });

  it('is null when empty or when only NaN and nulls came', () => {
    const acc = make();
    expect(acc.result()).toBeNull();
    acc.add(NaN);
    acc.add(null);
    expect(acc.result()).toBeNull();
    expect(roundTrip(acc, restore).result()).toBeNull();
  });

  it('clone is independent and reset empties', () => {
    const acc = make();
    acc.add(3);
    const copy = acc.clone();
    acc.add(name === 'min' ? 1 : 5);
    expect(copy.result()).toBe(3);
    acc.reset();
    expect(acc.result()).toBeNull();
  });
});

describe('min/max of zeros and infinities', () => {
  it('orders -0 below +0 whatever the arrival order', () => {
    for (const order of [
      [0, -0],
      [-0, 0],
    ]) {
      const min = new MinAccumulator();
      const max = new MaxAccumulator();
      order.forEach((v) => (min.add(v), max.add(v)));
      expect(Object.is(min.result(), -0)).toBe(true);
      expect(Object.is(max.result(), 0)).toBe(true);
    }
  });

  it('keeps a lone infinity', () => {
    const min = new MinAccumulator();
    min.add(Infinity);
    expect(min.result()).toBe(Infinity);
    const max = new MaxAccumulator();
    max.add(-Infinity);
    expect(roundTrip(max, (s) => MaxAccumulator.restore(s)).result()).toBe(-Infinity);
  });
});

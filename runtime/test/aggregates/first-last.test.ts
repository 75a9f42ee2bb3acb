import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstAccumulator, LastAccumulator, type Accumulator, type JsonValue } from '../../src/aggregates/index.ts';
import { roundTrip, splitArb, viaPartials } from './support.ts';

interface Event {
  readonly value: string | number | null;
  readonly time: number;
}

/** Few distinct times, so ties on event time are common and arrival order must decide. */
const events = fc.array(
  fc.record({ value: fc.option(fc.oneof(fc.string({ maxLength: 3 }), fc.integer())), time: fc.integer({ min: 0, max: 5 }) }),
  { maxLength: 100 },
);

/** Oracle: scan for the earliest / latest (time, arrival index) among non-null values. */
function oracle(list: readonly Event[], want: 'first' | 'last'): string | number | null {
  let best: { value: string | number; time: number; index: number } | null = null;
  list.forEach((e, index) => {
    if (e.value === null) return;
    const earlier = best === null || e.time < best.time || (e.time === best.time && index < best.index);
    const later = best === null || e.time > best.time || (e.time === best.time && index > best.index);
    if (want === 'first' ? earlier : later) best = { value: e.value, time: e.time, index };
  });
  return best === null ? null : (best as { value: string | number }).value;
}

type Chooser = Accumulator<string | number | null | undefined, string | number | null>;

const subjects: readonly (readonly ['first' | 'last', () => Chooser, (s: JsonValue) => Chooser])[] = [
  ['first', () => new FirstAccumulator<string | number>(), (s) => FirstAccumulator.restore<string | number>(s)],
  ['last', () => new LastAccumulator<string | number>(), (s) => LastAccumulator.restore<string | number>(s)],
];

describe.each(subjects)('%s', (name, make, restore) => {
  it('merged partials equal sequential equal the oracle, ties broken by arrival order', () => {
    fc.assert(
      fc.property(events, splitArb, (list, split) => {
        const expected = oracle(list, name);
        const sequential = make();
        list.forEach((e, i) => sequential.add(e.value, e.time, i));
        const merged = viaPartials(list, split, make, (acc, part, offset) => part.forEach((e, i) => acc.add(e.value, e.time, offset + i)));
        expect(sequential.result()).toBe(expected);
        expect(merged.result()).toBe(expected);
        expect(roundTrip(merged, restore).result()).toBe(expected);
      }),
    );
  });

  it('merge order does not matter even on exact (time, seq) ties', () => {
    const a = make();
    const b = make();
    a.add('x', 10, 1);
    b.add('y', 10, 1);
    const ab = a.clone();
    ab.merge(b);
    const ba = b.clone();
    ba.merge(a);
    expect(ab.result()).toBe(ba.result());
  });

  it('is null when empty; reset empties', () => {
    const acc = make();
    expect(acc.result()).toBeNull();
    acc.add(null, 1, 1);
    expect(acc.result()).toBeNull();
    acc.add(7, 1, 2);
    expect(acc.result()).toBe(7);
    acc.reset();
    expect(acc.result()).toBeNull();
  });
});

describe('first/last of other value types', () => {
  it('round-trips records, lists, booleans and special numbers through snapshots', () => {
    for (const value of [{ url: '/a', ms: NaN, tags: ['x', -0], missing: undefined }, [1, Infinity], true, -Infinity]) {
      const acc = new FirstAccumulator<unknown>();
      acc.add(value, 1_700_000_000_000, 3);
      expect(roundTrip(acc, (s) => FirstAccumulator.restore<unknown>(s)).result()).toEqual(value);
    }
  });
});

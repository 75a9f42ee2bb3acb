import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountDistinctAccumulator } from '../../src/aggregates/index.ts';
import { distinctValueArb, roundTrip, splitArb, viaPartials } from './support.ts';

/** Oracle: distinct by a type-tagged text key (String(-0) is '0', as a Set folds -0 into 0). */
function distinctCount(values: readonly (string | number | boolean | null)[]): number {
  return new Set(values.filter((v) => v !== null).map((v) => `${typeof v}:${String(v)}`)).size;
}

describe('count_distinct', () => {
  it('merged partials equal sequential equal the oracle', () => {
    fc.assert(
      fc.property(fc.array(fc.option(distinctValueArb), { maxLength: 200 }), splitArb, (values, split) => {
        const expected = distinctCount(values);
        const sequential = new CountDistinctAccumulator();
        for (const v of values) sequential.add(v);
        const merged = viaPartials(values, split, () => new CountDistinctAccumulator(), (acc, part) => part.forEach((v) => acc.add(v)));
        expect(sequential.result()).toBe(expected);
        expect(merged.result()).toBe(expected);
        const restored = roundTrip(merged, (s) => CountDistinctAccumulator.restore(s));
        expect(restored.result()).toBe(expected);
        expect(new Set(restored.values)).toEqual(new Set(merged.values));
      }),
    );
  });

  it('tells 1, "1" and true apart and keeps NaN and infinities through snapshots', () => {
    const acc = new CountDistinctAccumulator();
    for (const v of [1, '1', true, 1, NaN, NaN, Infinity, -Infinity, 0, -0]) acc.add(v);
    expect(acc.result()).toBe(7);
    const restored = roundTrip(acc, (s) => CountDistinctAccumulator.restore(s));
    expect(restored.values.has(NaN) && restored.values.has(-Infinity)).toBe(true);
  });

  it('merge leaves the other accumulator unchanged', () => {
    const a = new CountDistinctAccumulator();
    const b = new CountDistinctAccumulator();
    a.add('x');
    b.add('y');
    a.merge(b);
    a.add('z');
    expect(b.result()).toBe(1);
    expect(a.result()).toBe(3);
  });

  it('rejects values that are not distinct values', () => {
    expect(() => CountDistinctAccumulator.restore([{ $o: {} }])).toThrow(/invalid count_distinct snapshot/);
  });
});

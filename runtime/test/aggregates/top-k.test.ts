import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpaceSavingAccumulator, TopKAccumulator } from '../../src/aggregates/index.ts';
import { distinctValueArb, prng, roundTrip, splitArb, viaPartials } from './support.ts';

type Value = string | number | boolean;

/** Oracle: count with an array scan, then sort with a hand-written order (count desc, then value asc). */
function typeRank(v: Value): number {
  return typeof v === 'boolean' ? 0 : typeof v === 'number' ? 1 : 2;
}

function valueOrder(a: Value, b: Value): number {
  if (typeof a !== typeof b) return typeRank(a) - typeRank(b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    return a - b || 0;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

function exactCounts(values: readonly (Value | null)[]): { value: Value; count: number }[] {
  const entries: { value: Value; count: number }[] = [];
  for (const v of values) {
    if (v === null) continue;
    const entry = entries.find((e) => Object.is(e.value, v) || (e.value === 0 && v === 0));
    if (entry) entry.count++;
    else entries.push({ value: v === 0 ? 0 : v, count: 1 });
  }
  return entries.sort((a, b) => b.count - a.count || valueOrder(a.value, b.value));
}

/** Skewed streams: a few values are frequent, many are rare. */
const skewed = fc.array(
  fc.integer({ min: 0, max: 999 }).map((i) => (i < 400 ? `hot${i % 4}` : i < 600 ? `warm${i % 20}` : `cold${i}`)),
  { maxLength: 600 },
);

describe('top_k (exact)', () => {
  it('merged partials equal sequential equal the oracle', () => {
    fc.assert(
      fc.property(fc.array(fc.option(distinctValueArb), { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), splitArb, (values, k, split) => {
        const expected = exactCounts(values).slice(0, k);
        const sequential = new TopKAccumulator(k);
        for (const v of values) sequential.add(v);
        const merged = viaPartials(values, split, () => new TopKAccumulator(k), (acc, part) => part.forEach((v) => acc.add(v)));
        expect(sequential.result()).toEqual(expected);
        expect(merged.result()).toEqual(expected);
        expect(roundTrip(merged, (s) => TopKAccumulator.restore(s)).result()).toEqual(expected);
      }),
    );
  });

  it('orders ties by value and returns fewer than k when fewer values exist', () => {
    const acc = new TopKAccumulator<string | number>(5);
    for (const v of ['b', 'a', 2, 'b', 'a', 10, 2]) acc.add(v);
    expect(acc.result()).toEqual([
      { value: 2, count: 2 },
      { value: 'a', count: 2 },
      { value: 'b', count: 2 },
      { value: 10, count: 1 },
    ]);
    expect(() => new TopKAccumulator(0)).toThrow(RangeError);
  });

  it('selects the top of a large map without sorting all of it', () => {
    const acc = new TopKAccumulator<number>(3);
    const random = prng(7);
    for (let i = 0; i < 100_000; i++) acc.add(Math.floor(random() ** 3 * 50_000));
    const expected = [...acc.counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
    expect(acc.result().map((e) => [e.value, e.count])).toEqual(expected);
  });
});

describe('top_k (Space-Saving)', () => {
  /** The documented guarantees, against exact counts of the whole stream. */
  function checkBounds(summary: SpaceSavingAccumulator<string>, values: readonly string[]): void {
    const truth = new Map<string, number>();
    for (const v of values) truth.set(v, (truth.get(v) ?? 0) + 1);
    const bound = values.length / summary.capacity;
    const tracked = new Map(summary.counters().map((c) => [c.value, c]));
    expect(summary.total).toBe(values.length);
    for (const c of tracked.values()) {
      const t = truth.get(c.value) ?? 0;
      expect(c.count).toBeGreaterThanOrEqual(t);
      expect(c.count - c.error).toBeLessThanOrEqual(t);
      expect(c.error).toBeLessThanOrEqual(bound);
    }
    for (const [v, t] of truth) if (t > bound) expect(tracked.has(v)).toBe(true);
  }

  it('over-estimates by at most N/capacity and tracks every value above N/capacity, merged or not', () => {
    fc.assert(
      fc.property(skewed, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 4, max: 16 }), splitArb, (values, k, capacity, split) => {
        const sequential = new SpaceSavingAccumulator<string>(k, capacity);
        for (const v of values) sequential.add(v);
        checkBounds(sequential, values);
        const merged = viaPartials(values, split, () => new SpaceSavingAccumulator<string>(k, capacity), (acc, part) => part.forEach((v) => acc.add(v)));
        checkBounds(merged, values);
        expect(merged.result().length).toBe(Math.min(k, new Set(values).size));
      }),
      { numRuns: 400 },
    );
  });

  it('is exact while the distinct values fit in its capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.option(distinctValueArb), { maxLength: 200 }), splitArb, (values, split) => {
        const expected = exactCounts(values).slice(0, 3);
        const merged = viaPartials(values, split, () => new SpaceSavingAccumulator(3, 64), (acc, part) => part.forEach((v) => acc.add(v)));
        expect(merged.result()).toEqual(expected);
        expect(merged.maxError()).toBe(0);
      }),
    );
  });

  it('credits a value missing from a full summary with that summary\'s smallest count', () => {
    const a = new SpaceSavingAccumulator<string>(1, 2);
    for (const v of ['x', 'y', 'z']) a.add(v); // z takes over x's counter: y 1, z 2 (error 1)
    const b = new SpaceSavingAccumulator<string>(1, 2);
    b.add('x');
    a.merge(b);
    const x = a.counters().find((c) => c.value === 'x');
    expect(x).toEqual({ value: 'x', count: 2, error: 1 }); // truly 2: one in each partial
    checkBounds(a, ['x', 'y', 'z', 'x']);
  });

  it('merge is commutative', () => {
    fc.assert(
      fc.property(skewed, skewed, (xs, ys) => {
        const a = new SpaceSavingAccumulator<string>(3, 12);
        const b = new SpaceSavingAccumulator<string>(3, 12);
        xs.forEach((x) => a.add(x));
        ys.forEach((y) => b.add(y));
        const ab = a.clone();
        ab.merge(b);
        const ba = b.clone();
        ba.merge(a);
        expect(ab.snapshot()).toEqual(ba.snapshot());
      }),
    );
  });

  it('a restored summary evolves exactly like the original', () => {
    fc.assert(
      fc.property(skewed, skewed, (before, after) => {
        const original = new SpaceSavingAccumulator<string>(2, 8);
        before.forEach((v) => original.add(v));
        const restored = roundTrip(original, (s) => SpaceSavingAccumulator.restore<string>(s));
        const cloned = original.clone();
        for (const v of after) {
          original.add(v);
          restored.add(v);
          cloned.add(v);
        }
        expect(restored.snapshot()).toEqual(original.snapshot());
        expect(cloned.snapshot()).toEqual(original.snapshot());
      }),
    );
  });

  it('finds the heavy hitters of a large skewed stream in 100 counters', () => {
    const random = prng(42);
    const summary = new SpaceSavingAccumulator<string>(5, 100);
    const exact = new TopKAccumulator<string>(5);
    for (let i = 0; i < 200_000; i++) {
      const v = `v${Math.floor(1 / (random() + 1e-9))}`; // Zipf-like: v1 ≈ 50 %, v2 ≈ 17 %, …
      summary.add(v);
      exact.add(v);
    }
    expect(summary.result().map((e) => e.value)).toEqual(exact.result().map((e) => e.value));
    for (const [i, e] of summary.result().entries()) {
      const truth = exact.result()[i]?.count ?? 0;
      expect(e.count - truth).toBeLessThanOrEqual(200_000 / 100);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApproxCountDistinctAccumulator, hllStandardError } from '../../src/aggregates/index.ts';
import { distinctValueArb, prng, roundTrip, splitArb, viaPartials } from './support.ts';

function sketchOf(values: Iterable<string | number | boolean>, precision = 12): ApproxCountDistinctAccumulator {
  const acc = new ApproxCountDistinctAccumulator(precision);
  for (const v of values) acc.add(v);
  return acc;
}

function* range<T>(n: number, f: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield f(i);
}

describe('approx_count_distinct (HyperLogLog)', () => {
  it('merged partials hold exactly the registers of the sequential sketch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.oneof(distinctValueArb, fc.integer(), fc.string())), { maxLength: 1500 }),
        fc.constantFrom(4, 8, 10, 12),
        splitArb,
        (values, precision, split) => {
          const sequential = new ApproxCountDistinctAccumulator(precision);
          for (const v of values) sequential.add(v);
          const merged = viaPartials(values, split, () => new ApproxCountDistinctAccumulator(precision), (acc, part) => part.forEach((v) => acc.add(v)));
          // Same registers, whatever mode each side ended in: dense both, or equal sparse entries.
          const dense = (acc: ApproxCountDistinctAccumulator): ApproxCountDistinctAccumulator => {
            const d = acc.clone();
            const full = new ApproxCountDistinctAccumulator(precision);
            full.merge(d);
            return full;
          };
          expect(merged.estimate()).toBe(sequential.estimate());
          expect(dense(merged).snapshot()).toEqual(dense(sequential).snapshot());
          const restored = roundTrip(merged, (s) => ApproxCountDistinctAccumulator.restore(s));
          expect(restored.result()).toBe(merged.result());
        },
      ),
    );
  });

  it('is exact-ish at small cardinalities (the linear-counting range)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 300 }), (values) => {
        const estimate = sketchOf(values).result();
        expect(Math.abs(estimate - values.length)).toBeLessThanOrEqual(Math.max(1, 0.02 * values.length));
      }),
    );
  });

  it.each([10_000, 30_000, 100_000])('estimates %i distinct strings and numbers within 4 standard errors (p = 12)', (n) => {
    const bound = 4 * hllStandardError(12) * n;
    const random = prng(n);
    const strings = sketchOf(range(n, (i) => `user-${i}`));
    const ids = sketchOf(range(n, (i) => 1_000_000 + i));
    const doubles = sketchOf(range(n, (i) => i + random())); // distinct: one in each [i, i+1)
    const uuids = sketchOf(range(n, () => random().toString(36).slice(2) + random().toString(36).slice(2)));
    for (const sketch of [strings, ids, doubles, uuids]) expect(Math.abs(sketch.result() - n)).toBeLessThanOrEqual(bound);
  });

  it('is unbiased with the expected spread across the range (64 sketches per cardinality, p = 10)', () => {
    const precision = 10;
    const se = hllStandardError(precision);
    for (const n of [200, 1_000, 2_500, 5_000, 20_000]) {
      const errors: number[] = [];
      for (let s = 0; s < 64; s++) errors.push(sketchOf(range(n, (i) => `s${s}:${i}`), precision).estimate() / n - 1);
      const mean = errors.reduce((a, e) => a + e, 0) / errors.length;
      const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
      expect(Math.abs(mean)).toBeLessThan(0.5 * se); // the mean of 64 has standard error se/8
      expect(rms).toBeLessThan(1.4 * se);
    }
  });

  it('counts the union when partials overlap, and duplicates change nothing', () => {
    const a = sketchOf(range(20_000, (i) => i));
    const b = sketchOf(range(20_000, (i) => i + 10_000));
    const union = sketchOf(range(30_000, (i) => i));
    a.merge(b);
    expect(a.snapshot()).toEqual(union.snapshot());
    const again = a.clone();
    again.merge(b);
    for (let i = 0; i < 1000; i++) again.add(i);
    expect(again.snapshot()).toEqual(a.snapshot());
  });

  it('starts sparse and small, turns dense once that is smaller, and estimates the same either way', () => {
    const small = sketchOf(range(50, (i) => i));
    expect(small.isDense).toBe(false);
    expect(small.byteSize()).toBeLessThan(1024);
    const big = sketchOf(range(5_000, (i) => i));
    expect(big.isDense).toBe(true);
    const denseSmall = new ApproxCountDistinctAccumulator(12);
    denseSmall.merge(big);
    denseSmall.reset();
    expect(denseSmall.isDense).toBe(false);
    expect(sketchOf([]).result()).toBe(0);
  });

  it('hashes 1, "1" and true as different values, and -0 as 0', () => {
    expect(sketchOf([1, '1', true]).result()).toBe(3);
    expect(sketchOf([0, -0]).result()).toBe(1);
    expect(sketchOf([NaN, NaN, 0 / 0]).result()).toBe(1);
  });

  it('refuses to merge different precisions and bad snapshots', () => {
    expect(() => new ApproxCountDistinctAccumulator(12).merge(new ApproxCountDistinctAccumulator(14))).toThrow(RangeError);
    expect(() => new ApproxCountDistinctAccumulator(3)).toThrow(RangeError);
    expect(() => ApproxCountDistinctAccumulator.restore({ p: 12, s: [4096 * 64 + 1] })).toThrow(/bad sparse entry/);
    expect(() => ApproxCountDistinctAccumulator.restore({ p: 12, d: 'AAAA' })).toThrow(/expected 4096 registers/);
  });
});

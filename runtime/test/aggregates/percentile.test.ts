import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PercentileAccumulator, quantileRank } from '../../src/aggregates/index.ts';
import { prng, roundTrip, splitArb, viaPartials } from './support.ts';

// Rank definition (documented in percentile.ts): quantile q of n values is the sorted value at
// 0-based rank ⌈q·n⌉ − 1 (0 for q = 0). The oracle computes it with integer arithmetic for
// q = percent/100, independently of the sketch's floating-point `quantileRank`.
const PERCENTS = [0, 1, 25, 50, 90, 95, 99, 100];

function trueQuantile(sorted: readonly number[], percent: number): number {
  const rank = Math.max(0, Math.floor((percent * sorted.length + 99) / 100) - 1);
  return sorted[rank] as number;
}

function expectWithinAccuracy(sketch: PercentileAccumulator, values: readonly number[], alpha: number): void {
  const sorted = [...values].sort((a, b) => a - b);
  for (const percent of PERCENTS) {
    const truth = trueQuantile(sorted, percent);
    const estimate = sketch.quantileOf(percent / 100) as number;
    expect(Math.abs(estimate - truth), `q=${percent / 100} truth=${truth} estimate=${estimate}`).toBeLessThanOrEqual(alpha * Math.abs(truth));
  }
}

/**
 * Latency-like positives, values of both signs, exact zeros, integers. Magnitudes stay within
 * [1e-6, 1e9], a ratio of 1e15 that 2048 buckets cover at α = 1 % (beyond it the sketch collapses
 * its lowest buckets: tested apart below).
 */
const magnitudeArb = fc.double({ min: 1e-6, max: 1e9, noNaN: true });
const valueArb = fc.oneof(
  magnitudeArb,
  magnitudeArb.map((x) => -x),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 1, -1, 1e-6, 1e9),
);

describe('percentile (DDSketch)', () => {
  it('every quantile of merged partials is within α of the true value at rank ⌈q·n⌉ − 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(valueArb, fc.constant(null)), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.01, 0.02, 0.05),
        splitArb,
        (values, alpha, split) => {
          const present = values.filter((v): v is number => v !== null);
          fc.pre(present.length > 0);
          const sequential = new PercentileAccumulator(0.5, alpha);
          for (const v of values) sequential.add(v);
          const merged = viaPartials(values, split, () => new PercentileAccumulator(0.5, alpha), (acc, part) => part.forEach((v) => acc.add(v)));
          expectWithinAccuracy(merged, present, alpha);
          // Bucket counts add exactly: merged and sequential sketches are the same sketch.
          expect(merged.snapshot()).toEqual(sequential.snapshot());
          expectWithinAccuracy(roundTrip(merged, (s) => PercentileAccumulator.restore(s)), present, alpha);
        },
      ),
    );
  });

  it('keeps the guarantee on 100k latency-like values (seeded)', () => {
    const random = prng(2024);
    const values = Array.from({ length: 100_000 }, () => Math.exp(random() * 12) * (random() < 0.01 ? 50 : 1));
    const parts = Array.from({ length: 8 }, () => new PercentileAccumulator(0.99));
    values.forEach((v, i) => parts[i % 8]?.add(v));
    const merged = parts.reduce((a, b) => (a.merge(b), a));
    expectWithinAccuracy(merged, values, 0.01);
    expect(merged.count).toBe(100_000);
    expect(merged.byteSize()).toBeLessThan(16_384);
  });

  it('result() answers the configured quantile; null when empty; NaN and infinities are skipped', () => {
    const acc = new PercentileAccumulator(0.9);
    expect(acc.result()).toBeNull();
    for (let i = 1; i <= 100; i++) acc.add(i);
    acc.add(NaN);
    acc.add(Infinity);
    acc.add(-Infinity);
    expect(acc.count).toBe(100);
    expect(Math.abs((acc.result() as number) - 90)).toBeLessThanOrEqual(0.9);
    expect(acc.quantiles([0, 1])).toEqual([1, 100]);
  });

  it('answers exactly at the extremes and for all-zero or single-value inputs', () => {
    const zeros = new PercentileAccumulator(0.5);
    for (let i = 0; i < 10; i++) zeros.add(0);
    expect(zeros.result()).toBe(0);
    const single = new PercentileAccumulator(0.99);
    single.add(-42.5);
    expect(single.result()).toBe(-42.5);
  });

  it('quantileRank is ⌈q·n⌉ − 1 despite floating-point products', () => {
    expect(quantileRank(0.9, 70)).toBe(62); // 0.9 · 70 = 63.00000000000001 in floating point
    expect(quantileRank(0.5, 1)).toBe(0);
    expect(quantileRank(0, 10)).toBe(0);
    expect(quantileRank(1, 10)).toBe(9);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 1_000_000 }), (percent, n) => {
        expect(quantileRank(percent / 100, n)).toBe(Math.max(0, Math.floor((percent * n + 99) / 100) - 1));
      }),
    );
  });

  describe('with a bucket limit', () => {
    it('collapses the buckets nearest zero, the same way whatever the order, and keeps high quantiles accurate', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), splitArb, (values, split) => {
          const make = (): PercentileAccumulator => new PercentileAccumulator(0.5, 0.01, 64);
          const sequential = make();
          for (const v of values) sequential.add(v);
          const merged = viaPartials(values, split, make, (acc, part) => part.forEach((v) => acc.add(v)));
          expect(merged.snapshot()).toEqual(sequential.snapshot());
          roundTrip(merged, (s) => PercentileAccumulator.restore(s));
          // Quantiles whose true value is within the kept 64 buckets (a factor γ^63 below the max) keep the guarantee.
          const sorted = [...values].sort((a, b) => a - b);
          const max = sorted[sorted.length - 1] as number;
          const gamma = 1.01 / 0.99;
          for (const percent of PERCENTS) {
            const truth = trueQuantile(sorted, percent);
            if (truth <= max / gamma ** 62) continue;
            expect(Math.abs((merged.quantileOf(percent / 100) as number) - truth)).toBeLessThanOrEqual(0.01 * truth);
          }
          expect(merged.byteSize()).toBeLessThan(2 * 8 * (64 + 32) + 400);
        }),
      );
    });

    it('collapses values beyond the covered range into the lowest kept bucket, with bounded memory', () => {
      const acc = new PercentileAccumulator(0.5);
      for (let i = 1; i <= 1000; i++) acc.add(i);
      for (const tiny of [Number.MIN_VALUE, 1e-300, -Number.MIN_VALUE, -1e-300]) acc.add(tiny);
      // The tiny values collapse, but they still count at their rank; the median and the extremes hold.
      expect(Math.abs((acc.quantileOf(0.5) as number) - 498)).toBeLessThanOrEqual(4.98);
      expect(acc.quantileOf(0)).toBe(-1e-300);
      acc.add(Number.MAX_VALUE);
      acc.add(-Number.MAX_VALUE);
      expect(acc.quantileOf(1)).toBe(Number.MAX_VALUE);
      expect(acc.quantileOf(0)).toBe(-Number.MAX_VALUE);
      expect(acc.byteSize()).toBeLessThan(2 * 8 * (2048 + 32) + 400);
      roundTrip(acc, (s) => PercentileAccumulator.restore(s));
    });
  });

  it('refuses to merge different accuracies and rejects bad configuration', () => {
    expect(() => new PercentileAccumulator(0.5, 0.01).merge(new PercentileAccumulator(0.5, 0.02))).toThrow(RangeError);
    expect(() => new PercentileAccumulator(1.5)).toThrow(RangeError);
    expect(() => new PercentileAccumulator(0.5, 0)).toThrow(RangeError);
  });

  it('clone is independent; reset empties', () => {
    const acc = new PercentileAccumulator(0.5);
    acc.add(10);
    const copy = acc.clone();
    acc.add(1000);
    acc.add(1000);
    expect(copy.result()).toBe(10);
    acc.reset();
    expect(acc.result()).toBeNull();
    acc.add(3);
    expect(acc.result()).toBe(3);
  });
});

// The seeded PRNG and the samplers built on it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Xoshiro128, deriveSeed } from '../../src/simulator/prng.ts';
import { AliasSampler, LogNormalTable, PowerLawRanks, WeightedChoice, exponential, geometric, logNormal, normalQuantile, zipfWeights } from '../../src/simulator/samplers.ts';

describe('Xoshiro128', () => {
  it('matches the reference xoshiro128** outputs for the state {1, 2, 3, 4}', () => {
    const g = Xoshiro128.fromState(1, 2, 3, 4);
    expect(Array.from({ length: 6 }, () => g.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const a = new Xoshiro128(seed);
        const b = new Xoshiro128(seed);
        const c = new Xoshiro128((seed + 1) >>> 0);
        const xs = Array.from({ length: 16 }, () => a.nextUint32());
        expect(Array.from({ length: 16 }, () => b.nextUint32())).toEqual(xs);
        expect(Array.from({ length: 16 }, () => c.nextUint32())).not.toEqual(xs);
      }),
      { numRuns: 50 },
    );
  });

  it('reseed restarts the stream', () => {
    const g = new Xoshiro128(7);
    const first = [g.nextUint32(), g.nextUint32()];
    g.reseed(7);
    expect([g.nextUint32(), g.nextUint32()]).toEqual(first);
  });

  it('draws uniform floats in [0, 1) and integers in [0, n)', () => {
    const g = new Xoshiro128(3);
    let sum = 0;
    let outside = 0;
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = g.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      const k = g.int(10);
      buckets[k] = (buckets[k] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const count of buckets) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.006);
  });

  it('derives distinct seeds per stream and accepts any finite seed', () => {
    const seeds = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((stream) => deriveSeed(42, stream)));
    expect(seeds.size).toBe(8);
    expect(deriveSeed(1.5)).not.toBe(deriveSeed(1));
    expect(deriveSeed(2 ** 40)).not.toBe(deriveSeed(0));
    expect(() => deriveSeed(Number.NaN)).toThrow(RangeError);
  });
});

describe('samplers', () => {
  it('AliasSampler draws indices in proportion to their weights', () => {
    const weights = [5, 0, 1, 3, 1];
    const sampler = new AliasSampler(weights);
    const g = new Xoshiro128(11);
    const counts = new Array<number>(weights.length).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const k = sampler.sample(g);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    weights.forEach((w, i) => expect(Math.abs((counts[i] as number) / n - w / 10)).toBeLessThan(0.005));
    expect(counts[1]).toBe(0);
  });

  it('rejects empty, negative and all-zero weights', () => {
    expect(() => new AliasSampler([])).toThrow(RangeError);
    expect(() => new AliasSampler([1, -1])).toThrow(RangeError);
    expect(() => new AliasSampler([0, 0])).toThrow(RangeError);
  });

  it('WeightedChoice returns the values', () => {
    const choice = WeightedChoice.of([
      ['a', 1],
      ['b', 0],
    ]);
    const g = new Xoshiro128(1);
    for (let i = 0; i < 100; i++) expect(choice.sample(g)).toBe('a');
  });

  it('PowerLawRanks draws ranks in [0, n) with falling, Zipf-like frequencies', () => {
    const ranks = new PowerLawRanks(1_000, 0.6);
    const g = new Xoshiro128(8);
    const counts = new Array<number>(1_000).fill(0);
    const n = 300_000;
    for (let i = 0; i < n; i++) {
      const r = ranks.sample(g);
      counts[r] = (counts[r] ?? 0) + 1;
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    const band = (from: number, to: number): number => counts.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    expect(band(0, 10)).toBeGreaterThan(band(10, 100));
    expect(band(10, 100)).toBeGreaterThan(band(100, 1_000));
    // 1/(k+1)^0.6: ranks around 10 are drawn about 10^0.6 ≈ 4 times as often as ranks around 100.
    expect(band(8, 13) / band(95, 106)).toBeGreaterThan(3);
    expect(band(8, 13) / band(95, 106)).toBeLessThan(5);
    expect(new PowerLawRanks(1, 0.6).sample(g)).toBe(0);
    expect(() => new PowerLawRanks(10, 1)).toThrow(RangeError);
  });

  it('zipfWeights decrease like 1/k^s', () => {
    expect(zipfWeights(4, 1)).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
  });

  it('exponential, geometric and log-normal variates have the asked-for mean or median', () => {
    const g = new Xoshiro128(5);
    const n = 100_000;
    let e = 0;
    let k = 0;
    const ln: number[] = [];
    const table = new LogNormalTable(0.5);
    const tabled: number[] = [];
    for (let i = 0; i < n; i++) {
      e += exponential(g, 30);
      k += geometric(g, 1.85);
      ln.push(logNormal(g, 100, 0.5));
      tabled.push(table.sample(g, 100));
    }
    expect(e / n).toBeGreaterThan(29.4);
    expect(e / n).toBeLessThan(30.6);
    expect(k / n).toBeGreaterThan(1.8);
    expect(k / n).toBeLessThan(1.9);
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1] as number;
    expect(median(ln)).toBeGreaterThan(98);
    expect(median(ln)).toBeLessThan(102);
    expect(median(tabled)).toBeGreaterThan(98);
    expect(median(tabled)).toBeLessThan(102);
  });

  it('normalQuantile inverts the normal distribution', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

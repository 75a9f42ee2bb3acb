import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvgAccumulator, SumAccumulator } from '../../src/aggregates/index.ts';
import { numberArb, roundTrip, splitArb, viaPartials } from './support.ts';

// The oracle: the exact sum of doubles. Every finite double is an integer multiple of 2^-1074, so
// scaling by 2^1074 makes the sum an exact BigInt sum.
const view = new DataView(new ArrayBuffer(8));

function scaled(x: number): bigint {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const magnitude = exponent === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(exponent - 1);
  return sign * magnitude;
}

function unscaled(s: bigint): number {
  const negative = s < 0n;
  let magnitude = negative ? -s : s;
  let shift = 0;
  const length = magnitude.toString(2).length;
  if (length > 64) {
    shift = length - 64;
    magnitude >>= BigInt(shift);
  }
  const x = Number(magnitude) * 2 ** (shift - 537) * 2 ** -537;
  return negative ? -x : x;
}

function exactSum(values: readonly number[]): number {
  return unscaled(values.reduce((acc, x) => acc + scaled(x), 0n));
}

const U = 2 ** -53;

/**
 * Neumaier's bound: |error| ≤ 2u·|S| + O(n²u²)·Σ|x|. So: 1e-9 relative to the exact sum, plus
 * 4·(n + 16)²·u²·Σ|x| for inputs that cancel to (nearly) zero, where no relative bound can hold
 * (n + 16: a merge adds each partial's sum and compensation as two more terms). For 300 inputs
 * that slack is ~1e-27·Σ|x|, far below what naive summation loses (~n·u·Σ|x|).
 */
function expectClose(got: number, values: readonly number[]): void {
  const exact = exactSum(values);
  const absSum = values.reduce((acc, x) => acc + Math.abs(x), 0);
  const n = values.length + 16;
  expect(Math.abs(got - exact)).toBeLessThanOrEqual(1e-9 * Math.abs(exact) + 4 * n * n * U * U * absSum);
}

/** Large values, small ones, then the large ones negated: the sum is the small ones' alone. */
const cancelling = fc
  .array(fc.tuple(fc.double({ min: 1e10, max: 1e15, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 100 })
  .map((pairs) => [...pairs.flat(), ...pairs.map(([big]) => -big).reverse()]);

const values = fc.oneof(fc.array(numberArb, { maxLength: 300 }), cancelling);

describe('sum', () => {
  it('merged partials and sequential adds both match the exact sum within 1e-9 relative', () => {
    fc.assert(
      fc.property(values, splitArb, (xs, split) => {
        const sequential = new SumAccumulator();
        for (const x of xs) sequential.add(x);
        const merged = viaPartials(xs, split, () => new SumAccumulator(), (acc, part) => part.forEach((x) => acc.add(x)));
        expectClose(sequential.result(), xs);
        expectClose(merged.result(), xs);
        expect(roundTrip(merged, (s) => SumAccumulator.restore(s)).result()).toBe(merged.result());
      }),
    );
  });

  it('is exact where naive summation is not', () => {
    const acc = new SumAccumulator();
    for (const x of [1e16, 1, -1e16, 0.1, 0.2, -0.3]) acc.add(x);
    expect(acc.result()).toBeCloseTo(1, 15);
    const tenth = new SumAccumulator();
    for (let i = 0; i < 1_000_000; i++) tenth.add(0.1);
    expect(tenth.result()).toBe(100_000);
  });

  it('merge order does not matter', () => {
    fc.assert(
      fc.property(values, values, (xs, ys) => {
        const a = new SumAccumulator();
        const b = new SumAccumulator();
        xs.forEach((x) => a.add(x));
        ys.forEach((y) => b.add(y));
        const ab = a.clone();
        ab.merge(b);
        const ba = b.clone();
        ba.merge(a);
        expectClose(ab.result(), [...xs, ...ys]);
        expectClose(ba.result(), [...xs, ...ys]);
      }),
    );
  });

  it('skips nulls, is 0 when empty, and keeps infinities and NaN through snapshots', () => {
    const acc = new SumAccumulator();
    expect(acc.result()).toBe(0);
    acc.add(null);
    acc.add(undefined);
    expect(acc.result()).toBe(0);
    acc.add(Infinity);
    acc.add(1);
    expect(acc.result()).toBe(Infinity);
    expect(roundTrip(acc, (s) => SumAccumulator.restore(s)).result()).toBe(Infinity);
    acc.add(-Infinity);
    expect(acc.result()).toBeNaN();
    expect(roundTrip(acc, (s) => SumAccumulator.restore(s)).result()).toBeNaN();
    const overflow = new SumAccumulator();
    overflow.add(Number.MAX_VALUE);
    overflow.add(Number.MAX_VALUE);
    expect(overflow.result()).toBe(Infinity);
  });
});

describe('avg', () => {
  it('merged partials equal the exact mean; null inputs are skipped', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.option(numberArb), { maxLength: 300 }), cancelling), splitArb, (list, split) => {
        const xs: readonly (number | null)[] = list;
        const present = xs.filter((x): x is number => x !== null);
        const merged = viaPartials(xs, split, () => new AvgAccumulator(), (acc, part) => part.forEach((x) => acc.add(x)));
        const restored = roundTrip(merged, (s) => AvgAccumulator.restore(s));
        if (present.length === 0) {
          expect(merged.result()).toBeNull();
          expect(restored.result()).toBeNull();
          return;
        }
        const got = merged.result() as number;
        const exactMean = exactSum(present) / present.length;
        const absMean = present.reduce((acc, x) => acc + Math.abs(x), 0) / present.length;
        const n = present.length + 16;
        expect(Math.abs(got - exactMean)).toBeLessThanOrEqual(1e-9 * Math.abs(exactMean) + 4 * n * n * U * U * absMean + Number.MIN_VALUE);
        expect(restored.result()).toBe(got);
      }),
    );
  });

  it('reset empties it', () => {
    const acc = new AvgAccumulator();
    acc.add(4);
    acc.add(8);
    expect(acc.result()).toBe(6);
    acc.reset();
    expect(acc.result()).toBeNull();
  });
});

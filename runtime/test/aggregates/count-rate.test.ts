import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountAccumulator, RateAccumulator } from '../../src/aggregates/index.ts';
import { roundTrip, splitArb, viaPartials } from './support.ts';

const inputs = fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.constant(undefined), fc.string()), { maxLength: 200 });

describe('count', () => {
  it('counts every add; merged partials equal sequential equal the length', () => {
    fc.assert(
      fc.property(inputs, splitArb, (values, split) => {
        const sequential = new CountAccumulator();
        for (const v of values) sequential.add(v);
        const merged = viaPartials(values, split, () => new CountAccumulator(), (acc, part) => part.forEach((v) => acc.add(v)));
        expect(sequential.result()).toBe(values.length);
        expect(merged.result()).toBe(values.length);
        expect(roundTrip(merged, (s) => CountAccumulator.restore(s)).result()).toBe(values.length);
      }),
    );
  });

  it('count(x) skips null and undefined', () => {
    fc.assert(
      fc.property(inputs, splitArb, (values, split) => {
        const expected = values.filter((v) => v !== null && v !== undefined).length;
        const merged = viaPartials(values, split, () => new CountAccumulator(true), (acc, part) => part.forEach((v) => acc.add(v)));
        expect(merged.result()).toBe(expected);
        expect(roundTrip(merged, (s) => CountAccumulator.restore(s, true)).result()).toBe(expected);
      }),
    );
  });

  it('add() without an argument counts; reset and clone are independent', () => {
    const acc = new CountAccumulator();
    acc.add();
    acc.add();
    const copy = acc.clone();
    acc.reset();
    expect(acc.result()).toBe(0);
    expect(copy.result()).toBe(2);
  });

  it('rejects snapshots that are not counts', () => {
    expect(() => CountAccumulator.restore(-1)).toThrow(/invalid count snapshot/);
    expect(() => CountAccumulator.restore('3')).toThrow(/invalid count snapshot/);
  });
});

describe('rate', () => {
  it('is count · perMs / windowMs, for merged partials too', () => {
    fc.assert(
      fc.property(fc.nat({ max: 500 }), splitArb, fc.integer({ min: 1, max: 3_600_000 }), (n, split, windowMs) => {
        const values = Array.from({ length: n }, () => undefined);
        const merged = viaPartials(values, split, () => new RateAccumulator(windowMs), (acc, part) => part.forEach(() => acc.add()));
        expect(merged.result()).toBe((n * 1000) / windowMs);
        expect(roundTrip(merged, (s) => RateAccumulator.restore(s)).result()).toBe((n * 1000) / windowMs);
      }),
    );
  });

  it('takes a session length at result time, and a custom unit', () => {
    const acc = new RateAccumulator(null, 60_000);
    for (let i = 0; i < 30; i++) acc.add();
    expect(acc.result(30_000)).toBe(60); // 30 records in 30 s: 60 per minute
    expect(() => acc.result()).toThrow(/window length is unknown/);
    expect(() => new RateAccumulator(0)).toThrow(RangeError);
  });
});

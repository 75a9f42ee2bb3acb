import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareValues } from '../../src/aggregates/index.ts';
import { decodeValue, encodeValue } from '../../src/aggregates/codec.ts';
import { throughJson } from './support.ts';

const scalar = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(NaN, -0, Infinity, -Infinity));

describe('snapshot value codec', () => {
  it('round-trips scalars, lists and records through JSON text, NaN, infinities and -0 included', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeValue(throughJson(encodeValue(v)), 'test')).toEqual(v);
      }),
    );
  });

  it('keeps a user object that looks like a tag apart from the tag', () => {
    const tricky = { $n: 'NaN' };
    expect(decodeValue(throughJson(encodeValue(tricky)), 'test')).toEqual(tricky);
  });
});

describe('compareValues', () => {
  it('is a total order: antisymmetric, transitive, reflexive', () => {
    fc.assert(
      fc.property(scalar, scalar, scalar, (a, b, c) => {
        expect(compareValues(a, a)).toBe(0);
        expect(Math.sign(compareValues(a, b))).toBe(-Math.sign(compareValues(b, a)) || 0);
        if (compareValues(a, b) <= 0 && compareValues(b, c) <= 0) expect(compareValues(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('orders null < booleans < numbers < strings, NaN after the numbers', () => {
    const sorted = ['b', 2, NaN, true, null, 'a', -1, false].sort(compareValues);
    expect(sorted).toEqual([null, false, true, -1, 2, NaN, 'a', 'b']);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur2, murmur2Utf8, partitionForKey, toPositive } from '../../../src/adapters/embedded/index.ts';

// Kafka's UtilsTest.testMurmur2 values, and more from Akka's Murmur2Spec (checked against Kafka).
const KAFKA_VECTORS: readonly [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604],
];

/** Strings of arbitrary UTF-16 code units: lone surrogates too. */
const utf16Units = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes));

describe('murmur2 (Kafka default partitioner)', () => {
  it.each(KAFKA_VECTORS)('hashes %j as Kafka does', (key, expected) => {
    expect(murmur2(new TextEncoder().encode(key))).toBe(expected);
    expect(murmur2Utf8(key)).toBe(expected);
  });

  it('hashes a string exactly as its UTF-8 bytes (any Unicode, lone surrogates included)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), utf16Units), (s) => {
        expect(murmur2Utf8(s)).toBe(murmur2(new TextEncoder().encode(s)));
      }),
      { numRuns: 500 },
    );
  });

  it('places keys as toPositive(murmur2) % partitions, in range', () => {
    expect(partitionForKey('foobar', 12)).toBe(toPositive(-790332482) % 12);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const p = partitionForKey(key, n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
        expect(partitionForKey(key, n)).toBe(p);
      }),
    );
  });
});

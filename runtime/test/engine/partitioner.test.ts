// The engine's partitioner is Kafka's default one, so in-process repartitions and Kafka
// repartition topics place keys alike — and it agrees with the embedded log's producer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur2Utf8 as adapterMurmur2, partitionForKey as adapterPartition } from '../../src/adapters/embedded/murmur2.ts';
import { murmur2Utf8, partitionForKey } from '../../src/engine/index.ts';

// Kafka's UtilsTest.testMurmur2 reference values.
const KAFKA: readonly [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('partitioner', () => {
  it("matches Kafka's murmur2", () => {
    for (const [key, hash] of KAFKA) expect(murmur2Utf8(key), key).toBe(hash);
  });

  it('agrees with the embedded log on any key, ASCII or not', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 64 }), (a, b, partitions) => {
        for (const key of [a, b]) {
          expect(murmur2Utf8(key)).toBe(adapterMurmur2(key));
          expect(partitionForKey(key, partitions)).toBe(adapterPartition(key, partitions));
        }
      }),
    );
  });

  it('sends null keys and single-partition topics to partition 0', () => {
    expect(partitionForKey(null, 12)).toBe(0);
    expect(partitionForKey('anything', 1)).toBe(0);
  });
});

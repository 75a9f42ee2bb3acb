// Kafka's default partitioner, bit for bit: `toPositive(murmur2(utf8(key))) % partitions`, with
// Kafka's murmur2 (MurmurHash2, seed 0x9747b28c, little-endian 4-byte blocks) from
// `org.apache.kafka.common.utils.Utils`. A key lands on the same partition in the embedded log as
// in a Kafka topic with the same partition count, so `flowc run` and `flowc run --kafka` place keyed
// state identically.
//
// The string forms the log's producer uses (`murmur2Utf8`, `partitionForKey`) are the engine's
// (`engine/partitioner.ts`, which routes repartitions by the same function); this module adds the
// byte-array form Kafka's reference vectors are written in.
export { murmur2Utf8, partitionForKey } from '../../engine/partitioner.ts';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, M);
  k ^= k >>> 24;
  k = Math.imul(k, M);
  return Math.imul(h, M) ^ k;
}

function mixTail(h: number, tail: number, tailLength: number): number {
  // Java's switch falls through from case 3 to case 1, xoring the bytes in; `tail` already holds them.
  if (tailLength > 0) h = Math.imul(h ^ tail, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}

/** Kafka's `Utils.murmur2(bytes)`: a signed 32-bit integer, as Java returns it. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    h = mixBlock(h, k);
  }
  let tail = 0;
  const tailLength = length & 3;
  for (let j = tailLength - 1; j >= 0; j--) tail |= (data[blocks + j] as number) << (8 * j);
  return mixTail(h, tail, tailLength) | 0;
}

/** Kafka's `Utils.toPositive`. */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

// Where a keyed record goes when it crosses a `hash` edge: Kafka's default partitioner,
// `toPositive(murmur2(utf8(key))) % partitions` (murmur2 with seed 0x9747b28c, as in
// `org.apache.kafka.common.utils.Utils`). The in-process route of a repartition and a Kafka
// repartition topic therefore place a key on the same partition, so state written in one mode is
// found by the other.
//
// The embedded log's producer (adapters/embedded/murmur2.ts) partitions with these same functions;
// both are tested against Kafka's reference values.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

// Running state of one hash (module level: hashing a key allocates nothing).
let h = 0;
let block = 0;
let filled = 0;

function push(byte: number): void {
  block |= byte << (filled << 3);
  if (++filled === 4) {
    let k = Math.imul(block, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
    block = 0;
    filled = 0;
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Kafka's `Utils.murmur2` of the UTF-8 bytes of `s` (a signed 32-bit integer), without encoding them. */
export function murmur2Utf8(s: string): number {
  h = SEED ^ utf8Length(s);
  block = 0;
  filled = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      push(c);
    } else if (c < 0x800) {
      push(0xc0 | (c >> 6));
      push(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      push(0xf0 | (cp >> 18));
      push(0x80 | ((cp >> 12) & 0x3f));
      push(0x80 | ((cp >> 6) & 0x3f));
      push(0x80 | (cp & 0x3f));
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      push(0xe0 | (c >> 12));
      push(0x80 | ((c >> 6) & 0x3f));
      push(0x80 | (c & 0x3f));
    }
  }
  if (filled > 0) h = Math.imul(h ^ block, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return (h ^ (h >>> 15)) | 0;
}

/** The partition of `key` among `partitions` (Kafka's default partitioner). A `null` key goes to partition 0. */
export function partitionForKey(key: string | null, partitions: number): number {
  if (key === null || partitions <= 1) return 0;
  return (murmur2Utf8(key) & 0x7fffffff) % partitions;
}

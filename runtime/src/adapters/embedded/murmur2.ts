// Kafka's default partitioner, bit for bit: `toPositive(murmur2(utf8(key))) % partitions`, with
// Kafka's murmur2 (MurmurHash2, seed 0x9747b28c, little-endian 4-byte blocks) from
// `org.apache.kafka.common.utils.Utils`. A key lands on the same partition in the embedded log as
// in a Kafka topic with the same partition count, so `flowc run` and `flowc run --kafka` place keyed
// state identically.
//
// `murmur2Utf8` hashes a string's UTF-8 bytes as it encodes them (no buffer allocation); lone
// surrogates become U+FFFD, as Java's `String.getBytes(UTF_8)` and `TextEncoder` do.

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

/** The number of UTF-8 bytes of `s` (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(s: string): number {
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

// The running state of `murmur2Utf8` (module-level, so hashing a key allocates nothing).
let runH = 0;
let runBlock = 0;
let runFilled = 0;

function pushByte(byte: number): void {
  runBlock |= byte << (8 * runFilled);
  if (++runFilled === 4) {
    runH = mixBlock(runH, runBlock);
    runBlock = 0;
    runFilled = 0;
  }
}

/** `murmur2` of the UTF-8 encoding of `s`, without materialising the bytes. */
export function murmur2Utf8(s: string): number {
  runH = SEED ^ utf8Length(s);
  runBlock = 0;
  runFilled = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      pushByte(c);
    } else if (c < 0x800) {
      pushByte(0xc0 | (c >> 6));
      pushByte(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      pushByte(0xf0 | (cp >> 18));
      pushByte(0x80 | ((cp >> 12) & 0x3f));
      pushByte(0x80 | ((cp >> 6) & 0x3f));
      pushByte(0x80 | (cp & 0x3f));
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      pushByte(0xe0 | (c >> 12));
      pushByte(0x80 | ((c >> 6) & 0x3f));
      pushByte(0x80 | (c & 0x3f));
    }
  }
  return mixTail(runH, runBlock, runFilled) | 0;
}

/** Kafka's `Utils.toPositive`. */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a (non-null) string key. */
export function partitionForKey(key: string, partitions: number): number {
  return toPositive(murmur2Utf8(key)) % partitions;
}

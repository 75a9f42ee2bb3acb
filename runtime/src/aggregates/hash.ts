// A 64-bit hash of strings, numbers and booleans for HyperLogLog, written as two independent
// 32-bit lanes computed in one pass over the input: lane H is MurmurHash3's x86_32 block mix and
// finaliser, lane L an xxHash32-style round and avalanche. Each lane alone avalanches well; the two
// use different multipliers, rotations and seeds, so together they act as a 64-bit hash (HLL takes
// its register index and most of its rank from H, and L extends the rank).
//
// Deterministic across processes and machines (no random seed): sketches built on different
// processors, or restored from a checkpoint, merge. Values of different types never share a hash
// stream (each type has its own seeds): `1`, `'1'` and `true` are three values, as in a `Set`.
// Numbers hash by their IEEE-754 bits after folding -0 into 0 (a `Set` treats them as one value).
//
// No allocation: results go to `hashOut` (a shared two-word buffer) instead of a returned object.

/** `[H, L]` of the last `hashValue` call. */
export const hashOut = new Uint32Array(2);

const M1 = 0xcc9e2d51;
const M2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

// Seeds per value type: [lane H, lane L].
const STRING_H = 0x3c6ef372;
const STRING_L = 0x2545f491;
const NUMBER_H = 0x510e527f;
const NUMBER_L = 0x9b05688c;
const BOOLEAN_H = 0x1f83d9ab;
const BOOLEAN_L = 0x5be0cd19;

function murmurBlock(h: number, k: number): number {
  k = Math.imul(k, M1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, M2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function murmurFinal(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function xxBlock(h: number, k: number): number {
  h = (h + Math.imul(k, P3)) | 0;
  h = (h << 17) | (h >>> 15);
  return Math.imul(h, P4);
}

function xxFinal(h: number, length: number): number {
  h = (h + Math.imul(length, P1)) | 0;
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hashes a string by its UTF-16 code units, two per 32-bit block. */
export function hashString(s: string): void {
  const n = s.length;
  let h = STRING_H;
  let l = STRING_L;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    h = murmurBlock(h, k);
    l = xxBlock(l, k);
  }
  if (i < n) {
    const k = s.charCodeAt(i);
    h = murmurBlock(h, k);
    l = xxBlock(l, k);
  }
  hashOut[0] = murmurFinal(h, n);
  hashOut[1] = xxFinal(l, n);
}

export function hashNumber(x: number): void {
  f64[0] = x === 0 ? 0 : x !== x ? NaN : x;
  const lo = u32[0] as number;
  const hi = u32[1] as number;
  hashOut[0] = murmurFinal(murmurBlock(murmurBlock(NUMBER_H, lo), hi), 8);
  hashOut[1] = xxFinal(xxBlock(xxBlock(NUMBER_L, lo), hi), 8);
}

export function hashBoolean(b: boolean): void {
  const k = b ? 1 : 0;
  hashOut[0] = murmurFinal(murmurBlock(BOOLEAN_H, k), 1);
  hashOut[1] = xxFinal(xxBlock(BOOLEAN_L, k), 1);
}

/** Hashes a string, number or boolean into `hashOut`. */
export function hashValue(v: string | number | boolean): void {
  if (typeof v === 'string') hashString(v);
  else if (typeof v === 'number') hashNumber(v);
  else hashBoolean(v);
}

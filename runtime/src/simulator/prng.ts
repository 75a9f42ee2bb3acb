// A small seeded PRNG: xoshiro128** (Blackman & Vigna), 32-bit state words, seeded with
// splitmix32. Same seed → same stream, on every platform (only 32-bit integer ops and
// Math.imul are used). Not cryptographic.

/** One splitmix32 step over `state`; returns the next state and a well-mixed 32-bit output. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Folds a numeric seed (any finite number: integers up to 2^53 keep all their bits, fractions
 * keep theirs too) and a stream number into one 32-bit seed. Different `stream`s of one seed give
 * independent generators, so one part of a simulation can draw more or fewer numbers without
 * shifting the others.
 */
export function deriveSeed(seed: number, stream = 0): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  const fraction = Math.floor((seed - Math.floor(seed)) * 4294967296) >>> 0;
  let h = 0x243f6a88;
  for (const word of [low, high, fraction, stream >>> 0]) {
    h = Math.imul(h ^ word, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** xoshiro128**: period 2^128 − 1, passes BigCrush; about 1–2 ns a draw in V8. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the four state words from `seed` (a 32-bit integer; other numbers go through `deriveSeed`). */
  constructor(seed: number) {
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
    this.reseed(seed);
  }

  /** Restarts the generator as if constructed with `seed` (no allocation). */
  reseed(seed: number): void {
    let state = Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? seed | 0 : deriveSeed(seed) | 0;
    let out: number;
    [state, out] = splitmix32(state);
    this.s0 = out | 0;
    [state, out] = splitmix32(state);
    this.s1 = out | 0;
    [state, out] = splitmix32(state);
    this.s2 = out | 0;
    [, out] = splitmix32(state);
    this.s3 = out | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator with the given raw state (for reference vectors in tests). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    const g = new Xoshiro128(0);
    g.s0 = s0 | 0;
    g.s1 = s1 | 0;
    g.s2 = s2 | 0;
    g.s3 = s3 | 0;
    return g;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** A float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n) (n ≤ 2^32; the bias is below 2^-32 · n, negligible here). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

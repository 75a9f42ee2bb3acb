// Shared test machinery: split inputs into partials at random points, fold each partial into its
// own accumulator, merge the partials along a random tree in a random order, and JSON round-trips.
import fc from 'fast-check';
import type { Accumulator, JsonValue } from '../../src/aggregates/index.ts';

/** A small seeded PRNG (mulberry32), so property inputs and big deterministic checks replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cut `values` at the given points (any integers; taken modulo length+1, sorted) into contiguous partials. */
export function splitAt<T>(values: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => Math.abs(c) % (values.length + 1)))].sort((a, b) => a - b);
  const parts: T[][] = [];
  let from = 0;
  for (const p of points) {
    parts.push(values.slice(from, p));
    from = p;
  }
  parts.push(values.slice(from));
  return parts;
}

/** A split: up to 6 cut points and a seed for the merge tree. */
export const splitArb = fc.record({ cuts: fc.array(fc.nat(), { maxLength: 6 }), seed: fc.nat() });

/**
 * Merges accumulators along a random binary tree: picks two at random, merges the second into the
 * first (alternating which side absorbs), until one is left. Every accumulator is merged into at
 * most once per step, so this exercises associativity and commutativity together.
 */
export function mergeRandomly<A extends Accumulator<never, unknown>>(accs: A[], seed: number): A {
  const random = prng(seed);
  const pool = [...accs];
  while (pool.length > 1) {
    const i = Math.floor(random() * pool.length);
    const [a] = pool.splice(i, 1) as [A];
    const j = Math.floor(random() * pool.length);
    const b = pool[j] as A;
    if (random() < 0.5) {
      a.merge(b);
      pool[j] = a;
    } else {
      b.merge(a);
    }
  }
  return pool[0] as A;
}

/** Builds one accumulator per partial with `fill`, then merges them randomly. */
export function viaPartials<T, A extends Accumulator<never, unknown>>(
  values: readonly T[],
  split: { readonly cuts: readonly number[]; readonly seed: number },
  make: () => A,
  fill: (acc: A, part: readonly T[], offset: number) => void,
): A {
  let offset = 0;
  const accs = splitAt(values, split.cuts).map((part) => {
    const acc = make();
    fill(acc, part, offset);
    offset += part.length;
    return acc;
  });
  return mergeRandomly(accs, split.seed);
}

/** The snapshot as it comes back from a changelog: through JSON text. */
export function throughJson(snapshot: JsonValue): JsonValue {
  return JSON.parse(JSON.stringify(snapshot)) as JsonValue;
}

/** Restores `acc`'s snapshot through JSON and checks the restored one snapshots identically. */
export function roundTrip<A extends Accumulator<never, unknown>>(acc: A, restore: (s: JsonValue) => A): A {
  const snapshot = throughJson(acc.snapshot());
  const restored = restore(snapshot);
  if (JSON.stringify(restored.snapshot()) !== JSON.stringify(acc.snapshot())) {
    throw new Error(`snapshot changed across restore:\n${JSON.stringify(acc.snapshot())}\n${JSON.stringify(restored.snapshot())}`);
  }
  return restored;
}

/** Doubles of every scale, with integers, exact zeros and values that cancel. */
export const numberArb = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ min: -1e15, max: 1e15, noNaN: true }),
  fc.double({ min: -1, max: 1, noNaN: true }),
  fc.constantFrom(0, -0, 1e15, -1e15, 0.1, -0.1, 1e-10, 3.5),
);

/** Strings from a small alphabet (so values repeat), numbers (some equal across types) and booleans. */
export const distinctValueArb = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'), maxLength: 3 }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0, -0, NaN, Infinity, 0.5, '1', '0', 'NaN', true, false),
);

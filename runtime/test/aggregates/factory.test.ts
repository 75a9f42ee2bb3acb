import { describe, expect, it } from 'vitest';
import * as rt from '../../src/index.ts';
import {
  ApproxCountDistinctAccumulator,
  createAccumulator,
  PercentileAccumulator,
  restoreAccumulator,
  SpaceSavingAccumulator,
  TopKAccumulator,
  type AccumulatorDescriptor,
  type AnyAccumulator,
} from '../../src/aggregates/index.ts';
import { throughJson } from './support.ts';

interface PageView {
  readonly userId: string;
  readonly ms: number | null;
  readonly url: string;
}

const views: PageView[] = [
  { userId: 'u1', ms: 120, url: '/a' },
  { userId: 'u2', ms: null, url: '/b' },
  { userId: 'u1', ms: 80, url: '/a' },
  { userId: 'u3', ms: 300, url: '/c' },
];

// The API's own descriptors, as generated code builds them (projections and filters included).
const slots = {
  a0: rt.count<PageView>(),
  a1: rt.countNonNull<PageView>((v) => v.ms),
  a2: rt.sum<PageView>((v) => v.ms),
  a3: rt.avg<PageView, number | null>((v) => v.ms),
  a4: rt.min<PageView, number | null>((v) => v.ms),
  a5: rt.max<PageView, string>((v) => v.url),
  a6: rt.countDistinct<PageView>((v) => v.userId),
  a7: rt.approxCountDistinct<PageView>((v) => v.userId),
  a8: rt.percentile<PageView, number | null>((v) => v.ms, 0.5),
  a9: rt.topK<PageView, string>((v) => v.url, 1),
  a10: rt.first<PageView, string>((v) => v.url),
  a11: rt.last<PageView, string>((v) => v.url),
  a12: rt.rate<PageView>(),
} satisfies Record<string, AccumulatorDescriptor>;

const expected: Record<keyof typeof slots, unknown> = {
  a0: 4,
  a1: 3,
  a2: 500,
  a3: 500 / 3,
  a4: 80,
  a5: '/c',
  a6: 3,
  a7: 3,
  a8: 120, // within 1 %: checked apart below
  a9: [{ value: '/a', count: 2 }],
  a10: '/a',
  a11: '/c',
  a12: 0.4, // 4 records over a 10 s window
};

/** A generic operator loop: one projection call and one `add` per slot and record. */
function run(records: readonly PageView[], firstSeq: number): Map<string, AnyAccumulator> {
  const accs = new Map<string, AnyAccumulator>();
  for (const [name, d] of Object.entries(slots)) accs.set(name, createAccumulator(d.kind === 'rate' ? { ...d, windowMs: 10_000 } : d));
  records.forEach((record, i) => {
    for (const [name, d] of Object.entries(slots)) {
      const value = 'value' in d && d.value !== null ? (d.value as (r: PageView) => unknown)(record) : undefined;
      accs.get(name)?.add(value, 1_000 + i, firstSeq + i);
    }
  });
  return accs;
}

describe('createAccumulator / restoreAccumulator', () => {
  it('builds every kind from the runtime API descriptors, and merged partials give the expected results', () => {
    const left = run(views.slice(0, 2), 0);
    const right = run(views.slice(2), 2);
    for (const [name, acc] of right) {
      const restored = restoreAccumulator(acc.kind === 'rate' ? { kind: 'rate', windowMs: 10_000 } : slots[name as keyof typeof slots], throughJson(acc.snapshot()));
      const into = left.get(name) as AnyAccumulator;
      into.merge(restored);
      if (name === 'a8') expect(Math.abs((into.result() as number) - 120)).toBeLessThanOrEqual(1.2);
      else expect(into.result(), name).toEqual(expected[name as keyof typeof slots]);
    }
  });

  it('types the accumulator by descriptor and applies defaults', () => {
    const hll = createAccumulator({ kind: 'approx_count_distinct' });
    expect(hll).toBeInstanceOf(ApproxCountDistinctAccumulator);
    expect(hll.precision).toBe(12);
    const p99 = createAccumulator({ kind: 'percentile', quantile: 0.99 });
    expect(p99).toBeInstanceOf(PercentileAccumulator);
    expect(p99.relativeAccuracy).toBe(0.01);
    expect(createAccumulator({ kind: 'top_k', k: 3 })).toBeInstanceOf(TopKAccumulator);
    const bounded = createAccumulator({ kind: 'top_k', k: 3, capacity: 30 });
    expect(bounded).toBeInstanceOf(SpaceSavingAccumulator);
    expect(bounded.capacity).toBe(30);
    expect(createAccumulator({ kind: 'rate', windowMs: 60_000, perMs: 60_000 }).perMs).toBe(60_000);
  });

  it('refuses a snapshot whose configuration differs from the descriptor', () => {
    const snapshot = throughJson(createAccumulator({ kind: 'approx_count_distinct', precision: 10 }).snapshot());
    expect(() => restoreAccumulator({ kind: 'approx_count_distinct', precision: 12 }, snapshot)).toThrow(/precision 10 differs/);
    const topK = throughJson(createAccumulator({ kind: 'top_k', k: 3, capacity: 30 }).snapshot());
    expect(() => restoreAccumulator({ kind: 'top_k', k: 3, capacity: 40 }, topK)).toThrow(/differs/);
    expect(() => restoreAccumulator({ kind: 'sum' }, { nope: 1 })).toThrow(/invalid sum snapshot/);
  });

  it('reports heap sizes that grow with exact state and stay flat for sketches', () => {
    const exact = createAccumulator({ kind: 'count_distinct' });
    const sketch = createAccumulator({ kind: 'approx_count_distinct' });
    for (let i = 0; i < 100_000; i++) {
      exact.add(i);
      sketch.add(i);
    }
    expect(exact.byteSize()).toBeGreaterThan(1_000_000);
    expect(sketch.byteSize()).toBeLessThan(5_000);
    expect(createAccumulator({ kind: 'count' }).byteSize()).toBeLessThan(64);
  });
});

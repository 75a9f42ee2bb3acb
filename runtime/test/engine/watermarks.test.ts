// Per-partition watermarks and their combination (language.md §10).
import { describe, expect, it } from 'vitest';
import { combinePartitions, SourceProgress } from '../../src/engine/index.ts';
import { MIN_WATERMARK, combineWatermarks, type SourceNode } from '../../src/index.ts';

function source(name: string, boundMs: number, idleTimeoutMs: number | null): SourceNode<unknown> {
  return {
    kind: 'source',
    id: `${name}.source`,
    name,
    stage: 0,
    parallelism: 'partitioned',
    connector: { connector: 'log' },
    partitions: null,
    key: null,
    eventTime: null,
    watermark: { kind: 'boundedOutOfOrderness', maxOutOfOrdernessMs: boundMs, idleTimeoutMs },
  };
}

describe('source watermarks', () => {
  it('trail the largest event time by the bound, per partition, and never go back', () => {
    const s = new SourceProgress(source('s', 100, null));
    const p0 = s.assign(0, 0);
    s.observe(p0, 1000, 0);
    expect(p0.watermark).toBe(899);
    s.observe(p0, 500, 0);
    expect(p0.watermark).toBe(899);
    expect(s.watermark()).toBe(899);
    s.assign(1, 0);
    expect(s.watermark()).toBe(MIN_WATERMARK);
  });

  it('leave idle partitions out, and use the largest when all are idle', () => {
    const s = new SourceProgress(source('s', 0, 1000));
    const p0 = s.assign(0, 0);
    const p1 = s.assign(1, 0);
    s.observe(p0, 5000, 0);
    s.observe(p1, 3000, 500);
    expect(s.tick(999)).toBe(false);
    expect(s.nextIdleAt()).toBe(1000);
    expect(s.tick(1000)).toBe(true);
    expect(p0.idle).toBe(true);
    expect(s.watermark()).toBe(2999);
    s.tick(1500);
    expect(s.watermark()).toBe(4999);
    expect(s.nextIdleAt()).toBeNull();
    s.observe(p1, 3100, 1600);
    expect(s.watermark()).toBe(3099);
  });

  it('combine like the API’s combineWatermarks, across sources', () => {
    const a = new SourceProgress(source('a', 0, 10));
    const b = new SourceProgress(source('b', 0, 10));
    const a0 = a.assign(0, 0);
    const b0 = b.assign(0, 0);
    const b1 = b.assign(1, 0);
    a.observe(a0, 100, 0);
    b.observe(b0, 50, 5);
    b.observe(b1, 70, 0);
    b.tick(10);
    const expected = combineWatermarks(
      [a0, b0, b1].map((p) => ({ timestamp: p.watermark, partition: p.partition, idle: p.idle })),
    );
    expect(combinePartitions([a, b])).toBe(expected);
    expect(combinePartitions([a, b])).toBe(49);
    expect(combinePartitions([])).toBe(MIN_WATERMARK);
  });

  it('follow the clock for sources without event time', () => {
    const s = new SourceProgress({ ...source('p', 0, null), watermark: { kind: 'processingTime' } });
    const p0 = s.assign(0, 100);
    expect(p0.watermark).toBe(99);
    expect(s.tick(200)).toBe(true);
    expect(s.watermark()).toBe(199);
  });
});

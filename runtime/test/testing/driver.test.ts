// The TopologyTestDriver itself: input, virtual time, outputs, late records, checkpoints,
// restarts and rebalances, on small pipelines written here and on api-monitoring.flow.
import { beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/engine/index.ts';
import type { Topology } from '../../src/index.ts';
import { MemoryCheckpointStorage, TopologyTestDriver } from '../../src/testing/index.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStorage } from '../../src/adapters/embedded/index.ts';
import { REPO, compilePipeline } from './compile.ts';

const CLICKS = `
pipeline clicks

schema Click {
  id: string
  at: timestamp
  user: string
  n: int
}

source clicks: Click from kafka(topic: "clicks", partitions: 2) {
  key by user
  event time at watermark 1s idle 10s
  dead letter to log()
}

aggregate per_user from clicks {
  window tumbling 10s event time
  group by user
  lateness 5s
  late to log()
  total = sum(n)
  events = count()
}

aggregate overall from clicks {
  window tumbling 10s event time
  events = count()
}

aggregate live from clicks {
  window tumbling 1m processing time
  events = count()
}

emit per_user, overall to log()
emit live to dashboard()
`;

interface PerUser {
  readonly user: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly total: number;
  readonly events: number;
}

const click = (id: string, at: number, user = 'ann', n = 1): { id: string; at: number; user: string; n: number } => ({ id, at, user, n });

let clicks: Topology;
let apiMonitoring: Topology;

beforeAll(async () => {
  ({ topology: clicks } = await compilePipeline('clicks.flow', 'testing-clicks', CLICKS));
  ({ topology: apiMonitoring } = await compilePipeline('api-monitoring.flow', 'testing-api-monitoring'));
});

describe('TopologyTestDriver: input', () => {
  it('pipes values as JSON and raw text as is, on the partition of the key', async () => {
    const d = await TopologyTestDriver.create(clicks);
    d.pipe('clicks', click('a', 1000, 'ann'));
    d.pipe('clicks', JSON.stringify(click('b', 1000, 'bob')));
    d.pipe('clicks', [click('c', 1000, 'ann'), click('d', 1000, 'cid')], { partition: 1 });
    d.pipe('clicks', 'not json at all');
    const events = d.output<{ id: string }>('clicks');
    expect(events.map((r) => [r.value.id, r.key])).toEqual([
      ['a', 'ann'],
      ['b', 'bob'],
      ['c', 'ann'],
      ['d', 'cid'],
    ]);
    expect(d.deadLetters()).toMatchObject([{ source: 'clicks', raw: 'not json at all', partition: 0, key: null }]);
    expect(d.deadLetters('clicks')).toHaveLength(1);
    expect(d.output('clicks.dead-letter')).toHaveLength(1);
    // Where the records went: the key's partition unless one was given.
    const expected = new Map<number, number>([[partitionForKey('ann', 2), 1]]);
    expected.set(partitionForKey('bob', 2), (expected.get(partitionForKey('bob', 2)) ?? 0) + 1);
    expected.set(1, (expected.get(1) ?? 0) + 2);
    expected.set(0, (expected.get(0) ?? 0) + 1); // the undecodable record has no key: partition 0
    await d.checkpoint();
    expect(d.committed('clicks')).toEqual(expected);
  });

  it('names what it does not know', async () => {
    const d = await TopologyTestDriver.create(clicks);
    expect(() => d.pipe('nope', {})).toThrow(/no source nope \(sources: clicks\)/);
    expect(() => d.output('nope')).toThrow(/no stream or sink named nope/);
    expect(d.outputNames()).toEqual(['clicks', 'clicks.dead-letter', 'dashboard', 'live', 'log', 'overall', 'per_user', 'per_user.late', 'sink.dashboard', 'sink.log']);
  });
});

describe('TopologyTestDriver: event time', () => {
  it('closes tumbling windows when the watermark passes their end, keyed and global', async () => {
    const d = await TopologyTestDriver.create(clicks, { partitions: { clicks: 1 } });
    d.pipe('clicks', [click('a', 1000, 'ann', 2), click('b', 4000, 'bob', 3), click('c', 9999, 'ann', 5)]);
    // Watermark = 9999 − 1000 − 1: the window [0, 10 s) is still open.
    expect(d.output('per_user')).toEqual([]);
    d.advanceWatermark('clicks', 9998);
    expect(d.output('per_user')).toEqual([]);
    d.advanceWatermark('clicks', 9999);
    expect(d.output<PerUser>('per_user').map((r) => r.value)).toEqual([
      { user: 'ann', window_start: 0, window_end: 10_000, total: 7, events: 2 },
      { user: 'bob', window_start: 0, window_end: 10_000, total: 3, events: 1 },
    ]);
    expect(d.output('overall').map((r) => r.value)).toEqual([{ window_start: 0, window_end: 10_000, events: 3 }]);
    expect(d.output('log').map((r) => [r.stream, r.timestamp])).toEqual([
      ['per_user', 10_000],
      ['per_user', 10_000],
      ['overall', 10_000],
    ]);
  });

  it('updates a window with late records within the lateness, and sends later ones to the late output', async () => {
    const d = await TopologyTestDriver.create(clicks, { partitions: { clicks: 1 } });
    d.pipe('clicks', click('a', 1000, 'ann', 1));
    d.advanceWatermark('clicks', 12_000);
    d.pipe('clicks', click('late-ok', 2000, 'ann', 10)); // window end 10 s + lateness 5 s > 12 s
    // The window's row, then its update: the old version retracted (-U), the new one (+U).
    const rows = d.output<PerUser>('per_user').map((r) => [r.change, r.value.total]);
    expect(rows).toEqual([
      ['+I', 1],
      ['-U', 1],
      ['+U', 11],
    ]);
    expect([...d.table<PerUser>('per_user').values()].map((r) => r.value.total)).toEqual([11]);
    d.advanceWatermark('clicks', 15_000);
    d.pipe('clicks', click('too-late', 3000, 'ann', 100));
    expect(d.late<{ id: string }>('per_user').map((r) => r.value.id)).toEqual(['too-late']);
    expect(d.output('per_user.late').map((r) => (r.value as { id: string }).id)).toEqual(['too-late']);
    // `overall` has no lateness: both were late there (it has no late sink, so they were counted and dropped).
    expect(d.late<{ id: string }>('overall').map((r) => r.value.id)).toEqual(['late-ok', 'too-late']);
    expect(d.counters().lateEvents).toBe(3);
  });

  it('holds the watermark at the slowest partition until it has been idle for the timeout', async () => {
    const d = await TopologyTestDriver.create(clicks);
    d.pipe('clicks', click('a', 50_000), { partition: 0 });
    d.pipe('clicks', click('b', 5_000), { partition: 1 });
    expect(d.watermark('clicks')).toBe(3_999);
    d.advanceTime(9_999);
    d.pipe('clicks', click('c', 60_000), { partition: 0 });
    expect(d.watermark('clicks')).toBe(3_999);
    d.advanceTime(1);
    expect(d.watermark('clicks')).toBe(58_999);
    expect(d.output<PerUser>('per_user').map((r) => r.value.window_end)).toEqual([10_000]);
    d.pipe('clicks', click('d', 70_000), { partition: 0 });
    expect(d.output<PerUser>('per_user').map((r) => r.value.window_end)).toEqual([10_000, 60_000]);
  });
});

describe('TopologyTestDriver: processing time', () => {
  it('moves a virtual clock: timers fire at their own time, in order, and only when time moves', async () => {
    const d = await TopologyTestDriver.create(clicks, { startTime: 30_000 });
    d.pipe('clicks', [click('a', 1, 'ann'), click('b', 2, 'bob')]);
    expect(d.now()).toBe(30_000);
    d.advanceTime(29_999);
    expect(d.output('live')).toEqual([]);
    d.advanceTime(5 * 60_000);
    // The 1-minute window [0, 60 s) closed at 60 s (+ the final's grace), whatever the size of the step.
    expect(d.output('live').map((r) => r.value)).toEqual([{ window_start: 0, window_end: 60_000, events: 2 }]);
    expect(d.output('dashboard').map((r) => r.stream)).toEqual(['live']);
    expect(d.now()).toBe(30_000 + 29_999 + 5 * 60_000);
  });
});

describe('TopologyTestDriver: checkpoints, restarts, rebalances', () => {
  it('restarts from the checkpoint and replays what came after it, with the same results', async () => {
    const run = async (crash: boolean): Promise<unknown[]> => {
      const d = await TopologyTestDriver.create(clicks);
      d.pipe('clicks', [click('a', 1000, 'ann'), click('b', 2000, 'bob')]);
      if (crash) await d.checkpoint();
      d.pipe('clicks', [click('c', 3000, 'ann'), click('d', 11_000, 'bob')]);
      d.advanceTime(10_000);
      if (crash) await d.restart();
      d.advanceWatermark('clicks', 100_000);
      return [...d.table<PerUser>('per_user').values()].map((r) => r.value);
    };
    const straight = await run(false);
    expect(straight).toHaveLength(3);
    expect(await run(true)).toEqual(straight);
  });

  it('restarts without a checkpoint from the beginning of the log', async () => {
    const d = await TopologyTestDriver.create(clicks);
    d.pipe('clicks', click('a', 1000));
    await d.restart();
    expect(d.output('clicks')).toHaveLength(2); // read twice: nothing was committed
    d.advanceWatermark('clicks', 20_000);
    expect([...d.table<PerUser>('per_user').values()].map((r) => r.value.events)).toEqual([1]);
  });

  it('stops cleanly and restarts with nothing to replay when graceful', async () => {
    const storage = new MemoryCheckpointStorage();
    const d = await TopologyTestDriver.create(clicks, { checkpoints: storage });
    d.pipe('clicks', click('a', 1000));
    await d.restart({ graceful: true });
    expect(storage.count).toBe(1);
    expect(storage.latestBytes).toBeGreaterThan(0);
    expect(d.output('clicks')).toHaveLength(1);
    expect(d.counters().eventsIn).toBe(0);
    d.pipe('clicks', click('b', 2000));
    d.advanceWatermark('clicks', 20_000);
    expect(d.output<PerUser>('per_user').map((r) => r.value.events)).toEqual([2]);
  });

  it('restores from checkpoint files on disk (the embedded storage)', async () => {
    const dir = join(REPO, '_output', 'testing-checkpoints');
    rmSync(dir, { recursive: true, force: true });
    const storage = new CheckpointStorage({ dir, fsync: false });
    const d = await TopologyTestDriver.create(clicks, { checkpoints: storage });
    d.pipe('clicks', [click('a', 1000, 'ann', 4), click('b', 2000, 'ann', 5)]);
    await d.checkpoint();
    expect(await storage.list()).toEqual([1]);
    d.pipe('clicks', click('c', 3000, 'ann', 6));
    await d.restart();
    d.advanceWatermark('clicks', 20_000);
    expect([...d.table<PerUser>('per_user').values()].map((r) => r.value.total)).toEqual([15]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkpoints and releases revoked partitions, and restores them when assigned back', async () => {
    const d = await TopologyTestDriver.create(clicks, { partitions: { clicks: 2 } });
    d.pipe('clicks', click('a', 1000), { partition: 1 });
    await d.revoke('clicks', [1]);
    expect(d.engine.assignment('clicks')).toEqual([0]);
    d.pipe('clicks', click('b', 2000), { partition: 1 }); // waits in the log
    d.pipe('clicks', click('c', 3000), { partition: 0 });
    expect(d.output('clicks')).toHaveLength(2);
    await d.assign('clicks', [1]);
    expect(d.output<{ id: string }>('clicks').map((r) => r.value.id)).toEqual(['a', 'c', 'b']);
    d.advanceWatermark('clicks', 20_000);
    expect(d.output<{ events: number }>('overall').map((r) => r.value.events)).toEqual([3]);
  });
});

describe('TopologyTestDriver: api-monitoring', () => {
  it('runs a pipeline with three sources, a union and a repartition', async () => {
    const d = await TopologyTestDriver.create(apiMonitoring, { partitions: { eu: 1 } });
    const request = (id: string, at: number, region: string, status: number, latencyMs: number) => ({
      requestId: id,
      at,
      region,
      route: '/api/orders',
      method: 'GET',
      status,
      latencyMs,
      userId: 'u1',
      tags: [],
    });
    d.pipe('eu', [request('r1', 1000, 'eu', 200, 120), request('r2', 2000, 'eu', 503, 900)]);
    d.pipe('us', [request('r3', 1500, 'us', 200, 80)]);
    d.pipe('eu', '{"requestId": 7}');
    d.pipe('logins', [{ at: 1000, userId: 'u1', ip: '10.0.0.1', success: false }]);
    expect(d.output<{ outcome: string; slow: boolean }>('requests').map((r) => [r.value.outcome, r.value.slow])).toEqual([
      ['OK', false],
      ['SERVER_ERROR', true],
      ['OK', false],
    ]);
    expect(d.deadLetters('eu')).toHaveLength(1);
    expect(d.output('eu.dead-letter')).toHaveLength(1);
    // Every source's watermark bounds the union's: `logins` does not feed it.
    expect(d.watermark('requests.union')).toBe(Math.min(2000 - 2001, 1500 - 2001));
    expect(d.watermark('logins')).toBe(1000 - 1001);
    d.advanceWatermark('eu', 60_000);
    d.advanceWatermark('us', 60_000);
    const latency = d.output<{ route: string; max_latency: number }>('latency').map((r) => r.value);
    expect(latency).toContainEqual(expect.objectContaining({ route: '/api/orders', max_latency: 900 }));
  });
});

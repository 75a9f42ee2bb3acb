// Checkpoint + restart: a run that checkpoints at a random point and crashes at a later random
// point (losing everything since the checkpoint, then replaying it from the log) ends with the
// same results as an uninterrupted run — for every sink and named stream, keyed by window (a
// re-emission overwrites), plus the same late records and dead letters.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../src/index.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';
import { compilePipeline } from '../testing/compile.ts';
import { MINUTE, SECOND, T0, conversion, pageView, resetEventIds, sessionEnd, sessionStart, type AnalyticsEventJson } from '../testing/events.ts';

let topology: Topology;

beforeAll(async () => {
  ({ topology } = await compilePipeline('website-analytics.flow', 'engine-restart'));
});

/** One event, as generated: who, what, and when relative to the stream's current time. */
interface EventSpec {
  readonly user: number;
  readonly session: number;
  readonly kind: 'start' | 'view' | 'checkout' | 'convert' | 'end' | 'malformed';
  /** Offset from the operation's base time; negative offsets beyond the 5 s bound make late records. */
  readonly offsetMs: number;
}

type Op =
  | { readonly op: 'pipe'; readonly advanceMs: number; readonly events: readonly EventSpec[] }
  | { readonly op: 'time'; readonly ms: number }
  | { readonly op: 'watermark'; readonly aheadMs: number };

const eventSpec: fc.Arbitrary<EventSpec> = fc.record({
  user: fc.integer({ min: 1, max: 6 }),
  session: fc.integer({ min: 1, max: 3 }),
  kind: fc.constantFrom('start', 'view', 'view', 'view', 'checkout', 'convert', 'end', 'malformed'),
  offsetMs: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: -4 * MINUTE, max: 0 })),
});

const operation: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('pipe' as const), advanceMs: fc.integer({ min: 0, max: 3 * MINUTE }), events: fc.array(eventSpec, { minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 90 * SECOND }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('watermark' as const), aheadMs: fc.integer({ min: 0, max: 10 * MINUTE }) }) },
);

const scenario = fc
  .array(operation, { minLength: 2, maxLength: 24 })
  .chain((ops) =>
    fc.record({
      ops: fc.constant(ops),
      checkpointAt: fc.integer({ min: 0, max: ops.length }),
      crashAfter: fc.integer({ min: 0, max: ops.length }),
      partitions: fc.integer({ min: 1, max: 3 }),
      replay: fc.constantFrom('steps' as const, 'steps' as const, 'graceful' as const),
    }),
  )
  .map((s) => ({ ...s, crashAt: Math.max(s.checkpointAt, s.crashAfter) }));

function eventOf(spec: EventSpec, base: number, index: number): AnalyticsEventJson | string {
  const at = base + spec.offsetMs;
  const user = `u${spec.user}`;
  const session = `${user}-s${spec.session}`;
  switch (spec.kind) {
    case 'start':
      return sessionStart(at, user, session, spec.user % 2 === 0 ? 'DE' : 'FR');
    case 'view':
      return pageView(at, user, session, `/p${(spec.user + index) % 3}`);
    case 'checkout':
      return pageView(at, user, session, '/checkout');
    case 'convert':
      return conversion(at, user, session, 5 + spec.user);
    case 'end':
      return sessionEnd(at, user, session);
    case 'malformed':
      return index % 2 === 0 ? `{"eventId":"broken-${index}",` : JSON.stringify({ eventId: `bad-${index}`, timestamp: at, eventType: 'CLICK', userId: user, sessionId: session });
  }
}

/** Applies operation `op` (the `index`-th) to the driver; returns the new base event time. */
function apply(driver: TopologyTestDriver, op: Op, base: number, index: number): number {
  switch (op.op) {
    case 'pipe': {
      const next = base + op.advanceMs;
      driver.pipe(
        'events',
        op.events.map((spec, i) => eventOf(spec, next, index * 10 + i)),
      );
      return next;
    }
    case 'time':
      driver.advanceTime(op.ms);
      return base;
    case 'watermark':
      driver.advanceWatermark('events', base + op.aheadMs);
      return base;
  }
}

/** Ends a run: time and event time move far enough on for every window, session and pattern to close. */
function finish(driver: TopologyTestDriver, base: number): void {
  driver.advanceWatermark('events', base + 3 * 60 * MINUTE);
  driver.advanceTime(2 * 60 * MINUTE);
}

/** Everything a run produced, in a comparable form. */
function results(driver: TopologyTestDriver): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of driver.outputNames()) {
    out[name] = sortedTable(driver, name);
  }
  out['late:sessions'] = uniqueSorted(driver.late('sessions').map((r) => JSON.stringify(r)));
  out['dead letters'] = uniqueSorted(driver.deadLetters().map((l) => `${l.partition}/${l.offset}: ${l.reason}`));
  return out;
}

function sortedTable(driver: TopologyTestDriver, name: string): [string, unknown][] {
  return [...driver.table(name).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, record]) => [key, record.value]);
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

describe('checkpoint and restart', () => {
  it('a crash after a checkpoint, replayed from the log, ends like an uninterrupted run', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ ops, checkpointAt, crashAt, partitions, replay }) => {
        const options = { startTime: T0, partitions: { events: partitions } };

        resetEventIds();
        const straight = await TopologyTestDriver.create(topology, options);
        let base = T0;
        ops.forEach((op, i) => {
          base = apply(straight, op, base, i);
        });
        finish(straight, base);

        resetEventIds();
        const interrupted = await TopologyTestDriver.create(topology, options);
        base = T0;
        for (let i = 0; i <= ops.length; i++) {
          if (i === checkpointAt) await interrupted.checkpoint();
          if (i === crashAt) await interrupted.restart(replay === 'graceful' ? { graceful: true } : { replay });
          const op = ops[i];
          if (op !== undefined) base = apply(interrupted, op, base, i);
        }
        finish(interrupted, base);

        expect(results(interrupted)).toEqual(results(straight));
      }),
      { numRuns: Number(process.env['FLOWC_FC_RUNS'] ?? 60) },
    );
  });

  it('restarts from the latest of several checkpoints, and a restarted engine can restart again', async () => {
    const options = { startTime: T0, partitions: { events: 2 } };
    const run = async (interrupt: boolean): Promise<Record<string, unknown>> => {
      resetEventIds();
      const driver = await TopologyTestDriver.create(topology, options);
      for (let i = 0; i < 12; i++) {
        const at = T0 + i * 40 * SECOND;
        driver.pipe('events', [sessionStart(at, `u${i % 4}`, `s${i % 5}`), pageView(at + SECOND, `u${i % 4}`, `s${i % 5}`, i % 3 === 0 ? '/checkout' : '/x')]);
        driver.advanceTime(15 * SECOND);
        if (interrupt && i % 4 === 1) await driver.checkpoint();
        if (interrupt && i % 4 === 3) await driver.restart();
      }
      finish(driver, T0 + 12 * 40 * SECOND);
      return results(driver);
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('commits source offsets only after the checkpoint is written, and resumes from them', async () => {
    const driver = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 1 } });
    driver.pipe('events', [pageView(T0, 'u1', 's1'), pageView(T0 + SECOND, 'u1', 's1')]);
    expect(driver.committed('events')).toEqual(new Map());
    const checkpoint = await driver.checkpoint();
    expect(checkpoint.offsets).toEqual([{ topic: 'events', partition: 0, offset: 2 }]);
    expect(driver.committed('events')).toEqual(new Map([[0, 2]]));
    driver.pipe('events', pageView(T0 + 2 * SECOND, 'u1', 's1'));
    await driver.restart({ replay: 'bulk' });
    // The restored engine resumed at offset 2: only the third record was read again.
    expect(driver.counters().eventsIn).toBe(1);
    expect(driver.output('page_views')).toHaveLength(4);
    expect(new Set(driver.output<{ eventId: string }>('page_views').map((r) => r.value.eventId)).size).toBe(3);
  });

  it('replays in bulk after a crash: event-time results without late records match an uninterrupted run', async () => {
    const options = { startTime: T0, partitions: { events: 3 } };
    const feed = async (driver: TopologyTestDriver, crash: boolean): Promise<void> => {
      resetEventIds();
      for (let i = 0; i < 20; i++) {
        const at = T0 + i * 20 * SECOND;
        const user = `u${i % 7}`;
        driver.pipe('events', [sessionStart(at, user, `${user}-${i % 3}`), pageView(at + 2 * SECOND, user, `${user}-${i % 3}`, i % 4 === 0 ? '/checkout' : '/y')]);
        if (crash && i === 8) await driver.checkpoint();
        if (crash && i === 14) await driver.restart({ replay: 'bulk' });
      }
      driver.advanceWatermark('events', T0 + 4 * 60 * MINUTE);
    };
    const straight = await TopologyTestDriver.create(topology, options);
    await feed(straight, false);
    const crashed = await TopologyTestDriver.create(topology, options);
    await feed(crashed, true);
    for (const name of ['sessions', 'business', 'geography', 'popular_pages', 'funnel', 'checkout_abandoned']) {
      expect(sortedTable(crashed, name), name).toEqual(sortedTable(straight, name));
    }
    expect(sortedTable(straight, 'sessions')).toHaveLength(20);
  });
});

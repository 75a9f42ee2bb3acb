// Implausible event times are dead letters at the engine's decode step (event-times.ts), and a
// bounded source at its end (`Source.atEnd()`) gets the watermark +∞ in `step` / `run`.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine, EventTimeCheck } from '../../src/engine/index.ts';
import { MAX_WATERMARK, type Topology } from '../../src/index.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';
import { compilePipeline } from '../testing/compile.ts';
import { MINUTE, SECOND, T0, pageView } from '../testing/events.ts';
import { JournalSink, JournalStorage, QueueSource, TestClock, fixtureTopology, localStores, raw, reading, recorders, resetOffsets, type Event } from './fixtures.ts';

let topology: Topology;

beforeAll(async () => {
  ({ topology } = await compilePipeline('website-analytics.flow', 'engine-event-times'));
});

const DAY = 24 * 60 * MINUTE;
const FUTURE = Date.UTC(2999, 0, 1);

/** One normal event, one from the year 2999, seven normal ones. */
function pipeRepro(d: TopologyTestDriver): void {
  d.pipe('events', pageView(T0, 'u1', 's1'));
  d.pipe('events', { ...pageView(T0 + SECOND, 'u1', 's1'), timestamp: FUTURE });
  for (let i = 1; i <= 7; i++) d.pipe('events', pageView(T0 + i * SECOND, 'u1', 's1'));
}

describe('implausible event times', () => {
  it('sends an event from the year 2999 to the dead letters; the watermark and later events are unaffected', async () => {
    const d = await TopologyTestDriver.create(topology, { partitions: { events: 1 } });
    pipeRepro(d);
    const counters = d.counters();
    expect(counters.deadLetters).toBe(1);
    expect(counters.deadLettersByReason).toEqual({ invalid_timestamp: 1 });
    expect(counters.lateEvents).toBe(0);
    expect(counters.decoded).toBe(8);
    // The watermark trails the newest plausible event time by the source's bound (5 s, then − 1 ms).
    expect(d.watermark('events')).toBe(T0 + 7 * SECOND - 5 * SECOND - 1);
    const [letter] = d.deadLetters('events');
    expect(letter).toMatchObject({ source: 'events', partition: 0, offset: 1 });
    expect(letter?.reason).toBe(`event time 2999-01-01T00:00:00.000Z is implausible (more than 1 day ahead of ${new Date(T0).toISOString()}, the partition's newest event time)`);
    expect(d.output('events.dead-letter')).toHaveLength(1);
    const metrics = await d.engine.flowcMetrics.metrics();
    expect(metrics).toContain('flowc_dead_letters_total{pipeline="website_analytics",operator="events.decode",reason="invalid_timestamp"} 1');
  });

  it('with the horizon on another clock (a replay: the wall clock), the processing clock does not matter', async () => {
    // A record two days ahead of the data, the first of its partition: judged against the wall
    // clock whatever the driver's processing clock reads (a replay's clock follows its polls).
    const wall = T0 + 10 * DAY;
    const verdicts: number[] = [];
    for (const start of [T0, T0 + 3 * DAY]) {
      const d = await TopologyTestDriver.create(topology, { startTime: start, partitions: { events: 1 }, eventTimeBounds: { horizonClock: () => wall } });
      d.pipe('events', pageView(T0 + 2 * DAY, 'u1', 's1')); // within a day of neither T0 nor the data, but before the wall clock
      d.pipe('events', pageView(wall + 2 * DAY, 'u1', 's1')); // two days past the wall clock
      verdicts.push(d.counters().deadLetters);
      expect(d.deadLetters('events').map((l) => l.offset)).toEqual([1]);
    }
    expect(verdicts).toEqual([1, 1]);
  });

  it('without bounds, the same input pushes the watermark to 2999 and makes everything after it late', async () => {
    const d = await TopologyTestDriver.create(topology, { partitions: { events: 1 }, eventTimeBounds: null });
    pipeRepro(d);
    expect(d.counters().deadLetters).toBe(0);
    expect(d.watermark('events')).toBe(FUTURE - 5 * SECOND - 1);
    expect(d.counters().lateEvents).toBeGreaterThan(0);
  });

  it("with the engine's defaults, holds event times to 2000-01-01 … a day ahead of the clock or the partition's newest time", async () => {
    const d = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 1 }, eventTimeBounds: {} });
    d.pipe('events', { ...pageView(T0, 'u1', 's1'), timestamp: Math.floor(T0 / 1000) }); // seconds, not ms
    d.pipe('events', { ...pageView(T0, 'u1', 's1'), timestamp: 0 });
    d.pipe('events', pageView(T0 + 2 * DAY, 'u1', 's1')); // a day past the clock, nothing newer seen
    d.pipe('events', pageView(T0 + DAY - SECOND, 'u1', 's1')); // within a day of the clock
    d.pipe('events', pageView(T0 + 2 * DAY - 2 * SECOND, 'u1', 's1')); // within a day of the newest accepted time
    expect(d.counters().deadLettersByReason).toEqual({ invalid_timestamp: 3 });
    expect(d.deadLetters().map((l) => l.reason)).toEqual([
      `event time ${new Date(Math.floor(T0 / 1000)).toISOString()} is implausible (before 2000-01-01T00:00:00.000Z)`,
      'event time 1970-01-01T00:00:00.000Z is implausible (before 2000-01-01T00:00:00.000Z)',
      `event time ${new Date(T0 + 2 * DAY).toISOString()} is implausible (more than 1 day ahead of ${new Date(T0).toISOString()}, the processing time)`,
    ]);
    expect(d.counters().decoded).toBe(2);
    expect(d.watermark('events')).toBe(T0 + 2 * DAY - 2 * SECOND - 5 * SECOND - 1);
  });

  it('checks the bounds it is given', () => {
    const check = new EventTimeCheck({ earliest: 1000, maxAheadMs: 10 * MINUTE, horizonFrom: 'clock' });
    expect(check.implausible(999, 0, Number.NEGATIVE_INFINITY)).toBe('event time 1970-01-01T00:00:00.999Z is implausible (before 1970-01-01T00:00:01.000Z)');
    expect(check.implausible(1000, 0, Number.NEGATIVE_INFINITY)).toBeNull();
    expect(check.implausible(10 * MINUTE + 1, 0, Number.NEGATIVE_INFINITY)).toMatch(/more than 10 minutes ahead of 1970-01-01T00:00:00.000Z, the processing time/);
    expect(check.implausible(20 * MINUTE, 0, 15 * MINUTE)).toBeNull();
    expect(check.implausible(Number.NaN, 0, 0)).toMatch(/^event time NaN is implausible/);
    expect(new EventTimeCheck(null).implausible(Number.NaN, 0, 0)).toBeNull();
    expect(new EventTimeCheck({ earliest: null, maxAheadMs: null }).enabled).toBe(false);
  });
});

/** A source of `readings` that is bounded: at its end once its queue is empty and `finished` is set. */
class BoundedSource extends QueueSource {
  finished = false;
  atEnd(): boolean {
    return this.finished && this.queued.length === 0;
  }
}

function boundedEngine(): { engine: Engine; source: () => BoundedSource; log: Event[] } {
  const log: Event[] = [];
  const journal: string[] = [];
  let source: BoundedSource | null = null;
  const engine = new Engine({
    topology: fixtureTopology(),
    clock: new TestClock(1_000_000),
    checkpoints: new JournalStorage(journal),
    checkpointIntervalMs: null,
    pollTimeoutMs: 0,
    eventTimeBounds: null, // the fixture's event times are small numbers
    operators: recorders(log),
    stateStores: localStores(),
    sources: {
      createSource: (node) => {
        source = new BoundedSource(node.name, 2, journal);
        return source;
      },
    },
    sinks: { createSink: (node) => new JournalSink(node.id, journal) },
  });
  return {
    engine,
    log,
    source: () => {
      if (source === null) throw new Error('not started');
      return source;
    },
  };
}

describe('bounded sources (Source.atEnd)', () => {
  beforeEach(() => resetOffsets());

  it('step gives a source at its end the watermark +∞ on every partition, once', async () => {
    const { engine, source } = boundedEngine();
    await engine.start();
    source().queued.push(raw(0, reading('a', 10)), raw(1, reading('b', 20)));
    await engine.step(0);
    expect(engine.ended('readings')).toBe(false);
    expect(engine.watermark('readings')).toBe(9); // min over the partitions, bound 0, − 1 ms
    source().finished = true;
    await engine.step(0);
    expect(engine.ended('readings')).toBe(true);
    expect(engine.watermark('readings')).toBe(MAX_WATERMARK);
    expect(engine.watermark('win')).toBe(MAX_WATERMARK);
    await engine.stop();
  });

  it('run() ends by itself once every source is at its end, after the windows closed', async () => {
    const { engine, source, log } = boundedEngine();
    await engine.start();
    source().queued.push(raw(0, reading('a', 10)), raw(1, reading('b', 20)), raw(0, reading('c', 30)));
    source().finished = true;
    await engine.run();
    expect(engine.counters()).toMatchObject({ eventsIn: 3, decoded: 3 });
    expect(engine.watermark('readings')).toBe(MAX_WATERMARK);
    expect(log.some((e) => e.kind === 'watermark' && e.timestamp === MAX_WATERMARK)).toBe(true);
    await engine.stop();
    expect(engine.state).toBe('stopped');
  });
});

// The simulator feeder of `flowc run`: a fresh state dir gets the last `backfillMs` of simulated
// traffic appended at once, ahead of the paced records; a resumed run continues without one.
import { describe, expect, it } from 'vitest';
import { PartitionedLog } from '../../runtime/src/adapters/embedded/index.ts';
import { CatchUpTime } from '../src/run/adapters.ts';
import { SimulatorFeeder, type FeederSettings } from '../src/run/feeder.ts';

const TOPIC = 'events';
const PARTITIONS = 4;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

function settings(backfillMs: number): FeederSettings {
  return { seed: 7, rate: 200, malformed: 0, late: { fraction: 0, delayMs: 0 }, outOfOrder: { fraction: 0, maxDelayMs: 1 }, backfillMs };
}

/** Event times of everything on the topic, in append order per partition, all partitions. */
function eventTimes(log: PartitionedLog): number[] {
  const times: number[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (const record of log.read(TOPIC, p, 0, 1_000_000)) times.push((JSON.parse(typeof record.value === 'string' ? record.value : '{}') as { timestamp: number }).timestamp);
  }
  return times;
}

function newLog(): PartitionedLog {
  const log = new PartitionedLog({ flushIntervalMs: null });
  log.ensureTopic(TOPIC, PARTITIONS);
  return log;
}

describe('SimulatorFeeder backfill', () => {
  it('appends the backfilled minute first, all of it before now and after now − backfill', () => {
    const log = newLog();
    const feeder = new SimulatorFeeder(log, TOPIC, settings(60_000), null, NOW);
    const pending = feeder.backfillPending;
    // 200 events/s of event time over 60 s, give or take the simulator's session jitter.
    expect(pending).toBeGreaterThan(200 * 60 * 0.8);
    expect(pending).toBeLessThan(200 * 60 * 1.2);
    expect(feeder.nextDueAt()).toBe(Number.NEGATIVE_INFINITY);
    let appended = 0;
    while (feeder.backfillPending > 0) appended += feeder.feed(NOW, 1000);
    expect(appended).toBe(pending);
    expect(feeder.counts().records).toBe(pending);
    const times = eventTimes(log);
    expect(times).toHaveLength(pending);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 60_000);
    expect(Math.max(...times)).toBeLessThan(NOW);
    // After the backfill, records are paced again: the first call lets exactly one through.
    expect(feeder.feed(NOW, 1000)).toBe(1);
  });

  it('appends a second of event time at a time, once the consumers have read the last one, within the room they leave', () => {
    const log = newLog();
    const feeder = new SimulatorFeeder(log, TOPIC, settings(30_000), null, NOW);
    const first = feeder.feed(NOW, 10_000);
    const times = eventTimes(log);
    expect(first).toBeGreaterThan(100);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1000);
    expect(feeder.feed(NOW, 10_000, 5)).toBe(0);
    expect(feeder.feed(NOW, 0)).toBe(0);
    expect(feeder.feed(NOW, 50)).toBe(50);
  });

  it('backfills nothing with backfill 0, nor when it resumes a previous run', () => {
    const none = new SimulatorFeeder(newLog(), TOPIC, settings(0), null, NOW);
    expect(none.backfillPending).toBe(0);
    const resumed = new SimulatorFeeder(newLog(), TOPIC, settings(60_000), { seed: 7, generation: 0, lastEventTime: NOW - 10_000 }, NOW);
    expect(resumed.backfillPending).toBe(0);
    expect(resumed.generation).toBe(1);
  });
});

describe('CatchUpTime', () => {
  it('is the event time read while catching up, then the wall clock, never going back', () => {
    let wall = NOW + 500;
    const time = new CatchUpTime(NOW, NOW - 60_000, () => wall);
    expect(time.now()).toBe(NOW - 60_000);
    time.advanceTo(NOW - 30_000);
    expect(time.now()).toBe(NOW - 30_000);
    time.advanceTo(NOW - 40_000);
    expect(time.now()).toBe(NOW - 30_000);
    expect(time.caughtUp).toBe(false);
    time.advanceTo(NOW + 10);
    expect(time.caughtUp).toBe(true);
    expect(time.now()).toBe(wall);
    wall += 1000;
    time.advanceTo(NOW + 999_999);
    expect(time.now()).toBe(wall);
  });

  it('goes live by itself when the live records never come', () => {
    let wall = NOW;
    const time = new CatchUpTime(NOW, NOW - 60_000, () => wall, 10_000);
    expect(time.now()).toBe(NOW - 60_000);
    wall = NOW + 10_000;
    expect(time.now()).toBe(wall);
    expect(time.caughtUp).toBe(true);
  });
});

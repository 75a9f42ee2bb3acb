// The simulator feeder of `flowc run`: a fresh state dir gets the last `backfillMs` of simulated
// traffic appended at once, ahead of the live records; a resumed run continues without one. Live
// records are appended when the clock reaches their event time (no offset at the start, no drift).
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
    // After the backfill come the live records, when their event time is due: a second of them at NOW + 1 s.
    const live = feeder.feed(NOW + 1000, 1000);
    expect(live).toBeGreaterThan(100);
    expect(live).toBeLessThan(300);
    const liveTimes = eventTimes(log).filter((t) => t >= NOW);
    expect(liveTimes).toHaveLength(live);
    expect(Math.max(...liveTimes)).toBeLessThanOrEqual(NOW + 1000);
    expect(feeder.nextDueAt()).toBeGreaterThan(NOW + 1000);
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

/** A log that keeps only the event time of each record appended (an hour of records would not fit in memory). */
class EventTimeLog {
  readonly times: number[] = [];
  append(_topic: string, _key: string | null, value: string): void {
    const match = /"timestamp":(\d+)/.exec(value);
    this.times.push(match === null ? Number.NaN : Number(match[1]));
  }
  asLog(): PartitionedLog {
    return this as unknown as PartitionedLog;
  }
}

describe('SimulatorFeeder live pacing', () => {
  it('appends each live record when the clock reaches its event time: no start-up offset, no drift over an hour', () => {
    const POLL_MS = 10;
    const log = new EventTimeLog();
    const feeder = new SimulatorFeeder(log.asLog(), TOPIC, settings(60_000), null, NOW);
    // Warm-up, engine start and the backfill take a while: the first live feed comes 12 s after construction.
    let clock = NOW + 8000;
    while (feeder.backfillPending > 0) feeder.feed(clock, 2000);
    const backfilled = log.times.length;
    expect(Math.max(...log.times)).toBeLessThan(NOW);
    clock = NOW + 12_000;
    feeder.feed(clock, 100_000);
    // What fell due since construction comes at once: all of it, and nothing from the future.
    const first = log.times.slice(backfilled);
    expect(first.length).toBeGreaterThan(12 * 200 * 0.8);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(NOW);
    expect(Math.max(...first)).toBeLessThanOrEqual(clock);
    expect(Math.max(...first)).toBeGreaterThan(clock - 200);
    expect(feeder.nextDueAt()).toBeGreaterThan(clock);
    // Then an hour of feeds every POLL_MS: every record comes in the feed after its event time.
    const HOUR = 3_600_000;
    const end = clock + HOUR;
    let wrong = 0;
    let worstLag = 0;
    while (clock < end) {
      const previous = clock;
      clock += POLL_MS;
      const from = log.times.length;
      feeder.feed(clock, 100_000);
      for (let i = from; i < log.times.length; i++) {
        const t = log.times[i] as number;
        if (!(t > previous && t <= clock)) wrong++;
      }
      if (feeder.nextDueAt() <= clock) wrong++;
      // Event-time lag: the clock − the newest event time appended (gaps between events included).
      worstLag = Math.max(worstLag, clock - (log.times[log.times.length - 1] as number));
    }
    expect(wrong).toBe(0);
    expect(worstLag).toBeLessThan(1000);
    // --rate holds on average: 200 events a second of event time, hence of wall time.
    const live = log.times.length - backfilled;
    expect(live / ((end - NOW) / 1000)).toBeGreaterThan(200 * 0.97);
    expect(live / ((end - NOW) / 1000)).toBeLessThan(200 * 1.03);
    expect(feeder.state().lastEventTime).toBeLessThanOrEqual(end);
    expect(feeder.state().lastEventTime).toBeGreaterThan(end - 1000);
  });

  it('appends delayed and damaged records when due too, never ahead of the clock, within the room given', () => {
    const log = new EventTimeLog();
    const feeder = new SimulatorFeeder(log.asLog(), TOPIC, { ...settings(0), malformed: 0.05, late: { fraction: 0.01, delayMs: 10_000 }, outOfOrder: { fraction: 0.05, maxDelayMs: 5000 } }, null, NOW);
    expect(feeder.feed(NOW + 1000, 50)).toBe(50);
    let clock = NOW + 1000;
    for (let i = 0; i < 6000; i++) {
      clock += 100;
      feeder.feed(clock, 100_000);
      expect(feeder.nextDueAt()).toBeGreaterThan(clock);
    }
    // Damaged records may carry any timestamp (1970, the year 2999, …): leave those out.
    const plausible = log.times.filter((t) => t > NOW - 86_400_000 && t < NOW + 86_400_000);
    expect(plausible.length).toBeGreaterThan(100_000);
    expect(plausible.every((t) => t <= clock)).toBe(true);
    const counts = feeder.counts();
    expect(counts.late).toBeGreaterThan(0);
    expect(counts.outOfOrder).toBeGreaterThan(0);
    expect(counts.records / 601).toBeGreaterThan(200 * 0.9);
    expect(counts.records / 601).toBeLessThan(200 * 1.15);
  });

  it('continues after a previous run that went past now, paced from there', () => {
    const log = new EventTimeLog();
    const ahead = NOW + 3_600_000;
    const feeder = new SimulatorFeeder(log.asLog(), TOPIC, settings(60_000), { seed: 7, generation: 0, lastEventTime: ahead }, NOW);
    expect(feeder.backfillPending).toBe(0);
    expect(feeder.nextDueAt()).toBeLessThan(NOW + 1000);
    feeder.feed(NOW + 10_000, 100_000);
    // (Fewer than 200 a second: the world starts after the previous run's last event, with no session open.)
    expect(log.times.length).toBeGreaterThan(200);
    expect(Math.min(...log.times)).toBeGreaterThan(ahead);
    expect(Math.max(...log.times)).toBeLessThanOrEqual(ahead + 10_000);
  });

  it('appends as many as it may with --rate max', () => {
    const log = new EventTimeLog();
    const feeder = new SimulatorFeeder(log.asLog(), TOPIC, { ...settings(0), rate: Number.POSITIVE_INFINITY }, null, NOW);
    expect(feeder.nextDueAt()).toBe(Number.NEGATIVE_INFINITY);
    expect(feeder.feed(NOW, 5000)).toBe(5000);
    expect(feeder.feed(NOW, 5000)).toBe(5000);
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

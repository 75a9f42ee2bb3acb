// The website-analytics pipeline, compiled from pipelines/website-analytics.flow and run by the
// engine through the TopologyTestDriver.
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_WATERMARK, type DeadLetterRecord, type Topology } from '../../src/index.ts';
import { WebsiteEventSimulator, type SimulatedRecord } from '../../src/simulator/index.ts';
import { partitionForKey } from '../../src/engine/index.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';
import { compilePipeline } from '../testing/compile.ts';
import { MINUTE, SECOND, T0, conversion, pageView, sessionEnd, sessionStart, type AnalyticsEventJson } from '../testing/events.ts';

interface PageViewRow {
  readonly eventId: string;
  readonly eventType: string;
  readonly url: string;
}
interface SessionRow {
  readonly sessionId: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly user: string;
  readonly duration_s: number;
  readonly pages: number;
  readonly converted: boolean;
  readonly reached_checkout: boolean;
}
interface FunnelRow {
  readonly window_start: number;
  readonly window_end: number;
  readonly sessions_started: number;
  readonly reached_checkout: number;
  readonly converted: number;
  readonly avg_pages: number;
}
interface GeographyRow {
  readonly country: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly users: number;
  readonly events: number;
}
interface AlertRow {
  readonly alert_type: string;
  readonly severity: string;
  readonly message: string;
  readonly key: string;
  readonly time: number;
}
interface RealtimeRow {
  readonly window_start: number;
  readonly window_end: number;
  readonly page_views_per_second: number;
  readonly active_users: number;
}

let topology: Topology;

beforeAll(async () => {
  ({ topology } = await compilePipeline('website-analytics.flow', 'engine-website'));
});

/** A driver with one partition per source unless told otherwise, its clock at T0. */
function driver(partitions = 1): Promise<TopologyTestDriver> {
  return TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: partitions } });
}

describe('website analytics: stateless operators', () => {
  it('filters page views and derives their url', async () => {
    const d = await driver();
    d.pipe('events', [
      sessionStart(T0, 'u1', 's1'),
      pageView(T0 + SECOND, 'u1', 's1', '/home'),
      { eventId: 'bare', timestamp: T0 + 2 * SECOND, eventType: 'PAGE_VIEW', userId: 'u1', sessionId: 's1' },
      conversion(T0 + 3 * SECOND, 'u1', 's1'),
    ]);
    const views = d.output<PageViewRow>('page_views').map((r) => r.value);
    expect(views.map((v) => [v.eventType, v.url])).toEqual([
      ['PAGE_VIEW', '/home'],
      ['PAGE_VIEW', '(unknown)'],
    ]);
    // Every decoded event is on the `events` stream, keyed by the source's `key by userId`.
    expect(d.output('events').map((r) => r.key)).toEqual(['u1', 'u1', 'u1', 'u1']);
    expect(d.counters()).toMatchObject({ eventsIn: 4, decoded: 4, deadLetters: 0 });
  });

  it('counts only events with session data in the geography aggregate (its `where`)', async () => {
    const d = await driver();
    d.pipe('events', [sessionStart(T0, 'u1', 's1', 'FR'), pageView(T0 + SECOND, 'u1', 's1'), sessionStart(T0 + 2 * SECOND, 'u2', 's2', 'FR')]);
    d.advanceWatermark('events', T0 + 10 * MINUTE);
    const rows = d.output<GeographyRow>('geography').map((r) => r.value);
    expect(rows.length).toBe(6); // the six 1-minute windows sliding every 10 s over the events' pane
    for (const row of rows) expect(row).toMatchObject({ country: 'FR', users: 2, events: 2 });
  });
});

describe('website analytics: windows and watermarks', () => {
  it('closes an event-time tumbling window when the watermark passes its end', async () => {
    const d = await driver();
    // A session closed by its SESSION_END at T0 + 20 s: its row (window_end T0 + 20 s) lands in the
    // funnel's minute [T0, T0 + 60 s).
    d.pipe('events', [sessionStart(T0, 'u1', 's1'), pageView(T0 + 10 * SECOND, 'u1', 's1', '/checkout'), sessionEnd(T0 + 20 * SECOND, 'u1', 's1')]);
    expect(d.output<SessionRow>('sessions').map((r) => r.value)).toMatchObject([{ sessionId: 's1', window_end: T0 + 20 * SECOND, pages: 1, reached_checkout: true }]);
    d.advanceWatermark('events', T0 + MINUTE - 2);
    expect(d.output('funnel')).toEqual([]);
    d.advanceWatermark('events', T0 + MINUTE - 1);
    const funnel = d.output<FunnelRow>('funnel');
    expect(funnel.map((r) => r.value)).toEqual([
      { window_start: T0, window_end: T0 + MINUTE, sessions_started: 1, reached_checkout: 1, converted: 0, abandonment_rate: 100, avg_pages: 1 },
    ]);
    expect(funnel[0]?.timestamp).toBe(T0 + MINUTE);
    // The sinks got it too, tagged with its stream.
    expect(d.output('sink.influx.website_metrics').filter((r) => r.stream === 'funnel')).toHaveLength(1);
    expect(d.output('dashboard').filter((r) => r.stream === 'funnel')).toHaveLength(1);
  });

  it('watermarks trail the largest event time by the bound and only move forward', async () => {
    const d = await driver();
    expect(d.watermark('events')).toBe(MIN_WATERMARK);
    d.pipe('events', pageView(T0 + 60 * SECOND, 'u1', 's1'));
    expect(d.watermark('events')).toBe(T0 + 60 * SECOND - 5 * SECOND - 1);
    d.pipe('events', pageView(T0 + 30 * SECOND, 'u1', 's1'));
    expect(d.watermark('events')).toBe(T0 + 55 * SECOND - 1);
    expect(d.watermark('funnel.window')).toBe(T0 + 55 * SECOND - 1);
  });

  it('fires a processing-time tumbling window on the clock', async () => {
    const d = await driver();
    d.pipe('events', [pageView(T0 + 100, 'u1', 's1'), pageView(T0 + 200, 'u2', 's2'), sessionStart(T0 + 300, 'u3', 's3')]);
    d.advanceTime(5 * SECOND);
    expect(d.output('realtime')).toEqual([]); // the final waits a grace period for the partials
    d.advanceTime(1 * SECOND);
    const rows = d.output<RealtimeRow>('realtime').map((r) => r.value);
    expect(rows).toEqual([{ window_start: T0, window_end: T0 + 5 * SECOND, page_views_per_second: 0.4, active_users: 3 }]);
  });

  it('does not let an idle partition hold the watermark back', async () => {
    const d = await driver(12);
    // Everything goes to u1's partition; the eleven others never deliver.
    d.pipe('events', [pageView(T0, 'u1', 's1', '/a'), pageView(T0 + 20 * SECOND, 'u1', 's1', '/b')]);
    expect(d.watermark('events')).toBe(MIN_WATERMARK);
    d.advanceTime(59 * SECOND);
    expect(d.watermark('events')).toBe(MIN_WATERMARK);
    expect(d.output('popular_pages').filter((r) => r.value !== null)).toEqual(expect.any(Array));
    const finalRowsBefore = d.output('business');
    expect(finalRowsBefore).toEqual([]);
    d.advanceTime(1 * SECOND); // the idle timeout (1m) passes for the silent partitions
    expect(d.watermark('events')).toBe(T0 + 15 * SECOND - 1);
    expect(d.output('business').length).toBeGreaterThan(0);
  });

  it('drops a partition that stops sending from the watermark, and takes it back when it sends again', async () => {
    const d = await driver(2);
    const [a, b] = twoUsersOnDifferentPartitions();
    d.pipe('events', [pageView(T0, a, 'sa'), pageView(T0, b, 'sb')]);
    expect(d.watermark('events')).toBe(T0 - 5 * SECOND - 1);
    // `a` keeps sending for 70 s of processing time; `b` is silent and goes idle after 60 s.
    for (let i = 1; i <= 7; i++) {
      d.advanceTime(10 * SECOND);
      d.pipe('events', pageView(T0 + i * 10 * SECOND, a, 'sa'));
      const expected = i < 6 ? T0 - 5 * SECOND - 1 : T0 + i * 10 * SECOND - 5 * SECOND - 1;
      expect(d.watermark('events')).toBe(expected);
    }
    // `b` comes back, behind: it holds the source watermark again, operators keep theirs.
    d.pipe('events', pageView(T0 + 20 * SECOND, b, 'sb'));
    expect(d.watermark('events')).toBe(T0 + 15 * SECOND - 1);
    expect(d.watermark('business.partial')).toBe(T0 + 65 * SECOND - 1);
  });

  it('keeps one session spanning several tumbling windows, counted once downstream', async () => {
    const d = await driver();
    const times = [0, 70, 150, 230].map((s) => T0 + s * SECOND);
    d.pipe('events', [
      sessionStart(times[0] as number, 'u1', 's1'),
      pageView(times[1] as number, 'u1', 's1', '/a'),
      pageView(times[2] as number, 'u1', 's1', '/checkout'),
      conversion(times[3] as number, 'u1', 's1'),
    ]);
    d.advanceWatermark('events', T0 + 60 * MINUTE);
    const sessions = d.output<SessionRow>('sessions').map((r) => r.value);
    // Closed by the 30-minute gap after its last event: one row, bounds [first, last + gap).
    expect(sessions).toEqual([
      {
        sessionId: 's1',
        window_start: T0,
        window_end: T0 + 230 * SECOND + 30 * MINUTE,
        user: 'u1',
        duration_s: 230,
        pages: 2,
        converted: true,
        reached_checkout: true,
      },
    ]);
    // The funnel's 1-minute windows over sessions see the row once, in the minute of its end.
    const funnel = d.output<FunnelRow>('funnel').map((r) => r.value);
    expect(funnel).toEqual([{ window_start: T0 + 33 * MINUTE, window_end: T0 + 34 * MINUTE, sessions_started: 1, reached_checkout: 1, converted: 1, abandonment_rate: 0, avg_pages: 2 }]);
    // The same events feed the event-time sliding aggregates over four minutes of windows.
    expect(new Set(d.output<GeographyRow>('geography').map((r) => r.value.window_end)).size).toBe(6);
  });
});

describe('website analytics: the checkout_abandoned absence pattern', () => {
  it('alerts when a checkout is not followed by a conversion within 30 minutes', async () => {
    const d = await driver();
    d.pipe('events', [
      sessionStart(T0, 'u1', 's1'),
      pageView(T0 + 10 * SECOND, 'u1', 's1', '/checkout/payment'),
      // s2 converts in time: no alert.
      pageView(T0 + 20 * SECOND, 'u2', 's2', '/checkout'),
      // (before the conversion below: after it, 24.5 minutes behind, it would be late)
      pageView(T0 + 30 * SECOND, 'u3', 's3', '/checkout'),
      conversion(T0 + 25 * MINUTE, 'u2', 's2'),
    ]);
    d.advanceWatermark('events', T0 + 10 * SECOND + 30 * MINUTE - 1);
    expect(d.output('checkout_abandoned')).toEqual([]);
    d.advanceWatermark('events', T0 + 10 * SECOND + 30 * MINUTE);
    expect(d.output<AlertRow>('checkout_abandoned').map((a) => a.key)).toEqual(['s1']);
    // s3 converts, but too late: its conversion's time is past the deadline.
    d.pipe('events', conversion(T0 + 31 * MINUTE, 'u3', 's3'));
    d.advanceWatermark('events', T0 + 2 * 60 * MINUTE);
    const alerts = d.output<AlertRow>('checkout_abandoned');
    expect(alerts.map((a) => a.value)).toEqual([
      {
        alert_type: 'CHECKOUT_ABANDONED',
        severity: 'high',
        title: 'CHECKOUT_ABANDONED',
        message: 'Session s1 of user u1 reached /checkout/payment and did not convert within 30 minutes',
        key: 's1',
        time: T0 + 10 * SECOND + 30 * MINUTE,
      },
      {
        alert_type: 'CHECKOUT_ABANDONED',
        severity: 'high',
        title: 'CHECKOUT_ABANDONED',
        message: 'Session s3 of user u3 reached /checkout and did not convert within 30 minutes',
        key: 's3',
        time: T0 + 30 * SECOND + 30 * MINUTE,
      },
    ]);
    expect(d.output('sink.kafka.cep-alerts').map((r) => r.stream)).toEqual(['checkout_abandoned', 'checkout_abandoned']);
    expect(d.counters().alerts).toBe(2);
  });
});

describe('website analytics: malformed input', () => {
  it('sends every undecodable record to the dead letters with its reason, and decodes all the others', async () => {
    const simulator = new WebsiteEventSimulator({ seed: 7, ratePerSecond: 200, malformed: { fraction: 0.1 } });
    const records = simulator.nextBatch(3000);
    // The production lower bound too (the driver leaves it out by default): every absurd timestamp is implausible.
    const d = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 4 }, eventTimeBounds: { horizonFrom: 'events' } });
    for (let i = 0; i < records.length; i += 250) {
      const chunk = records.slice(i, i + 250);
      for (const record of chunk) d.pipe('events', record.value, { key: record.key });
      d.advanceTime(SECOND);
    }
    const counters = d.counters();
    const letters = d.deadLetters();
    expect(counters.eventsIn).toBe(records.length);
    expect(counters.decoded + counters.deadLetters).toBe(records.length);
    expect(letters).toHaveLength(counters.deadLetters);

    // Every good record was decoded and reached the `events` stream.
    const decodedIds = new Set(d.output<{ eventId: string }>('events').map((r) => r.value.eventId));
    const good = records.filter((r) => r.malformed === false);
    expect(good.length).toBeGreaterThan(2000);
    for (const record of good) expect(decodedIds.has(idOf(record))).toBe(true);

    // Every record damaged so that the schema rejects it is a dead letter, with a fitting reason.
    const byRaw = new Map<string, DeadLetterRecord>(letters.map((l) => [l.raw, l]));
    const expectedReason = { 'invalid-json': 'invalid_json', 'missing-field': 'missing_field', 'wrong-type': 'invalid_field', 'unknown-enum': 'invalid_field', 'absurd-timestamp': 'invalid_timestamp' } as const;
    let rejected = 0;
    for (const record of records) {
      if (record.malformed === false) continue;
      const letter = byRaw.get(record.value);
      expect(letter, `${record.malformed}: ${record.value}`).toBeDefined();
      if (letter === undefined) continue;
      rejected++;
      expect(letter.source).toBe('events');
      expect(letter.reason.length).toBeGreaterThan(0);
      expect(categoryOf(letter)).toBe(expectedReason[record.malformed]);
      if (record.malformed === 'missing-field' || record.malformed === 'wrong-type' || record.malformed === 'unknown-enum') expect(letter.path).toMatch(/^\$\./);
      if (record.malformed === 'invalid-json') expect(letter.reason).toMatch(/^not valid JSON/);
      if (record.malformed === 'absurd-timestamp') expect(letter.reason).toMatch(/^event time \S+ is implausible \((before|more than 1 day ahead of)/);
    }
    expect(rejected).toBeGreaterThan(150);
    expect(rejected).toBe(letters.length);

    // Counted by reason, on the status counters, in the dead-letter sink and on /metrics.
    const byReason: Record<string, number> = {};
    for (const letter of letters) byReason[categoryOf(letter)] = (byReason[categoryOf(letter)] ?? 0) + 1;
    expect(counters.deadLettersByReason).toEqual(byReason);
    expect(d.output('events.dead-letter')).toHaveLength(letters.length);
    const metrics = await d.engine.flowcMetrics.metrics();
    for (const [reason, count] of Object.entries(byReason)) {
      expect(metrics).toContain(`flowc_dead_letters_total{pipeline="website_analytics",operator="events.decode",reason="${reason}"} ${count}`);
    }
  });
});

function idOf(record: SimulatedRecord): string {
  return (JSON.parse(record.value) as AnalyticsEventJson).eventId;
}

function categoryOf(letter: DeadLetterRecord): string {
  if (/^event time \S+ is implausible/.test(letter.reason)) return 'invalid_timestamp';
  if (letter.reason.startsWith('not valid JSON')) return 'invalid_json';
  if (letter.reason.startsWith('missing required field')) return 'missing_field';
  if (letter.path === '$') return 'not_an_object';
  return 'invalid_field';
}

/** Two user ids whose events land on different partitions of a 2-partition topic. */
function twoUsersOnDifferentPartitions(): [string, string] {
  const first = 'u1';
  for (let i = 2; ; i++) {
    const other = `u${i}`;
    if (partitionForKey(other, 2) !== partitionForKey(first, 2)) return [first, other];
  }
}

// The funnel of pipelines/website-analytics.flow counts each session exactly once, checked against
// a brute-force computation from the input: 200,000 simulated events with up to 5 s of disorder
// (within the source's `watermark 5s`, so nothing is late), fed to the engine in batches of mixed
// sizes over 12 partitions. The oracle cuts each session's events, sorted by time, where two are
// more than 30 minutes apart or after a SESSION_END, derives the session row, and puts it in the
// funnel minute of its end. Sessions closed by SESSION_END are emitted at once and updated by their
// stragglers, so the engine must retract every superseded session row before counting the new one.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_WATERMARK, type SinkRecord, type Topology } from '../../src/index.ts';
import { WebsiteEventSimulator } from '../../src/simulator/index.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';
import { compilePipeline } from '../testing/compile.ts';
import { T0 } from '../testing/events.ts';
import type { FunnelRow, SessionsRow as SessionRow } from '../../../generated/website-analytics/types.ts';

const EVENTS = 200_000;
const GAP = 30 * 60_000;
const MINUTE = 60_000;

interface Event {
  readonly timestamp: number;
  readonly eventType: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly pageViewData?: { readonly url?: string };
}

/** Sessions by brute force: per sessionId, events sorted by time, cut at gaps over 30 min and after SESSION_END. */
function oracleSessions(events: readonly Event[]): SessionRow[] {
  const bySession = new Map<string, { e: Event; i: number }[]>();
  events.forEach((e, i) => {
    let list = bySession.get(e.sessionId);
    if (list === undefined) bySession.set(e.sessionId, (list = []));
    list.push({ e, i });
  });
  const rows: SessionRow[] = [];
  for (const [sessionId, list] of bySession) {
    list.sort((a, b) => a.e.timestamp - b.e.timestamp || a.i - b.i);
    let current: Event[] = [];
    let closed = false;
    const cut = (): void => {
      if (current.length === 0) return;
      const first = current[0]!.timestamp;
      const last = current.at(-1)!.timestamp;
      rows.push({
        sessionId,
        window_start: first,
        window_end: closed ? last : last + GAP,
        user: current[0]!.userId,
        duration_s: (last - first) / 1000,
        pages: current.filter((e) => e.eventType === 'PAGE_VIEW').length,
        converted: current.some((e) => e.eventType === 'CONVERSION'),
        reached_checkout: current.some((e) => (e.pageViewData?.url ?? '').startsWith('/checkout')),
      });
      current = [];
      closed = false;
    };
    for (const { e } of list) {
      const previous = current.at(-1);
      if (previous !== undefined && (closed || e.timestamp - previous.timestamp > GAP)) cut();
      current.push(e);
      if (e.eventType === 'SESSION_END') closed = true;
    }
    cut();
  }
  return rows;
}

/** The funnel's 1-minute tumbling windows over session rows, by their end. */
function oracleFunnel(sessions: readonly SessionRow[]): Map<number, FunnelRow> {
  const byMinute = new Map<number, SessionRow[]>();
  for (const s of sessions) {
    const start = Math.floor(s.window_end / MINUTE) * MINUTE;
    let list = byMinute.get(start);
    if (list === undefined) byMinute.set(start, (list = []));
    list.push(s);
  }
  const out = new Map<number, FunnelRow>();
  for (const [start, list] of byMinute) {
    const checkout = list.filter((s) => s.reached_checkout).length;
    out.set(start, {
      window_start: start,
      window_end: start + MINUTE,
      sessions_started: list.length,
      reached_checkout: checkout,
      converted: list.filter((s) => s.converted).length,
      abandonment_rate: (list.filter((s) => s.reached_checkout && !s.converted).length / checkout) * 100,
      avg_pages: list.reduce((sum, s) => sum + s.pages, 0) / list.length,
    });
  }
  return out;
}

/** The final table of a changelog: `+I`/`+U` set a row key, `-D` removes it, `-U` is replaced by its `+U`. */
function finalTable<T>(records: readonly SinkRecord<T>[]): Map<string, T> {
  const table = new Map<string, T>();
  for (const r of records) {
    expect(r.rowKey, 'every result row has a row key').toBeDefined();
    if (r.change === '+I' || r.change === '+U') table.set(r.rowKey!, r.value);
    else if (r.change === '-D') expect(table.delete(r.rowKey!), `-D of a present row ${r.rowKey}`).toBe(true);
  }
  return table;
}

let topology: Topology;

beforeAll(async () => {
  ({ topology } = await compilePipeline('website-analytics.flow', 'engine-funnel-exact'));
});

describe('website analytics: the funnel counts each session once', () => {
  it(`matches a brute-force computation on ${EVENTS.toLocaleString('en-US')} events with 5 s of disorder`, { timeout: 240_000 }, async () => {
    const sim = new WebsiteEventSimulator({ seed: 8, ratePerSecond: Infinity, startTime: T0, outOfOrder: { fraction: 0.2, maxDelayMs: 5000 } });
    const records = sim.nextBatch(EVENTS);
    expect(records.filter((r) => r.delayed === 'out-of-order').length, 'disorder in the input').toBeGreaterThan(EVENTS / 10);
    const events = records.map((r) => JSON.parse(r.value as string) as Event);

    const d = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 12 } });
    // Batches of mixed sizes, so batch boundaries fall everywhere.
    const sizes = [1, 7, 512, 64, 4096, 3];
    for (let at = 0, i = 0; at < records.length; i++) {
      const n = sizes[i % sizes.length]!;
      d.pipe(
        'events',
        records.slice(at, at + n).map((r) => r.value),
      );
      at += n;
    }
    d.advanceWatermark('events', MAX_WATERMARK);
    expect(d.counters().deadLetters).toBe(0);
    expect(d.counters().lateEvents, 'disorder within the watermark bound: nothing is late').toBe(0);

    const expectedSessions = oracleSessions(events);
    const sessionChanges = d.output<SessionRow>('sessions');
    // Some sessions really are revised (closed by SESSION_END, then reached by a straggler).
    expect(sessionChanges.filter((r) => r.change === '-U' || r.change === '-D').length, 'session updates').toBeGreaterThan(20);
    const sessions = finalTable(sessionChanges);
    expect(sessions.size, 'one row per session').toBe(expectedSessions.length);
    const byKey = new Map([...sessions.values()].map((s) => [`${s.sessionId}|${s.window_start}`, s]));
    for (const s of expectedSessions) expect(byKey.get(`${s.sessionId}|${s.window_start}`), `session ${s.sessionId}`).toEqual(s);

    const expectedFunnel = oracleFunnel(expectedSessions);
    const funnel = finalTable(d.output<FunnelRow>('funnel'));
    const rows = [...funnel.values()].sort((a, b) => a.window_start - b.window_start);
    expect(rows.length).toBe(expectedFunnel.size);
    const counted = rows.reduce((sum, r) => sum + r.sessions_started, 0);
    expect(counted, 'sessions counted by the funnel').toBe(expectedSessions.length);
    for (const row of rows) {
      const want = expectedFunnel.get(row.window_start)!;
      expect({ ...row, abandonment_rate: 0, avg_pages: 0 }, `funnel [${row.window_start}]`).toEqual({ ...want, abandonment_rate: 0, avg_pages: 0 });
      if (Number.isNaN(want.abandonment_rate)) expect(row.abandonment_rate).toBeNaN();
      else expect(row.abandonment_rate).toBeCloseTo(want.abandonment_rate, 9);
      expect(row.avg_pages).toBeCloseTo(want.avg_pages, 9);
    }
  });
});

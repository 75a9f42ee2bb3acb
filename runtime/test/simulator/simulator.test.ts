// The simulated stream: determinism, the event mix, the AnalyticsEvent shape, session coherence,
// bounces, disorder and malformed records, pacing. No timing here (throughput is measured by
// runtime/src/simulator/bench.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MALFORMED_KINDS, WebsiteEventSimulator, type SimulatedRecord } from '../../src/simulator/index.ts';

// ───────────────────────────── an independent check of pipelines/website-analytics.flow's AnalyticsEvent ─────────────────────────────

const EVENT_TYPES = ['PAGE_VIEW', 'SESSION_START', 'SESSION_END', 'CONVERSION'];
const DEVICE_TYPES = ['DESKTOP', 'MOBILE', 'TABLET'];
const PLAUSIBLE_FROM = Date.UTC(2000, 0, 1);
const PLAUSIBLE_TO = Date.UTC(2100, 0, 1);

interface Event {
  eventId: string;
  timestamp: number;
  eventType: string;
  userId: string;
  sessionId: string;
  pageViewData?: { url: string; title?: string; referrer?: string; pageLoadTime?: number };
  sessionData?: { userAgent?: string; ipAddress?: string; country: string; city?: string; deviceType: string; browser?: string; os?: string };
  conversionData?: { orderId: string; revenue: number };
}

type Fields = Record<string, unknown>;
const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a nested record's fields: each is [name, kind, required]. */
function checkRecord(value: unknown, path: string, fields: [string, 'string' | 'int' | 'number' | 'device', boolean][]): string | null {
  if (!isRecord(value)) return `${path}: not an object`;
  for (const [name, kind, required] of fields) {
    const v = value[name];
    if (v === undefined) {
      if (required) return `${path}.${name}: missing`;
      continue;
    }
    const ok =
      kind === 'string'
        ? typeof v === 'string'
        : kind === 'int'
          ? Number.isSafeInteger(v)
          : kind === 'number'
            ? typeof v === 'number' && Number.isFinite(v)
            : typeof v === 'string' && DEVICE_TYPES.includes(v);
    if (!ok) return `${path}.${name}: not a valid ${kind}`;
  }
  const known = new Set(fields.map(([name]) => name));
  for (const key of Object.keys(value)) if (!known.has(key)) return `${path}.${key}: unknown field`;
  return null;
}

/** null when `value` is a well-formed AnalyticsEvent (with a plausible timestamp), else the first problem. */
function checkEvent(value: unknown): string | null {
  const top = checkRecord(value, '$', [
    ['eventId', 'string', true],
    ['timestamp', 'int', true],
    ['eventType', 'string', true],
    ['userId', 'string', true],
    ['sessionId', 'string', true],
  ]);
  if (top !== null && !top.endsWith('unknown field')) return top;
  const e = value as Fields;
  for (const key of Object.keys(e)) {
    if (!['eventId', 'timestamp', 'eventType', 'userId', 'sessionId', 'pageViewData', 'sessionData', 'conversionData'].includes(key)) return `$.${key}: unknown field`;
  }
  if (!EVENT_TYPES.includes(e['eventType'] as string)) return '$.eventType: unknown value';
  const t = e['timestamp'] as number;
  if (t < PLAUSIBLE_FROM || t > PLAUSIBLE_TO) return '$.timestamp: implausible';
  if (e['pageViewData'] !== undefined) {
    const problem = checkRecord(e['pageViewData'], '$.pageViewData', [
      ['url', 'string', true],
      ['title', 'string', false],
      ['referrer', 'string', false],
      ['pageLoadTime', 'int', false],
    ]);
    if (problem !== null) return problem;
  }
  if (e['sessionData'] !== undefined) {
    const problem = checkRecord(e['sessionData'], '$.sessionData', [
      ['userAgent', 'string', false],
      ['ipAddress', 'string', false],
      ['country', 'string', true],
      ['city', 'string', false],
      ['deviceType', 'device', true],
      ['browser', 'string', false],
      ['os', 'string', false],
    ]);
    if (problem !== null) return problem;
  }
  if (e['conversionData'] !== undefined) {
    const problem = checkRecord(e['conversionData'], '$.conversionData', [
      ['orderId', 'string', true],
      ['revenue', 'number', true],
    ]);
    if (problem !== null) return problem;
  }
  return null;
}

/** The simulator's own promises on top of the schema: which nested records go with which event type. */
function checkConventions(e: Event): string | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.eventId)) return 'eventId is not a v4 UUID';
  if (!/^user_\d{4,}$/.test(e.userId)) return 'userId is not user_NNNN';
  if (!/^session_[0-9a-z]+$/.test(e.sessionId)) return 'sessionId';
  if ((e.eventType === 'PAGE_VIEW') !== (e.pageViewData !== undefined)) return 'pageViewData goes with PAGE_VIEW';
  if ((e.eventType === 'CONVERSION') !== (e.conversionData !== undefined)) return 'conversionData goes with CONVERSION';
  if (e.sessionData === undefined) return 'sessionData on every event (the default)';
  if (e.pageViewData !== undefined && !e.pageViewData.url.startsWith('/')) return 'url is a path';
  if (e.conversionData !== undefined && !(e.conversionData.revenue > 0)) return 'revenue > 0';
  if (e.sessionData.ipAddress !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(e.sessionData.ipAddress)) return 'ipAddress';
  return null;
}

function parse(record: SimulatedRecord): Event {
  return JSON.parse(record.value) as Event;
}

// ───────────────────────────── one long default stream, shared ─────────────────────────────

const N = 200_000;
let records: SimulatedRecord[] = [];
let events: Event[] = [];

beforeAll(() => {
  const simulator = new WebsiteEventSimulator({ seed: 42 });
  records = simulator.nextBatch(N);
  events = records.map(parse);
});

function share(list: readonly Event[], type: string): number {
  return (100 * list.filter((e) => e.eventType === type).length) / list.length;
}

describe('WebsiteEventSimulator: the default stream', () => {
  it('is deterministic per seed', () => {
    const a = new WebsiteEventSimulator({ seed: 7 }).nextBatch(5_000);
    const b = new WebsiteEventSimulator({ seed: 7 }).nextBatch(5_000);
    const c = new WebsiteEventSimulator({ seed: 8 }).nextBatch(5_000);
    expect(b).toEqual(a);
    expect(c.map((r) => r.value)).not.toEqual(a.map((r) => r.value));
    expect(new WebsiteEventSimulator().nextBatch(100)).toEqual(records.slice(0, 100)); // the default seed is 42
  });

  it('has the reference event mix within ±2 points: 70 % PAGE_VIEW, 15 % SESSION_START, 10 % SESSION_END, 5 % CONVERSION', () => {
    expect(Math.abs(share(events, 'PAGE_VIEW') - 70)).toBeLessThan(2);
    expect(Math.abs(share(events, 'SESSION_START') - 15)).toBeLessThan(2);
    expect(Math.abs(share(events, 'SESSION_END') - 10)).toBeLessThan(2);
    expect(Math.abs(share(events, 'CONVERSION') - 5)).toBeLessThan(2);
  });

  it('has the mix within ±1 point once warmed up (after the first 10 minutes of event time)', () => {
    const from = (events[0] as Event).timestamp + 600_000;
    const steady = events.filter((e) => e.timestamp >= from);
    expect(steady.length).toBeGreaterThan(N / 3);
    expect(Math.abs(share(steady, 'PAGE_VIEW') - 70)).toBeLessThan(1);
    expect(Math.abs(share(steady, 'SESSION_START') - 15)).toBeLessThan(1);
    expect(Math.abs(share(steady, 'SESSION_END') - 10)).toBeLessThan(1);
    expect(Math.abs(share(steady, 'CONVERSION') - 5)).toBeLessThan(1);
  });

  it('emits well-formed AnalyticsEvent JSON keyed by userId, in event-time order, from the start time on', () => {
    const problems = new Map<string, number>();
    let previous = Number.NEGATIVE_INFINITY;
    let disordered = 0;
    records.forEach((record, i) => {
      const e = events[i] as Event;
      const problem = checkEvent(e) ?? checkConventions(e) ?? (record.key !== e.userId ? 'key is not the userId' : null) ?? (record.timestamp !== e.timestamp ? 'timestamp differs' : null);
      if (problem !== null) problems.set(problem, (problems.get(problem) ?? 0) + 1);
      if (record.malformed !== false || record.delayed !== false) problems.set('injected by default', 1);
      if (record.timestamp < previous) disordered++;
      previous = record.timestamp;
    });
    expect(Object.fromEntries(problems)).toEqual({});
    expect(disordered).toBe(0);
    expect((records[0] as SimulatedRecord).timestamp).toBe(Date.UTC(2024, 0, 1));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(N);
  });

  it('keeps sessions coherent: one user, the start first, at most one end and it last, the same sessionData', () => {
    const bySession = new Map<string, Event[]>();
    for (const e of events) {
      const list = bySession.get(e.sessionId);
      if (list === undefined) bySession.set(e.sessionId, [e]);
      else list.push(e);
    }
    const broken: string[] = [];
    for (const [id, list] of bySession) {
      const starts = list.filter((e) => e.eventType === 'SESSION_START');
      const ends = list.filter((e) => e.eventType === 'SESSION_END');
      const start = starts[0];
      if (starts.length !== 1 || start === undefined) broken.push(`${id}: ${starts.length} starts`);
      else if (list.some((e) => e !== start && e.timestamp <= start.timestamp)) broken.push(`${id}: an event not after the start`);
      if (ends.length > 1) broken.push(`${id}: ${ends.length} ends`);
      const end = ends[0];
      if (end !== undefined && list.some((e) => e !== end && e.timestamp > end.timestamp)) broken.push(`${id}: an event after the end`);
      if (new Set(list.map((e) => e.userId)).size !== 1) broken.push(`${id}: several users`);
      if (new Set(list.map((e) => JSON.stringify(e.sessionData))).size !== 1) broken.push(`${id}: sessionData changes`);
    }
    expect(broken.slice(0, 5)).toEqual([]);
    // Sessions overlap: many are open at once.
    let open = 0;
    let maxOpen = 0;
    const last = new Map<string, number>();
    events.forEach((e, i) => last.set(e.sessionId, i));
    events.forEach((e, i) => {
      if (e.eventType === 'SESSION_START') open++;
      if (last.get(e.sessionId) === i) open--;
      maxOpen = Math.max(maxOpen, open);
    });
    expect(maxOpen).toBeGreaterThan(1000);
  });

  it('has 35–45 % bounces (sessions with one page view), a funnel, and conversions mostly after the checkout', () => {
    const endTime = (events[N - 1] as Event).timestamp;
    const sessions = new Map<string, { start: number; views: string[]; conversions: number; checkoutBeforeConversion: number }>();
    for (const e of events) {
      let s = sessions.get(e.sessionId);
      if (s === undefined) sessions.set(e.sessionId, (s = { start: e.timestamp, views: [], conversions: 0, checkoutBeforeConversion: 0 }));
      if (e.pageViewData !== undefined) s.views.push(e.pageViewData.url);
      if (e.eventType === 'CONVERSION') {
        s.conversions++;
        if (s.views.includes('/checkout')) s.checkoutBeforeConversion++;
      }
    }
    // Only sessions that are surely complete: no gap in a session is longer than 10 minutes.
    const complete = [...sessions.values()].filter((s) => s.start < endTime - 11 * 60_000);
    expect(complete.length).toBeGreaterThan(10_000);
    const bounceRate = complete.filter((s) => s.views.length === 1).length / complete.length;
    expect(bounceRate).toBeGreaterThan(0.35);
    expect(bounceRate).toBeLessThan(0.45);

    const reachedCheckout = complete.filter((s) => s.views.includes('/checkout'));
    const abandoned = reachedCheckout.filter((s) => s.conversions === 0).length / reachedCheckout.length;
    expect(abandoned).toBeGreaterThan(0.1);
    expect(abandoned).toBeLessThan(0.6);
    const conversions = complete.reduce((n, s) => n + s.conversions, 0);
    const afterCheckout = complete.reduce((n, s) => n + s.checkoutBeforeConversion, 0);
    expect(afterCheckout / conversions).toBeGreaterThan(0.85);
    expect(afterCheckout).toBeLessThan(conversions); // some "buy now" orders skip the checkout pages
    // Funnel walks: home → product → cart → checkout.
    const walked = complete.filter((s) => {
      const i = s.views.indexOf('/');
      const product = s.views.findIndex((u, k) => k > i && u.startsWith('/products/') && u.split('/').length === 4);
      const cart = s.views.indexOf('/cart', product);
      return i >= 0 && product > i && cart > product && s.views.indexOf('/checkout', cart) > cart;
    });
    expect(walked.length).toBeGreaterThan(100);
  });

  it('skews pages, countries and devices', () => {
    const count = <T>(xs: T[]): Map<T, number> => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());
    const byCountry = [...count(events.filter((e) => e.eventType === 'SESSION_START').map((e) => e.sessionData?.country)).entries()].sort((a, b) => b[1] - a[1]);
    expect(byCountry[0]?.[0]).toBe('US');
    expect(byCountry.length).toBeGreaterThan(10);
    const top = byCountry[0]?.[1] ?? 0;
    const last = byCountry[byCountry.length - 1]?.[1] ?? 0;
    expect(top).toBeGreaterThan(5 * last);
    const pages = [...count(events.filter((e) => e.eventType === 'PAGE_VIEW').map((e) => e.pageViewData?.url)).values()].sort((a, b) => b - a);
    expect(pages.length).toBeGreaterThan(40);
    expect((pages[0] ?? 0) / (pages[pages.length - 1] ?? 1)).toBeGreaterThan(20);
    const devices = count(events.filter((e) => e.eventType === 'SESSION_START').map((e) => e.sessionData?.deviceType));
    expect(new Set(devices.keys())).toEqual(new Set(DEVICE_TYPES));
    expect(devices.get('DESKTOP') ?? 0).toBeGreaterThan(devices.get('TABLET') ?? 0);
  });

  it('runs the simulated world at eventRatePerSecond once warmed up (200 events per second by default)', () => {
    const t0 = (events[0] as Event).timestamp + 600_000;
    const inWindow = events.filter((e) => e.timestamp >= t0 && e.timestamp < t0 + 300_000).length;
    expect(inWindow / 300).toBeGreaterThan(180);
    expect(inWindow / 300).toBeLessThan(220);
  });

  it('reports what it emitted in stats()', () => {
    const simulator = new WebsiteEventSimulator({ seed: 42 });
    simulator.nextBatch(10_000);
    const stats = simulator.stats();
    expect(stats.records).toBe(10_000);
    const firstEvents = events.slice(0, 10_000);
    for (const type of EVENT_TYPES) expect(stats.events[type as keyof typeof stats.events]).toBe(firstEvents.filter((e) => e.eventType === type).length);
    expect(stats.sessions).toBeGreaterThanOrEqual(stats.events.SESSION_START);
    expect(stats.openSessions).toBeGreaterThan(0);
  });
});

describe('WebsiteEventSimulator: options', () => {
  it('draws users from the population: user_0000 … user_{n-1}', () => {
    const sample = new WebsiteEventSimulator({ seed: 1, users: 50 }).nextBatch(5_000).map(parse);
    const users = new Set(sample.map((e) => e.userId));
    expect(users.size).toBeGreaterThan(20);
    expect(users.size).toBeLessThanOrEqual(50);
    for (const u of users) expect(Number(u.slice(5))).toBeLessThan(50);
    expect(new WebsiteEventSimulator({ seed: 1, users: 123_456 }).next().key).toMatch(/^user_\d{6}$/);
  });

  it('puts sessionData on SESSION_START only when asked', () => {
    const sample = new WebsiteEventSimulator({ seed: 2, sessionDataOn: 'start' }).nextBatch(5_000).map(parse);
    for (const e of sample) expect(e.sessionData !== undefined).toBe(e.eventType === 'SESSION_START');
  });

  it('starts at startTime and runs the world at eventRatePerSecond', () => {
    const start = 1_000_000_000_000;
    const sample = new WebsiteEventSimulator({ seed: 3, startTime: start, eventRatePerSecond: 20 }).nextBatch(25_000);
    expect((sample[0] as SimulatedRecord).timestamp).toBe(start);
    // Warmed up (sessions last minutes, so the rate builds up over the first few), 20 events a second.
    const inWindow = sample.filter((r) => r.timestamp >= start + 600_000 && r.timestamp < start + 1_200_000).length;
    expect(inWindow / 600).toBeGreaterThan(18);
    expect(inWindow / 600).toBeLessThan(22);
  });

  it('rejects invalid options', () => {
    expect(() => new WebsiteEventSimulator({ ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => new WebsiteEventSimulator({ users: 0 })).toThrow(RangeError);
    expect(() => new WebsiteEventSimulator({ startTime: -1 })).toThrow(RangeError);
    expect(() => new WebsiteEventSimulator({ malformed: { fraction: 1.5 } })).toThrow(RangeError);
    expect(() => new WebsiteEventSimulator({ outOfOrder: { fraction: 0.1, maxDelayMs: 0 } })).toThrow(RangeError);
    expect(() => new WebsiteEventSimulator({ outOfOrder: { fraction: 0.6, maxDelayMs: 10 }, late: { fraction: 0.6, delayMs: 10 } })).toThrow(RangeError);
  });

  it('makes well-formed, coherent streams for any seed and population', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 20_000 }), (seed, users) => {
        const sample = new WebsiteEventSimulator({ seed, users }).nextBatch(1_500);
        const starts = new Map<string, number>();
        for (const record of sample) {
          const e = parse(record);
          expect(checkEvent(e) ?? checkConventions(e)).toBeNull();
          if (e.eventType === 'SESSION_START') starts.set(e.sessionId, e.timestamp);
          else expect(e.timestamp).toBeGreaterThan(starts.get(e.sessionId) ?? Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('WebsiteEventSimulator: injected disorder', () => {
  const M = 100_000;
  let disordered: SimulatedRecord[] = [];
  beforeAll(() => {
    disordered = new WebsiteEventSimulator({ seed: 5, outOfOrder: { fraction: 0.05, maxDelayMs: 2_000 }, late: { fraction: 0.01, delayMs: 70_000 } }).nextBatch(M);
  });

  it('holds back the asked-for fractions, out-of-order by up to maxDelayMs and late by at least delayMs', () => {
    let max = Number.NEGATIVE_INFINITY;
    let behind = 0;
    const lag = { 'out-of-order': [] as number[], late: [] as number[] };
    let inOrderBehind = 0;
    for (const r of disordered) {
      if (r.timestamp < max) behind++;
      if (r.delayed === false && r.timestamp < max) inOrderBehind++;
      if (r.delayed !== false) lag[r.delayed].push(max - r.timestamp);
      max = Math.max(max, r.timestamp);
    }
    const outOfOrder = lag['out-of-order'];
    const late = lag.late;
    expect(outOfOrder.length / M).toBeGreaterThan(0.045);
    expect(outOfOrder.length / M).toBeLessThan(0.055);
    expect(late.length / M).toBeGreaterThan(0.008);
    expect(late.length / M).toBeLessThan(0.012);
    expect(Math.max(...outOfOrder)).toBeLessThanOrEqual(2_000);
    expect(outOfOrder.filter((l) => l > 0).length / outOfOrder.length).toBeGreaterThan(0.95); // really behind
    expect(Math.min(...late)).toBeGreaterThanOrEqual(70_000);
    expect(inOrderBehind).toBe(0);
    expect(behind / M).toBeGreaterThan(0.055);
    expect(behind / M).toBeLessThan(0.062);
  });

  it('changes the order, not the records', () => {
    const clean = new WebsiteEventSimulator({ seed: 5 }).nextBatch(M + 5_000);
    const cleanValues = new Set(clean.map((r) => r.value));
    expect(disordered.filter((r) => !cleanValues.has(r.value))).toEqual([]);
    // Records held back come out later: all but the last 70 s (14 000 records at 200/s) are there.
    const seen = new Set(disordered.map((r) => r.value));
    expect(clean.slice(0, M - 16_000).filter((r) => !seen.has(r.value))).toEqual([]);
  });
});

describe('WebsiteEventSimulator: malformed records', () => {
  const M = 60_000;
  let mixed: SimulatedRecord[] = [];
  beforeAll(() => {
    mixed = new WebsiteEventSimulator({ seed: 11, malformed: { fraction: 0.05 } }).nextBatch(M);
  });

  it('injects the asked-for fraction, every kind about equally often', () => {
    const bad = mixed.filter((r) => r.malformed !== false);
    expect(bad.length / M).toBeGreaterThan(0.045);
    expect(bad.length / M).toBeLessThan(0.055);
    for (const kind of MALFORMED_KINDS) {
      const n = bad.filter((r) => r.malformed === kind).length;
      expect(n / bad.length).toBeGreaterThan(0.15);
      expect(n / bad.length).toBeLessThan(0.25);
    }
  });

  it('makes records that fail the schema check, each in its own way', () => {
    const reasons = new Map<string, Set<string>>();
    for (const r of mixed) {
      if (r.malformed === false) continue;
      let reason: string;
      try {
        reason = checkEvent(JSON.parse(r.value)) ?? 'passes';
      } catch {
        reason = 'not JSON';
      }
      const set = reasons.get(r.malformed) ?? new Set<string>();
      set.add(reason.replace(/^\$[.\w]*: /, ''));
      reasons.set(r.malformed, set);
      expect(r.value).not.toContain('\n'); // one record per line in JSON-lines files
    }
    const of = (kind: string): string[] => [...(reasons.get(kind) ?? [])];
    expect(of('invalid-json')).toEqual(['not JSON']);
    expect(of('wrong-type').every((r) => r.startsWith('not a valid') || r === 'not an object')).toBe(true);
    expect(of('missing-field').every((r) => r === 'missing')).toBe(true);
    expect(of('unknown-enum').every((r) => r === 'unknown value' || r === 'not a valid device')).toBe(true);
    expect(of('absurd-timestamp')).toEqual(['implausible']);
    // The example of each brief: a timestamp as a non-numeric string, a record without userId.
    const wrongTimestamps = mixed.filter((r) => r.malformed === 'wrong-type' && /"timestamp":"/.test(r.value));
    expect(wrongTimestamps.length).toBeGreaterThan(0);
    for (const r of wrongTimestamps) expect(Number.isNaN(Date.parse((JSON.parse(r.value) as { timestamp: string }).timestamp))).toBe(true);
    const withoutUser = mixed.filter((r) => r.malformed === 'missing-field' && !r.value.includes('"userId"'));
    expect(withoutUser.length).toBeGreaterThan(0);
    for (const r of withoutUser) expect(r.key).toMatch(/^session_/); // the producer's fallback key
    const years = mixed.filter((r) => r.malformed === 'absurd-timestamp').map((r) => new Date((JSON.parse(r.value) as { timestamp: number }).timestamp).getUTCFullYear());
    expect(years.some((y) => y === 1970)).toBe(true);
    expect(years.some((y) => y > 2500)).toBe(true);
  });

  it('adds to the good records without changing them', () => {
    const clean = new WebsiteEventSimulator({ seed: 11 }).nextBatch(M);
    const good = mixed.filter((r) => r.malformed === false);
    expect(good).toEqual(clean.slice(0, good.length));
  });
});

describe('WebsiteEventSimulator: pacing', () => {
  it('tells how many records are due at a wall-clock time', () => {
    const simulator = new WebsiteEventSimulator({ seed: 1, ratePerSecond: 200 });
    expect(simulator.nextDueAt()).toBe(Number.NEGATIVE_INFINITY);
    expect(simulator.pace(10_000)).toBe(1); // the clock starts: one record at once
    expect(simulator.pace(10_004)).toBe(1);
    simulator.next();
    expect(simulator.pace(10_004)).toBe(0);
    expect(simulator.nextDueAt()).toBe(10_005);
    expect(simulator.pace(10_005)).toBe(1);
    expect(simulator.pace(11_000)).toBe(200);
    expect(simulator.pace(11_000, 50)).toBe(50);
    simulator.nextBatch(200);
    expect(simulator.pace(11_000)).toBe(0);
    expect(simulator.pace(12_000)).toBe(200);
  });

  it('leaves the pace to the caller when unlimited', () => {
    const simulator = new WebsiteEventSimulator({ ratePerSecond: Number.POSITIVE_INFINITY });
    expect(simulator.pace(0, 1_000)).toBe(1_000);
    expect(simulator.pace(0)).toBe(Number.POSITIVE_INFINITY);
    expect(simulator.nextDueAt()).toBe(Number.NEGATIVE_INFINITY);
    expect(simulator.eventRatePerSecond).toBe(200);
  });
});

// The two patterns of the shipped pipelines, run with the nodes the compiler generated for them,
// plus hand-written nodes for the corners (processing time, optional steps, late records).
import { describe, expect, it } from 'vitest';
import { checkoutAbandonedPatternNode } from '../../../../generated/website-analytics/pipeline.ts';
import type { AnalyticsEvent, CheckoutAbandonedAlert } from '../../../../generated/website-analytics/types.ts';
import { credentialStuffingPatternNode } from '../../../../generated/api-monitoring/pipeline.ts';
import type { CredentialStuffingAlert, Login } from '../../../../generated/api-monitoring/types.ts';
import { EXACTLY_ONCE, MAX_WATERMARK, type PatternCompletion, type PatternNode, type PatternTimeout } from '../../../src/index.ts';
import { PatternDefinitionError, PatternProcessor } from '../../../src/operators/cep/index.ts';
import { OperatorHarness, streamRecord } from '../../support/cep-context.ts';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function pageView(sessionId: string, at: number, url: string, eventId = `pv-${sessionId}-${at}`): AnalyticsEvent {
  return {
    eventId,
    timestamp: at,
    eventType: 'PAGE_VIEW',
    userId: `user-${sessionId}`,
    sessionId,
    pageViewData: { url, title: null, referrer: null, pageLoadTime: 120 },
    sessionData: null,
    conversionData: null,
  };
}

function conversion(sessionId: string, at: number): AnalyticsEvent {
  return {
    eventId: `cv-${sessionId}-${at}`,
    timestamp: at,
    eventType: 'CONVERSION',
    userId: `user-${sessionId}`,
    sessionId,
    pageViewData: null,
    sessionData: null,
    conversionData: { orderId: 'o-1', revenue: 42 },
  };
}

async function checkoutHarness(): Promise<OperatorHarness<AnalyticsEvent, CheckoutAbandonedAlert>> {
  const h = new OperatorHarness(new PatternProcessor(checkoutAbandonedPatternNode));
  await h.init();
  return h;
}

/** Sends events (each as its own record, keyed by user as the source is) in the order given. */
function sendAll(h: OperatorHarness<AnalyticsEvent, CheckoutAbandonedAlert>, events: readonly AnalyticsEvent[]): void {
  h.send(0, events.map((e) => streamRecord(e, e.timestamp, e.userId)));
}

describe('website-analytics: checkout_abandoned (checkout page, then no CONVERSION within 30m)', () => {
  it('alerts at the deadline, once the watermark passes it', async () => {
    const h = await checkoutHarness();
    sendAll(h, [pageView('s1', T0, '/products/1'), pageView('s1', T0 + MIN, '/checkout/cart')]);
    h.watermark(T0 + MIN + 30 * MIN - 1);
    expect(h.context.emitted).toEqual([]);
    h.watermark(T0 + MIN + 30 * MIN);
    expect(h.context.emitted).toHaveLength(1);
    const [alert] = h.context.emitted;
    expect(alert?.timestamp).toBe(T0 + 31 * MIN);
    expect(alert?.key).toBe('s1');
    expect(alert?.value).toMatchObject({
      alert_type: 'CHECKOUT_ABANDONED',
      severity: 'high',
      key: 's1',
      time: T0 + 31 * MIN,
      message: 'Session s1 of user user-s1 reached /checkout/cart and did not convert within 30 minutes',
    });
  });

  it('a conversion at 29m (or exactly at 30m: within is inclusive) prevents the alert', async () => {
    for (const after of [29 * MIN, 30 * MIN]) {
      const h = await checkoutHarness();
      sendAll(h, [pageView('s1', T0, '/checkout'), conversion('s1', T0 + after)]);
      h.watermark(MAX_WATERMARK);
      expect(h.context.emitted).toEqual([]);
    }
  });

  it('a conversion at 30m + 1ms is too late', async () => {
    const h = await checkoutHarness();
    sendAll(h, [pageView('s1', T0, '/checkout'), conversion('s1', T0 + 30 * MIN + 1)]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.timestamp)).toEqual([T0 + 30 * MIN]);
  });

  it('uses event time: a conversion that arrives before the checkout it follows still counts', async () => {
    const h = await checkoutHarness();
    sendAll(h, [conversion('s1', T0 + 5 * MIN), pageView('s1', T0, '/checkout')]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted).toEqual([]);
  });

  it('three checkout views without payment raise one alert, timed from the first', async () => {
    const h = await checkoutHarness();
    sendAll(h, [pageView('s1', T0, '/checkout'), pageView('s1', T0 + 2 * MIN, '/checkout/pay'), pageView('s1', T0 + 4 * MIN, '/checkout/pay')]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.timestamp)).toEqual([T0 + 30 * MIN]);
    expect(h.context.emitted[0]?.value.message).toContain('reached /checkout and');
  });

  it('after an alert, the next checkout starts a new match; sessions are independent', async () => {
    const h = await checkoutHarness();
    sendAll(h, [
      pageView('s1', T0, '/checkout'),
      pageView('s2', T0 + MIN, '/checkout'),
      conversion('s2', T0 + 10 * MIN),
      pageView('s1', T0 + 40 * MIN, '/checkout'),
    ]);
    h.watermark(T0 + 35 * MIN);
    expect(h.context.emitted.map((r) => [r.key, r.timestamp])).toEqual([['s1', T0 + 30 * MIN]]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => [r.key, r.timestamp])).toEqual([
      ['s1', T0 + 30 * MIN],
      ['s1', T0 + 70 * MIN],
    ]);
  });

  it('records at or below the watermark are late: counted and sent to the late output', async () => {
    const h = await checkoutHarness();
    sendAll(h, [pageView('s1', T0 + 10 * MIN, '/home')]);
    h.watermark(T0 + 10 * MIN);
    sendAll(h, [pageView('s1', T0, '/checkout')]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted).toEqual([]);
    expect(h.context.metrics.lateCount).toBe(1);
    expect(h.context.late).toHaveLength(1);
  });

  it('works whether the engine fires the deadline timer before, after, or instead of the watermark call', async () => {
    for (const timerOrder of ['before', 'after', 'never'] as const) {
      const h = new OperatorHarness(new PatternProcessor(checkoutAbandonedPatternNode), { timerOrder });
      await h.init();
      sendAll(h, [pageView('s1', T0, '/checkout')]);
      h.watermark(T0 + 30 * MIN);
      expect(h.context.emitted.map((r) => r.timestamp)).toEqual([T0 + 30 * MIN]);
    }
  });
});

function login(userId: string, at: number, success: boolean, ip: string): Login {
  return { at, userId, ip, success };
}

async function stuffingHarness(timeouts: PatternTimeout<unknown>[] = []): Promise<OperatorHarness<Login, CredentialStuffingAlert>> {
  const h = new OperatorHarness(new PatternProcessor(credentialStuffingPatternNode, { onTimeout: (t) => timeouts.push(t) }));
  await h.init();
  return h;
}

function sendLogins(h: OperatorHarness<Login, CredentialStuffingAlert>, logins: readonly Login[]): void {
  h.send(0, logins.map((l) => streamRecord(l, l.at, l.userId)));
}

describe('api-monitoring: credential_stuffing (failures{3,}, then a success from the same ip, within 10m)', () => {
  it('three failures then a success from the last failure’s address alert at the success', async () => {
    const h = await stuffingHarness();
    sendLogins(h, [
      login('u1', T0, false, '10.0.0.9'),
      login('u1', T0 + MIN, false, '10.0.0.9'),
      login('u1', T0 + 2 * MIN, false, '10.0.0.9'),
      login('u1', T0 + 3 * MIN, true, '10.0.0.9'),
    ]);
    h.watermark(T0 + 3 * MIN);
    expect(h.context.emitted).toHaveLength(1);
    expect(h.context.emitted[0]?.value).toMatchObject({
      alert_type: 'CREDENTIAL_STUFFING',
      severity: 'critical',
      key: 'u1',
      time: T0 + 3 * MIN,
      message: 'User u1 logged in from 10.0.0.9 after repeated failures',
    });
  });

  it('two failures are not enough; a success does not reset the run, later failures complete it', async () => {
    const h = await stuffingHarness();
    sendLogins(h, [
      login('u1', T0, false, 'a'),
      login('u1', T0 + MIN, false, 'a'),
      login('u1', T0 + 2 * MIN, true, 'a'),
      login('u1', T0 + 3 * MIN, false, 'a'),
      login('u1', T0 + 4 * MIN, true, 'a'),
    ]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.timestamp)).toEqual([T0 + 4 * MIN]);
  });

  it('compares with the last failure (a repeated step binds its last record)', async () => {
    const h = await stuffingHarness();
    sendLogins(h, [
      login('u1', T0, false, 'a'),
      login('u1', T0 + MIN, false, 'a'),
      login('u1', T0 + 2 * MIN, false, 'b'),
      login('u1', T0 + 3 * MIN, true, 'a'),
      login('u1', T0 + 4 * MIN, false, 'a'),
      login('u1', T0 + 5 * MIN, true, 'a'),
    ]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.timestamp)).toEqual([T0 + 5 * MIN]);
  });

  it('a success after 10 minutes from the first failure is a timeout, counted, not an alert', async () => {
    const timeouts: PatternTimeout<unknown>[] = [];
    const h = await stuffingHarness(timeouts);
    sendLogins(h, [
      login('u1', T0, false, 'a'),
      login('u1', T0 + MIN, false, 'a'),
      login('u1', T0 + 2 * MIN, false, 'a'),
      login('u1', T0 + 10 * MIN + 1, true, 'a'),
    ]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted).toEqual([]);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toMatchObject({ kind: 'timeout', bound: 'pattern', key: 'u1', startedAt: T0, completedAt: T0 + 10 * MIN });
    expect(timeouts[0]?.partial).toMatchObject({ failures: { at: T0 + 2 * MIN }, breach: null });
    expect(h.context.metrics.droppedBy.get('pattern_timeout')).toBe(1);
  });

  it('a success at exactly 10 minutes still counts (within is inclusive)', async () => {
    const h = await stuffingHarness();
    sendLogins(h, [login('u1', T0, false, 'a'), login('u1', T0 + MIN, false, 'a'), login('u1', T0 + 2 * MIN, false, 'a'), login('u1', T0 + 10 * MIN, true, 'a')]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.timestamp)).toEqual([T0 + 10 * MIN]);
  });

  it('users are matched independently, and out-of-order arrival is sorted out by event time', async () => {
    const h = await stuffingHarness();
    sendLogins(h, [
      login('u2', T0 + 3 * MIN, true, 'x'),
      login('u1', T0 + MIN, false, 'a'),
      login('u2', T0, false, 'x'),
      login('u1', T0, false, 'a'),
      login('u2', T0 + MIN, false, 'x'),
      login('u1', T0 + 3 * MIN, true, 'a'),
      login('u2', T0 + 2 * MIN, false, 'x'),
    ]);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.key)).toEqual(['u2']);
  });
});

interface Ev {
  readonly id: string;
  readonly type: string;
}
type Bound = Record<string, Ev | null>;

function node(steps: PatternNode<Ev, Bound, string>['pattern']['steps'], withinMs: number | null, time: 'event' | 'processing' = 'event'): PatternNode<Ev, Bound, string> {
  return {
    kind: 'pattern',
    id: 'p.pattern',
    name: 'p',
    stage: 0,
    parallelism: 'partitioned',
    key: null,
    pattern: { steps, withinMs, time },
    complete: (match: Bound, completion: PatternCompletion) =>
      `${Object.entries(match)
        .map(([k, v]) => `${k}=${v?.id ?? '-'}`)
        .join(' ')} @${completion.completedAt} (${completion.startedAt}, ${completion.kind})`,
    alert: { alertType: 'T', severity: 'low' },
    changelogTopic: 'test-p-changelog',
  };
}

const is =
  (type: string) =>
  (e: Ev): boolean =>
    e.type === type;

function step(name: string, type: string, quantifier = EXACTLY_ONCE, withinMs: number | null = null, negated = false): PatternNode<Ev, Bound, string>['pattern']['steps'][number] {
  return { name, negated, quantifier, condition: is(type), withinMs };
}

async function run(n: PatternNode<Ev, Bound, string>, events: readonly [string, number][]): Promise<string[]> {
  const h = new OperatorHarness(new PatternProcessor(n));
  await h.init();
  h.send(0, events.map(([id, t]) => streamRecord({ id, type: id.replace(/[0-9]/g, '') }, t, 'k')));
  h.watermark(MAX_WATERMARK);
  return h.context.emitted.map((r) => r.value);
}

describe('semantics corners', () => {
  it('an optional step binds null when skipped, and a record satisfying a later step is preferred there', async () => {
    const n = node([step('a', 'a'), step('b', 'b', { min: 0, max: 1 }), step('c', 'c')], null);
    expect(await run(n, [['a1', 1], ['x1', 2], ['c1', 3]])).toEqual(['a=a1 b=- c=c1 @3 (1, match)']);
    expect(await run(n, [['a1', 1], ['b1', 2], ['c1', 3]])).toEqual(['a=a1 b=b1 c=c1 @3 (1, match)']);
  });

  it('a repeated last step completes at its minimum count; a repeated middle step binds its last record', async () => {
    const n = node([step('a', 'a'), step('b', 'b', { min: 2, max: null })], null);
    expect(await run(n, [['a1', 1], ['b1', 2], ['b2', 3], ['b3', 4]])).toEqual(['a=a1 b=b2 @3 (1, match)']);
    const m = node([step('a', 'a'), step('b', 'b', { min: 1, max: null }), step('c', 'c')], null);
    expect(await run(m, [['a1', 1], ['b1', 2], ['b2', 3], ['c1', 4]])).toEqual(['a=a1 b=b2 c=c1 @4 (1, match)']);
  });

  it('a middle absence holds the run until its deadline, then the next step may come', async () => {
    const n = node([step('a', 'a'), step('x', 'x', EXACTLY_ONCE, 10, true), step('b', 'b')], null);
    // b before the absence is confirmed (t=11) is skipped; the b after it completes.
    expect(await run(n, [['a1', 1], ['b1', 5], ['b2', 20]])).toEqual(['a=a1 b=b2 @20 (1, match)']);
    expect(await run(n, [['a1', 1], ['x1', 11], ['b2', 20]])).toEqual([]);
    expect(await run(n, [['a1', 1], ['x1', 12], ['b2', 20]])).toEqual(['a=a1 b=b2 @20 (1, match)']);
  });

  it('a trailing absence past the pattern within can never complete: timeout, not alert', async () => {
    const n = node([step('a', 'a'), step('x', 'x', EXACTLY_ONCE, 30, true)], 20);
    expect(await run(n, [['a1', 1]])).toEqual([]);
    const m = node([step('a', 'a'), step('x', 'x', EXACTLY_ONCE, null, true)], 20);
    expect(await run(m, [['a1', 1]])).toEqual(['a=a1 @21 (1, match)']);
  });

  it('a step within bounds the time from the previous step', async () => {
    const n = node([step('a', 'a'), step('b', 'b', EXACTLY_ONCE, 5)], null);
    expect(await run(n, [['a1', 1], ['b1', 7], ['a2', 8], ['b2', 13]])).toEqual(['a=a2 b=b2 @13 (8, match)']);
  });

  it('a repeated step\'s within bounds each of its records from the step before it, not from its previous record', async () => {
    const n = node([step('a', 'a'), step('b', 'b', { min: 2, max: null }, 10), step('c', 'c')], null);
    expect(await run(n, [['a1', 0], ['b1', 5], ['b2', 10], ['b3', 12], ['c1', 13]])).toEqual(['a=a1 b=b2 c=c1 @13 (0, match)']);
  });

  it('keeps at most maxBranches branches per match, dropping the least preferred and counting them', async () => {
    const any = (): boolean => true;
    // c1 satisfies both `c` (advance) and `b` (repeat): two branches, and the limit keeps the first.
    const n = node([step('a', 'a'), { name: 'b', negated: false, quantifier: { min: 1, max: null }, condition: any, withinMs: null }, step('c', 'c'), step('d', 'd')], null);
    const h = new OperatorHarness(new PatternProcessor(n, { maxBranches: 1 }));
    await h.init();
    const events = ['a1', 'b1', 'c1', 'd1'].map((id, i) => streamRecord({ id, type: id.slice(0, 1) }, i + 1, 'k'));
    h.send(0, events);
    h.watermark(MAX_WATERMARK);
    expect(h.context.emitted.map((r) => r.value)).toEqual(['a=a1 b=b1 c=c1 d=d1 @4 (1, match)']);
    expect(h.context.metrics.droppedBy.get('pattern_branch_limit')).toBeGreaterThan(0);
  });

  it('checkpoints each partition separately; a restored instance continues both', async () => {
    const n = node([step('a', 'a'), step('x', 'x', EXACTLY_ONCE, 10, true)], null);
    const first = new OperatorHarness(new PatternProcessor(n), { partitions: [0, 1] });
    await first.init();
    first.send(0, [streamRecord({ id: 'a1', type: 'a' }, 1, 'k0', 0)]);
    first.send(1, [streamRecord({ id: 'a2', type: 'a' }, 3, 'k1', 1), streamRecord({ id: 'x2', type: 'x' }, 20, 'k1', 1)]);
    first.watermark(5);
    const checkpoints = first.checkpoint();
    expect(checkpoints.map((c) => [c.partition, c.watermark])).toEqual([
      [0, 5],
      [1, 5],
    ]);
    const second = new OperatorHarness(new PatternProcessor(n), { partitions: [0, 1] });
    await second.init();
    second.restore(checkpoints);
    second.watermark(MAX_WATERMARK);
    expect(second.context.emitted.map((r) => [r.partition, r.value])).toEqual([
      [0, 'a=a1 @11 (1, match)'],
      [1, 'a=a2 @13 (3, match)'],
    ]);
  });

  it('processing time: records in arrival order, absences by processing-time timers', async () => {
    const n = node([step('a', 'a'), step('x', 'x', EXACTLY_ONCE, 100, true)], null, 'processing');
    const h = new OperatorHarness(new PatternProcessor(n), { now: 1000 });
    await h.init();
    h.send(0, [streamRecord({ id: 'a1', type: 'a' }, 1000, 'k')]);
    h.tick(1050);
    h.send(0, [streamRecord({ id: 'a2', type: 'a' }, 1050, 'k')]);
    h.tick(1099);
    expect(h.context.emitted).toEqual([]);
    h.tick(1100);
    expect(h.context.emitted.map((r) => r.value)).toEqual(['a=a1 @1100 (1000, match)']);
    h.send(0, [streamRecord({ id: 'a3', type: 'a' }, 1200, 'k'), streamRecord({ id: 'x1', type: 'x' }, 1250, 'k')]);
    h.tick(2000);
    expect(h.context.emitted).toHaveLength(1);
  });

  it('rejects patterns the checker would have rejected', () => {
    expect(() => new PatternProcessor(node([step('x', 'x', EXACTLY_ONCE, 5, true)], null))).toThrow(PatternDefinitionError);
    expect(() => new PatternProcessor(node([step('a', 'a'), step('x', 'x', EXACTLY_ONCE, null, true)], null))).toThrow(/needs a `within`/);
    expect(() => new PatternProcessor(node([step('a', 'a', { min: 3, max: 2 })], null))).toThrow(PatternDefinitionError);
  });
});

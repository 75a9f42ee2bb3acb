// Session windows against a brute-force oracle: the records that are not late (t + lateness > W
// when they arrive) are sorted by time per key and cut where two consecutive records are more than
// `gap` apart (the gap is inclusive, as in Flink and ksqlDB), or after a record satisfying `until`.
// The operator's changelog, applied by row key (session key + start), must end as exactly one row
// per such session, with exactly its bounds and the values of exactly its records: no session
// counted twice, none missing. Every row emitted on the way lies inside a final session.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as rt from '../../../src/index.ts';
import { SessionWindowProcessor } from '../../../src/operators/windows/index.ts';
import { drive, evaluate, expectValues, fcSeed, record, scenarioArb, session, windowNode, type Ev, type Op, type Row, type Scenario, type Seen } from './fixtures.ts';
import { changelogTable, Driver } from './harness.ts';

interface OracleSession {
  readonly key: string;
  readonly start: number;
  readonly last: number;
  readonly end: number;
  readonly closed: boolean;
  readonly seen: readonly Seen[];
}

/**
 * `until` is order-dependent when an `until` record arrives after a later record of its session
 * (sessions never split; README). The oracle is the order-independent definition, so scenarios
 * keep `until` only on records that no earlier record of their key is later than.
 */
function orderSafeUntil(scenario: Scenario): Scenario {
  const latest = new Map<string, number>();
  const ops: Op[] = scenario.ops.map((op) => {
    if (op.kind !== 'batch') return op;
    const events = op.events.map((e) => {
      const seen = latest.get(e.k) ?? -Infinity;
      latest.set(e.k, Math.max(seen, e.t));
      return e.end && seen > e.t ? { ...e, end: false } : e;
    });
    return { ...op, events };
  });
  return { ops, events: ops.flatMap((op) => (op.kind === 'batch' ? op.events : [])) };
}

function oracle(ops: readonly Op[], gap: number, lateness: number, until: boolean, time: rt.TimeDomain): { sessions: OracleSession[]; late: number[]; watermarkAt: number[] } {
  let W = -Infinity;
  let now = 0;
  const late: number[] = [];
  const accepted: Seen[] = [];
  const watermarkAt: number[] = [];
  for (const op of ops) {
    if (op.kind === 'clock') {
      now = op.now;
      if (time === 'processing') W = Math.max(W, now - 1);
    } else if (op.kind === 'watermark') {
      if (time === 'event' || op.ts === rt.MAX_WATERMARK) W = Math.max(W, op.ts);
    } else {
      for (const e of op.events) {
        const t = time === 'event' ? e.t : now;
        if (t + lateness <= W) late.push(e.id);
        else accepted.push({ e, time: t });
      }
    }
    watermarkAt.push(W);
  }
  const byKey = new Map<string, Seen[]>();
  for (const x of accepted) {
    if (!byKey.has(x.e.k)) byKey.set(x.e.k, []);
    byKey.get(x.e.k)!.push(x);
  }
  const sessions: OracleSession[] = [];
  for (const [key, xs] of byKey) {
    const sorted = [...xs].sort((a, b) => a.time - b.time || a.e.id - b.e.id);
    let current: Seen[] = [];
    let closedAt: number | null = null;
    const close = (): void => {
      if (current.length === 0) return;
      const start = current[0]!.time;
      const last = Math.max(...current.map((x) => x.time));
      const seen = [...current].sort((a, b) => a.e.id - b.e.id);
      sessions.push({ key, start, last, end: closedAt !== null ? last : last + gap, closed: closedAt !== null, seen });
      current = [];
      closedAt = null;
    };
    for (const x of sorted) {
      const previous = current.at(-1);
      if (previous !== undefined && ((closedAt !== null && x.time > closedAt) || x.time - previous.time > gap)) close();
      current.push(x);
      if (until && x.e.end) closedAt = x.time;
    }
    close();
  }
  return { sessions, late, watermarkAt };
}

function check(driver: Driver<Ev, Row>, ops: readonly Op[], gap: number, lateness: number, until: boolean, time: rt.TimeDomain, keyed: boolean): void {
  const expected = oracle(ops, gap, lateness, until, time);
  const emissions = driver.context.emissions.filter((x) => !x.early);
  const table = changelogTable(driver.context.changes);
  expect(table.size, 'rows in the final table').toBe(expected.sessions.length);
  for (const s of expected.sessions) {
    const where = `session ${s.key} [${s.start}, ${s.end})`;
    const row = table.get(rt.sessionRowKey(s.key, s.start));
    expect(row, `${where} in the final table`).toBeDefined();
    expect([row!.key, row!.value.start, row!.value.end], where).toEqual([s.key, s.start, s.end]);
    expectValues(row!.value.values, evaluate(s.seen, s.end - s.start), s.seen, where);
    // An open session fires only once the watermark (or clock) reached the last instant a record can join it at.
    const rows = emissions.filter((x) => x.record.key === s.key && x.record.value.start === s.start && x.record.value.end === s.end);
    if (!s.closed) for (const x of rows) expect(expected.watermarkAt[x.op]!, `${where} fired early`).toBeGreaterThanOrEqual(s.end);
  }
  for (const { record: r } of driver.context.emissions) {
    expect(r.timestamp).toBe(r.value.end);
    expect(r.value.key).toBe(keyed ? r.key : null);
    const home = expected.sessions.find((s) => s.key === r.key && r.value.start >= s.start && r.value.start <= s.last);
    expect(home, `row ${r.key} [${r.value.start}, ${r.value.end}) belongs to no session`).toBeDefined();
  }
  expect(driver.context.late.map((r) => (r.value as Ev).id)).toEqual(expected.late);
}

const gapArb = fc.integer({ min: 1, max: 25 });
const latenessArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 }));

describe('session windows', () => {
  it('event time, gap only: sessions, merges, lateness updates and late output equal the oracle', () => {
    fc.assert(
      fc.property(scenarioArb(), gapArb, latenessArb, fc.boolean(), (scenario, gap, lateness, keyed) => {
        const driver = drive(new SessionWindowProcessor(windowNode(session(gap, false), { latenessMs: lateness, keyed })), scenario.ops);
        check(driver, scenario.ops, gap, lateness, false, 'event', keyed);
      }),
      { numRuns: 150, seed: fcSeed + 10 },
    );
  });

  it('event time with `until`: closing records cut sessions', () => {
    fc.assert(
      fc.property(scenarioArb(), gapArb, latenessArb, (raw, gap, lateness) => {
        const scenario = orderSafeUntil(raw);
        const driver = drive(new SessionWindowProcessor(windowNode(session(gap, true), { latenessMs: lateness })), scenario.ops);
        check(driver, scenario.ops, gap, lateness, true, 'event', true);
      }),
      { numRuns: 150, seed: fcSeed + 11 },
    );
  });

  it('processing time: sessions of arrival times, fired by the clock', () => {
    fc.assert(
      fc.property(scenarioArb(), gapArb, fc.boolean(), (scenario, gap, until) => {
        const driver = drive(new SessionWindowProcessor(windowNode(session(gap, until), { time: 'processing' })), scenario.ops);
        check(driver, scenario.ops, gap, 0, until, 'processing', true);
      }),
      { numRuns: 100, seed: fcSeed + 12 },
    );
  });

  describe('by example', () => {
    const ev = (id: number, t: number, end = false, k = 'a'): rt.StreamRecord<Ev> => record({ id, k, t, v: id, s: `s${id}`, end, partition: 0 });
    const rows = (driver: Driver<Ev, Row>): [number, number, number, boolean][] =>
      driver.context.emissions.map((x) => [x.record.value.start, x.record.value.end, x.record.value.values.n, x.early]);

    it('an out-of-order record bridging two sessions merges them', () => {
      const driver = new Driver<Ev, Row>(new SessionWindowProcessor(windowNode(session(10, false))));
      driver.batch(0, [ev(1, 0), ev(2, 15), ev(3, 40)]);
      driver.batch(0, [ev(4, 8)]); // within 10 of 0 and of 15
      driver.watermark(rt.MAX_WATERMARK);
      expect(rows(driver)).toEqual([
        [0, 25, 3, false],
        [40, 50, 1, false],
      ]);
    });

    it('`until` closes the session at once with window_end = its time; the next record starts a new one', () => {
      const driver = new Driver<Ev, Row>(new SessionWindowProcessor(windowNode(session(10, true), { latenessMs: 100 })));
      driver.batch(0, [ev(1, 0), ev(2, 5, true)]);
      expect(rows(driver)).toEqual([[0, 5, 2, false]]);
      driver.batch(0, [ev(3, 7), ev(4, 3)]); // 7 starts a new session; 3 updates the closed one
      expect(rows(driver)).toEqual([
        [0, 5, 2, false],
        [0, 5, 3, false],
      ]);
      driver.watermark(rt.MAX_WATERMARK);
      expect(rows(driver).at(-1)).toEqual([7, 17, 1, false]);
    });

    it('an `until` record arriving after later records of its session closes it at the latest of them (no split)', () => {
      const driver = new Driver<Ev, Row>(new SessionWindowProcessor(windowNode(session(10, true))));
      driver.batch(0, [ev(1, 0), ev(2, 8)]);
      driver.batch(0, [ev(3, 4, true)]);
      expect(rows(driver)).toEqual([[0, 8, 3, false]]);
    });

    it('late records: t + lateness <= W go to the late output; the others may re-open a fired session', () => {
      const driver = new Driver<Ev, Row>(new SessionWindowProcessor(windowNode(session(10, false), { latenessMs: 5 })));
      driver.batch(0, [ev(1, 0), ev(2, 4)]);
      driver.watermark(13); // [0, 14) can still take a record at 14 (the gap is inclusive)
      expect(rows(driver)).toEqual([]);
      driver.watermark(14); // fires at W >= last + gap
      expect(rows(driver)).toEqual([[0, 14, 2, false]]);
      driver.batch(0, [ev(3, 10), ev(4, 8)]); // 10 + 5 > 14 extends the session to [0, 20), open again; 8 + 5 <= 14 is late
      expect(rows(driver)).toEqual([[0, 14, 2, false]]);
      driver.watermark(20);
      expect(rows(driver).at(-1)).toEqual([0, 20, 3, false]);
      driver.batch(0, [ev(5, 16), ev(6, 3)]); // 16 is within the gap of 10 (inclusive); 3 + 5 <= 20 is late
      driver.watermark(rt.MAX_WATERMARK);
      expect(rows(driver).at(-1)).toEqual([0, 26, 4, false]);
      // One row, (a, 0), inserted once and updated twice: each update retracts the row it replaces.
      expect(driver.context.changes.map((x) => [x.record.change, x.record.rowKey, x.record.value.end])).toEqual([
        ['+I', rt.sessionRowKey('a', 0), 14],
        ['-U', rt.sessionRowKey('a', 0), 14],
        ['+U', rt.sessionRowKey('a', 0), 20],
        ['-U', rt.sessionRowKey('a', 0), 20],
        ['+U', rt.sessionRowKey('a', 0), 26],
      ]);
      expect(driver.context.late.map((r) => (r.value as Ev).id)).toEqual([4, 6]);
      expect(driver.context.metrics.lateCount).toBe(2);
    });

    it('early firings: open sessions that changed since the previous tick', () => {
      const driver = new Driver<Ev, Row>(new SessionWindowProcessor(windowNode(session(10, false), { earlyFiringMs: 100 })));
      driver.batch(0, [ev(1, 0), ev(2, 3, false, 'b')]);
      driver.advance(100);
      driver.batch(0, [ev(3, 5)]);
      driver.advance(200);
      driver.advance(300);
      driver.watermark(rt.MAX_WATERMARK);
      expect(driver.context.emissions.map((x) => [x.record.key, x.record.value.values.n, x.early, x.record.value.end])).toEqual([
        ['a', 1, true, 10],
        ['b', 1, true, 13],
        ['a', 2, true, 15],
        ['b', 1, false, 13],
        ['a', 2, false, 15],
      ]);
    });

    it('rate() divides by the session length (1 ms for a zero-length session)', () => {
      const driver = new Driver<Ev, Row>(new SessionWindowProcessor(windowNode(session(10, true))));
      driver.batch(0, [ev(1, 0), ev(2, 10, false, 'b'), ev(3, 30, true, 'c')]);
      driver.watermark(rt.MAX_WATERMARK);
      expect(driver.context.emissions.map((x) => [x.record.key, x.record.value.values.rate])).toEqual([
        ['c', 1000],
        ['a', 100],
        ['b', 100],
      ]);
    });
  });
});

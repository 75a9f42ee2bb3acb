// Tumbling and sliding windows against a brute-force oracle: for every window and key, the exact
// sequence of rows the rules promise (the firing when the watermark passes the window's last
// instant, one update per batch bringing records within the allowed lateness, early firings of
// open windows that changed), each evaluated from the plain list of its records; and the late
// output, exactly the records no window could take any more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as rt from '../../../src/index.ts';
import { SlidingWindowProcessor, TumblingWindowProcessor } from '../../../src/operators/windows/index.ts';
import {
  drive,
  evaluate,
  expectValues,
  fcSeed,
  floorTo,
  record,
  scenarioArb,
  sliding,
  tumbling,
  windowNode,
  type Ev,
  type Op,
  type Row,
  type Seen,
} from './fixtures.ts';
import { changelogTable, Driver } from './harness.ts';

interface Geometry {
  readonly size: number;
  readonly slide: number;
}

interface Expected {
  readonly early: boolean;
  readonly seen: readonly Seen[];
}

interface Oracle {
  /** `${start}|${key}` → the rows it must emit, in order. */
  readonly rows: Map<string, Expected[]>;
  /** Ids of the records that must go to the late output, in order. */
  readonly late: number[];
}

/**
 * The rules, over plain arrays. Event time: a record is late when the last window containing it
 * is past lateness (`end − 1 + L <= W`); otherwise it joins every window containing it that is not
 * past lateness. A window fires when W reaches `end − 1`; a fired window not past lateness that
 * took records in a batch is emitted again after the batch. Processing time: records take the
 * clock's time; a window fires when the clock reaches its end. Early firings: on every tick of
 * `early` ms while the operator holds records of a window not past lateness, each open window
 * and key that took records since its last early firing.
 */
function oracle(ops: readonly Op[], g: Geometry, lateness: number, early: number | null, time: rt.TimeDomain, keyed: boolean): Oracle {
  const rows = new Map<string, Expected[]>();
  const late: number[] = [];
  const cells = new Map<string, { start: number; seen: Seen[]; earlyLen: number }>();
  const accepted: Seen[] = [];
  let W = -Infinity;
  let now = 0;
  let scheduled: number | null = null;
  const lastEnd = (t: number): number => floorTo(t, g.slide) + g.size;
  const holding = (): boolean => accepted.some((x) => lastEnd(x.time) - 1 + lateness > W);
  const emit = (id: string, isEarly: boolean): void => {
    const c = cells.get(id)!;
    if (!rows.has(id)) rows.set(id, []);
    rows.get(id)!.push({ early: isEarly, seen: [...c.seen] });
  };
  const ordered = (): [string, { start: number; seen: Seen[]; earlyLen: number }][] => [...cells].sort((a, b) => a[1].start - b[1].start);
  const fireUpTo = (to: number): void => {
    for (const [id, c] of ordered()) {
      const last = c.start + g.size - 1;
      if (last > W && last <= to && c.seen.length > 0) emit(id, false);
    }
    W = to;
  };
  for (const op of ops) {
    if (op.kind === 'clock') {
      if (time === 'processing') {
        fireUpTo(Math.max(W, op.now - 1));
      } else if (early !== null) {
        while (scheduled !== null && scheduled <= op.now) {
          for (const [id, c] of ordered()) {
            if (c.start + g.size - 1 > W && c.seen.length > c.earlyLen) {
              emit(id, true);
              c.earlyLen = c.seen.length;
            }
          }
          scheduled = holding() ? scheduled + early : null;
        }
      }
      now = op.now;
    } else if (op.kind === 'watermark') {
      if (op.ts > W && (time === 'event' || op.ts === rt.MAX_WATERMARK)) fireUpTo(op.ts);
    } else {
      const updated: string[] = [];
      for (const e of op.events) {
        const t = time === 'event' ? e.t : Math.max(now, W + 1);
        if (lastEnd(t) - 1 + lateness <= W) {
          late.push(e.id);
          continue;
        }
        accepted.push({ e, time: t });
        for (let s = floorTo(t, g.slide); s > t - g.size; s -= g.slide) {
          const end = s + g.size;
          if (end - 1 + lateness <= W) continue;
          const id = `${s}|${keyed ? e.k : ''}`;
          let c = cells.get(id);
          if (c === undefined) cells.set(id, (c = { start: s, seen: [], earlyLen: 0 }));
          c.seen.push({ e, time: t });
          if (end - 1 <= W && !updated.includes(id)) updated.push(id);
        }
      }
      for (const id of updated.sort((a, b) => cells.get(a)!.start - cells.get(b)!.start)) emit(id, false);
      if (early !== null && scheduled === null && holding()) scheduled = floorTo(now, early) + early;
    }
  }
  return { rows, late };
}

function check(driver: Driver<Ev, Row>, expected: Oracle, g: Geometry, keyed: boolean): void {
  const actual = new Map<string, { early: boolean; row: Row }[]>();
  for (const { record: r, early } of driver.context.emissions) {
    const row = r.value;
    expect(row.end - row.start).toBe(g.size);
    expect(r.timestamp).toBe(row.end);
    expect(r.key).toBe(keyed ? row.key : null);
    const id = `${row.start}|${row.key ?? ''}`;
    if (!actual.has(id)) actual.set(id, []);
    actual.get(id)!.push({ early, row });
  }
  expect([...actual.keys()].sort()).toEqual([...expected.rows.keys()].sort());
  for (const [id, rows] of expected.rows) {
    const got = actual.get(id)!;
    expect(
      got.map((x) => x.early),
      `firings of ${id}`,
    ).toEqual(rows.map((x) => x.early));
    rows.forEach((x, i) => expectValues(got[i]!.row.values, evaluate(x.seen, g.size), x.seen, `${id} #${i}`));
  }
  // The changelog (retractions included) ends as one row per window and key: its last firing.
  const table = changelogTable(driver.context.changes);
  expect(table.size, 'rows in the final table').toBe(expected.rows.size);
  for (const [id, rows] of expected.rows) {
    const last = actual.get(id)!.filter((x) => !x.early).at(-1)!.row;
    const row = table.get(rt.windowRowKey(keyed ? last.key : null, last.start, last.end));
    expect(row?.value, `final row of ${id}`).toEqual(last);
    expect(rows.at(-1)!.early).toBe(false);
  }
  expect(driver.context.late.map((r) => (r.value as Ev).id)).toEqual(expected.late);
  expect(driver.context.metrics.lateCount).toBe(expected.late.length);
}

const tumblingArb = fc.integer({ min: 1, max: 30 }).map((size) => ({ size, slide: size }));
const slidingArb = fc.integer({ min: 2, max: 30 }).chain((size) => fc.integer({ min: 1, max: size }).map((slide) => ({ size, slide })));
const latenessArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 }));

function processorFor(g: Geometry, kind: 'tumbling' | 'sliding', o: Parameters<typeof windowNode>[1]): rt.Processor<Ev, Row> {
  return kind === 'tumbling' ? new TumblingWindowProcessor(windowNode(tumbling(g.size), o)) : new SlidingWindowProcessor(windowNode(sliding(g.size, g.slide, o?.latenessMs ?? 0), o));
}

describe.each([
  ['tumbling', tumblingArb],
  ['sliding', slidingArb],
] as const)('%s windows', (kind, geometryArb) => {
  it('event time: rows, lateness updates and late output equal the oracle', () => {
    fc.assert(
      fc.property(scenarioArb(), geometryArb, latenessArb, fc.boolean(), (scenario, g, lateness, keyed) => {
        const driver = drive(processorFor(g, kind, { latenessMs: lateness, keyed }), scenario.ops);
        check(driver, oracle(scenario.ops, g, lateness, null, 'event', keyed), g, keyed);
      }),
      { numRuns: 120, seed: fcSeed },
    );
  });

  it('early firings: changed open windows every interval, then the final row', () => {
    fc.assert(
      fc.property(scenarioArb(), geometryArb, latenessArb, fc.integer({ min: 2, max: 15 }), fc.boolean(), (scenario, g, lateness, early, keyed) => {
        const driver = drive(processorFor(g, kind, { latenessMs: lateness, earlyFiringMs: early, keyed }), scenario.ops);
        check(driver, oracle(scenario.ops, g, lateness, early, 'event', keyed), g, keyed);
      }),
      { numRuns: 80, seed: fcSeed + 1 },
    );
  });

  it('processing time: records take the clock time, windows fire on timers at their end', () => {
    fc.assert(
      fc.property(scenarioArb(), geometryArb, fc.boolean(), (scenario, g, keyed) => {
        const driver = drive(processorFor(g, kind, { time: 'processing', keyed }), scenario.ops);
        check(driver, oracle(scenario.ops, g, 0, null, 'processing', keyed), g, keyed);
      }),
      { numRuns: 80, seed: fcSeed + 2 },
    );
  });
});

describe('the lateness rule, by example', () => {
  const ev = (id: number, t: number): Ev => ({ id, k: 'a', t, v: 1, s: 'x', end: false, partition: 0 });

  it('fires at W >= end - 1, updates until end - 1 + lateness > W, then sends records to the late output', () => {
    const driver = new Driver<Ev, Row>(new TumblingWindowProcessor(windowNode(tumbling(10), { latenessMs: 5 })));
    driver.batch(0, [ev(1, 3), ev(2, 9)].map(record));
    driver.watermark(8);
    expect(driver.context.emissions).toHaveLength(0);
    driver.watermark(9); // [0, 10) fires: its last instant is 9
    expect(driver.context.emissions.map((x) => x.record.value.values.n)).toEqual([2]);
    driver.batch(0, [ev(3, 4), ev(4, 5)].map(record)); // late, within lateness: one update for the batch
    expect(driver.context.emissions.map((x) => [x.record.value.start, x.record.value.end, x.record.value.values.n])).toEqual([
      [0, 10, 2],
      [0, 10, 4],
    ]);
    driver.watermark(13);
    driver.batch(0, [ev(5, 0)].map(record)); // 9 + 5 > 13: still updates
    driver.watermark(14); // 9 + 5 <= 14: past lateness
    driver.batch(0, [ev(6, 1), ev(7, 10)].map(record));
    expect(driver.context.emissions.map((x) => x.record.value.values.n)).toEqual([2, 4, 5]);
    expect(driver.context.late.map((r) => (r.value as Ev).id)).toEqual([6]);
    expect(driver.context.metrics.lateCount).toBe(1);
    driver.watermark(rt.MAX_WATERMARK);
    expect(driver.context.emissions.at(-1)!.record).toMatchObject({ timestamp: 20, value: { start: 10, end: 20 } });
  });

  it('sliding: a record updates one pane; panes go once their last window is past lateness', () => {
    const driver = new Driver<Ev, Row>(new SlidingWindowProcessor(windowNode(sliding(60, 10), { latenessMs: 0 })));
    driver.batch(0, [ev(1, 25)].map(record));
    const cells = (): number => driver.checkpoint()[0]!.stores[0]!.entries.filter((e) => e.key.startsWith('c|')).length;
    expect(cells()).toBe(1);
    driver.batch(0, [ev(2, 27), ev(3, 31)].map(record));
    expect(cells()).toBe(2);
    driver.watermark(78); // windows ending at 30..70 fired; pane [20, 30) is still in window [20, 80)
    expect(driver.context.emissions.map((x) => [x.record.value.start, x.record.value.values.n])).toEqual([
      [-30, 2],
      [-20, 3],
      [-10, 3],
      [0, 3],
      [10, 3],
    ]);
    expect(cells()).toBe(2);
    driver.watermark(79);
    expect(cells()).toBe(1);
    driver.watermark(89);
    expect(cells()).toBe(0);
  });

  it('having: a null row is not emitted and is counted', () => {
    const node = windowNode(tumbling(10), { finish: (values, w, key) => (values.n > 1 ? { key: key?.k ?? null, start: w.start, end: w.end, values } : null) });
    const driver = new Driver<Ev, Row>(new TumblingWindowProcessor(node));
    driver.batch(0, [ev(1, 1), ev(2, 2), ev(3, 11)].map(record));
    driver.watermark(rt.MAX_WATERMARK);
    expect(driver.context.emissions.map((x) => x.record.value.start)).toEqual([0]);
    expect(driver.context.metrics.droppedBy.get('having')).toBe(1);
  });
});

// Test fixtures for the window operators: a record type carrying every kind of value, one slot per
// aggregate kind, node builders, random scenarios (out-of-order and late records, batches, clock
// advances, watermarks) and the brute-force evaluation of a window from its plain list of records.
import fc from 'fast-check';
import { expect } from 'vitest';
import * as rt from '../../../src/index.ts';
import { ApproxCountDistinctAccumulator, PercentileAccumulator } from '../../../src/aggregates/index.ts';
import type { Processor } from '../../../src/index.ts';
import { Driver } from './harness.ts';

/** A test record: `k` the group key, `t` its event time, `v` a nullable number, `s` a string. */
export interface Ev {
  readonly id: number;
  readonly k: string;
  readonly t: number;
  readonly v: number | null;
  readonly s: string;
  /** `until` predicate of session windows. */
  readonly end: boolean;
  readonly partition: number;
}

export interface EvKey {
  readonly k: string;
}

/** One slot per aggregate kind (and the filtered / non-null variants of count). */
export const slots = {
  n: rt.count<Ev>(),
  nv: rt.countNonNull((e: Ev) => e.v),
  nf: rt.count((e: Ev) => e.v !== null && e.v > 0),
  sum: rt.sum((e: Ev) => e.v),
  avg: rt.avg((e: Ev) => e.v),
  min: rt.min((e: Ev) => e.v),
  max: rt.max((e: Ev) => e.s),
  cd: rt.countDistinct((e: Ev) => e.s),
  acd: rt.approxCountDistinct((e: Ev) => e.s, null, 10),
  p90: rt.percentile((e: Ev) => e.v, 0.9),
  top: rt.topK((e: Ev) => e.s, 3),
  first: rt.first((e: Ev) => e.id),
  last: rt.last((e: Ev) => e.id),
  rate: rt.rate<Ev>(),
} satisfies rt.AggregateSlots<Ev>;

export type Slots = typeof slots;
export type Values = rt.AggregateResults<Slots>;

export interface Row {
  readonly key: string | null;
  readonly start: number;
  readonly end: number;
  readonly values: Values;
}

export function finish(values: Values, window: rt.WindowBounds, key: EvKey | null): Row {
  return { key: key === null ? null : key.k, start: window.start, end: window.end, values };
}

const groupKey: rt.GroupKeySpec<Ev, EvKey | null> = { text: (e) => e.k, extract: (e) => ({ k: e.k }) };

export interface NodeOptions {
  readonly time?: rt.TimeDomain;
  readonly latenessMs?: number;
  readonly earlyFiringMs?: number | null;
  readonly keyed?: boolean;
  readonly finish?: (values: Values, window: rt.WindowBounds, key: EvKey | null) => Row | null;
}

export function windowNode(window: rt.WindowDescriptor<Ev>, o: NodeOptions = {}): rt.WindowAggregateNode<Ev, EvKey | null, Slots, Row> {
  return {
    kind: 'windowAggregate',
    id: 'test.window',
    name: 'test',
    stage: 0,
    parallelism: 'partitioned',
    phase: 'single',
    window,
    time: o.time ?? 'event',
    latenessMs: o.latenessMs ?? 0,
    earlyFiringMs: o.earlyFiringMs ?? null,
    changelogTopic: 'test-window-changelog',
    groupKey: o.keyed === false ? null : groupKey,
    aggregates: slots,
    finish: o.finish ?? finish,
    alert: null,
  };
}

export function partialNode(window: rt.WindowDescriptor<Ev>, o: NodeOptions = {}): rt.PartialAggregateNode<Ev, Slots> {
  return {
    kind: 'windowAggregate',
    id: 'test.partial',
    name: 'test',
    stage: 0,
    parallelism: 'partitioned',
    phase: 'partial',
    peer: 'test.window',
    window,
    time: o.time ?? 'event',
    latenessMs: o.latenessMs ?? 0,
    earlyFiringMs: o.earlyFiringMs ?? null,
    changelogTopic: 'test-partial-changelog',
    aggregates: slots,
  };
}

export function finalNode(window: rt.WindowDescriptor<Ev>, o: NodeOptions = {}): rt.FinalAggregateNode<Ev, Slots, Row> {
  return {
    kind: 'windowAggregate',
    id: 'test.window',
    name: 'test',
    stage: 1,
    parallelism: 'single',
    phase: 'final',
    peer: 'test.partial',
    window,
    time: o.time ?? 'event',
    latenessMs: o.latenessMs ?? 0,
    earlyFiringMs: o.earlyFiringMs ?? null,
    changelogTopic: 'test-final-changelog',
    aggregates: slots,
    finish: (values, window) => finish(values, window, null),
    alert: null,
  };
}

export function tumbling(sizeMs: number): rt.TumblingWindow {
  return { kind: 'tumbling', sizeMs };
}

export function sliding(sizeMs: number, slideMs: number, latenessMs = 0): rt.SlidingWindow {
  return { kind: 'sliding', sizeMs, slideMs, panes: rt.paneLayoutOf(sizeMs, slideMs, latenessMs) };
}

export function session(gapMs: number, until: boolean): rt.SessionWindow<Ev> {
  return { kind: 'session', gapMs, until: until ? (e: Ev) => e.end : null };
}

export function record(e: Ev): rt.StreamRecord<Ev> {
  return { key: e.k, value: e, timestamp: e.t, partition: e.partition };
}

// ───────────────────────────── scenarios ─────────────────────────────

export type Op =
  | { readonly kind: 'clock'; readonly now: number }
  | { readonly kind: 'batch'; readonly partition: number; readonly events: readonly Ev[] }
  | { readonly kind: 'watermark'; readonly ts: number };

export interface Scenario {
  readonly ops: readonly Op[];
  readonly events: readonly Ev[];
}

interface Step {
  readonly dt: number;
  readonly lag: number;
  readonly key: number;
  readonly v: number | null;
  readonly s: number;
  readonly end: boolean;
  readonly cut: boolean;
  readonly clock: number;
  readonly watermark: boolean;
  readonly partition: number;
}

export interface ScenarioOptions {
  /** At least this many events (fast-check's default size would keep arrays near 10). */
  readonly minEvents?: number;
  readonly maxEvents?: number;
  readonly keys?: number;
  readonly partitions?: number;
  /** Distinct event times (two-phase comparisons: first/last ties across partitions are arbitrary). */
  readonly uniqueTimes?: boolean;
  /** How far in time events travel per step, at most. */
  readonly maxStep?: number;
}

const stepArb = (o: ScenarioOptions): fc.Arbitrary<Step> =>
  fc.record({
    dt: fc.integer({ min: 0, max: o.maxStep ?? 4 }),
    lag: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 80 }) }),
    key: fc.integer({ min: 0, max: (o.keys ?? 3) - 1 }),
    v: fc.option(fc.integer({ min: -20, max: 40 }), { freq: 6 }),
    s: fc.integer({ min: 0, max: 6 }),
    end: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
    cut: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
    clock: fc.integer({ min: 0, max: 12 }),
    watermark: fc.integer({ min: 0, max: 4 }).map((x) => x !== 0),
    partition: fc.integer({ min: 0, max: (o.partitions ?? 1) - 1 }),
  });

/**
 * Random scenarios: events in arrival order with times `T − lag` (T a running clock of event
 * time, lag mostly small and sometimes large, so records come out of order and some come late),
 * cut into batches; before each batch the processing clock advances, after it the watermark
 * follows the largest time seen minus `bound` (bounded out-of-orderness), sometimes skipped. It
 * ends with a long clock advance and the final watermark.
 */
export function scenarioArb(o: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  return fc
    .record({ steps: fc.array(stepArb(o), { minLength: o.minEvents ?? 1, maxLength: o.maxEvents ?? 80 }), bound: fc.integer({ min: 0, max: 10 }) })
    .map(({ steps, bound }) => buildScenario(steps, bound, o));
}

function buildScenario(steps: readonly Step[], bound: number, o: ScenarioOptions): Scenario {
  const ops: Op[] = [];
  const events: Ev[] = [];
  const used = new Set<number>();
  let time = 0;
  let now = 0;
  let maxT = -Infinity;
  let watermark = -Infinity;
  let batch: Ev[] = [];
  let partition = steps[0]!.partition;
  steps.forEach((step, i) => {
    time += step.dt;
    let t = time - step.lag;
    if (o.uniqueTimes === true) while (used.has(t)) t++;
    used.add(t);
    const e: Ev = { id: i, k: `k${step.key}`, t, v: step.v, s: `s${step.s}`, end: step.end, partition };
    events.push(e);
    batch.push(e);
    maxT = Math.max(maxT, t);
    if (step.cut || i === steps.length - 1) {
      now += step.clock;
      ops.push({ kind: 'clock', now });
      ops.push({ kind: 'batch', partition, events: batch });
      batch = [];
      partition = steps[i + 1]?.partition ?? partition;
      if (step.watermark && maxT - bound - 1 > watermark) {
        watermark = maxT - bound - 1;
        ops.push({ kind: 'watermark', ts: watermark });
      }
    }
  });
  ops.push({ kind: 'clock', now: now + 400 });
  ops.push({ kind: 'watermark', ts: rt.MAX_WATERMARK });
  return { ops, events };
}

/** Runs a scenario's ops on a driver, tagging emissions with the op index. */
export function run<Out>(driver: Driver<Ev, Out>, ops: readonly Op[], from = 0, to = ops.length): void {
  for (let i = from; i < to; i++) {
    const op = ops[i]!;
    driver.setOp(i);
    if (op.kind === 'clock') driver.advance(op.now);
    else if (op.kind === 'batch') driver.batch(op.partition, op.events.map(record));
    else driver.watermark(op.ts);
  }
}

export function drive<Out>(processor: Processor<Ev, Out>, ops: readonly Op[], partitions: readonly number[] = [0]): Driver<Ev, Out> {
  const driver = new Driver<Ev, Out>(processor, { partitions });
  run(driver, ops);
  return driver;
}

// ───────────────────────────── the brute-force evaluation ─────────────────────────────

/** A record as the operator saw it: its time in the window's domain (event time, or arrival clock). */
export interface Seen {
  readonly e: Ev;
  readonly time: number;
}

/**
 * The slot values of a window holding `seen` (in arrival order), computed from the plain list.
 * The two sketches are compared with the same sketch class fed in another order (their merges are
 * exact, so the result must be identical) and, separately, with the exact value within the sketch's
 * guarantee.
 */
export function evaluate(seen: readonly Seen[], windowMs: number): Values {
  const evs = seen.map((x) => x.e);
  const vs = evs.map((e) => e.v).filter((v): v is number => v !== null);
  const sum = vs.reduce((a, b) => a + b, 0);
  const strings = evs.map((e) => e.s);
  const hll = new ApproxCountDistinctAccumulator<string>(10);
  for (const s of [...strings].reverse()) hll.add(s);
  const sketch = new PercentileAccumulator(0.9, rt.DEFAULT_PERCENTILE_ACCURACY);
  for (const v of [...vs].sort((a, b) => b - a)) sketch.add(v);
  const counts = new Map<string, number>();
  for (const s of strings) counts.set(s, (counts.get(s) ?? 0) + 1);
  const top = [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, 3);
  let first: Seen | undefined;
  let last: Seen | undefined;
  for (const x of seen) {
    if (first === undefined || x.time < first.time) first = x;
    if (last === undefined || x.time >= last.time) last = x;
  }
  return {
    n: evs.length,
    nv: vs.length,
    nf: vs.filter((v) => v > 0).length,
    sum,
    avg: vs.length === 0 ? null : sum / vs.length,
    min: vs.length === 0 ? null : Math.min(...vs),
    max: strings.length === 0 ? null : strings.reduce((a, b) => (b > a ? b : a)),
    cd: counts.size,
    acd: hll.result(),
    p90: sketch.result(),
    top,
    first: first === undefined ? null : first.e.id,
    last: last === undefined ? null : last.e.id,
    rate: (evs.length * 1000) / Math.max(windowMs, 1),
  } as Values;
}

/** Asserts an emitted row's values equal the evaluation (sum/avg to 1e-9 relative), plus the sketches' accuracy. */
export function expectValues(actual: Values, expected: Values, seen: readonly Seen[], where: string): void {
  const close = (a: number | null, b: number | null, what: string): void => {
    if (a === null || b === null) {
      expect(a, `${where} ${what}`).toBe(b);
      return;
    }
    expect(Math.abs(a - b), `${where} ${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  };
  close(actual.sum, expected.sum, 'sum');
  close(actual.avg, expected.avg, 'avg');
  close(actual.rate, expected.rate, 'rate');
  const { sum: _s, avg: _a, rate: _r, ...exact } = actual;
  const { sum: _s2, avg: _a2, rate: _r2, ...exactExpected } = expected;
  expect(exact, where).toEqual(exactExpected);
  // The sketches against the exact answers.
  const vs = seen
    .map((x) => x.e.v)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  if (vs.length > 0) {
    const rank = Math.min(vs.length - 1, Math.max(0, Math.ceil(0.9 * vs.length) - 1));
    const truth = vs[rank]!;
    expect(Math.abs((actual.p90 ?? NaN) - truth), `${where} p90 ${actual.p90} vs ${truth}`).toBeLessThanOrEqual(0.01 * Math.abs(truth) + 1e-9);
  }
  expect(Math.abs(actual.acd - actual.cd), `${where} acd ${actual.acd} vs ${actual.cd}`).toBeLessThanOrEqual(Math.max(1, 0.1 * actual.cd));
}

export function floorTo(t: number, unit: number): number {
  return t - (((t % unit) + unit) % unit);
}

/** Seeds for fast-check: fixed, so the suite is reproducible; override with FC_SEED. */
export const fcSeed = process.env.FC_SEED === undefined ? 20_240_611 : Number(process.env.FC_SEED);

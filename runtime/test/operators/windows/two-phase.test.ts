// Two-phase global aggregates: partials on each partition shipping pane states to one final must
// give the rows a single-phase operator gives over the union of the partitions, with the same
// watermarks: the same windows, fired at the same watermark, updated by the same late batches,
// with the same values; and the partials' late output is the single-phase one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as rt from '../../../src/index.ts';
import { PartialAggregateProcessor, SlidingWindowProcessor, TumblingWindowProcessor, type PartialAggregate } from '../../../src/operators/windows/index.ts';
import { expectValues, fcSeed, partialNode, record, scenarioArb, sliding, tumbling, windowNode, type Ev, type Op, type Row } from './fixtures.ts';
import { Driver, type Emission } from './harness.ts';
import { PARTITIONS, TwoPhase } from './pipeline.ts';

/** Rows by window, in emission order. */
function byWindow(emissions: readonly Emission<Row>[]): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  for (const { record: r } of emissions) {
    if (!out.has(r.value.start)) out.set(r.value.start, []);
    out.get(r.value.start)!.push(r.value);
  }
  return out;
}

const geometryArb = fc.oneof(
  fc.integer({ min: 1, max: 30 }).map((size) => tumbling(size) as rt.WindowDescriptor<Ev>),
  fc.integer({ min: 2, max: 30 }).chain((size) => fc.integer({ min: 1, max: size }).map((slide) => sliding(size, slide) as rt.WindowDescriptor<Ev>)),
);

describe('two-phase global aggregates', () => {
  it('partials merged by the final equal the single-phase operator over the union', () => {
    fc.assert(
      fc.property(scenarioArb({ partitions: PARTITIONS.length, uniqueTimes: true }), geometryArb, fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })), (scenario, window, lateness) => {
        const single = new Driver<Ev, Row>(
          window.kind === 'tumbling' ? new TumblingWindowProcessor(windowNode(window, { latenessMs: lateness, keyed: false })) : new SlidingWindowProcessor(windowNode(window, { latenessMs: lateness, keyed: false })),
        );
        for (let i = 0; i < scenario.ops.length; i++) {
          const op = scenario.ops[i]!;
          single.setOp(i);
          if (op.kind === 'batch') single.batch(0, op.events.map(record));
          else if (op.kind === 'watermark') single.watermark(op.ts);
          else single.advance(op.now);
        }
        const twoPhase = new TwoPhase(window, { latenessMs: lateness });
        twoPhase.run(scenario.ops);

        const expected = byWindow(single.context.emissions);
        const actual = byWindow(twoPhase.final.context.emissions);
        expect([...actual.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
        for (const [start, rows] of expected) {
          const got = actual.get(start)!;
          expect(got.length, `emissions of window ${start}`).toBe(rows.length);
          rows.forEach((row, i) => {
            expect(got[i]!.end).toBe(row.end);
            expectValues(got[i]!.values, row.values, [], `window ${start} #${i}`);
          });
        }
        // Same firing moments: the final emits in the op where the single-phase operator does.
        expect(twoPhase.final.context.emissions.map((x) => [x.op, x.record.value.start])).toEqual(single.context.emissions.map((x) => [x.op, x.record.value.start]));
        const lateIds = (d: Driver<Ev, unknown>): number[] => d.context.late.map((r) => (r.value as Ev).id);
        expect(lateIds(twoPhase.partial)).toEqual(lateIds(single));
        expect(twoPhase.final.context.emissions.every((x) => x.record.key === null && x.record.timestamp === x.record.value.end)).toBe(true);
      }),
      { numRuns: 120, seed: fcSeed + 20 },
    );
  });

  it('a partial ships a pane once its watermark passes the pane, as a delta', () => {
    const partial = new Driver(new PartialAggregateProcessor(partialNode(sliding(30, 10))), { partitions: [0] });
    const ev = (id: number, t: number): rt.StreamRecord<Ev> => record({ id, k: 'a', t, v: id, s: 'x', end: false, partition: 0 });
    partial.batch(0, [ev(1, 3), ev(2, 12), ev(3, 14)]);
    partial.watermark(9);
    partial.watermark(19);
    partial.batch(0, [ev(4, 15)]); // late for pane [10, 20): shipped at the end of the batch
    expect(partial.context.emissions.map((x) => [x.op, x.record.value.start, x.record.value.end, x.record.value.count])).toEqual([
      [0, 0, 10, 1],
      [0, 10, 20, 2],
      [0, 10, 20, 1],
    ]);
    expect(partial.checkpoint()[0]!.stores[0]!.entries.filter((e) => e.key.startsWith('c|'))).toHaveLength(0);
  });

  it('early firings: partials ship open panes on their tick, the final emits them marked early', () => {
    const twoPhase = new TwoPhase(tumbling(1000), { earlyFiringMs: 100 });
    const ev = (id: number, t: number, partition: number): Ev => ({ id, k: 'a', t, v: id, s: 'x', end: false, partition });
    twoPhase.run([
      { kind: 'clock', now: 0 },
      { kind: 'batch', partition: 0, events: [ev(1, 10, 0), ev(2, 20, 0)] },
      { kind: 'clock', now: 100 },
      { kind: 'batch', partition: 1, events: [ev(3, 30, 1)] },
      { kind: 'clock', now: 200 },
      { kind: 'clock', now: 300 },
      { kind: 'watermark', ts: 999 },
    ]);
    expect(twoPhase.final.context.emissions.map((x) => [x.op, x.early, x.record.value.values.n])).toEqual([
      [2, true, 2],
      [4, true, 3],
      [6, false, 3],
    ]);
  });

  it('early firings: partials of several partitions shipping on one tick give one early row, merged', () => {
    const twoPhase = new TwoPhase(tumbling(1000), { earlyFiringMs: 100 });
    const ev = (id: number, t: number, partition: number): Ev => ({ id, k: 'a', t, v: id, s: 'x', end: false, partition });
    twoPhase.run([
      { kind: 'clock', now: 0 },
      { kind: 'batch', partition: 0, events: [ev(1, 10, 0), ev(2, 20, 0)] },
      { kind: 'batch', partition: 1, events: [ev(3, 30, 1)] },
      { kind: 'clock', now: 100 },
      { kind: 'watermark', ts: 999 },
    ]);
    expect(twoPhase.final.context.emissions.map((x) => [x.op, x.early, x.record.value.values.n])).toEqual([
      [3, true, 3],
      [4, false, 3],
    ]);
  });

  it('processing time: the final fires after its grace, and a straggling partial updates the window', () => {
    const window = tumbling(5000);
    const twoPhase = new TwoPhase(window, { time: 'processing' });
    const ev = (id: number, partition: number): Ev => ({ id, k: 'a', t: 0, v: id, s: `s${id}`, end: false, partition });
    const ops: Op[] = [
      { kind: 'clock', now: 1000 },
      { kind: 'batch', partition: 0, events: [ev(1, 0), ev(2, 0)] },
      { kind: 'batch', partition: 1, events: [ev(3, 1)] },
      { kind: 'clock', now: 5000 }, // the partials ship [0, 5000)
      { kind: 'clock', now: 5999 },
      { kind: 'clock', now: 6000 }, // end + 1 s grace: the final fires
    ];
    twoPhase.run(ops);
    expect(twoPhase.final.context.emissions.map((x) => [x.op, x.record.value.start, x.record.value.end, x.record.value.values.n])).toEqual([[5, 0, 5000, 3]]);
    // A partial that arrives within the retention (the window size by default) updates the row.
    twoPhase.final.batch(2, [{ key: null, value: { start: 0, end: 5000, count: 1, states: stateOf([ev(4, 2)]) }, timestamp: 5000, partition: 2 }]);
    expect(twoPhase.final.context.emissions.at(-1)!.record.value.values.n).toBe(4);
    twoPhase.final.advance(11_000);
    twoPhase.final.batch(2, [{ key: null, value: { start: 0, end: 5000, count: 1, states: stateOf([ev(5, 2)]) }, timestamp: 5000, partition: 2 }]);
    expect(twoPhase.final.context.emissions).toHaveLength(2);
    expect(twoPhase.final.context.metrics.droppedBy.get('late_partial')).toBe(1);
  });
});

/** The slot states of a partial holding `events` (built by a partial processor, flushed by the final watermark). */
function stateOf(events: readonly Ev[]): PartialAggregate['states'] {
  const partial = new Driver(new PartialAggregateProcessor(partialNode(tumbling(5000))), { partitions: [0] });
  partial.batch(0, events.map(record));
  partial.watermark(rt.MAX_WATERMARK);
  return partial.context.emissions[0]!.record.value.states;
}

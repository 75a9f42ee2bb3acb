// Exactly-resumable state: a checkpoint taken after any op of a scenario, restored (through JSON)
// into a fresh processor with a fresh context, then fed the rest of the scenario, must give exactly
// the output of an uninterrupted run: the same rows, in the same order, in the same op, with the
// same early flags, and the same late output. For every window kind, both time domains, with
// lateness and early firings, and for the two phases of a global aggregate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as rt from '../../../src/index.ts';
import { SessionWindowProcessor, SlidingWindowProcessor, TumblingWindowProcessor } from '../../../src/operators/windows/index.ts';
import { fcSeed, run, scenarioArb, session, sliding, tumbling, windowNode, type Ev, type Op, type Row } from './fixtures.ts';
import { Driver, viaJson, type Emission } from './harness.ts';
import { PARTITIONS, TwoPhase } from './pipeline.ts';

interface Config {
  readonly kind: 'tumbling' | 'sliding' | 'session';
  readonly size: number;
  readonly slide: number;
  readonly time: rt.TimeDomain;
  readonly lateness: number;
  readonly early: number | null;
  readonly keyed: boolean;
  readonly until: boolean;
}

const configArb: fc.Arbitrary<Config> = fc
  .record({
    kind: fc.constantFrom('tumbling', 'sliding', 'session') as fc.Arbitrary<Config['kind']>,
    size: fc.integer({ min: 2, max: 30 }),
    slideRatio: fc.double({ min: 0, max: 1, noNaN: true }),
    time: fc.constantFrom('event', 'processing') as fc.Arbitrary<rt.TimeDomain>,
    lateness: fc.integer({ min: 0, max: 30 }),
    early: fc.option(fc.integer({ min: 2, max: 15 })),
    keyed: fc.boolean(),
    until: fc.boolean(),
  })
  .map(({ slideRatio, ...c }) => ({ ...c, slide: Math.max(1, Math.ceil(slideRatio * c.size)), lateness: c.time === 'event' ? c.lateness : 0 }));

function windowOf(c: Config): rt.WindowDescriptor<Ev> {
  if (c.kind === 'tumbling') return tumbling(c.size);
  if (c.kind === 'sliding') return sliding(c.size, c.slide, c.lateness);
  return session(c.size, c.until);
}

function make(c: Config): rt.Processor<Ev, Row> {
  const node = windowNode(windowOf(c), { time: c.time, latenessMs: c.lateness, earlyFiringMs: c.early, keyed: c.keyed || c.kind === 'session' });
  if (c.kind === 'tumbling') return new TumblingWindowProcessor(node);
  if (c.kind === 'sliding') return new SlidingWindowProcessor(node);
  return new SessionWindowProcessor(node);
}

/** A checkpoint as it comes back from a changelog: stores through JSON, the watermark as a number. */
function throughChangelog(checkpoints: readonly rt.OperatorCheckpoint[]): rt.OperatorCheckpoint[] {
  return checkpoints.map((cp) => ({ ...viaJson({ ...cp, watermark: 0 }), watermark: cp.watermark }));
}

/**
 * Output per partition, in order. (Across partitions, what fires at one instant comes in the
 * order the engine fires the partitions' timers: not the operator's to decide.)
 */
const summary = <Out>(emissions: readonly Emission<Out>[]): Map<number, unknown[]> => {
  const out = new Map<number, unknown[]>();
  for (const x of emissions) {
    if (!out.has(x.record.partition)) out.set(x.record.partition, []);
    out.get(x.record.partition)!.push([x.op, x.early, x.record]);
  }
  return out;
};

/**
 * Runs `ops` whole, and again cut after `cut` ops: checkpointed, restored into a fresh processor and
 * fed the rest. Expects the same changes and late output; returns the restored run's changes.
 */
function restoredEqualsWhole(config: Config, ops: readonly Op[], cut: number): readonly Emission<Row>[] {
  const partitions = [0, 1];
  const whole = new Driver<Ev, Row>(make(config), { partitions });
  run(whole, ops);
  const k = cut % (ops.length + 1);
  const before = new Driver<Ev, Row>(make(config), { partitions });
  run(before, ops, 0, k);
  const after = new Driver<Ev, Row>(make(config), { partitions, now: before.clock.now() });
  after.restore(throughChangelog(before.checkpoint()));
  run(after, ops, k);
  expect(summary([...before.context.changes, ...after.context.changes])).toEqual(summary(whole.context.changes));
  expect([...before.context.late, ...after.context.late]).toEqual(whole.context.late);
  return after.context.changes;
}

describe('checkpoint and restore', () => {
  it('single-phase windows: restore at any point + replay of the rest == an uninterrupted run', () => {
    fc.assert(
      fc.property(scenarioArb({ partitions: 2 }), configArb, fc.nat(), (scenario, config, cut) => {
        restoredEqualsWhole(config, scenario.ops, cut);
      }),
      { numRuns: 250, seed: fcSeed + 30 },
    );
  });

  it.each(['session', 'tumbling', 'sliding'] as const)('event-time %s windows with lateness: the rows to retract survive a restore', (kind) => {
    // Updates after the cut (-U/+U, -D/+I) retract the rows emitted before it: the operator keeps them in its checkpoint.
    const withLateness = configArb.map((c) => ({ ...c, kind, time: 'event' as const, size: 2 + (c.size % 10), slide: 1 + (c.slide % (2 + (c.size % 10))), lateness: 5 + c.lateness }));
    let retractionsAfterCut = 0;
    fc.assert(
      fc.property(scenarioArb({ partitions: 2, maxStep: 12, minEvents: 60, maxEvents: 200 }), withLateness, fc.nat(), (scenario, config, cut) => {
        const after = restoredEqualsWhole(config, scenario.ops, cut);
        retractionsAfterCut += after.filter((x) => x.record.change === '-U' || x.record.change === '-D').length;
      }),
      { numRuns: 150, seed: fcSeed + 32 },
    );
    expect(retractionsAfterCut, 'restored runs that retracted a row emitted before the cut').toBeGreaterThan(20);
  });

  it('two-phase: partial and final restored at any point == an uninterrupted run', () => {
    fc.assert(
      fc.property(scenarioArb({ partitions: PARTITIONS.length }), configArb, fc.nat(), (scenario, config, cut) => {
        const c = config.kind === 'session' ? { ...config, kind: 'sliding' as const } : config;
        const window = windowOf(c);
        const options = { time: c.time, latenessMs: c.lateness, earlyFiringMs: c.early };
        const ops = scenario.ops;
        const whole = new TwoPhase(window, options);
        whole.run(ops);

        const k = cut % (ops.length + 1);
        const before = new TwoPhase(window, options);
        before.run(ops, 0, k);
        const partial = throughChangelog(before.partial.checkpoint());
        const final = throughChangelog(before.final.checkpoint());
        const after = new TwoPhase(window, options, before.partial.clock.now());
        after.partial.restore(partial);
        after.final.restore(final);
        after.run(ops, k);

        expect(summary([...before.final.context.changes, ...after.final.context.changes])).toEqual(summary(whole.final.context.changes));
        expect(summary([...before.partial.context.emissions, ...after.partial.context.emissions])).toEqual(summary(whole.partial.context.emissions));
        expect([...before.partial.context.late, ...after.partial.context.late]).toEqual(whole.partial.context.late);
      }),
      { numRuns: 150, seed: fcSeed + 31 },
    );
  });

  it('a final asked for several partitions puts its state in the lowest one only', () => {
    const twoPhase = new TwoPhase(sliding(20, 10), {});
    twoPhase.run([
      { kind: 'batch', partition: 1, events: [{ id: 1, k: 'a', t: 3, v: 1, s: 'x', end: false, partition: 1 }] },
      { kind: 'watermark', ts: 9 },
    ]);
    expect(twoPhase.final.context.emissions.map((x) => x.record.value.start)).toEqual([-10]);
    const checkpoints = twoPhase.final.checkpoint();
    expect(checkpoints.map((cp) => [cp.partition, cp.stores.length])).toEqual([
      [0, 1],
      [1, 0],
      [2, 0],
    ]);
    const restored = new TwoPhase(sliding(20, 10), {});
    restored.final.restore(throughChangelog([...checkpoints].reverse()));
    restored.final.watermark(19);
    expect(restored.final.context.emissions.map((x) => [x.record.value.start, x.record.value.values.n])).toEqual([[0, 1]]);
  });
});

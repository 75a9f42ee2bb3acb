// The engine's mechanics on a small hand-built topology (fixtures.ts), with instrumented
// processors, sources, sinks and checkpoint storage.
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine, partitionForKey, type EngineOptions } from '../../src/engine/index.ts';
import { FlowcMetrics } from '../../src/metrics/registry.ts';
import { MIN_WATERMARK, type DeadLetterRecord, type OperatorContext, type RecordBatch, type SourceRecord, type Topology } from '../../src/index.ts';
import {
  JournalSink,
  JournalStorage,
  QueueSource,
  Recorder,
  TestClock,
  fixtureTopology,
  localStores,
  raw,
  reading,
  recorders,
  resetOffsets,
  type Event,
  type FixtureOptions,
} from './fixtures.ts';

interface Harness {
  readonly engine: Engine;
  readonly clock: TestClock;
  readonly log: Event[];
  readonly journal: string[];
  readonly sinks: Map<string, JournalSink>;
  readonly storage: JournalStorage;
  source(): QueueSource;
}

function harness(options: FixtureOptions = {}, overrides: Partial<EngineOptions> = {}, shared?: { storage: JournalStorage; journal: string[] }): Harness {
  const log: Event[] = [];
  const journal = shared?.journal ?? [];
  const sinks = new Map<string, JournalSink>();
  const storage = shared?.storage ?? new JournalStorage(journal);
  const clock = new TestClock(1_000_000);
  let source: QueueSource | null = null;
  const topology: Topology = fixtureTopology(options);
  const engine = new Engine({
    topology,
    clock,
    checkpoints: storage,
    checkpointIntervalMs: null,
    eventTimeBounds: null, // the fixture's event times are small numbers (1970); event-times.test.ts covers the bounds
    operators: recorders(log),
    stateStores: localStores(),
    sources: {
      createSource: (node) => {
        source = new QueueSource(node.name, options.sourcePartitions ?? 2, journal);
        return source;
      },
    },
    sinks: {
      createSink: (node) => {
        const sink = new JournalSink(node.id, journal);
        sinks.set(node.id, sink);
        return sink;
      },
    },
    ...overrides,
  });
  return {
    engine,
    clock,
    log,
    journal,
    sinks,
    storage,
    source: () => {
      if (source === null) throw new Error('not started');
      return source;
    },
  };
}

function batches(log: readonly Event[], node: string): Extract<Event, { kind: 'batch' }>[] {
  return log.filter((e): e is Extract<Event, { kind: 'batch' }> => e.kind === 'batch' && e.node === node);
}

function watermarks(log: readonly Event[], node?: string): Extract<Event, { kind: 'watermark' }>[] {
  return log.filter((e): e is Extract<Event, { kind: 'watermark' }> => e.kind === 'watermark' && (node === undefined || e.node === node));
}

type StateEvent = Extract<Event, { kind: 'snapshot' | 'restore' | 'release' }>;

function stateEvents(log: readonly Event[], kind: StateEvent['kind']): StateEvent[] {
  return log.filter((e): e is StateEvent => e.kind === kind);
}

function sinkValues(h: Harness, id: string): unknown[] {
  return (h.sinks.get(id)?.records ?? []).map((r) => r.value);
}

beforeEach(() => resetOffsets());

describe('engine: moving batches', () => {
  it('decodes, filters, derives and routes forward, by hash and to the single final instance', async () => {
    const h = harness();
    await h.engine.start();
    const records: SourceRecord[] = [
      raw(0, reading('a', 10, 'g1', 1)),
      raw(0, reading('b', 11, 'g2', -1)), // filtered out
      raw(1, reading('c', 12, 'g3', 3)),
    ];
    h.engine.ingest('readings', records);

    // Stage 0 (partial) sees each source partition's batch, derived.
    const part = batches(h.log, 'part');
    expect(part.map((b) => [b.partition, b.records.map((r) => (r.value as { id: string; w: number }).w)])).toEqual([
      [0, [2]],
      [1, [6]],
    ]);
    expect(part[0]?.records[0]).toMatchObject({ key: 'x', timestamp: 10, partition: 0 });

    // After the repartition, records are keyed by group and sit on hash(group) % 3.
    for (const batch of batches(h.log, 'win')) {
      for (const record of batch.records) {
        const group = (record.value as { g: string }).g;
        expect(record.key).toBe(group);
        expect(batch.partition).toBe(partitionForKey(group, 3));
        expect(record.partition).toBe(batch.partition);
      }
    }
    expect(batches(h.log, 'win').flatMap((b) => b.records.map((r) => (r.value as { id: string }).id)).sort()).toEqual(['a', 'c']);
    expect(h.engine.counters()).toMatchObject({ eventsIn: 3, decoded: 3, deadLetters: 0 });
  });

  it('sends undecodable records to the dead-letter sink with reason, path and raw text, and never stops the batch', async () => {
    const h = harness();
    await h.engine.start();
    h.engine.ingest('readings', [
      raw(0, '{"id":'),
      raw(0, reading('ok', 5)),
      raw(0, { id: 'no-k', t: 1, g: 'a', v: 1 }),
      raw(0, '{"boom":true}'),
      raw(0, '[1]'),
    ]);
    const letters = sinkValues(h, 'dl') as DeadLetterRecord[];
    expect(letters.map((l) => [l.offset, l.reason, l.path])).toEqual([
      [0, 'not valid JSON: unexpected input', '$'],
      [2, 'missing required field (expected a string)', '$.k'],
      [3, 'decoder failed: decoder bug', '$'],
      [4, 'missing required field (expected a string)', '$.id'],
    ]);
    expect(letters[0]).toMatchObject({ source: 'readings', topic: 'readings', partition: 0, raw: '{"id":', rejectedAt: 1_000_000 });
    expect(h.sinks.get('dl')?.records[0]?.stream).toBe('readings');
    expect(batches(h.log, 'part').flatMap((b) => b.records)).toHaveLength(1);
    expect(h.engine.counters()).toMatchObject({
      eventsIn: 5,
      decoded: 1,
      deadLetters: 4,
      deadLettersByReason: { invalid_json: 1, missing_field: 2, not_an_object: 1 },
    });
  });

  it('sends late records to the late output, or counts and drops them without one', async () => {
    for (const lateSink of [true, false]) {
      resetOffsets();
      const h = harness({ lateSink, sourcePartitions: 1 });
      await h.engine.start();
      h.engine.ingest('readings', [raw(0, reading('a', 100))]);
      h.engine.ingest('readings', [raw(0, reading('late', 50)), raw(0, reading('b', 120))]);
      expect(h.engine.counters().lateEvents).toBe(1);
      if (lateSink) expect(sinkValues(h, 'late')).toMatchObject([{ id: 'late' }]);
      const metrics = await h.engine.flowcMetrics.metrics();
      expect(metrics).toContain('flowc_late_events_total{pipeline="fixture",operator="win"} 1');
      if (!lateSink) expect(metrics).toContain('flowc_events_dropped_total{pipeline="fixture",operator="win",reason="late"} 1');
    }
  });

  it('writes results to the sink under the stream of the node that produced them', async () => {
    const h = harness({ sourcePartitions: 1 });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g1'))]);
    h.engine.advanceWatermark('readings', null, 20);
    const streams = h.sinks.get('snk')?.records.map((r) => r.stream);
    expect(streams).toContain('per_group');
    expect(streams).toContain('total');
  });

  it('delivers early firings to sinks only, not to downstream operators', async () => {
    const log: Event[] = [];
    class Early extends Recorder {
      override processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
        super.processBatch(batch, context);
        context.emit({ partition: batch.partition, records: [{ key: null, value: { early: this.id }, timestamp: 0, partition: batch.partition }], early: true });
      }
    }
    const h = harness({ sourcePartitions: 1 }, { operators: { createProcessor: (node) => (node.id === 'fin' ? new Recorder('fin', log) : new Early(node.id, log)) } });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g1'))]);
    expect(sinkValues(h, 'snk')).toContainEqual({ early: 'win' }); // win → snk (a sink)
    // …marked as early, and the ordinary results are not.
    const atSink = h.sinks.get('snk')?.records ?? [];
    expect(atSink.find((r) => JSON.stringify(r.value) === '{"early":"win"}')?.early).toBe(true);
    expect(atSink.filter((r) => JSON.stringify(r.value) !== '{"early":"win"}').every((r) => r.early === undefined)).toBe(true);
    const atFinal = batches(log, 'fin').flatMap((b) => b.records.map((r) => r.value));
    expect(atFinal.length).toBeGreaterThan(0); // part ⇒ fin (an operator): its ordinary results only
    expect(atFinal).not.toContainEqual({ early: 'part' });
  });
});

describe('engine: watermarks', () => {
  it('tracks a watermark per source partition; an operator gets the minimum, upstream operators first', async () => {
    const h = harness({ boundMs: 5 });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 100))]);
    expect(h.engine.watermark('readings')).toBe(MIN_WATERMARK); // partition 1 has not spoken
    expect(watermarks(h.log)).toEqual([]);
    h.engine.ingest('readings', [raw(1, reading('b', 80))]);
    expect(h.engine.watermark('readings')).toBe(80 - 5 - 1);
    h.engine.ingest('readings', [raw(1, reading('c', 200))]);
    expect(h.engine.watermark('readings')).toBe(100 - 5 - 1);
    // Each node got each raised watermark once, in topological order, and reads it on its clock.
    const seen = watermarks(h.log).map((w) => [w.node, w.timestamp, w.seen]);
    expect(seen).toEqual([
      ['win', 74, 74],
      ['part', 74, 74],
      ['fin', 74, 74],
      ['win', 94, 94],
      ['part', 94, 94],
      ['fin', 94, 94],
    ]);
  });

  it('leaves idle partitions out of the minimum after the idle timeout, and never moves an operator back', async () => {
    const h = harness({ idleTimeoutMs: 1000 });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 100)), raw(1, reading('b', 50))]);
    expect(h.engine.watermark('win')).toBe(49);
    h.clock.time += 600;
    h.engine.ingest('readings', [raw(0, reading('c', 300))]);
    h.clock.time += 400;
    h.engine.tick(); // partition 1 silent for 1000 ms: idle
    expect(h.engine.watermark('readings')).toBe(299);
    expect(h.engine.watermark('win')).toBe(299);
    expect(h.engine.nextDeadline()).toBe(h.clock.time + 600); // partition 0 goes idle next
    h.engine.ingest('readings', [raw(1, reading('d', 60))]); // back, and behind
    expect(h.engine.watermark('readings')).toBe(59);
    expect(h.engine.watermark('win')).toBe(299);
    expect(watermarks(h.log, 'win').map((w) => w.timestamp)).toEqual([49, 299]);
  });

  it('advances the watermark of one partition, or of all, on request', async () => {
    const h = harness();
    await h.engine.start();
    h.engine.advanceWatermark('readings', 0, 500);
    expect(h.engine.watermark('readings')).toBe(MIN_WATERMARK);
    h.engine.advanceWatermark('readings', null, 400);
    expect(h.engine.watermark('readings')).toBe(400);
    expect(h.engine.watermark('fin')).toBe(400);
  });
});

describe('engine: timers', () => {
  it('fires event-time timers when the watermark reaches them, before onWatermark', async () => {
    const h = harness({ sourcePartitions: 1 });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g', 100))]); // win and part set a timer at 15
    h.engine.advanceWatermark('readings', null, 14);
    expect(h.log.filter((e) => e.kind === 'timer')).toEqual([]);
    h.engine.advanceWatermark('readings', null, 15);
    const tail = h.log.slice(-6).map((e) => `${e.kind}:${e.node}`);
    // The partial's results reach the final before the final's own watermark does.
    expect(tail).toEqual(['timer:win', 'watermark:win', 'timer:part', 'watermark:part', 'batch:fin', 'watermark:fin']);
    const timer = h.log.find((e) => e.kind === 'timer');
    expect(timer).toMatchObject({ timer: { domain: 'event', at: 15, tag: 'event' }, watermark: 15 });
  });

  it('fires processing-time timers on tick once the clock reaches them, in topological order', async () => {
    const h = harness({ sourcePartitions: 1 });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g', 200))]);
    expect(h.engine.nextDeadline()).toBe(1_000_050);
    h.clock.time = 1_000_049;
    h.engine.tick();
    expect(h.log.filter((e) => e.kind === 'timer')).toEqual([]);
    h.clock.time = 1_000_050;
    h.engine.tick();
    expect(h.log.filter((e) => e.kind === 'timer').map((e) => e.node)).toEqual(['win', 'part']);
    expect(h.log.filter((e) => e.kind === 'timer')[0]).toMatchObject({ now: 1_000_050, timer: { domain: 'processing', at: 1_000_050 } });
  });

  it('replaces a timer with the same identity and cancels by handle', async () => {
    const h = harness({ sourcePartitions: 1 });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g', 100)), raw(0, reading('b', 10, 'g', 100))]);
    const part = h.log.find((e) => e.kind === 'batch' && e.node === 'part');
    expect(part).toBeDefined();
    h.engine.advanceWatermark('readings', null, 100);
    // Two registrations of (event, 15, 'event', '0') per node: one timer each.
    expect(h.log.filter((e) => e.kind === 'timer').map((e) => e.node)).toEqual(['win', 'part']);
  });
});

describe('engine: checkpoints', () => {
  it('snapshots every owned partition, then flushes sinks, then saves, then commits the offsets', async () => {
    const h = harness();
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g1')), raw(0, reading('b', 11, 'g2')), raw(1, reading('c', 12, 'g1'))]);
    h.journal.length = 0;
    const checkpoint = await h.engine.checkpoint();
    expect(h.journal).toEqual(['flush dl', 'flush snk', 'save', 'commit']);
    expect(checkpoint.id).toBe(1);
    expect(checkpoint.offsets).toEqual([
      { topic: 'readings', partition: 0, offset: 2 },
      { topic: 'readings', partition: 1, offset: 1 },
    ]);
    const stateful = checkpoint.operators.filter((o) => o.nodeId !== 'src').map((o) => `${o.nodeId}/${o.partition}`);
    const winPartitions = [...new Set(['g1', 'g2'].map((g) => partitionForKey(g, 3)))].sort();
    expect(stateful.sort()).toEqual(['fin/0', 'part/0', 'part/1', ...winPartitions.map((p) => `win/${p}`)].sort());
    expect(checkpoint.operators.filter((o) => o.nodeId === 'src').map((o) => o.partition)).toEqual([0, 1]);
    expect(h.source().committed).toEqual([checkpoint.offsets]);
    expect(h.engine.counters()).toMatchObject({ checkpoints: 1, lastCheckpointId: 1 });
    const metrics = await h.engine.flowcMetrics.metrics();
    expect(metrics).toContain('flowc_checkpoints_total{pipeline="fixture"} 1');
    expect(metrics).toContain('flowc_checkpoint_duration_seconds_count{pipeline="fixture"} 1');
  });

  it('restores every operator and the source progress on start, and seeks the sources to the offsets', async () => {
    const shared = { journal: [] as string[], storage: new JournalStorage([]) };
    const first = harness({ boundMs: 0 }, {}, shared);
    await first.engine.start();
    first.engine.ingest('readings', [raw(0, reading('a', 10, 'g1')), raw(1, reading('b', 20, 'g2'))]);
    await first.engine.checkpoint();

    const second = harness({ boundMs: 0 }, {}, shared);
    await second.engine.start();
    expect(second.source().sought).toEqual([
      { topic: 'readings', partition: 0, offset: 1 },
      { topic: 'readings', partition: 1, offset: 1 },
    ]);
    const restored = stateEvents(second.log, 'restore').filter((e) => e.count !== 0).map((e) => `${e.node}/${e.partition}:${e.count}`);
    // fin counted the two partial results part emitted on the watermark.
    expect(restored.sort()).toEqual(['fin/0:2', 'part/0:1', 'part/1:1', `win/${partitionForKey('g1', 3)}:1`, `win/${partitionForKey('g2', 3)}:1`].sort());
    // The watermark continues where it was, without re-delivering what the operators had seen.
    expect(second.engine.watermark('readings')).toBe(9);
    expect(second.engine.watermark('win')).toBe(9);
  });

  it('checkpoints and releases revoked partitions, drops lost ones, and restores reassigned ones', async () => {
    const h = harness();
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10, 'g1')), raw(1, reading('b', 11, 'g1')), raw(1, reading('c', 12, 'g1'))]);
    h.log.length = 0;
    await h.source().revoke([1]);
    expect(h.storage.saved).toHaveLength(1);
    expect(stateEvents(h.log, 'release').map((e) => `${e.node}/${e.partition}`)).toEqual(['part/1']);
    expect(h.engine.assignment('readings')).toEqual([0]);
    // Internal (repartitioned) and single-instance state stays: it is not tied to a source partition.
    expect(h.log.filter((e) => e.kind === 'release' && (e.node === 'win' || e.node === 'fin'))).toEqual([]);

    h.log.length = 0;
    await h.source().assign([1]);
    expect(stateEvents(h.log, 'restore').map((e) => `${e.node}/${e.partition}:${e.count}`)).toEqual(['part/1:2']);
    expect(h.source().sought.at(-1)).toEqual({ topic: 'readings', partition: 1, offset: 2 });

    h.log.length = 0;
    await h.source().lose([0]);
    expect(h.storage.saved).toHaveLength(1); // no checkpoint for a loss
    expect(stateEvents(h.log, 'release').map((e) => `${e.node}/${e.partition}`)).toEqual(['part/0']);
    expect(() => h.engine.ingest('readings', [raw(0, reading('z', 1))])).toThrow(/does not own/);
  });
});

describe('engine: the run loop', () => {
  it('polls until stopped, then checkpoints, leaves the group and closes everything', async () => {
    const h = harness({}, { pollTimeoutMs: 0, checkpointIntervalMs: 0 });
    await h.engine.start();
    const source = h.source();
    source.queued.push(raw(0, reading('a', 10)), raw(1, reading('b', 20)), raw(0, '{broken'));
    const running = h.engine.run();
    while (h.engine.counters().eventsIn < 3) await new Promise((resolve) => setImmediate(resolve));
    await h.engine.stop();
    await running;
    expect(h.engine.state).toBe('stopped');
    expect(h.engine.counters()).toMatchObject({ eventsIn: 3, decoded: 2, deadLetters: 1 });
    expect(h.storage.saved.length).toBeGreaterThanOrEqual(1);
    expect(h.storage.saved.at(-1)?.offsets).toEqual([
      { topic: 'readings', partition: 0, offset: 2 },
      { topic: 'readings', partition: 1, offset: 1 },
    ]);
    // The last checkpoint is committed before the group is left and the sinks close.
    expect(h.journal.slice(-4)).toEqual(['commit', 'source.close', 'close dl', 'close snk']);
  });

  it('refuses a second start and unknown sources or nodes', async () => {
    const h = harness();
    await h.engine.start();
    await expect(h.engine.start()).rejects.toThrow(/already running/);
    expect(() => h.engine.ingest('nope', [])).toThrow(/no source nope/);
    expect(() => h.engine.watermark('nope')).toThrow(/no node nope/);
  });

  it('rejects topologies it cannot run', () => {
    const topology = fixtureTopology();
    const withCycle: Topology = { ...topology, edges: [...topology.edges, { from: 'der', to: 'flt', partitioning: 'forward', output: 'main' }] };
    expect(() => harness({}, { topology: withCycle })).toThrow(/cycle/);
    const dangling: Topology = { ...topology, edges: [...topology.edges, { from: 'der', to: 'ghost', partitioning: 'forward', output: 'main' }] };
    expect(() => harness({}, { topology: dangling })).toThrow(/unknown node/);
    const noProcessor = new Engine({
      topology,
      clock: new TestClock(),
      stateStores: localStores(),
      sources: { createSource: () => new QueueSource('readings', 1) },
      sinks: { createSink: (node) => new JournalSink(node.id, []) },
      operators: { createProcessor: (node) => (node.id === 'win' ? new Recorder('win', []) : null) },
    });
    expect(noProcessor.nodeIds()).toContain('part'); // the default operators serve the rest
  });
});

describe('engine: metrics', () => {
  it('reports events in and out per operator, on its own registry', async () => {
    const metrics = new FlowcMetrics();
    const h = harness({ sourcePartitions: 1 }, { metrics });
    await h.engine.start();
    h.engine.ingest('readings', [raw(0, reading('a', 10)), raw(0, reading('b', 11, 'a', -5))]);
    h.clock.time += 10_000;
    h.engine.tick();
    const text = await metrics.metrics();
    expect(text).toContain('flowc_events_in_total{pipeline="fixture",operator="src"} 2');
    expect(text).toContain('flowc_events_in_total{pipeline="fixture",operator="flt"} 2');
    expect(text).toContain('flowc_events_out_total{pipeline="fixture",operator="flt"} 1');
    expect(text).toContain('flowc_events_dropped_total{pipeline="fixture",operator="flt",reason="filtered"} 1');
    expect(text).toContain('flowc_processing_latency_seconds_count{pipeline="fixture",operator="src"} 1');
    expect(text).toContain('flowc_watermark_lag_seconds{pipeline="fixture",operator="src"} 1009.99');
    // Scraping again does not count twice.
    expect(await metrics.metrics()).toContain('flowc_events_in_total{pipeline="fixture",operator="src"} 2');
    expect(metrics.registry).not.toBe((await import('prom-client')).register);
  });
});

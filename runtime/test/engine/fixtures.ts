// A small hand-built topology and instrumented adapters for the engine's own tests: every
// interaction the engine has with processors, sources, sinks and checkpoint storage is recorded.
import { LocalStateStore } from '../../src/adapters/embedded/state-store.ts';
import type { OperatorFactory } from '../../src/engine/index.ts';
import {
  MIN_WATERMARK,
  type Checkpoint,
  type CheckpointStorage,
  type Clock,
  type DecodeResult,
  type EpochMillis,
  type OperatorCheckpoint,
  type OperatorContext,
  type PartitionOffset,
  type PollOptions,
  type Processor,
  type RebalanceListener,
  type RecordBatch,
  type Sink,
  type SinkRecord,
  type Source,
  type SourceRecord,
  type StateSnapshot,
  type StateStore,
  type StreamRecord,
  type Timer,
  type TimerHandle,
  type TopicPartition,
  type Topology,
  type TopologyNode,
  type Watermark,
} from '../../src/index.ts';

/** The record of the test topology. */
export interface Reading {
  readonly id: string;
  /** Event time. */
  readonly t: number;
  /** Partition key. */
  readonly k: string;
  /** Group (the repartition key). */
  readonly g: string;
  readonly v: number;
}

export interface Doubled extends Reading {
  readonly w: number;
}

export function decodeReading(text: string): DecodeResult<Reading> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON: unexpected input', path: '$' };
  }
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'expected an object', path: '$' };
  const r = raw as Record<string, unknown>;
  if (r['boom'] === true) throw new Error('decoder bug');
  for (const field of ['id', 'k', 'g'] as const) {
    if (typeof r[field] !== 'string') return { ok: false, reason: r[field] === undefined ? 'missing required field (expected a string)' : 'expected a string', path: `$.${field}` };
  }
  if (typeof r['t'] !== 'number') return { ok: false, reason: 'missing required field (expected a timestamp)', path: '$.t' };
  if (typeof r['v'] !== 'number') return { ok: false, reason: 'expected a number', path: '$.v' };
  return { ok: true, value: { id: r['id'] as string, t: r['t'], k: r['k'] as string, g: r['g'] as string, v: r['v'] } };
}

export interface FixtureOptions {
  readonly sourcePartitions?: number;
  readonly repartitions?: number;
  readonly idleTimeoutMs?: number | null;
  readonly boundMs?: number;
  /** Give `win` a late sink. */
  readonly lateSink?: boolean;
}

/**
 * src → dec → flt (v ≥ 0) → der (w = 2v) → rep (by g) ⇒hash⇒ win (keyed, event time) → snk
 *                                         der → part ⇒global⇒ fin (single) → snk
 *          dec ⇢rejected⇢ dl;   win ⇢late⇢ late (optional)
 */
export function fixtureTopology(options: FixtureOptions = {}): Topology {
  const base = { stage: 0, parallelism: 'partitioned' as const };
  const nodes: TopologyNode[] = [
    {
      ...base,
      kind: 'source',
      id: 'src',
      name: 'readings',
      connector: { connector: 'kafka', topic: 'readings', partitions: options.sourcePartitions ?? 2 },
      partitions: options.sourcePartitions ?? 2,
      key: (r: Reading) => r.k,
      eventTime: (r: Reading) => r.t,
      watermark: { kind: 'boundedOutOfOrderness', maxOutOfOrdernessMs: options.boundMs ?? 0, idleTimeoutMs: options.idleTimeoutMs === undefined ? 1000 : options.idleTimeoutMs },
    },
    { ...base, kind: 'decode', id: 'dec', name: 'readings', schema: 'Reading', decode: () => ({ ok: false, reason: 'unused', path: '$' }), decodeText: decodeReading, deadLetter: 'dl' },
    { ...base, kind: 'deadLetter', id: 'dl', name: 'readings', connector: { connector: 'log' }, source: 'readings' },
    { ...base, kind: 'filter', id: 'flt', name: 'positive', predicate: (r: Reading) => r.v >= 0 },
    { ...base, kind: 'derive', id: 'der', name: 'positive', derive: (r: Reading): Doubled => ({ ...r, w: r.v * 2 }) },
    { ...base, kind: 'repartition', id: 'rep', name: 'positive', topic: 'fixture-rep', key: (r: Doubled) => r.g, partitions: options.repartitions ?? 3 },
    windowNode('win', 'per_group', 1, 'partitioned', 'single', null),
    windowNode('part', 'total', 0, 'partitioned', 'partial', 'fin'),
    windowNode('fin', 'total', 1, 'single', 'final', 'part'),
    {
      kind: 'sink',
      id: 'snk',
      name: 'out',
      stage: 1,
      parallelism: 'partitioned',
      role: 'emit',
      connector: { connector: 'log' },
      inputs: [
        { stream: 'per_group', node: 'win', tags: [], fields: [], time: null },
        { stream: 'total', node: 'fin', tags: [], fields: [], time: null },
      ],
    },
  ];
  const edges: Topology['edges'][number][] = [
    { from: 'src', to: 'dec', partitioning: 'forward', output: 'main' },
    { from: 'dec', to: 'dl', partitioning: 'forward', output: 'rejected' },
    { from: 'dec', to: 'flt', partitioning: 'forward', output: 'main' },
    { from: 'flt', to: 'der', partitioning: 'forward', output: 'main' },
    { from: 'der', to: 'rep', partitioning: 'forward', output: 'main' },
    { from: 'rep', to: 'win', partitioning: 'hash', output: 'main' },
    { from: 'der', to: 'part', partitioning: 'forward', output: 'main' },
    { from: 'part', to: 'fin', partitioning: 'global', output: 'main' },
    { from: 'win', to: 'snk', partitioning: 'forward', output: 'main' },
    { from: 'fin', to: 'snk', partitioning: 'forward', output: 'main' },
  ];
  if (options.lateSink === true) {
    nodes.push({ kind: 'sink', id: 'late', name: 'per_group', stage: 1, parallelism: 'partitioned', role: 'late', connector: { connector: 'log' }, inputs: [{ stream: 'per_group', node: 'win', tags: [], fields: [], time: null }] });
    edges.push({ from: 'win', to: 'late', partitioning: 'forward', output: 'late' });
  }
  return { pipeline: 'fixture', nodes, edges, internalTopics: [] };
}

function windowNode(id: string, name: string, stage: number, parallelism: 'partitioned' | 'single', phase: 'single' | 'partial' | 'final', peer: string | null): TopologyNode {
  const common = {
    kind: 'windowAggregate' as const,
    id,
    name,
    stage,
    parallelism,
    window: { kind: 'tumbling' as const, sizeMs: 10 },
    time: 'event' as const,
    latenessMs: 0,
    earlyFiringMs: null,
    changelogTopic: `fixture-${id}-changelog`,
    aggregates: {},
  };
  switch (phase) {
    case 'single':
      return { ...common, phase, groupKey: null, finish: () => null, alert: null };
    case 'partial':
      return { ...common, phase, peer: peer ?? '' };
    case 'final':
      return { ...common, phase, peer: peer ?? '', finish: () => null, alert: null };
  }
}

/** What a Recorder saw, in order. */
export type Event =
  | { readonly kind: 'batch'; readonly node: string; readonly partition: number; readonly records: readonly StreamRecord<unknown>[] }
  | { readonly kind: 'watermark'; readonly node: string; readonly timestamp: number; readonly seen: number }
  | { readonly kind: 'timer'; readonly node: string; readonly timer: Timer; readonly now: number; readonly watermark: number }
  | { readonly kind: 'snapshot' | 'restore' | 'release'; readonly node: string; readonly partition: number; readonly count?: number };

/**
 * A stand-in window processor: counts records per partition in a StateStore (so checkpoints carry
 * state), emits `{ node, partition, count }` on every watermark that finds records, sends records
 * at or below its watermark to the late output, and registers the timers a record asks for
 * (`v === 100`: an event-time timer at t + 5, `v === 200`: a processing-time timer 50 ms on).
 */
export class Recorder implements Processor<unknown, unknown> {
  private readonly watermarks = new Map<number, number>();
  handles: TimerHandle[] = [];

  constructor(
    readonly id: string,
    readonly log: Event[],
  ) {}

  init(): void {}

  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    this.log.push({ kind: 'batch', node: this.id, partition: batch.partition, records: batch.records });
    const store = this.store(batch.partition, context);
    const watermark = context.clock.watermark();
    for (const record of batch.records) {
      if (record.timestamp <= watermark && this.id === 'win') {
        context.emitLate(record);
        context.metrics.late(1);
        continue;
      }
      store.put('count', (store.get('count') ?? 0) + 1);
      const value = record.value as Partial<Reading>;
      if (value.v === 100) this.handles.push(context.clock.setTimer({ domain: 'event', at: record.timestamp + 5, key: String(batch.partition), tag: 'event' }));
      if (value.v === 200) this.handles.push(context.clock.setTimer({ domain: 'processing', at: context.clock.now() + 50, key: String(batch.partition), tag: 'processing' }));
    }
  }

  onWatermark(watermark: Watermark, context: OperatorContext<unknown>): void {
    this.log.push({ kind: 'watermark', node: this.id, timestamp: watermark.timestamp, seen: context.clock.watermark() });
    const out: StreamRecord<unknown>[] = [];
    for (const partition of context.partitions()) {
      const count = this.store(partition, context).get('count') ?? 0;
      this.watermarks.set(partition, watermark.timestamp);
      if (count > 0) out.push({ key: String(partition), value: { node: this.id, partition, count }, timestamp: watermark.timestamp, partition });
    }
    if (out.length > 0) context.emit({ partition: out[0]?.partition ?? 0, records: out });
  }

  onTimer(timer: Timer, context: OperatorContext<unknown>): void {
    this.log.push({ kind: 'timer', node: this.id, timer, now: context.clock.now(), watermark: context.clock.watermark() });
  }

  snapshot(partition: number, context: OperatorContext<unknown>): OperatorCheckpoint {
    const store = this.store(partition, context);
    this.log.push({ kind: 'snapshot', node: this.id, partition, count: store.get('count') ?? 0 });
    return { nodeId: this.id, partition, stores: [store.snapshot()], watermark: this.watermarks.get(partition) ?? MIN_WATERMARK };
  }

  restore(checkpoint: OperatorCheckpoint, context: OperatorContext<unknown>): void {
    const store = this.store(checkpoint.partition, context);
    const snapshot = checkpoint.stores[0];
    if (snapshot !== undefined) store.restore(snapshot as StateSnapshot<number>);
    this.log.push({ kind: 'restore', node: this.id, partition: checkpoint.partition, count: store.get('count') ?? 0 });
  }

  release(partition: number): void {
    this.log.push({ kind: 'release', node: this.id, partition });
  }

  close(): void {}

  private store(partition: number, context: OperatorContext<unknown>): StateStore<number> {
    return context.state<number>({ name: `${this.id}-counts`, changelogTopic: `fixture-${this.id}` }, partition);
  }
}

export function recorders(log: Event[]): OperatorFactory {
  return { createProcessor: (node) => new Recorder(node.id, log) };
}

/** A clock that moves when told. */
export class TestClock implements Clock {
  constructor(public time: EpochMillis = 0) {}
  now(): EpochMillis {
    return this.time;
  }
  watermark(): EpochMillis {
    return MIN_WATERMARK;
  }
  setTimer(): TimerHandle {
    throw new Error('the engine keeps timers itself');
  }
  cancelTimer(): void {}
}

/** A source over in-memory partitions whose poll returns what is queued, and records every call. */
export class QueueSource implements Source {
  readonly calls: string[] = [];
  readonly queued: SourceRecord[] = [];
  readonly sought: PartitionOffset[] = [];
  readonly committed: PartitionOffset[][] = [];
  listener: RebalanceListener | null = null;
  private readonly owned = new Set<number>();

  constructor(
    readonly name: string,
    readonly partitions: number,
    private readonly journal: string[] = [],
  ) {}

  async subscribe(_group: string, listener: RebalanceListener): Promise<void> {
    this.listener = listener;
    await this.assign(Array.from({ length: this.partitions }, (_, p) => p));
  }

  assignment(): readonly TopicPartition[] {
    return [...this.owned].map((partition) => ({ topic: 'readings', partition }));
  }

  poll(options: PollOptions): Promise<readonly SourceRecord[]> {
    const out = this.queued.splice(0, options.maxRecords).filter((r) => this.owned.has(r.partition));
    return Promise.resolve(out);
  }

  commit(positions: readonly PartitionOffset[]): Promise<void> {
    this.journal.push('commit');
    this.committed.push([...positions]);
    return Promise.resolve();
  }

  seek(position: PartitionOffset): void {
    this.sought.push(position);
  }

  pause(): void {}
  resume(): void {}

  async close(): Promise<void> {
    this.journal.push('source.close');
    await this.revoke([...this.owned]);
  }

  async assign(partitions: readonly number[]): Promise<void> {
    for (const p of partitions) this.owned.add(p);
    await this.listener?.onPartitionsAssigned(partitions.map((partition) => ({ topic: 'readings', partition })));
  }

  async revoke(partitions: readonly number[]): Promise<void> {
    await this.listener?.onPartitionsRevoked(partitions.map((partition) => ({ topic: 'readings', partition })));
    for (const p of partitions) this.owned.delete(p);
  }

  async lose(partitions: readonly number[]): Promise<void> {
    await this.listener?.onPartitionsLost(partitions.map((partition) => ({ topic: 'readings', partition })));
    for (const p of partitions) this.owned.delete(p);
  }
}

/** A sink that keeps what it was given and notes flushes in a shared journal. */
export class JournalSink implements Sink {
  readonly records: SinkRecord<unknown>[] = [];
  constructor(
    readonly name: string,
    private readonly journal: string[],
  ) {}
  open(): Promise<void> {
    this.journal.push(`open ${this.name}`);
    return Promise.resolve();
  }
  write(records: readonly SinkRecord<unknown>[]): void {
    this.records.push(...records);
  }
  flush(): Promise<void> {
    this.journal.push(`flush ${this.name}`);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.journal.push(`close ${this.name}`);
    return Promise.resolve();
  }
}

/** Checkpoints kept as they were given (the engine's cut), with the journal noting saves. */
export class JournalStorage implements CheckpointStorage {
  readonly saved: Checkpoint[] = [];
  constructor(private readonly journal: string[]) {}
  save(checkpoint: Checkpoint): Promise<void> {
    this.journal.push('save');
    this.saved.push(structuredClone(checkpoint));
    return Promise.resolve();
  }
  loadLatest(): Promise<Checkpoint | null> {
    return Promise.resolve(this.saved[this.saved.length - 1] ?? null);
  }
}

export function localStores(): { createStore<V>(spec: { name: string }, partition: number): StateStore<V> } {
  return { createStore: <V>(spec: { name: string }, partition: number) => new LocalStateStore<V>(spec.name, partition) };
}

let offsets = new Map<number, number>();

/** A raw record of `readings` on `partition` (offsets count up per partition; `resetOffsets` restarts them). */
export function raw(partition: number, value: Partial<Reading> | string, extra: Partial<SourceRecord> = {}): SourceRecord {
  const offset = offsets.get(partition) ?? 0;
  offsets.set(partition, offset + 1);
  return { topic: 'readings', partition, offset, key: null, value: typeof value === 'string' ? value : JSON.stringify(value), timestamp: 0, headers: [], ...extra };
}

export function resetOffsets(): void {
  offsets = new Map();
}

export function reading(id: string, t: number, g = 'a', v = 1, k = 'x'): Reading {
  return { id, t, k, g, v };
}

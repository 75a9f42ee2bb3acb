// TopologyTestDriver: runs a compiled topology in-process, in the spirit of Kafka Streams' test
// driver. Records are piped into an in-memory log and straight through the real engine; time is a
// virtual clock that moves only when the test says so; outputs (sinks, named streams, late outputs,
// dead letters) are captured. No broker, no wall-clock waits, no promises between a pipe and its
// results: `pipe` returns once everything it caused has been emitted.
//
// Checkpoints and restarts go through the engine's real path (snapshot → checkpoint storage in the
// on-disk format → restore → seek). `restart()` simulates a crash: the engine is dropped without a
// last checkpoint, a new one restores the latest checkpoint and the records after it are replayed.
// By default they are replayed in the steps they were originally piped in, interleaved with the
// same clock and watermark moves (the clock is rewound to the checkpoint), so a restart must
// reproduce exactly what an uninterrupted run emits; `replay: 'bulk'` instead feeds all of them at
// once at the current time, as a real consumer catching up would.
import type {
  Checkpoint,
  CheckpointStorage,
  DeadLetterRecord,
  EpochMillis,
  JsonTextDecoder,
  RecordBatch,
  SinkRecord,
  SourceNode,
  SourceRecord,
  StreamRecord,
  Topology,
  TopologyNode,
} from '../api/index.ts';
import { ManualClock } from '../adapters/embedded/clock.ts';
import { LocalStateStore } from '../adapters/embedded/state-store.ts';
import { Engine, type EngineCounters } from '../engine/engine.ts';
import { MAX_AHEAD_MS, type EventTimeBounds } from '../engine/event-times.ts';
import type { OperatorFactory } from '../engine/factories.ts';
import { partitionForKey } from '../engine/partitioner.ts';
import type { FlowcMetrics } from '../metrics/registry.ts';
import { CaptureSink, MemoryCheckpointStorage, TestSource, TestTopic } from './memory.ts';

/** A record as the driver reports it: the stream (or sink input) it belongs to, key, value, time. */
export type TestRecord<T = unknown> = SinkRecord<T>;

export interface TestDriverOptions {
  /** Processing time at the start. Default 0. */
  readonly startTime?: EpochMillis;
  /** Partitions per source (by source name); default: the source node's partition count, or 1. */
  readonly partitions?: Readonly<Record<string, number>>;
  /** Processors for window and pattern nodes, asked before the defaults. */
  readonly operators?: OperatorFactory | readonly OperatorFactory[];
  /** Where checkpoints go; in memory (in the on-disk format) by default. */
  readonly checkpoints?: CheckpointStorage;
  readonly metrics?: FlowcMetrics;
  /**
   * Which event times the engine accepts (`EngineOptions.eventTimeBounds`); the others are dead
   * letters (`invalid_timestamp`). Default `TEST_EVENT_TIME_BOUNDS`: at most 1 day ahead of the
   * partition's newest accepted event time; no lower bound (tests may use small times, the clock
   * starts at 0) and the virtual clock left out (it says nothing about the event times a test
   * pipes). `{ horizonFrom: 'events' }` adds the 2000-01-01 bound; `{}`: exactly the engine's
   * defaults; `null`: no check.
   */
  readonly eventTimeBounds?: EventTimeBounds | null;
}

/** The driver's default event-time bounds (see `TestDriverOptions.eventTimeBounds`). */
export const TEST_EVENT_TIME_BOUNDS: EventTimeBounds = { earliest: null, maxAheadMs: MAX_AHEAD_MS, horizonFrom: 'events' };

export interface PipeOptions {
  /** The partition to append to; default: the partition of the record's key (Kafka's partitioner). */
  readonly partition?: number;
  /** The record key; default: the source's `key by` applied to the decoded record. */
  readonly key?: string | null;
  /** The log append time; default: the driver's processing time. */
  readonly timestamp?: EpochMillis;
}

export interface RestartOptions {
  /**
   * How records after the checkpoint are replayed: `steps` (default) as they were piped, with the
   * same clock and watermark moves in between; `bulk` all at once, at the current time.
   */
  readonly replay?: 'steps' | 'bulk';
  /** Stop the engine cleanly first (a last checkpoint, nothing to replay) instead of crashing it. */
  readonly graceful?: boolean;
}

/** What happened since the last checkpoint, to replay after a crash. */
type Step =
  | { readonly kind: 'pipe'; readonly source: string; readonly records: readonly SourceRecord[] }
  | { readonly kind: 'time'; readonly to: EpochMillis }
  | { readonly kind: 'watermark'; readonly source: string; readonly partition: number | null; readonly to: EpochMillis };

/** The streams a topology names, with the node whose output is each stream. */
function streamOutputs(topology: Topology): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of topology.nodes) {
    if (isStreamNode(node)) out.set(node.name, node.id);
  }
  return out;
}

function isStreamNode(node: TopologyNode): boolean {
  switch (node.kind) {
    case 'decode':
    case 'filter':
    case 'derive':
    case 'keyBy':
    case 'union':
    case 'pattern':
      return true;
    case 'windowAggregate':
      return node.phase !== 'partial';
    default:
      return false;
  }
}

export class TopologyTestDriver {
  readonly topology: Topology;
  private readonly options: TestDriverOptions;
  private readonly storage: CheckpointStorage;
  private readonly topics = new Map<string, TestTopic>();
  private readonly sourceNodes = new Map<string, SourceNode<unknown>>();
  private readonly streams: Map<string, string>;
  private readonly sinkIds = new Map<string, string>();
  private readonly sinkOutputs = new Map<string, SinkRecord<unknown>[]>();
  private readonly streamRecords = new Map<string, TestRecord[]>();
  private readonly lateRecords = new Map<string, TestRecord[]>();
  private readonly deadLetterRecords: DeadLetterRecord[] = [];
  private journal: Step[] = [];
  /** Processing time of the last checkpoint (or of the start), where a crash replay starts. */
  private checkpointTime: EpochMillis;
  private clockValue: ManualClock;
  private engineValue: Engine;
  private sources = new Map<string, TestSource>();
  /** Each source's decoder, to find a piped record's key. */
  private readonly decoders = new Map<string, JsonTextDecoder<unknown> | null>();

  private constructor(topology: Topology, options: TestDriverOptions) {
    this.topology = topology;
    this.options = options;
    this.storage = options.checkpoints ?? new MemoryCheckpointStorage();
    const start = options.startTime ?? 0;
    this.checkpointTime = start;
    this.clockValue = new ManualClock({ start });
    for (const node of topology.nodes) {
      if (node.kind === 'source') {
        this.sourceNodes.set(node.name, node);
        const partitions = options.partitions?.[node.name] ?? node.partitions ?? 1;
        this.topics.set(node.name, new TestTopic(node.name, partitions));
      } else if (node.kind === 'sink' || node.kind === 'deadLetter') {
        this.sinkOutputs.set(node.id, []);
        this.sinkIds.set(node.id, node.id);
        if (node.kind === 'sink' && !this.sinkIds.has(node.name)) this.sinkIds.set(node.name, node.id);
      }
    }
    this.streams = streamOutputs(topology);
    for (const name of this.streams.keys()) this.streamRecords.set(name, []);
    this.engineValue = this.newEngine();
  }

  /** A driver with its engine started (checkpoint restored, partitions assigned). */
  static async create(topology: Topology, options: TestDriverOptions = {}): Promise<TopologyTestDriver> {
    const driver = new TopologyTestDriver(topology, options);
    await driver.engineValue.start();
    return driver;
  }

  /** The engine currently running (a new one after each `restart`). */
  get engine(): Engine {
    return this.engineValue;
  }

  /** Processing time. */
  now(): EpochMillis {
    return this.clockValue.now();
  }

  // ───────────────────────────── input ─────────────────────────────

  /**
   * Appends records to `source`'s log and runs them through the topology. A record is raw JSON
   * text (sent as is, malformed or not) or a value (sent as its JSON); an array is a list of records.
   */
  pipe(source: string, input: unknown, options: PipeOptions = {}): void {
    const topic = this.topicOf(source);
    const node = this.sourceNodes.get(source) as SourceNode<unknown>;
    const values: readonly unknown[] = Array.isArray(input) ? input : [input];
    const now = this.now();
    const records: SourceRecord[] = [];
    for (const value of values) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const key = options.key !== undefined ? options.key : this.keyOf(node, text);
      const partition = options.partition ?? partitionForKey(key, topic.partitionCount);
      records.push(topic.append({ partition, key, value: text, timestamp: options.timestamp ?? now, headers: [] }));
    }
    this.journal.push({ kind: 'pipe', source, records });
    // Records of partitions the engine does not own (revoked) wait in the log until assigned back.
    const test = this.sourceOf(source);
    const owned = records.every((r) => test.isAssigned(r.partition)) ? records : records.filter((r) => test.isAssigned(r.partition));
    if (owned.length > 0) this.engineValue.ingest(source, owned);
  }

  /**
   * Raises the watermark of a source partition (of all its partitions when `partition` is omitted)
   * to `toEventTime`, as if records had shown that much progress. `advanceWatermark(source, t)` or
   * `advanceWatermark(source, partition, t)`.
   */
  advanceWatermark(source: string, partitionOrTime: number | null | undefined, toEventTime?: EpochMillis): void {
    const partition = toEventTime === undefined ? null : (partitionOrTime ?? null);
    const to = toEventTime === undefined ? (partitionOrTime as number) : toEventTime;
    this.topicOf(source);
    this.journal.push({ kind: 'watermark', source, partition, to });
    this.engineValue.advanceWatermark(source, partition, to);
  }

  /**
   * Moves processing time forward by `ms`. Timers and idle timeouts due on the way fire at their own
   * time, in order, with the clock set to it.
   */
  advanceTime(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move time by ${ms} ms`);
    const to = this.now() + ms;
    this.journal.push({ kind: 'time', to });
    this.runClockTo(to);
  }

  // ───────────────────────────── output ─────────────────────────────

  /**
   * Records emitted so far by a sink (by node id, `sink.dashboard`, or name, `dashboard`) or by a
   * named stream (`page_views`, `sessions`, `checkout_abandoned`), in emission order; re-emissions
   * and early firings included. The value type is the caller's claim, unchecked.
   */
  output<T = unknown>(name: string): TestRecord<T>[] {
    return [...(this.outputList(name) as TestRecord<T>[])];
  }

  /**
   * The final table of `output(name)`: the latest record per row — its `rowKey` (window and session
   * results: key and bounds, key and start), else its (key, time) — leaving out rows whose last
   * change deletes them (`-D`) and skipping `-U` (the old value of an update, whose `+U` follows):
   * what an upsert sink (InfluxDB, the dashboard, a compacted topic) holds in the end.
   */
  table<T = unknown>(name: string): Map<string, TestRecord<T>> {
    const table = new Map<string, TestRecord<T>>();
    for (const record of this.outputList(name) as TestRecord<T>[]) {
      if (record.change === '-U') continue;
      const row = record.rowKey === undefined ? `${record.stream}\u0000${record.key ?? ''}\u0000${record.timestamp}` : `${record.stream}\u0000${record.rowKey}`;
      if (record.change === '-D') table.delete(row);
      else table.set(row, record);
    }
    return table;
  }

  /** Names `output` accepts: streams, sink ids and sink names. */
  outputNames(): string[] {
    return [...new Set([...this.streams.keys(), ...this.sinkIds.keys()])].sort();
  }

  /** Records that failed to decode (of one source, or all), with their reasons. */
  deadLetters(source?: string): DeadLetterRecord[] {
    return this.deadLetterRecords.filter((letter) => source === undefined || letter.source === source);
  }

  /** Records aggregate or pattern `name` sent to its late output (past its allowed lateness). */
  late<T = unknown>(name: string): TestRecord<T>[] {
    return [...((this.lateRecords.get(name) ?? []) as TestRecord<T>[])];
  }

  counters(): EngineCounters {
    return this.engineValue.counters();
  }

  /** The watermark of a source (by name) or a node (by plan node id). */
  watermark(nodeOrSource: string): EpochMillis {
    return this.engineValue.watermark(nodeOrSource);
  }

  /** Offsets committed by the group for `source`, by partition. */
  committed(source: string): Map<number, number> {
    return new Map(this.topicOf(source).committed);
  }

  // ───────────────────────────── checkpoints, restarts, rebalances ─────────────────────────────

  /** Takes a checkpoint (state, sink flush, offsets committed); a crash replays from here. */
  async checkpoint(): Promise<Checkpoint> {
    const checkpoint = await this.engineValue.checkpoint();
    this.journal = [];
    this.checkpointTime = this.now();
    return checkpoint;
  }

  /**
   * Replaces the engine by a new one restored from the latest checkpoint, as after a crash (or,
   * with `graceful`, after a clean stop). Records read after the checkpoint are replayed.
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    const replay = options.replay ?? 'steps';
    if (options.graceful === true) {
      await this.engineValue.stop();
      this.journal = [];
      this.checkpointTime = this.now();
      this.engineValue = this.newEngine();
      await this.engineValue.start();
      return;
    }
    const steps = this.journal;
    const now = this.now();
    if (replay === 'steps') this.clockValue = new ManualClock({ start: this.checkpointTime });
    this.engineValue = this.newEngine();
    await this.engineValue.start();
    if (replay === 'steps') {
      for (const step of steps) this.replayStep(step);
      if (this.now() < now) this.runClockTo(now);
      return;
    }
    for (const [name, source] of this.sources) {
      const topic = this.topicOf(name);
      const records: SourceRecord[] = [];
      for (let p = 0; p < topic.partitionCount; p++) {
        if (source.isAssigned(p)) records.push(...topic.from(p, source.resumeAt(p)));
      }
      if (records.length > 0) this.engineValue.ingest(name, records);
    }
    this.engineValue.tick();
  }

  /** Revokes partitions of `source` from the engine (it checkpoints, then releases their state). */
  async revoke(source: string, partitions: readonly number[]): Promise<void> {
    await this.sourceOf(source).revoke(partitions);
  }

  /** Assigns partitions of `source` back (their state is restored from the latest checkpoint). */
  async assign(source: string, partitions: readonly number[]): Promise<void> {
    const test = this.sourceOf(source);
    await test.assign(partitions);
    // Records after the restored position were not processed by this engine: catch up on them.
    const topic = this.topicOf(source);
    const records: SourceRecord[] = [];
    for (const p of partitions) records.push(...topic.from(p, test.resumeAt(p)));
    if (records.length > 0) this.engineValue.ingest(source, records);
  }

  /** Stops the engine cleanly (a last checkpoint). */
  async close(): Promise<void> {
    await this.engineValue.stop();
  }

  // ───────────────────────────── internals ─────────────────────────────

  private newEngine(): Engine {
    const sources = new Map<string, TestSource>();
    this.sources = sources;
    const engine = new Engine({
      topology: this.topology,
      clock: this.clockValue,
      checkpoints: this.storage,
      checkpointIntervalMs: null,
      eventTimeBounds: this.options.eventTimeBounds === undefined ? TEST_EVENT_TIME_BOUNDS : this.options.eventTimeBounds,
      ...(this.options.operators === undefined ? {} : { operators: this.options.operators }),
      ...(this.options.metrics === undefined ? {} : { metrics: this.options.metrics }),
      stateStores: { createStore: (spec, partition) => new LocalStateStore(spec.name, partition) },
      sources: {
        createSource: (node) => {
          const source = new TestSource(node.name, this.topicOf(node.name));
          sources.set(node.name, source);
          return source;
        },
      },
      sinks: {
        createSink: (node) => new CaptureSink(node.id, this.sinkOutputs.get(node.id) as SinkRecord<unknown>[]),
      },
    });
    for (const [stream, nodeId] of this.streams) {
      const into = this.streamRecords.get(stream) as TestRecord[];
      engine.onOutput(nodeId, (batch) => capture(batch, stream, into));
    }
    for (const node of this.topology.nodes) {
      if (node.kind === 'windowAggregate' || node.kind === 'pattern') {
        let into = this.lateRecords.get(node.name);
        if (into === undefined) {
          into = [];
          this.lateRecords.set(node.name, into);
        }
        const list = into;
        engine.onLate(node.id, (batch) => capture(batch, node.name, list));
      } else if (node.kind === 'decode') {
        engine.onDeadLetter(node.id, (letter) => this.deadLetterRecords.push(letter));
      }
    }
    return engine;
  }

  private replayStep(step: Step): void {
    switch (step.kind) {
      case 'pipe': {
        const source = this.sourceOf(step.source);
        const records = step.records.filter((r) => source.isAssigned(r.partition) && r.offset >= source.resumeAt(r.partition));
        if (records.length > 0) this.engineValue.ingest(step.source, records);
        return;
      }
      case 'time':
        this.runClockTo(step.to);
        return;
      case 'watermark':
        this.engineValue.advanceWatermark(step.source, step.partition, step.to);
        return;
    }
  }

  /** Moves the clock to `to`, stopping at every deadline on the way so that each fires at its time. */
  private runClockTo(to: EpochMillis): void {
    const clock = this.clockValue;
    const engine = this.engineValue;
    for (let guard = 0; ; guard++) {
      const next = engine.nextDeadline();
      if (next === null || next > to) break;
      if (next > clock.now()) clock.advanceTo(next);
      engine.tick();
      if (guard > 10_000_000) throw new Error('timers keep firing at the same instant');
    }
    if (to > clock.now()) clock.advanceTo(to);
    engine.tick();
  }

  private keyOf(node: SourceNode<unknown>, text: string): string | null {
    if (node.key === null) return null;
    let decode = this.decoders.get(node.name);
    if (decode === undefined) {
      const found = this.topology.nodes.find((n) => n.kind === 'decode' && this.topology.edges.some((e) => e.from === node.id && e.to === n.id));
      decode = found !== undefined && found.kind === 'decode' ? found.decodeText : null;
      this.decoders.set(node.name, decode);
    }
    if (decode === null) return null;
    const result = decode(text);
    return result.ok ? node.key(result.value) : null;
  }

  private outputList(name: string): readonly TestRecord[] {
    const sinkId = this.sinkIds.get(name);
    if (sinkId !== undefined && name === sinkId) return this.sinkOutputs.get(sinkId) as SinkRecord<unknown>[];
    const stream = this.streamRecords.get(name);
    if (stream !== undefined) return stream;
    if (sinkId !== undefined) return this.sinkOutputs.get(sinkId) as SinkRecord<unknown>[];
    throw new Error(`${this.topology.pipeline} has no stream or sink named ${name} (known: ${this.outputNames().join(', ')})`);
  }

  private topicOf(source: string): TestTopic {
    const topic = this.topics.get(source);
    if (topic === undefined) throw new Error(`${this.topology.pipeline} has no source ${source} (sources: ${[...this.topics.keys()].join(', ')})`);
    return topic;
  }

  private sourceOf(source: string): TestSource {
    const test = this.sources.get(source);
    if (test === undefined) throw new Error(`${this.topology.pipeline} has no source ${source}`);
    return test;
  }
}

function capture(batch: RecordBatch<unknown>, stream: string, into: TestRecord[]): void {
  const records = batch.records;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as StreamRecord<unknown>;
    const captured: TestRecord = { stream, key: record.key, value: record.value, timestamp: record.timestamp };
    into.push(record.change === undefined ? captured : { ...captured, change: record.change, ...(record.rowKey === undefined ? {} : { rowKey: record.rowKey }) });
  }
}

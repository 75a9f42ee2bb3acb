// The execution engine: runs a compiled Topology.
//
//   sources ─poll→ ingest (per partition: decode → operators, depth-first, batch by batch)
//           ─→ watermarks (per source partition → per node, in topological order)
//           ─→ timers (event time with the watermarks, processing time with the clock)
//           ─→ checkpoints (snapshot every owned partition → flush sinks → write → commit offsets)
//
// One instance of each plan node's processor serves all the partitions this engine owns (the
// OperatorContext tells it which). Stateless operators are built in (builtins/); window and pattern
// processors come from OperatorFactories; sources, sinks, state stores and checkpoint storage come
// from the adapter set's factories, so embedded, Kafka and test runs share this one code path.
//
// The synchronous core (`ingest`, `tick`, `advanceWatermark`) is what the run loop calls after each
// poll, and what the TopologyTestDriver calls directly; nothing in it awaits, so a batch is never
// interleaved with another batch, a checkpoint or a rebalance.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  MAX_WATERMARK,
  MIN_WATERMARK,
  type Checkpoint,
  type CheckpointStorage,
  type Clock,
  type DeadLetterRecord,
  type EpochMillis,
  type OperatorCheckpoint,
  type PartitionOffset,
  type RecordBatch,
  type RebalanceListener,
  type Sink,
  type SinkFactory,
  type SourceFactory,
  type SourceNode,
  type SourceRecord,
  type StateStoreFactory,
  type StreamRecord,
  type TopicPartition,
  type Topology,
  type TopologyNode,
} from '../api/index.ts';
import type { Source } from '../api/index.ts';
import { FlowcMetrics, type PipelineMetrics, type SourceTime } from '../metrics/registry.ts';
import { DecodeProcessor } from './builtins/decode.ts';
import { DeadLetterWriter, SinkWriter } from './builtins/sinks.ts';
import { DeriveProcessor, FilterProcessor, KeyByProcessor, RepartitionProcessor, UnionProcessor } from './builtins/stateless.ts';
import { EventTimeCheck, type EventTimeBounds } from './event-times.ts';
import { isDelegated, type OperatorFactory } from './factories.ts';
import { defaultOperators } from './operators.ts';
import { EngineTotals, FORWARD, GLOBAL, GraphNode, HASH, type BatchListener, type NodeEnvironment, type Route } from './node.ts';
import { TimerHeap } from './timers.ts';
import { combinePartitions, SourceProgress, type PartitionProgress } from './watermarks.ts';

export interface EngineOptions {
  readonly topology: Topology;
  readonly sources: SourceFactory;
  readonly sinks: SinkFactory;
  readonly stateStores: StateStoreFactory;
  /** Processing time (`now()`); the engine keeps the operators' timers and watermarks itself. */
  readonly clock: Clock;
  /** Where checkpoints go; `null`: no checkpoints (sinks are still flushed, offsets never committed). */
  readonly checkpoints?: CheckpointStorage | null;
  /** Processors of window and pattern nodes, asked in order before the defaults (operators/windows, operators/cep). */
  readonly operators?: OperatorFactory | readonly OperatorFactory[];
  /** The metrics to report to; a private registry by default. */
  readonly metrics?: FlowcMetrics;
  /** The consumer group; `flowc-<pipeline>` by default. */
  readonly group?: string;
  /** Checkpoint every this many ms of processing time while `run` loops; `null`: only when asked and at `stop`. Default 10 s. */
  readonly checkpointIntervalMs?: number | null;
  /** Records per poll. Default 4096. */
  readonly maxPollRecords?: number;
  /** How long a poll may wait when nothing is buffered. Default 100 ms. */
  readonly pollTimeoutMs?: number;
  /** Partition count of a source whose node does not declare one (used for in-process repartitions). Default 1. */
  readonly defaultPartitions?: number;
  /**
   * Which event times the decode step accepts (sources with `event time`); the others are dead
   * letters, category `invalid_timestamp`, and never move a watermark. Default: not before
   * 2000-01-01T00:00:00Z, at most 1 day ahead of max(processing time, the partition's newest
   * accepted event time) (`event-times.ts`). `null`: every event time is accepted.
   */
  readonly eventTimeBounds?: EventTimeBounds | null;
  /**
   * Sinks the topology does not declare (a CLI's `--out` file, a dead-letter file), fed by the
   * caller through `onOutput` / `onDeadLetter` listeners: opened, flushed at every checkpoint
   * before it is saved, and closed, exactly as the declared sinks are.
   */
  readonly extraSinks?: readonly Sink[];
}

/** The figures of the status line. */
export interface EngineCounters {
  /** Records read from the sources, decodable or not. */
  readonly eventsIn: number;
  /** Records decoded successfully. */
  readonly decoded: number;
  /** Window results emitted by aggregates without an alert (early firings and re-emissions included). */
  readonly windowsEmitted: number;
  /** Alert records raised (aggregates with an alert, patterns). */
  readonly alerts: number;
  readonly deadLetters: number;
  /** Dead letters by reason category (`invalid_json`, `missing_field`, `not_an_object`, `invalid_field`, `invalid_timestamp`). */
  readonly deadLettersByReason: Readonly<Record<string, number>>;
  /** Records operators sent to their late output (past the allowed lateness). */
  readonly lateEvents: number;
  /** The smallest watermark of the event-time sources (`MIN_WATERMARK` before any). */
  readonly watermark: EpochMillis;
  /**
   * Processing time minus `watermark`: the largest `flowc_watermark_lag_seconds` of the sources, that
   * is the bounded out-of-orderness plus how far the input trails the clock (metrics/registry.ts);
   * `null` while the watermark is unknown and once every source has ended.
   */
  readonly watermarkLagMs: number | null;
  readonly checkpoints: number;
  readonly lastCheckpointId: number | null;
}

export type EngineState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A source node, its Source and its partitions' progress. */
interface SourceBinding {
  readonly node: SourceNode<unknown>;
  readonly graph: GraphNode;
  readonly progress: SourceProgress;
  readonly decodeNode: GraphNode;
  readonly decoder: DecodeProcessor;
  /** `maxOutOfOrdernessMs + 1`: a partition's watermark is its largest event time minus this; `null` without event time. */
  readonly watermarkSlack: number | null;
  /** Nodes whose partitions follow this source's assignment. */
  readonly followers: GraphNode[];
  source: Source | null;
  /** The bounded source reported `atEnd()`: its partitions' watermark went to `MAX_WATERMARK`. */
  ended: boolean;
}

/** The progress of a source partition inside a checkpoint: the source node's `OperatorCheckpoint`. */
const PROGRESS_STORE = 'source-progress';

export class Engine {
  readonly pipeline: string;
  readonly topology: Topology;
  readonly metrics: PipelineMetrics;
  readonly flowcMetrics: FlowcMetrics;
  private readonly clock: Clock;
  private readonly options: EngineOptions;
  private readonly totals = new EngineTotals();
  private readonly processingTimers = new TimerHeap();
  /** Every node, in topological order. */
  private readonly nodes: GraphNode[] = [];
  private readonly byId = new Map<string, GraphNode>();
  private readonly bindings: SourceBinding[] = [];
  private readonly bindingByName = new Map<string, SourceBinding>();
  private readonly sinks: Sink[] = [];
  /** Distinct sets of upstream sources; a node's watermark is computed once per set. */
  private readonly upstreamGroups: SourceProgress[][] = [];
  private groupWatermarks: number[] = [];
  private stateValue: EngineState = 'created';
  private restored: IndexedCheckpoint | null = null;
  private nextCheckpointId = 1;
  private lastCheckpointId: number | null = null;
  private lastCheckpointAt: EpochMillis = 0;
  private inflight: Promise<Checkpoint> | null = null;
  private loop: Promise<void> | null = null;
  private stopRequested = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.topology = options.topology;
    this.pipeline = options.topology.pipeline;
    this.clock = options.clock;
    this.flowcMetrics = options.metrics ?? new FlowcMetrics();
    this.metrics = this.flowcMetrics.pipeline(this.pipeline);
    this.build();
    for (const sink of options.extraSinks ?? []) this.sinks.push(sink);
  }

  get state(): EngineState {
    return this.stateValue;
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * Opens the sinks, initialises the processors, loads the latest checkpoint (restoring the
   * internal and single-instance operators), then joins the consumer group: partitions assigned to
   * this engine are restored from the checkpoint and their sources sought to its offsets.
   */
  async start(): Promise<void> {
    if (this.stateValue !== 'created') throw new Error(`engine of ${this.pipeline} already ${this.stateValue}`);
    this.stateValue = 'starting';
    await Promise.all(this.sinks.map((sink) => sink.open()));
    for (const node of this.nodes) {
      if (node.processor !== null) await node.processor.init(node);
    }
    const storage = this.options.checkpoints ?? null;
    const latest = storage === null ? null : await storage.loadLatest();
    if (latest !== null) {
      this.restored = indexCheckpoint(latest);
      this.nextCheckpointId = latest.id + 1;
      this.lastCheckpointId = latest.id;
      for (const node of this.nodes) {
        if (node.ownership === 'source' || !node.stateful) continue;
        for (const checkpoint of this.restored.byNode.get(node.id) ?? []) node.restore(checkpoint);
      }
    }
    const group = this.options.group ?? `flowc-${this.pipeline}`;
    for (const binding of this.bindings) {
      const source = this.options.sources.createSource(binding.node, this.pipeline);
      binding.source = source;
      await source.subscribe(group, this.listenerFor(binding));
    }
    this.lastCheckpointAt = this.clock.now();
    this.stateValue = 'running';
    this.metrics.declare(this.topology);
    this.metrics.sourceTimes(() => this.sourceTimes());
    this.propagate();
  }

  /**
   * Polls the sources until `stop`: each poll's records go through the graph, then timers and
   * watermarks advance, and a checkpoint is taken every `checkpointIntervalMs`. Resolves early when
   * every source is bounded and has returned everything (`Source.atEnd()`, see `step`); `stop`
   * still takes the last checkpoint and closes.
   */
  run(): Promise<void> {
    if (this.stateValue !== 'running') throw new Error(`engine of ${this.pipeline} is ${this.stateValue}, not running`);
    if (this.loop === null) this.loop = this.runLoop();
    return this.loop;
  }

  /**
   * One round over the sources (one poll each), then timers and watermarks. A bounded source that
   * reports `atEnd()` afterwards gets the watermark `MAX_WATERMARK` on all its partitions (once):
   * every window closes. Returns the records read.
   */
  async step(timeoutMs = 0): Promise<number> {
    let read = 0;
    const maxRecords = this.options.maxPollRecords ?? 4096;
    for (const binding of this.bindings) {
      const source = binding.source;
      if (source === null) continue;
      const records = await source.poll({ maxRecords, timeoutMs: this.bindings.length === 1 ? timeoutMs : 0 });
      if (records.length > 0) {
        this.ingestRecords(binding, records);
        read += records.length;
      }
    }
    this.tick();
    for (const binding of this.bindings) {
      if (binding.ended || binding.source?.atEnd?.() !== true) continue;
      binding.ended = true;
      this.advanceWatermark(binding.node.name, null, MAX_WATERMARK);
    }
    return read;
  }

  /** Whether `source` is bounded and has returned everything (its watermark is `MAX_WATERMARK`). */
  ended(source: string): boolean {
    return this.bindingOf(source).ended;
  }

  /** Stops polling, takes a last checkpoint, leaves the group, closes processors and sinks. */
  async stop(): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'stopping') return;
    const wasRunning = this.stateValue === 'running';
    this.stateValue = 'stopping';
    this.stopRequested = true;
    if (this.loop !== null) {
      try {
        await this.loop;
      } catch {
        // The loop's failure was reported to whoever awaited run(); shut down anyway.
      }
    }
    if (wasRunning) {
      if ((this.options.checkpoints ?? null) !== null) await this.checkpoint();
      else await Promise.all(this.sinks.map((sink) => sink.flush()));
    }
    for (const binding of this.bindings) await binding.source?.close();
    for (const node of this.nodes) {
      if (node.processor !== null) await node.processor.close(node);
      node.timers.clear();
    }
    await Promise.all(this.sinks.map((sink) => sink.close()));
    this.stateValue = 'stopped';
  }

  /**
   * Takes a checkpoint: snapshots every owned partition of every stateful operator and the
   * sources' progress (synchronously, a consistent cut), flushes the sinks, writes the checkpoint,
   * then commits the offsets. A call while one is in flight returns that one.
   */
  checkpoint(): Promise<Checkpoint> {
    if (this.inflight === null) {
      this.inflight = this.takeCheckpoint().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  // ───────────────────────────── synchronous core ─────────────────────────────

  /** Records read from `source` (any partitions this engine owns) go through the graph; watermarks follow. */
  ingest(source: string, records: readonly SourceRecord[]): void {
    this.ingestRecords(this.bindingOf(source), records);
    this.propagate();
  }

  /**
   * Fires the processing-time timers due by the clock, marks idle partitions, and advances the
   * watermarks. The run loop calls it after every poll; a driver calls it after moving its clock.
   */
  tick(): void {
    const now = this.clock.now();
    for (let entry = this.processingTimers.popDue(now); entry !== undefined; entry = this.processingTimers.popDue(now)) {
      entry.owner.fireTimer(entry);
    }
    for (const binding of this.bindings) binding.progress.tick(now);
    this.propagate();
  }

  /**
   * Raises the watermark of `source`'s partition (all its owned partitions when `partition` is
   * `null`) to `watermark`, as records with that much progress would, and advances the operators.
   */
  advanceWatermark(source: string, partition: number | null, watermark: EpochMillis): void {
    this.bindingOf(source).progress.advance(partition, watermark, this.clock.now());
    this.propagate();
  }

  /** The earliest processing time at which `tick` has something to do (a timer, a partition going idle), or `null`. */
  nextDeadline(): EpochMillis | null {
    let next: EpochMillis | null = this.processingTimers.peek()?.timer.at ?? null;
    for (const binding of this.bindings) {
      const idle = binding.progress.nextIdleAt();
      if (idle !== null && (next === null || idle < next)) next = idle;
    }
    return next;
  }

  // ───────────────────────────── observation ─────────────────────────────

  counters(): EngineCounters {
    let decoded = 0;
    for (const binding of this.bindings) decoded += binding.decodeNode.counters.out.total;
    const watermark = this.sourceWatermark();
    const now = this.clock.now();
    return {
      eventsIn: this.totals.eventsIn,
      decoded,
      windowsEmitted: this.totals.windowsEmitted,
      alerts: this.totals.alerts,
      deadLetters: this.totals.deadLetters,
      deadLettersByReason: Object.fromEntries(this.totals.deadLettersByReason),
      lateEvents: this.totals.lateEvents,
      watermark,
      watermarkLagMs: Number.isFinite(watermark) ? now - watermark : null,
      checkpoints: this.totals.checkpoints,
      lastCheckpointId: this.lastCheckpointId,
    };
  }

  /** The watermark of a node (by plan node id) or of a source (by name). */
  watermark(nodeOrSource: string): EpochMillis {
    const binding = this.bindingByName.get(nodeOrSource);
    if (binding !== undefined) return binding.progress.watermark();
    return this.nodeOf(nodeOrSource).watermark;
  }

  /** The offsets of the next records to read, per owned source partition (those known so far). */
  positions(source: string): PartitionOffset[] {
    const binding = this.bindingOf(source);
    const out: PartitionOffset[] = [];
    for (const progress of binding.progress.list) {
      if (progress.position !== null) out.push({ topic: topicOf(binding, progress), partition: progress.partition, offset: progress.position });
    }
    return out;
  }

  /** The partitions of `source` this engine owns. */
  assignment(source: string): readonly number[] {
    return this.bindingOf(source).progress.list.map((p) => p.partition);
  }

  /** Listens to the main output of node `nodeId` (every batch it emits). */
  onOutput(nodeId: string, listener: BatchListener | null): void {
    this.nodeOf(nodeId).mainListener = listener;
  }

  /** Listens to the late output of node `nodeId` (records past its allowed lateness). */
  onLate(nodeId: string, listener: BatchListener | null): void {
    this.nodeOf(nodeId).lateListener = listener;
  }

  /** Listens to the records node `nodeId` (a decoder) rejects, whether or not they go to a dead-letter sink. */
  onDeadLetter(nodeId: string, listener: ((letter: DeadLetterRecord) => void) | null): void {
    this.nodeOf(nodeId).deadLetterListener = listener;
  }

  /** The id of every node, in topological order. */
  nodeIds(): string[] {
    return this.nodes.map((n) => n.id);
  }

  // ───────────────────────────── internals ─────────────────────────────

  private async runLoop(): Promise<void> {
    const interval = this.options.checkpointIntervalMs === undefined ? 10_000 : this.options.checkpointIntervalMs;
    const pollTimeout = this.options.pollTimeoutMs ?? 100;
    while (!this.stopRequested) {
      const deadline = this.nextDeadline();
      const now = this.clock.now();
      const wait = deadline === null ? pollTimeout : Math.max(0, Math.min(pollTimeout, deadline - now));
      const started = performance.now();
      const read = await this.step(wait);
      if (this.bindings.length > 0 && this.bindings.every((b) => b.ended)) break;
      if (interval !== null && this.clock.now() - this.lastCheckpointAt >= interval && (this.options.checkpoints ?? null) !== null) {
        await this.checkpoint();
      }
      if (this.stopRequested) break;
      // Nothing came: rest for what is left of the wait (several sources are polled without
      // waiting, and a source may return at once). Either way, let the event loop run (I/O, the
      // /metrics and dashboard servers): resolved polls alone would never give it a turn.
      const rest = wait - (performance.now() - started);
      if (read === 0 && rest >= 1) await sleep(rest);
      else await yieldToEventLoop();
    }
  }

  private ingestRecords(binding: SourceBinding, records: readonly SourceRecord[]): void {
    const n = records.length;
    if (n === 0) return;
    const started = performance.now();
    const now = this.clock.now();
    const first = (records[0] as SourceRecord).partition;
    let onePartition = true;
    for (let i = 1; i < n; i++) {
      if ((records[i] as SourceRecord).partition !== first) {
        onePartition = false;
        break;
      }
    }
    if (onePartition) {
      this.ingestPartition(binding, first, records, now);
    } else {
      const byPartition = new Map<number, SourceRecord[]>();
      for (let i = 0; i < n; i++) {
        const record = records[i] as SourceRecord;
        const list = byPartition.get(record.partition);
        if (list === undefined) byPartition.set(record.partition, [record]);
        else list.push(record);
      }
      for (const [partition, list] of byPartition) this.ingestPartition(binding, partition, list, now);
    }
    binding.graph.counters.processingLatency(performance.now() - started);
  }

  private ingestPartition(binding: SourceBinding, partition: number, records: readonly SourceRecord[], now: EpochMillis): void {
    const progress = binding.progress.partition(partition);
    if (progress === undefined) {
      throw new Error(`records of ${binding.node.name} partition ${partition} reached the engine, which does not own that partition`);
    }
    const n = records.length;
    this.totals.eventsIn += n;
    binding.graph.enter(partition, n);
    binding.graph.counters.out.total += n;
    const decodeNode = binding.decodeNode;
    decodeNode.enter(partition, n);
    const decoded: StreamRecord<unknown>[] = [];
    const maxEventTime = binding.decoder.decodeBatch(partition, records, decodeNode, decoded, progress.maxEventTime);
    if (decoded.length > 0) this.deliverDecoded(binding, progress, { partition, records: decoded }, now);
    decodeNode.flushSideOutputs();
    const last = records[n - 1] as SourceRecord;
    progress.position = last.offset + 1;
    progress.topic = last.topic;
    binding.progress.observe(progress, maxEventTime, now);
  }

  /**
   * Sends a partition's decoded records downstream with the watermark each one is due: the
   * partition's watermark after the records before it (its largest event time so far minus the
   * bound), whatever the batch boundaries. The batch is cut only before a record at or below that
   * running watermark while a higher one than the operators have is pending: the partition's
   * progress is raised to the records before it and the watermarks are delivered (windows fire,
   * partitions ship) before it goes on. A record above the running watermark is on time for any
   * lower one, and nothing it touches can have fired in between (an operator's handling of an
   * on-time record does not depend on how far below it the watermark is), so in-order and
   * within-bound batches — the common case — travel whole. Dead letters were left out by the
   * decoder: they never move a watermark nor cause a cut.
   */
  private deliverDecoded(binding: SourceBinding, progress: PartitionProgress, batch: RecordBatch<unknown>, now: EpochMillis): void {
    const decodeNode = binding.decodeNode;
    const slack = binding.watermarkSlack;
    if (slack === null) {
      decodeNode.emit(batch);
      return;
    }
    const records = batch.records;
    const n = records.length;
    let max = progress.maxEventTime;
    let delivered = progress.watermark;
    let from = 0;
    for (let i = 0; i < n; i++) {
      const t = (records[i] as StreamRecord<unknown>).timestamp;
      if (t > max) {
        max = t;
        continue;
      }
      const watermark = max - slack;
      if (t > watermark || watermark <= delivered) continue;
      if (i > from) decodeNode.emit({ partition: batch.partition, records: records.slice(from, i) });
      from = i;
      binding.progress.observe(progress, max, now);
      this.propagate();
      delivered = progress.watermark;
    }
    decodeNode.emit(from === 0 ? batch : { partition: batch.partition, records: records.slice(from) });
  }

  /** Recomputes the node watermarks from the source partitions and delivers the raised ones, upstream first. */
  private propagate(): void {
    const groups = this.upstreamGroups;
    const values = this.groupWatermarks;
    for (let g = 0; g < groups.length; g++) values[g] = combinePartitions(groups[g] as SourceProgress[]);
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as GraphNode;
      const watermark = values[node.upstreamGroup] as number;
      if (watermark > node.watermark) node.advanceWatermark(watermark);
    }
  }

  private sourceWatermark(): EpochMillis {
    let min: EpochMillis | null = null;
    for (const binding of this.bindings) {
      if (binding.node.eventTime === null) continue;
      const watermark = binding.progress.watermark();
      if (min === null || watermark < min) min = watermark;
    }
    return min ?? MIN_WATERMARK;
  }

  /**
   * Where each event-time source stands, for the lag metrics (read when Prometheus scrapes; none
   * unless running, none for a source that has ended): its watermark, and its partitions' largest
   * event times combined as the watermark combines theirs (idle partitions left out, all idle: the
   * largest).
   */
  private sourceTimes(): SourceTime[] {
    if (this.stateValue !== 'running') return [];
    const now = this.clock.now();
    const times: SourceTime[] = [];
    for (const binding of this.bindings) {
      if (binding.node.eventTime === null || binding.ended) continue;
      let active = MAX_WATERMARK;
      let idle = MIN_WATERMARK;
      for (const progress of binding.progress.list) {
        if (!progress.idle) active = Math.min(active, progress.maxEventTime);
        else idle = Math.max(idle, progress.maxEventTime);
      }
      const newestEventTime = active !== MAX_WATERMARK ? active : idle;
      times.push({ nodeId: binding.node.id, now, watermark: binding.progress.watermark(), newestEventTime });
    }
    return times;
  }

  private async takeCheckpoint(): Promise<Checkpoint> {
    const started = performance.now();
    const startedAt = this.clock.now();
    const operators: OperatorCheckpoint[] = [];
    const offsets: PartitionOffset[] = [];
    for (const binding of this.bindings) {
      for (const progress of binding.progress.list) {
        operators.push(progressCheckpoint(binding, progress));
        if (progress.position !== null) offsets.push({ topic: topicOf(binding, progress), partition: progress.partition, offset: progress.position });
      }
    }
    for (const node of this.nodes) {
      if (!node.stateful) continue;
      for (const partition of node.partitions()) operators.push(node.snapshot(partition));
    }
    const checkpoint: Checkpoint = { id: this.nextCheckpointId++, startedAt, operators, offsets };
    this.lastCheckpointAt = startedAt;
    const storage = this.options.checkpoints ?? null;
    try {
      await Promise.all(this.sinks.map((sink) => sink.flush()));
      if (storage !== null) {
        await storage.save(checkpoint);
        for (const binding of this.bindings) {
          const source = binding.source;
          if (source === null) continue;
          const own = offsets.filter((o) => binding.progress.has(o.partition) && o.topic === topicOfPartition(binding, o.partition));
          if (own.length > 0) await source.commit(own);
        }
        this.lastCheckpointId = checkpoint.id;
        this.totals.checkpoints++;
      }
    } catch (error) {
      this.metrics.checkpointFailed();
      throw error;
    }
    this.metrics.checkpointCompleted(performance.now() - started);
    return checkpoint;
  }

  private listenerFor(binding: SourceBinding): RebalanceListener {
    return {
      onPartitionsAssigned: async (partitions: readonly TopicPartition[]): Promise<void> => {
        let checkpoint = this.restored;
        if (this.stateValue === 'running' && (this.options.checkpoints ?? null) !== null) {
          const latest = await (this.options.checkpoints as CheckpointStorage).loadLatest();
          checkpoint = latest === null ? null : indexCheckpoint(latest);
        }
        this.assign(binding, partitions, checkpoint);
      },
      onPartitionsRevoked: async (partitions: readonly TopicPartition[]): Promise<void> => {
        if (this.stateValue === 'running' && (this.options.checkpoints ?? null) !== null) await this.checkpoint();
        this.revoke(binding, partitions);
      },
      onPartitionsLost: (partitions: readonly TopicPartition[]): Promise<void> => {
        this.revoke(binding, partitions);
        return Promise.resolve();
      },
    };
  }

  private assign(binding: SourceBinding, partitions: readonly TopicPartition[], checkpoint: IndexedCheckpoint | null): void {
    const now = this.clock.now();
    for (const tp of partitions) {
      const progress = binding.progress.assign(tp.partition, now);
      progress.topic = tp.topic;
      if (checkpoint !== null) {
        const saved = checkpoint.get(binding.node.id, tp.partition);
        if (saved !== undefined) restoreProgress(progress, saved, now, idleTimeoutOf(binding.node));
        const offset = checkpoint.offset(tp.topic, tp.partition);
        if (offset !== undefined) {
          progress.position = offset;
          binding.source?.seek({ topic: tp.topic, partition: tp.partition, offset });
        }
      }
      for (const node of binding.followers) {
        if (node.isOwned(tp.partition)) continue;
        const saved = node.stateful && checkpoint !== null ? checkpoint.get(node.id, tp.partition) : undefined;
        if (saved !== undefined) node.restore(saved);
        else node.open(tp.partition);
      }
    }
    if (this.stateValue === 'running') this.propagate();
  }

  private revoke(binding: SourceBinding, partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      binding.progress.revoke(tp.partition);
      for (const node of binding.followers) {
        if (node.upstream.some((source) => source.has(tp.partition))) continue;
        node.release(tp.partition);
      }
    }
  }

  private bindingOf(source: string): SourceBinding {
    const binding = this.bindingByName.get(source);
    if (binding === undefined) throw new Error(`pipeline ${this.pipeline} has no source ${source} (sources: ${[...this.bindingByName.keys()].join(', ')})`);
    return binding;
  }

  private nodeOf(id: string): GraphNode {
    const node = this.byId.get(id);
    if (node === undefined) throw new Error(`pipeline ${this.pipeline} has no node ${id}`);
    return node;
  }

  /** Builds the graph: one GraphNode per plan node, processors, sinks, edges, ownership, upstream sources. */
  private build(): void {
    const topology = this.topology;
    const ordered = topologicalOrder(topology);
    const env: NodeEnvironment = {
      pipeline: this.pipeline,
      clock: this.clock,
      processingTimers: this.processingTimers,
      stateStores: this.options.stateStores,
      totals: this.totals,
    };
    ordered.forEach((node, order) => {
      const graphNode = new GraphNode(node, order, env, this.metrics.operator(node.id));
      this.nodes.push(graphNode);
      this.byId.set(node.id, graphNode);
    });
    const incoming = new Map<string, { from: GraphNode; crossing: boolean }[]>();
    for (const edge of topology.edges) {
      const from = this.nodeOf(edge.from);
      const to = this.nodeOf(edge.to);
      // A repartition node splits its batches by target partition itself: its hash edges pass them on.
      const route: Route = edge.partitioning === 'forward' ? FORWARD : edge.partitioning === 'global' ? GLOBAL : from.node.kind === 'repartition' ? FORWARD : HASH;
      const list = incoming.get(to.id) ?? [];
      list.push({ from, crossing: edge.partitioning !== 'forward' });
      incoming.set(to.id, list);
      const target = { node: to, route, port: portOf(to.node, from.node), partitions: this.partitionsOf(to.node, from.node) };
      if (edge.output === 'main') from.main.push(target);
      else if (edge.output === 'late') from.late.push(target);
      else from.rejected.push(target);
    }

    // Sources, ownership and upstream sources, in topological order.
    const groupKeys = new Map<string, number>();
    for (const graphNode of this.nodes) {
      const node = graphNode.node;
      const parents = incoming.get(graphNode.id) ?? [];
      if (node.kind === 'source') {
        graphNode.upstream = [new SourceProgress(node)];
      } else {
        const upstream = new Set<SourceProgress>();
        for (const parent of parents) for (const source of parent.from.upstream) upstream.add(source);
        graphNode.upstream = [...upstream];
      }
      if (node.kind === 'source') graphNode.ownership = 'source';
      else if (node.parallelism === 'single') graphNode.ownership = 'single';
      else if (parents.some((p) => p.crossing || p.from.ownership !== 'source')) graphNode.ownership = 'internal';
      else graphNode.ownership = 'source';
      if (graphNode.ownership === 'single') graphNode.own(0);
      const key = graphNode.upstream.map((s) => s.name).join('\u0000');
      let group = groupKeys.get(key);
      if (group === undefined) {
        group = this.upstreamGroups.length;
        groupKeys.set(key, group);
        this.upstreamGroups.push(graphNode.upstream);
      }
      graphNode.upstreamGroup = group;
    }
    this.groupWatermarks = this.upstreamGroups.map(() => MIN_WATERMARK);

    // Processors and writers.
    const given = this.options.operators;
    const factories: readonly OperatorFactory[] = [...(given === undefined ? [] : isFactoryList(given) ? given : [given]), defaultOperators()];
    for (const graphNode of this.nodes) {
      const node = graphNode.node;
      switch (node.kind) {
        case 'source':
          break;
        case 'decode':
          break; // bound with its source below
        case 'filter':
          graphNode.processor = new FilterProcessor(node);
          break;
        case 'derive':
          graphNode.processor = new DeriveProcessor(node);
          break;
        case 'keyBy':
          graphNode.processor = new KeyByProcessor(node);
          break;
        case 'union':
          graphNode.processor = new UnionProcessor();
          break;
        case 'repartition':
          graphNode.processor = new RepartitionProcessor(node, this.partitionsOf(node, node));
          break;
        case 'sink': {
          const sink = this.options.sinks.createSink(node, this.pipeline);
          this.sinks.push(sink);
          const streams = node.inputs.map((input) => input.stream);
          // Late sinks may be fed by a node not listed among the inputs; name the stream after it.
          graphNode.writer = new SinkWriter(sink, streams.length > 0 ? streams : [node.name]);
          break;
        }
        case 'deadLetter': {
          const sink = this.options.sinks.createSink(node, this.pipeline);
          this.sinks.push(sink);
          graphNode.writer = new DeadLetterWriter(sink, node.source);
          break;
        }
        case 'windowAggregate':
        case 'pattern': {
          let processor = null;
          if (isDelegated(node)) {
            for (const factory of factories) {
              processor = factory.createProcessor(node, this.pipeline);
              if (processor !== null) break;
            }
          }
          if (processor === null) throw new Error(`no processor for ${node.kind} node ${node.id}: give the engine an OperatorFactory that serves it`);
          graphNode.processor = processor;
          graphNode.stateful = true;
          graphNode.timed = true;
          graphNode.eventTime = (node.kind === 'pattern' ? node.pattern.time : node.time) === 'event';
          if (node.kind === 'pattern') graphNode.resultKind = 'alert';
          else if (node.phase !== 'partial') graphNode.resultKind = node.alert === null ? 'window' : 'alert';
          break;
        }
      }
    }

    // Bind every source to its decoder and to the nodes that follow its partitions.
    const times = new EventTimeCheck(this.options.eventTimeBounds === undefined ? undefined : this.options.eventTimeBounds);
    for (const graphNode of this.nodes) {
      const node = graphNode.node;
      if (node.kind !== 'source') continue;
      const decodeTargets = graphNode.main.filter((t) => t.node.node.kind === 'decode');
      const decodeTarget = decodeTargets[0];
      if (decodeTarget === undefined || graphNode.main.length !== 1 || graphNode.late.length > 0 || graphNode.rejected.length > 0) {
        throw new Error(`source node ${node.id} must feed exactly one decode node`);
      }
      const decodeNode = decodeTarget.node;
      if (decodeNode.node.kind !== 'decode') throw new Error(`unreachable: ${decodeNode.id} is not a decode node`);
      const decoder = new DecodeProcessor(decodeNode.node, node, times);
      decodeNode.processor = decoder;
      const progress = graphNode.upstream[0] as SourceProgress;
      const followers = this.nodes.filter((n) => n.ownership === 'source' && n.upstream.includes(progress));
      const watermarkSlack = node.eventTime !== null && node.watermark.kind === 'boundedOutOfOrderness' ? node.watermark.maxOutOfOrdernessMs + 1 : null;
      const binding: SourceBinding = { node, graph: graphNode, progress, decodeNode, decoder, watermarkSlack, followers, source: null, ended: false };
      this.bindings.push(binding);
      this.bindingByName.set(node.name, binding);
    }
    for (const graphNode of this.nodes) {
      if (graphNode.node.kind === 'decode' && graphNode.processor === null) throw new Error(`decode node ${graphNode.id} has no source`);
    }
  }

  /** Partitions of the input `to` reads when `from` sends to it: the internal topic's, or the sources'. */
  private partitionsOf(to: TopologyNode, from: TopologyNode): number {
    if (from.kind === 'repartition' && from.partitions !== null) return from.partitions;
    if (to.kind === 'repartition' && to.partitions !== null) return to.partitions;
    let max = 0;
    for (const node of this.topology.nodes) {
      if (node.kind === 'source') max = Math.max(max, node.partitions ?? this.options.defaultPartitions ?? 1);
    }
    return Math.max(1, max);
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isFactoryList(value: OperatorFactory | readonly OperatorFactory[]): value is readonly OperatorFactory[] {
  return Array.isArray(value);
}

/** The nodes in topological order (Kahn's algorithm; the generated order breaks ties). */
function topologicalOrder(topology: Topology): TopologyNode[] {
  const index = new Map<string, number>();
  topology.nodes.forEach((node, i) => {
    if (index.has(node.id)) throw new Error(`pipeline ${topology.pipeline} declares node ${node.id} twice`);
    index.set(node.id, i);
  });
  const indegree = topology.nodes.map(() => 0);
  const children: number[][] = topology.nodes.map(() => []);
  for (const edge of topology.edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined) throw new Error(`edge ${edge.from} → ${edge.to} names an unknown node`);
    (children[from] as number[]).push(to);
    indegree[to] = (indegree[to] as number) + 1;
  }
  const ready: number[] = [];
  indegree.forEach((d, i) => {
    if (d === 0) ready.push(i);
  });
  const out: TopologyNode[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift() as number;
    out.push(topology.nodes[i] as TopologyNode);
    for (const child of children[i] as number[]) {
      indegree[child] = (indegree[child] as number) - 1;
      if (indegree[child] === 0) ready.push(child);
    }
  }
  if (out.length !== topology.nodes.length) throw new Error(`pipeline ${topology.pipeline} has a cycle`);
  return out;
}

/** The input port of `to` fed by `from`: a sink's stream index. */
function portOf(to: TopologyNode, from: TopologyNode): number {
  if (to.kind !== 'sink') return 0;
  const byNode = to.inputs.findIndex((input) => input.node === from.id);
  if (byNode >= 0) return byNode;
  const byName = to.inputs.findIndex((input) => input.stream === from.name);
  return byName >= 0 ? byName : 0;
}

function topicOf(binding: SourceBinding, progress: PartitionProgress): string {
  return progress.topic ?? defaultTopic(binding.node);
}

function topicOfPartition(binding: SourceBinding, partition: number): string {
  const progress = binding.progress.partition(partition);
  return progress === undefined ? defaultTopic(binding.node) : topicOf(binding, progress);
}

/** The topic a source's records are expected to carry, before any was read. */
export function defaultTopic(node: SourceNode<unknown>): string {
  const connector = node.connector;
  switch (connector.connector) {
    case 'kafka':
      return connector.topic;
    case 'log':
      return connector.name ?? node.name;
    case 'file':
      return connector.path;
    case 'simulator':
      return node.name;
  }
}

function progressCheckpoint(binding: SourceBinding, progress: PartitionProgress): OperatorCheckpoint {
  return {
    nodeId: binding.node.id,
    partition: progress.partition,
    stores: [
      {
        store: PROGRESS_STORE,
        partition: progress.partition,
        entries: [
          { key: 'maxEventTime', value: finiteOrNull(progress.maxEventTime) },
          { key: 'watermark', value: finiteOrNull(progress.watermark) },
          { key: 'idle', value: progress.idle },
          { key: 'lastActivity', value: progress.lastActivity },
        ],
      },
    ],
    watermark: progress.watermark,
  };
}

/**
 * Reinstates a partition's progress. Its idle clock resumes from the checkpoint when the restart
 * comes within the idle timeout (a quick restart, or a replay in tests, behaves as if it had not
 * stopped); after a longer pause every partition gets a fresh timeout from now, so a partition that
 * has not had time to deliver is not declared idle at once.
 */
function restoreProgress(progress: PartitionProgress, checkpoint: OperatorCheckpoint, now: EpochMillis, idleTimeoutMs: number | null): void {
  const store = checkpoint.stores.find((s) => s.store === PROGRESS_STORE);
  if (store === undefined) return;
  for (const entry of store.entries) {
    const value = entry.value;
    if (entry.key === 'maxEventTime' && typeof value === 'number' && value > progress.maxEventTime) progress.maxEventTime = value;
    else if (entry.key === 'watermark' && typeof value === 'number' && value > progress.watermark) progress.watermark = value;
    else if (entry.key === 'idle' && typeof value === 'boolean') progress.idle = value;
    else if (entry.key === 'lastActivity' && typeof value === 'number' && value <= now && idleTimeoutMs !== null && now - value < idleTimeoutMs) {
      progress.lastActivity = value;
    }
  }
}

function idleTimeoutOf(node: SourceNode<unknown>): number | null {
  return node.watermark.kind === 'boundedOutOfOrderness' ? node.watermark.idleTimeoutMs : null;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** A checkpoint with lookups by (node, partition) and (topic, partition). */
interface IndexedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly byNode: Map<string, OperatorCheckpoint[]>;
  get(nodeId: string, partition: number): OperatorCheckpoint | undefined;
  offset(topic: string, partition: number): number | undefined;
}

function indexCheckpoint(checkpoint: Checkpoint): IndexedCheckpoint {
  const byNode = new Map<string, OperatorCheckpoint[]>();
  const byKey = new Map<string, OperatorCheckpoint>();
  for (const operator of checkpoint.operators) {
    const list = byNode.get(operator.nodeId) ?? [];
    list.push(operator);
    byNode.set(operator.nodeId, list);
    byKey.set(`${operator.nodeId}\u0000${operator.partition}`, operator);
  }
  const offsets = new Map<string, number>();
  for (const offset of checkpoint.offsets) offsets.set(`${offset.topic}\u0000${offset.partition}`, offset.offset);
  return {
    checkpoint,
    byNode,
    get: (nodeId, partition) => byKey.get(`${nodeId}\u0000${partition}`),
    offset: (topic, partition) => offsets.get(`${topic}\u0000${partition}`),
  };
}

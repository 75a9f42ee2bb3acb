// One node of the running graph: the processor of a plan node plus everything the engine keeps for
// it. A GraphNode is the processor's OperatorContext (one per instance, as the API says): it owns the
// node's partitions, state stores, timers, watermark, metrics and its outgoing edges, and routes
// what the processor emits.
//
// Routing is synchronous and batch by batch: `emit` hands the batch to every `main` edge at once,
// so a batch travels depth-first through the graph before the next one is read. Late records and
// dead letters are collected while the processor runs and leave as one batch when it returns.
import {
  MIN_WATERMARK,
  type Clock,
  type DeadLetterRecord,
  type EpochMillis,
  type OperatorCheckpoint,
  type OperatorContext,
  type OperatorMetrics,
  type Processor,
  type RecordBatch,
  type StateStore,
  type StateStoreFactory,
  type StateStoreSpec,
  type StreamRecord,
  type Timer,
  type TimerHandle,
  type TopologyNode,
} from '../api/index.ts';
import { ProcessorMetrics, type OperatorCounters } from '../metrics/registry.ts';
import { IMPLAUSIBLE_EVENT_TIME } from './event-times.ts';
import { partitionForKey } from './partitioner.ts';
import { NodeTimers, type TimerEntry, type TimerHeap, type TimerTarget } from './timers.ts';
import type { SourceProgress } from './watermarks.ts';

/** How a batch crosses an edge. */
export const FORWARD = 0;
/** By key, to `hash(key) % partitions` (a batch a repartition node already split passes as is). */
export const HASH = 1;
/** To the one instance of a `single` node: partition 0. */
export const GLOBAL = 2;
export type Route = typeof FORWARD | typeof HASH | typeof GLOBAL;

export interface EdgeTarget {
  readonly node: GraphNode;
  readonly route: Route;
  /** Which input of the target this edge is (a sink's stream). */
  readonly port: number;
  /** Partitions of the target's input, for `HASH` edges that split batches themselves. */
  readonly partitions: number;
}

/**
 * Where a node's partitions come from: `source` nodes follow the partitions assigned to their
 * sources (the forward-connected part of the first stage), `internal` nodes read internal topics
 * (after a hash edge; in-process they own what reaches them), `single` nodes have one instance.
 */
export type Ownership = 'source' | 'internal' | 'single';

/** What a node emits, for the status counters. */
export type ResultKind = 'none' | 'window' | 'alert';

/** Totals of the whole engine, for the status line (`EngineCounters`). */
export class EngineTotals {
  eventsIn = 0;
  decoded = 0;
  windowsEmitted = 0;
  alerts = 0;
  deadLetters = 0;
  readonly deadLettersByReason = new Map<string, number>();
  lateEvents = 0;
  lateDropped = 0;
  checkpoints = 0;
}

/** What every node shares: the engine's clocks, stores and totals. */
export interface NodeEnvironment {
  readonly pipeline: string;
  /** Processing time. */
  readonly clock: Clock;
  readonly processingTimers: TimerHeap;
  readonly stateStores: StateStoreFactory;
  readonly totals: EngineTotals;
}

/** Receives the batches of a node's output (test driver taps, the dashboard's live view). */
export type BatchListener = (batch: RecordBatch<unknown>, node: GraphNode) => void;

/** A sink-like consumer of batches that needs to know which input they came through. */
export interface PortWriter {
  write(port: number, batch: RecordBatch<unknown>): void;
}

/**
 * The category of a decode failure, the `reason` label of dead letters (bounded, unlike the
 * human-readable reason, which names values): `invalid_json`, `missing_field`, `not_an_object`,
 * `invalid_field`, `invalid_timestamp` (an implausible event time, `event-times.ts`).
 */
export function deadLetterReason(record: { readonly reason: string; readonly path: string }): string {
  if (IMPLAUSIBLE_EVENT_TIME.test(record.reason)) return 'invalid_timestamp';
  if (record.reason.startsWith('not valid JSON')) return 'invalid_json';
  if (record.reason.startsWith('missing required field')) return 'missing_field';
  if (record.path === '$') return 'not_an_object';
  return 'invalid_field';
}

/** The OperatorContext's clock: processing time from the engine, event time from the node. */
class NodeClock implements Clock {
  constructor(
    private readonly node: GraphNode,
    private readonly processing: Clock,
  ) {}

  now(): EpochMillis {
    return this.processing.now();
  }

  watermark(): EpochMillis {
    return this.node.watermark;
  }

  setTimer(timer: Timer): TimerHandle {
    return this.node.timers.set(timer);
  }

  cancelTimer(handle: TimerHandle): void {
    this.node.timers.cancel(handle);
  }
}

export class GraphNode implements OperatorContext<unknown>, TimerTarget {
  readonly id: string;
  /** The plan node id (the OperatorContext's name for `id`). */
  readonly nodeId: string;
  readonly pipeline: string;
  readonly clock: Clock;
  readonly timers: NodeTimers;
  /** What the processor reports to (its batch counts come from the engine, see ProcessorMetrics). */
  readonly metrics: OperatorMetrics;
  /** The processor; `null` for source nodes (their records enter through the engine). */
  processor: Processor<unknown, unknown> | null = null;
  /** Set for sink and dead-letter nodes instead of a processor. */
  writer: PortWriter | null = null;
  /** Whether the processor wants watermarks and timers (built-in stateless operators do not). */
  timed = false;
  /** Whether the processor has state to checkpoint. */
  stateful = false;
  /** Whether the processor runs in event time (its checkpointed watermark is the node's). */
  eventTime = false;
  ownership: Ownership = 'source';
  resultKind: ResultKind = 'none';
  /** The sources upstream of this node: its watermark combines their partitions. */
  upstream: SourceProgress[] = [];
  /** Index of `upstream` among the engine's distinct upstream sets (the watermark is computed once per set). */
  upstreamGroup = 0;
  /** The node's (combined) watermark; only ever raised. */
  watermark: EpochMillis = MIN_WATERMARK;
  readonly main: EdgeTarget[] = [];
  readonly late: EdgeTarget[] = [];
  readonly rejected: EdgeTarget[] = [];
  mainListener: BatchListener | null = null;
  lateListener: BatchListener | null = null;
  deadLetterListener: ((letter: DeadLetterRecord) => void) | null = null;

  private readonly owned = new Set<number>();
  private ownedList: number[] | null = [];
  private readonly stores = new Map<string, StateStore<unknown>>();
  private pendingLate: StreamRecord<unknown>[] = [];
  private pendingDead: DeadLetterRecord[] = [];

  constructor(
    readonly node: TopologyNode,
    /** Position in topological order. */
    readonly order: number,
    private readonly env: NodeEnvironment,
    /** This node's counters (the engine counts every batch in and out). */
    readonly counters: OperatorCounters,
  ) {
    this.metrics = new ProcessorMetrics(counters);
    this.id = node.id;
    this.nodeId = node.id;
    this.pipeline = env.pipeline;
    this.clock = new NodeClock(this, env.clock);
    this.timers = new NodeTimers(this, env.processingTimers);
  }

  // ───────────────────────────── OperatorContext ─────────────────────────────

  partitions(): readonly number[] {
    if (this.ownedList === null) this.ownedList = [...this.owned].sort((a, b) => a - b);
    return this.ownedList;
  }

  state<V>(spec: StateStoreSpec, partition: number): StateStore<V> {
    const key = `${spec.name}\u0000${partition}`;
    let store = this.stores.get(key);
    if (store === undefined) {
      store = this.env.stateStores.createStore<unknown>(spec, partition, this.id);
      this.stores.set(key, store);
    }
    // The store was created for `V` by this same call site; the map holds stores of every type.
    return store as StateStore<V>;
  }

  emit(batch: RecordBatch<unknown>): void {
    const records = batch.records;
    const n = records.length;
    if (n === 0) return;
    this.counters.out.total += n;
    if (this.resultKind !== 'none') this.countResults(records);
    if (this.mainListener !== null) this.mainListener(batch, this);
    const targets = this.main;
    if (batch.early === true) {
      // Early firings are for sinks (live views); downstream declarations see final rows only (§10).
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i] as EdgeTarget;
        if (target.node.writer !== null) deliver(target, batch);
      }
      return;
    }
    for (let i = 0; i < targets.length; i++) deliver(targets[i] as EdgeTarget, batch);
  }

  emitLate(record: StreamRecord<unknown>): void {
    this.pendingLate.push(record);
  }

  deadLetter(record: DeadLetterRecord): void {
    this.pendingDead.push(record);
  }

  // ───────────────────────────── driven by the engine ─────────────────────────────

  /** A batch arrives on input `port`. */
  receive(batch: RecordBatch<unknown>, port: number): void {
    const n = batch.records.length;
    if (n === 0) return;
    if (!this.owned.has(batch.partition)) this.open(batch.partition);
    this.counters.in.total += n;
    if (this.writer !== null) {
      this.writer.write(port, batch);
      return;
    }
    (this.processor as Processor<unknown, unknown>).processBatch(batch, this);
    if (this.pendingLate.length > 0 || this.pendingDead.length > 0) this.flushSideOutputs();
  }

  /** Raises the node's watermark: fires its event-time timers up to it, then `onWatermark`. */
  advanceWatermark(watermark: EpochMillis): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    const processor = this.processor;
    if (!this.timed || processor === null) return;
    for (let entry = this.timers.event.popDue(watermark); entry !== undefined; entry = this.timers.event.popDue(watermark)) {
      this.timers.forget(entry);
      processor.onTimer(entry.timer, this);
      if (this.pendingLate.length > 0 || this.pendingDead.length > 0) this.flushSideOutputs();
    }
    processor.onWatermark({ timestamp: watermark, partition: null, idle: false }, this);
    if (this.pendingLate.length > 0 || this.pendingDead.length > 0) this.flushSideOutputs();
  }

  /** A processing-time timer of this node is due (the engine popped it from the shared heap). */
  fireTimer(entry: TimerEntry): void {
    this.timers.forget(entry);
    const processor = this.processor;
    if (processor === null) return;
    processor.onTimer(entry.timer, this);
    if (this.pendingLate.length > 0 || this.pendingDead.length > 0) this.flushSideOutputs();
  }

  isOwned(partition: number): boolean {
    return this.owned.has(partition);
  }

  own(partition: number): void {
    if (this.owned.has(partition)) return;
    this.owned.add(partition);
    this.ownedList = null;
  }

  /**
   * Starts owning a partition that has no saved state. An event-time operator gets it through
   * `restore` of an empty checkpoint at the node's current watermark, so the partition starts where
   * the node's time is (records at or below the watermark are late there too) instead of at the
   * beginning of time. Processing-time operators and one-instance nodes create their state as they
   * go.
   */
  open(partition: number): void {
    if (this.owned.has(partition)) return;
    this.own(partition);
    if (this.eventTime && this.ownership !== 'single' && this.processor !== null) {
      this.processor.restore({ nodeId: this.id, partition, stores: [], watermark: this.watermark }, this);
      if (this.pendingLate.length > 0 || this.pendingDead.length > 0) this.flushSideOutputs();
    }
  }

  /** The node's state on one partition, for a checkpoint. */
  snapshot(partition: number): OperatorCheckpoint {
    const checkpoint = (this.processor as Processor<unknown, unknown>).snapshot(partition, this);
    if (checkpoint.nodeId === this.id && checkpoint.partition === partition) return checkpoint;
    return { nodeId: this.id, partition, stores: checkpoint.stores, watermark: checkpoint.watermark };
  }

  /**
   * Reinstates one partition from a checkpoint (restart, or a partition assigned by a rebalance).
   * An event-time operator's checkpointed watermark is the node's watermark it had seen, and the
   * node resumes from it (a watermark never goes back, even if a partition that was idle at the
   * checkpoint holds the recomputed one lower); a processing-time operator's is its own business.
   */
  restore(checkpoint: OperatorCheckpoint): void {
    this.own(checkpoint.partition);
    const watermark = checkpoint.watermark;
    if (this.eventTime && typeof watermark === 'number' && watermark > this.watermark) this.watermark = watermark;
    (this.processor as Processor<unknown, unknown>).restore(checkpoint, this);
    if (this.pendingLate.length > 0 || this.pendingDead.length > 0) this.flushSideOutputs();
  }

  /** Gives up one partition (revoked or lost): the processor drops its state, the stores go. */
  release(partition: number): void {
    if (!this.owned.has(partition)) return;
    this.processor?.release(partition, this);
    this.owned.delete(partition);
    this.ownedList = null;
    const suffix = `\u0000${partition}`;
    for (const key of [...this.stores.keys()]) if (key.endsWith(suffix)) this.stores.delete(key);
  }

  private countResults(records: readonly StreamRecord<unknown>[]): void {
    const n = records.length;
    if (this.resultKind === 'window') {
      this.counters.windows.total += n;
      this.env.totals.windowsEmitted += n;
    } else {
      this.counters.alerts.total += n;
      this.env.totals.alerts += n;
    }
    // Event-to-emit latency of a result: processing time now minus its event time (window end, match time).
    const now = this.env.clock.now();
    let oldest = now;
    for (let i = 0; i < n; i++) {
      const t = (records[i] as StreamRecord<unknown>).timestamp;
      if (t < oldest) oldest = t;
    }
    this.counters.eventToEmitLatency(now - oldest);
  }

  /** Records entered this node from outside the graph (a source's records into its decoder). */
  enter(partition: number, count: number): void {
    if (!this.owned.has(partition)) this.own(partition);
    this.counters.in.total += count;
  }

  /** Sends the late records and dead letters collected during a call into the processor. */
  flushSideOutputs(): void {
    if (this.pendingLate.length > 0) {
      const records = this.pendingLate;
      this.pendingLate = [];
      const batch: RecordBatch<unknown> = { partition: (records[0] as StreamRecord<unknown>).partition, records };
      this.env.totals.lateEvents += records.length;
      if (this.lateListener !== null) this.lateListener(batch, this);
      if (this.late.length === 0) {
        this.metrics.dropped('late', records.length);
        this.env.totals.lateDropped += records.length;
      } else {
        for (const target of this.late) deliver(target, batch);
      }
    }
    if (this.pendingDead.length > 0) {
      const dead = this.pendingDead;
      this.pendingDead = [];
      const totals = this.env.totals;
      const records: StreamRecord<unknown>[] = new Array<StreamRecord<unknown>>(dead.length);
      for (let i = 0; i < dead.length; i++) {
        const letter = dead[i] as DeadLetterRecord;
        const reason = deadLetterReason(letter);
        this.counters.deadLetters(reason, 1);
        if (this.deadLetterListener !== null) this.deadLetterListener(letter);
        totals.deadLettersByReason.set(reason, (totals.deadLettersByReason.get(reason) ?? 0) + 1);
        records[i] = { key: letter.key, value: letter, timestamp: letter.rejectedAt, partition: letter.partition };
      }
      totals.deadLetters += dead.length;
      const batch: RecordBatch<unknown> = { partition: (dead[0] as DeadLetterRecord).partition, records };
      for (const target of this.rejected) deliver(target, batch);
    }
  }
}

/** Hands `batch` across one edge. */
export function deliver(target: EdgeTarget, batch: RecordBatch<unknown>): void {
  switch (target.route) {
    case FORWARD:
      target.node.receive(batch, target.port);
      return;
    case GLOBAL:
      target.node.receive(batch.partition === 0 ? batch : withPartition(batch, 0, batch.records), target.port);
      return;
    case HASH:
      deliverByKey(target, batch);
      return;
  }
}

/** Splits a batch by key hash (records keep their order within each target partition). */
function deliverByKey(target: EdgeTarget, batch: RecordBatch<unknown>): void {
  const partitions = target.partitions;
  const records = batch.records;
  if (partitions <= 1) {
    target.node.receive(batch.partition === 0 ? batch : withPartition(batch, 0, records), target.port);
    return;
  }
  const buckets: (StreamRecord<unknown>[] | undefined)[] = new Array<StreamRecord<unknown>[] | undefined>(partitions);
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as StreamRecord<unknown>;
    const p = partitionForKey(record.key, partitions);
    const moved: StreamRecord<unknown> = record.partition === p ? record : { key: record.key, value: record.value, timestamp: record.timestamp, partition: p };
    const bucket = buckets[p];
    if (bucket === undefined) buckets[p] = [moved];
    else bucket.push(moved);
  }
  for (let p = 0; p < partitions; p++) {
    const bucket = buckets[p];
    if (bucket !== undefined) target.node.receive(withPartition(batch, p, bucket), target.port);
  }
}

/** `batch`'s records (or some of them) on another partition, still marked early if it was. */
function withPartition(batch: RecordBatch<unknown>, partition: number, records: readonly StreamRecord<unknown>[]): RecordBatch<unknown> {
  return batch.early === true ? { partition, records, early: true } : { partition, records };
}

// The processor lifecycle: what every operator implementation (filter, window, pattern, sink
// writer, …) looks like to the engine. Shaped on Arroyo's operator trait and Kafka Streams'
// Processor: init → (processBatch | onWatermark | onTimer)* with snapshot at checkpoints, restore
// when partitions are assigned, close at the end.
import type { DeadLetterRecord } from './decode.ts';
import type { PartitionOffset, RecordBatch, StreamRecord } from './records.ts';
import type { StateSnapshot, StateStore, StateStoreSpec } from './state.ts';
import type { Clock, EpochMillis, Timer, Watermark } from './time.ts';

/** Counters every operator reports; the engine exposes them on `/metrics`. */
export interface OperatorMetrics {
  recordsIn(count: number): void;
  recordsOut(count: number): void;
  /** Records dropped on purpose: `filtered`, `late`, `decode_error`, `having`, … */
  dropped(reason: string, count: number): void;
  late(count: number): void;
  /** Time from a record's ingestion to its result leaving the operator. */
  processingLatency(millis: number): void;
}

/** What an operator can see and do. One context per operator instance (one node on one task). */
export interface OperatorContext<Out> {
  readonly pipeline: string;
  /** The plan node id: `sessions.window`. */
  readonly nodeId: string;
  /** The partitions this instance currently owns. */
  partitions(): readonly number[];
  readonly clock: Clock;
  /** The store named by `spec` for one owned partition (created empty, or restored). */
  state<V>(spec: StateStoreSpec, partition: number): StateStore<V>;
  /** Sends results downstream (the `main` output). */
  emit(records: RecordBatch<Out>): void;
  /** Records past the allowed lateness (the `late` output); dropped and counted when it has no edge. */
  emitLate(record: StreamRecord<unknown>): void;
  /** Records that failed to decode (the `rejected` output). */
  deadLetter(record: DeadLetterRecord): void;
  readonly metrics: OperatorMetrics;
}

/** The checkpointed state of one operator instance on one partition. */
export interface OperatorCheckpoint {
  readonly nodeId: string;
  readonly partition: number;
  readonly stores: readonly StateSnapshot<unknown>[];
  /** The partition's watermark at the checkpoint (restored with the state). */
  readonly watermark: EpochMillis;
}

/**
 * A consistent cut of the whole processor: operator state, then sink flushes, then the source
 * offsets (committed last, so a crash at any point replays from the previous checkpoint).
 */
export interface Checkpoint {
  readonly id: number;
  readonly startedAt: EpochMillis;
  readonly operators: readonly OperatorCheckpoint[];
  readonly offsets: readonly PartitionOffset[];
}

export interface Processor<In, Out> {
  /** Opens stores, registers timers; called once per instance before any record. */
  init(context: OperatorContext<Out>): void | Promise<void>;
  /** The records of one partition, in order. Must not block; results go through `context.emit`. */
  processBatch(batch: RecordBatch<In>, context: OperatorContext<Out>): void;
  /** The operator's combined watermark advanced: close windows, expire pattern runs. */
  onWatermark(watermark: Watermark, context: OperatorContext<Out>): void;
  /** A timer it registered fired (processing-time windows, early firings, absence deadlines). */
  onTimer(timer: Timer, context: OperatorContext<Out>): void;
  /** The state of one owned partition, for a checkpoint. */
  snapshot(partition: number, context: OperatorContext<Out>): OperatorCheckpoint;
  /** Reinstates a partition's state (restart, or a partition assigned by a rebalance). */
  restore(checkpoint: OperatorCheckpoint, context: OperatorContext<Out>): void;
  /** Releases a revoked partition's state (it was checkpointed first). */
  release(partition: number, context: OperatorContext<Out>): void;
  close(context: OperatorContext<Out>): void | Promise<void>;
}

// Sources follow Kafka's consumer-group contract, whatever their adapter (Kafka, the embedded
// partitioned log, a JSON-lines file, the simulator):
//
// - a processor joins the pipeline's group with `subscribe`; partitions are assigned to it and
//   revoked from it while it runs, and the listener hears of both before records flow again;
// - records are keyed and carry their partition and offset;
// - `commit` is called only after a checkpoint (state and sink writes durable), with the offsets
//   of the next records to read, so a restart replays everything after the last checkpoint.
import type { PartitionOffset, SourceRecord, TopicPartition } from './records.ts';

export interface RebalanceListener {
  /**
   * Partitions newly owned by this processor. Called before their first records are returned by
   * `poll`; the engine restores the partitions' state from the changelog here.
   */
  onPartitionsAssigned(partitions: readonly TopicPartition[]): Promise<void>;
  /**
   * Partitions about to move to another processor. The engine checkpoints their state and commits
   * their offsets here; no record of them is returned afterwards.
   */
  onPartitionsRevoked(partitions: readonly TopicPartition[]): Promise<void>;
  /**
   * Partitions lost without an orderly revoke (session timeout). Their state may be stale and is
   * dropped, not checkpointed.
   */
  onPartitionsLost(partitions: readonly TopicPartition[]): Promise<void>;
}

export interface PollOptions {
  readonly maxRecords: number;
  /** How long to wait when nothing is buffered. */
  readonly timeoutMs: number;
}

export interface Source {
  /** The `source` declaration it serves. */
  readonly name: string;
  /** Joins the consumer group. */
  subscribe(group: string, listener: RebalanceListener): Promise<void>;
  /** The partitions this processor owns right now. */
  assignment(): readonly TopicPartition[];
  /** The next records of the owned partitions, in offset order per partition. */
  poll(options: PollOptions): Promise<readonly SourceRecord[]>;
  /** Makes `positions` (offsets of the next records to read) durable for the group. */
  commit(positions: readonly PartitionOffset[]): Promise<void>;
  /** Rewinds or skips a partition (replay in tests, reset tools). */
  seek(position: PartitionOffset): void;
  /** Back-pressure: stop returning records of these partitions until resumed. */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Leaves the group (its partitions are revoked first). */
  close(): Promise<void>;
  /**
   * Bounded sources only (a file read without `follow`): true once every record of the owned
   * partitions has been returned by `poll`, so the engine can advance the watermark to
   * `MAX_WATERMARK`, close every window and finish. Unbounded sources leave it out.
   */
  atEnd?(): boolean;
}

// ───────────────────────────── source connector configurations ─────────────────────────────

/** `kafka(topic: "events", partitions: 12)`; embedded runs serve it from the in-process log. */
export interface KafkaSourceConfig {
  readonly connector: 'kafka';
  readonly topic: string;
  /** The topic's partition count when declared (it bounds the group's parallelism). */
  readonly partitions?: number;
  /** Where a new group starts; `earliest` by default. */
  readonly startFrom?: 'earliest' | 'latest';
}

/** `file(path: "events.jsonl")`: JSON lines, one partition. */
export interface FileSourceConfig {
  readonly connector: 'file';
  readonly path: string;
  /** Keep reading as the file grows. */
  readonly follow?: boolean;
}

/** `simulator(rate: 200, seed: 42)`: the built-in event simulator, generating records of the schema. */
export interface SimulatorSourceConfig {
  readonly connector: 'simulator';
  /** Records per second. */
  readonly rate?: number;
  /** Random seed, for reproducible runs. */
  readonly seed?: number;
}

/** `log(name: "events", partitions: 4)`: the embedded partitioned log. */
export interface LogSourceConfig {
  readonly connector: 'log';
  readonly name?: string;
  readonly partitions?: number;
}

export type SourceConfig = KafkaSourceConfig | FileSourceConfig | SimulatorSourceConfig | LogSourceConfig;
export type SourceConnector = SourceConfig['connector'];

// The in-memory pieces the TopologyTestDriver runs a topology on: a partitioned log of raw records
// per source, a Source over it (consumer-group contract, the driver decides when records flow), a
// sink that captures what it is given, and a checkpoint storage that keeps checkpoints as the bytes
// the on-disk storage would write (so a test restores from exactly what a restart would read).
import type {
  Checkpoint,
  CheckpointStorage,
  PartitionOffset,
  PollOptions,
  RebalanceListener,
  Sink,
  SinkRecord,
  Source,
  SourceRecord,
  TopicPartition,
} from '../api/index.ts';
import { decodeCheckpointFile, encodeCheckpointFile } from '../adapters/embedded/checkpoint-storage.ts';

/** The records of one source topic, per partition, in offset order. */
export class TestTopic {
  readonly partitions: SourceRecord[][];
  /** Offsets committed by the group (shared by every engine instance of the driver). */
  readonly committed = new Map<number, number>();

  constructor(
    readonly name: string,
    partitionCount: number,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  get partitionCount(): number {
    return this.partitions.length;
  }

  append(record: Omit<SourceRecord, 'offset' | 'topic'>): SourceRecord {
    const log = this.partitions[record.partition];
    if (log === undefined) throw new RangeError(`topic ${this.name} has ${this.partitions.length} partitions, not ${record.partition + 1}`);
    const stored: SourceRecord = { ...record, topic: this.name, offset: log.length };
    log.push(stored);
    return stored;
  }

  /** Records of `partition` from `offset` on. */
  from(partition: number, offset: number): SourceRecord[] {
    return (this.partitions[partition] ?? []).slice(offset);
  }
}

/**
 * A Source over a TestTopic. Subscribing assigns every partition at once; `poll` returns nothing
 * (the driver hands records to the engine itself, step by step); `seek` and `commit` are recorded
 * so the driver knows where a restored engine resumes. `rebalance` lets a test revoke and assign
 * partitions as a group coordinator would.
 */
export class TestSource implements Source {
  private listener: RebalanceListener | null = null;
  private readonly assigned = new Set<number>();
  /** Where each partition resumes (set by `seek`, e.g. to a checkpoint's offsets). */
  readonly positions = new Map<number, number>();

  constructor(
    readonly name: string,
    readonly topic: TestTopic,
  ) {}

  async subscribe(_group: string, listener: RebalanceListener): Promise<void> {
    this.listener = listener;
    const all = this.topic.partitions.map((_, partition) => partition);
    await this.assign(all);
  }

  assignment(): readonly TopicPartition[] {
    return [...this.assigned].sort((a, b) => a - b).map((partition) => ({ topic: this.topic.name, partition }));
  }

  poll(_options: PollOptions): Promise<readonly SourceRecord[]> {
    return Promise.resolve([]);
  }

  commit(positions: readonly PartitionOffset[]): Promise<void> {
    for (const position of positions) this.topic.committed.set(position.partition, position.offset);
    return Promise.resolve();
  }

  seek(position: PartitionOffset): void {
    this.positions.set(position.partition, position.offset);
  }

  pause(_partitions: readonly TopicPartition[]): void {}

  resume(_partitions: readonly TopicPartition[]): void {}

  async close(): Promise<void> {
    await this.revoke([...this.assigned]);
    this.listener = null;
  }

  /** Where `partition` resumes: its sought position, else its committed offset, else 0. */
  resumeAt(partition: number): number {
    return this.positions.get(partition) ?? this.topic.committed.get(partition) ?? 0;
  }

  isAssigned(partition: number): boolean {
    return this.assigned.has(partition);
  }

  async assign(partitions: readonly number[]): Promise<void> {
    const fresh = partitions.filter((p) => !this.assigned.has(p));
    for (const p of fresh) {
      this.assigned.add(p);
      this.positions.delete(p);
    }
    if (fresh.length > 0) await this.listener?.onPartitionsAssigned(fresh.map((partition) => ({ topic: this.topic.name, partition })));
  }

  async revoke(partitions: readonly number[]): Promise<void> {
    const owned = partitions.filter((p) => this.assigned.has(p));
    if (owned.length === 0) return;
    await this.listener?.onPartitionsRevoked(owned.map((partition) => ({ topic: this.topic.name, partition })));
    for (const p of owned) this.assigned.delete(p);
  }

  async lose(partitions: readonly number[]): Promise<void> {
    const owned = partitions.filter((p) => this.assigned.has(p));
    if (owned.length === 0) return;
    await this.listener?.onPartitionsLost(owned.map((partition) => ({ topic: this.topic.name, partition })));
    for (const p of owned) this.assigned.delete(p);
  }
}

/** A sink that appends everything written to an array the driver keeps across engine instances. */
export class CaptureSink implements Sink {
  constructor(
    readonly name: string,
    private readonly into: SinkRecord<unknown>[],
  ) {}

  open(): Promise<void> {
    return Promise.resolve();
  }

  write(records: readonly SinkRecord<unknown>[]): void {
    for (const record of records) this.into.push(record);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Checkpoints kept in memory in the on-disk storage's file format (`encodeCheckpointFile`): a
 * restored engine reads a decoded copy, never the objects the snapshot returned.
 */
export class MemoryCheckpointStorage implements CheckpointStorage {
  private readonly files: string[] = [];

  save(checkpoint: Checkpoint): Promise<void> {
    this.files.push(encodeCheckpointFile(checkpoint));
    return Promise.resolve();
  }

  loadLatest(): Promise<Checkpoint | null> {
    const last = this.files[this.files.length - 1];
    return Promise.resolve(last === undefined ? null : decodeCheckpointFile(last));
  }

  /** How many checkpoints were saved. */
  get count(): number {
    return this.files.length;
  }

  /** Size in bytes of the latest checkpoint file. */
  get latestBytes(): number {
    const last = this.files[this.files.length - 1];
    return last === undefined ? 0 : Buffer.byteLength(last, 'utf8');
  }
}

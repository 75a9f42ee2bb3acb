// The stateless operators the engine implements itself: `where` (filter), `derive`, stream
// `key by`, `union` and the repartition of a keyed operator's input. Each works on whole batches
// with plain loops: no closure per record, no allocation when a batch passes unchanged.
import type {
  DeriveNode,
  FilterNode,
  KeyByNode,
  KeyExtractor,
  OperatorCheckpoint,
  OperatorContext,
  Predicate,
  Processor,
  Projection,
  RecordBatch,
  RepartitionNode,
  StreamRecord,
  Timer,
  Watermark,
} from '../../api/index.ts';
import { partitionForKey } from '../partitioner.ts';

/** The lifecycle of an operator without state: nothing to init, snapshot, restore or release. */
export abstract class StatelessProcessor implements Processor<unknown, unknown> {
  init(_context: OperatorContext<unknown>): void {}

  abstract processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void;

  onWatermark(_watermark: Watermark, _context: OperatorContext<unknown>): void {}

  onTimer(_timer: Timer, _context: OperatorContext<unknown>): void {}

  snapshot(partition: number, context: OperatorContext<unknown>): OperatorCheckpoint {
    return { nodeId: context.nodeId, partition, stores: [], watermark: context.clock.watermark() };
  }

  restore(_checkpoint: OperatorCheckpoint, _context: OperatorContext<unknown>): void {}

  release(_partition: number, _context: OperatorContext<unknown>): void {}

  close(_context: OperatorContext<unknown>): void {}
}

/** `where cond`: keeps the records satisfying the predicate; the others are counted as `filtered`. */
export class FilterProcessor extends StatelessProcessor {
  private readonly predicate: Predicate<unknown>;

  constructor(node: FilterNode<unknown>) {
    super();
    this.predicate = node.predicate;
  }

  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    const records = batch.records;
    const predicate = this.predicate;
    const n = records.length;
    let kept: StreamRecord<unknown>[] | null = null;
    for (let i = 0; i < n; i++) {
      const record = records[i] as StreamRecord<unknown>;
      if (predicate(record.value)) {
        if (kept !== null) kept.push(record);
      } else if (kept === null) {
        kept = records.slice(0, i);
      }
    }
    if (kept === null) {
      context.emit(batch);
      return;
    }
    context.metrics.dropped('filtered', n - kept.length);
    if (kept.length > 0) context.emit({ partition: batch.partition, records: kept });
  }
}

/** `derive a = …`: one new value per record; key, time and partition are kept. */
export class DeriveProcessor extends StatelessProcessor {
  private readonly derive: Projection<unknown, unknown>;

  constructor(node: DeriveNode<unknown, unknown>) {
    super();
    this.derive = node.derive;
  }

  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    const records = batch.records;
    const derive = this.derive;
    const n = records.length;
    const out = new Array<StreamRecord<unknown>>(n);
    for (let i = 0; i < n; i++) {
      const record = records[i] as StreamRecord<unknown>;
      out[i] = { key: record.key, value: derive(record.value), timestamp: record.timestamp, partition: record.partition, change: record.change, rowKey: record.rowKey };
    }
    context.emit({ partition: batch.partition, records: out });
  }
}

/** Stream `key by …`: sets the logical key; the records stay on their partition. */
export class KeyByProcessor extends StatelessProcessor {
  private readonly key: KeyExtractor<unknown>;

  constructor(node: KeyByNode<unknown>) {
    super();
    this.key = node.key;
  }

  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    context.emit({ partition: batch.partition, records: rekey(batch.records, this.key) });
  }
}

function rekey(records: readonly StreamRecord<unknown>[], key: KeyExtractor<unknown>): StreamRecord<unknown>[] {
  const n = records.length;
  const out = new Array<StreamRecord<unknown>>(n);
  for (let i = 0; i < n; i++) {
    const record = records[i] as StreamRecord<unknown>;
    out[i] = { key: key(record.value), value: record.value, timestamp: record.timestamp, partition: record.partition, change: record.change, rowKey: record.rowKey };
  }
  return out;
}

/** `union(a, b, …)`: batches of every input pass through unchanged. */
export class UnionProcessor extends StatelessProcessor {
  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    context.emit(batch);
  }
}

/**
 * A repartition: keys each record by the operator's key and sends it to partition
 * `murmur2(key) % partitions` of the internal topic, as Kafka Streams writes a repartition topic.
 * In-process the "topic" is a direct route: the batches it emits are already split by target
 * partition (records keep their order per partition, as in a topic partition), and the `hash`
 * edges after it pass them on as they are. The records' `partition` becomes the target partition,
 * as for records read back from a repartition topic.
 */
export class RepartitionProcessor extends StatelessProcessor {
  private readonly key: KeyExtractor<unknown>;

  constructor(
    node: RepartitionNode<unknown>,
    /** Partitions of the internal topic. */
    readonly partitions: number,
  ) {
    super();
    this.key = node.key;
  }

  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    const records = batch.records;
    const key = this.key;
    const partitions = this.partitions;
    const n = records.length;
    if (partitions <= 1) {
      context.emit({ partition: 0, records: rekeyTo(records, key, 0) });
      return;
    }
    const buckets = new Array<StreamRecord<unknown>[] | undefined>(partitions);
    for (let i = 0; i < n; i++) {
      const record = records[i] as StreamRecord<unknown>;
      const k = key(record.value);
      const p = partitionForKey(k, partitions);
      const moved: StreamRecord<unknown> = { key: k, value: record.value, timestamp: record.timestamp, partition: p, change: record.change, rowKey: record.rowKey };
      const bucket = buckets[p];
      if (bucket === undefined) buckets[p] = [moved];
      else bucket.push(moved);
    }
    for (let p = 0; p < partitions; p++) {
      const bucket = buckets[p];
      if (bucket !== undefined) context.emit({ partition: p, records: bucket });
    }
  }
}

function rekeyTo(records: readonly StreamRecord<unknown>[], key: KeyExtractor<unknown>, partition: number): StreamRecord<unknown>[] {
  const n = records.length;
  const out = new Array<StreamRecord<unknown>>(n);
  for (let i = 0; i < n; i++) {
    const record = records[i] as StreamRecord<unknown>;
    out[i] = { key: key(record.value), value: record.value, timestamp: record.timestamp, partition, change: record.change, rowKey: record.rowKey };
  }
  return out;
}

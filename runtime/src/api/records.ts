// Records as they move through a pipeline: raw records from a source, keyed records between
// operators, and batches of them (operators work on batches, not single records).
import type { EpochMillis } from './time.ts';

/** One partition of a topic (or of an embedded log). */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * A position to resume from: the offset of the NEXT record to read, as in Kafka's committed
 * offsets. Offsets are integers below 2^53.
 */
export interface PartitionOffset extends TopicPartition {
  readonly offset: number;
}

/** A record header (Kafka headers; embedded logs keep them too). */
export interface RecordHeader {
  readonly name: string;
  readonly value: string;
}

/** A record as a source delivers it, before decoding. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The partition key as written by the producer; `null` when the record has none. */
  readonly key: string | null;
  /** The payload: JSON text (file and simulator sources) or its UTF-8 bytes (Kafka). */
  readonly value: string | Uint8Array;
  /** The log's append (or create) time; event time comes from the decoded record instead. */
  readonly timestamp: EpochMillis;
  readonly headers: readonly RecordHeader[];
}

/**
 * How a result row changes the table its stream describes (Flink's RowKind, a ksqlDB table's rows).
 * A window or session result is an update of a keyed row, not a new fact (language.md §11):
 *
 * - `+I` insert: the first version of a row key;
 * - `-U` update-before: the version about to be replaced, with its old value and time (always
 *   followed by the `+U` of the same row key in the same batch);
 * - `+U` update-after: the new version of the row;
 * - `-D` delete: the row is gone (a session merged into another or whose start moved, a row that
 *   `having` now rejects), with its last value and time.
 *
 * Downstream aggregates retract on `-U`/`-D` and add on `+I`/`+U`; upsert sinks (Kafka, InfluxDB,
 * the dashboard, `--out`) write `+I`/`+U` by row key, turn `-D` into a tombstone and skip `-U`.
 */
export type ChangeKind = '+I' | '-U' | '+U' | '-D';

/** Whether a change removes a row's previous contribution (`-U`, `-D`). */
export function isRetraction(change: ChangeKind | undefined): boolean {
  return change === '-U' || change === '-D';
}

/**
 * The row key of a window result: the group key text (`null` for a global aggregate) and the
 * window bounds, as JSON text (`["US",1700000000000,1700000060000]`): unambiguous whatever the key
 * holds, and readable as a Kafka record key.
 */
export function windowRowKey(key: string | null, start: EpochMillis, end: EpochMillis): string {
  return JSON.stringify([key, start, end]);
}

/** The row key of a session: its key text and its start (`["s-42",1700000000000]`). */
export function sessionRowKey(key: string | null, start: EpochMillis): string {
  return JSON.stringify([key, start]);
}

/** A decoded record travelling between operators. */
export interface StreamRecord<T> {
  /** The logical key (`key by`, group key), encoded as a string; `null` for unkeyed streams. */
  readonly key: string | null;
  readonly value: T;
  /** Event time when the stream has it (a window result carries its window end), else processing time at ingestion. */
  readonly timestamp: EpochMillis;
  /** The source partition the record (or its earliest input) came from. */
  readonly partition: number;
  /** Window and session results: how this record changes its row. Absent: an append (source events, alerts). */
  readonly change?: ChangeKind;
  /** Window and session results: the row's key (`windowRowKey`, `sessionRowKey`). */
  readonly rowKey?: string;
}

/** Records of one partition handed to an operator in one call, in arrival order. */
export interface RecordBatch<T> {
  readonly partition: number;
  readonly records: readonly StreamRecord<T>[];
  /**
   * Set on early firings (`emit every`): partial results of windows still open, with the bounds
   * the final row will have. Sinks write them (keyed by window, the final row overwrites them);
   * the engine does not deliver them to downstream operators (language.md §10). Absent: ordinary
   * results.
   */
  readonly early?: boolean;
}

/** A batch with no records, for operators that flush on watermarks and timers. */
export function emptyBatch<T>(partition: number): RecordBatch<T> {
  return { partition, records: [] };
}

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

/** A decoded record travelling between operators. */
export interface StreamRecord<T> {
  /** The logical key (`key by`, group key), encoded as a string; `null` for unkeyed streams. */
  readonly key: string | null;
  readonly value: T;
  /** Event time when the stream has it (a window result carries its window end), else processing time at ingestion. */
  readonly timestamp: EpochMillis;
  /** The source partition the record (or its earliest input) came from. */
  readonly partition: number;
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

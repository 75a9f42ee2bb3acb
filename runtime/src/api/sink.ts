// Sinks receive the results of a pipeline. Writes are buffered; `flush` makes them durable and a
// checkpoint waits for it before committing source offsets. Sinks must tolerate replays after a
// restart: InfluxDB writes are idempotent (same measurement, tags and time overwrite), Kafka sinks
// may write in transactions.
import type { ChangeKind } from './records.ts';
import type { EpochMillis } from './time.ts';

/** One result handed to a sink. */
export interface SinkRecord<T> {
  /** The stream it belongs to (`realtime`, `checkout_abandoned`, …). */
  readonly stream: string;
  readonly key: string | null;
  readonly value: T;
  /** Event time of the result: a window's end, a match's completion. */
  readonly timestamp: EpochMillis;
  /** Set on an early firing: a result of a window still open, which a later record of the same window replaces. */
  readonly early?: true;
  /**
   * Window and session results: how the record changes its row (records.ts `ChangeKind`). Upsert
   * sinks write `+I`/`+U` under `rowKey`, delete on `-D` and skip `-U`. Absent: an append (alerts,
   * dead letters).
   */
  readonly change?: ChangeKind;
  /** Window and session results: the row key (group key + window bounds; session key + start). */
  readonly rowKey?: string;
}

export interface Sink<T = unknown> {
  readonly name: string;
  open(): Promise<void>;
  /** Buffers records; never blocks on I/O. */
  write(records: readonly SinkRecord<T>[]): void;
  /** Resolves when everything written so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a stream's record maps onto a measurement-style sink (InfluxDB, the dashboard): tag columns,
 * field columns and the time column. Kafka and log sinks write the whole record as JSON.
 */
export interface SinkInputLayout {
  readonly stream: string;
  /** The plan node producing the stream. */
  readonly node: string;
  /** Low-cardinality string columns (group keys). */
  readonly tags: readonly string[];
  /** Value columns (measures). */
  readonly fields: readonly string[];
  /** The column holding the record's time (a window's end), `null`: the record timestamp. */
  readonly time: string | null;
}

// ───────────────────────────── sink connector configurations ─────────────────────────────

/** `influx(bucket: "metrics", measurement: "website_metrics")`: embedded runs use the embedded time-series store. */
export interface InfluxSinkConfig {
  readonly connector: 'influx';
  /** The adapter's default bucket when not given. */
  readonly bucket?: string;
  readonly measurement: string;
  /** Columns written as tags (in addition to each stream's group keys). */
  readonly tags?: readonly string[];
}

/** `kafka(topic: "processed-metrics")` */
export interface KafkaSinkConfig {
  readonly connector: 'kafka';
  readonly topic: string;
  /** Exactly-once: records are written in a transaction committed with the checkpoint. */
  readonly transactional?: boolean;
}

/** `dashboard()`: the live dashboard hub; `channel` defaults to the stream name. */
export interface DashboardSinkConfig {
  readonly connector: 'dashboard';
  readonly channel?: string;
}

/** `log()`: appends records to the embedded log (and prints them in embedded runs). */
export interface LogSinkConfig {
  readonly connector: 'log';
}

/** `file(path: "out.jsonl")`: JSON lines. */
export interface FileSinkConfig {
  readonly connector: 'file';
  readonly path: string;
}

export type SinkConfig = InfluxSinkConfig | KafkaSinkConfig | DashboardSinkConfig | LogSinkConfig | FileSinkConfig;
export type SinkConnector = SinkConfig['connector'];

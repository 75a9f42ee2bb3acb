// Small adapters of embedded runs that the embedded adapter set does not have: a sink appending to
// a topic of the in-process log (`kafka(topic: …)` sinks and dead-letter outputs), a JSON-lines
// writer for `--out`, and a source wrapper that moves a processing clock with the event time of the
// records it reads (replays with `--from`, and the catch-up over a backfill).
import type {
  PartitionOffset,
  PollOptions,
  RebalanceListener,
  RecordBatch,
  Sink,
  SinkRecord,
  Source,
  SourceRecord,
  TopicPartition,
} from '../../../runtime/src/index.ts';
import { envelopeLine, type JsonlFileSink, type PartitionedLog } from '../../../runtime/src/adapters/embedded/index.ts';
import { sinkRecordsOf } from '../../../runtime/src/engine/index.ts';

/** `kafka(topic: …)` in an embedded run: each record's value as JSON, keyed, appended to the log topic. */
export class LogTopicSink implements Sink<unknown> {
  private records = 0;

  constructor(
    readonly name: string,
    private readonly log: PartitionedLog,
    readonly topic: string,
  ) {}

  get recordsWritten(): number {
    return this.records;
  }

  async open(): Promise<void> {
    this.log.ensureTopic(this.topic);
  }

  /**
   * Appends (alerts) keep their key. Window and session rows are keyed updates (records.ts
   * `ChangeKind`), written as an upsert topic is: the record key is the row's (stream + row key,
   * `["funnel",null,1704067200000,1704067260000]`), the kind is the `flowc-change` header, `-U` is
   * not written (its `+U` follows), and `-D` is a tombstone (`null`), so a compacted topic, or a
   * reader keeping the last record per key, holds each row once.
   */
  write(records: readonly SinkRecord<unknown>[]): void {
    let written = 0;
    for (const record of records) {
      const time = Number.isFinite(record.timestamp) ? record.timestamp : undefined;
      const change = record.change;
      if (change === undefined || record.rowKey === undefined) {
        this.log.append(this.topic, record.key, JSON.stringify(record.value, finiteOnly) ?? 'null', time);
      } else if (change === '-U') {
        continue;
      } else {
        const key = `[${JSON.stringify(record.stream)},${record.rowKey.slice(1)}`;
        const headers = [{ name: 'flowc-change', value: change }, { name: 'flowc-stream', value: record.stream }];
        this.log.append(this.topic, key, change === '-D' ? 'null' : (JSON.stringify(record.value, finiteOnly) ?? 'null'), time, headers);
      }
      written++;
    }
    this.records += written;
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  async close(): Promise<void> {
    await this.log.flush();
  }
}

function finiteOnly(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/**
 * `--out`: every result of the run as a JSON line (`envelopeLine`, as `log()` writes them: `{"stream",
 * "time","key","change"?,"rowKey"?,"early"?,"value"}`), a changelog. A sink of the engine
 * (`extraSinks`), fed by `onOutput` listeners: the engine flushes it — the lines written and
 * fsynced — before it saves each checkpoint, so a checkpoint never covers a line that is not in the
 * file. After a crash the replay from that checkpoint writes the lines after it again (at least
 * once); the last line of each row key is the row's final version. `-U` (update-before) records
 * are not written: the `+U` after them replaces the row by its key, as an upsert sink does.
 */
export class ResultWriter implements Sink<unknown> {
  readonly name: string;
  /** Lines written by this run (flushed or buffered). */
  lines = 0;
  /** `-U` records left out. */
  skipped = 0;

  constructor(private readonly file: JsonlFileSink<string>) {
    this.name = file.name;
  }

  /** The file's path. */
  get path(): string {
    return this.file.path;
  }

  /** What the run found at the end of the file (a torn last line cut off), once open. */
  get tornTailBytes(): number {
    return this.file.tornTailBytes;
  }

  open(): Promise<void> {
    return this.file.open();
  }

  /** A batch of node results, `stream` being the node's name (an `onOutput` listener). */
  writeBatch(stream: string, batch: RecordBatch<unknown>): void {
    this.write(sinkRecordsOf(stream, batch));
  }

  write(records: readonly SinkRecord<unknown>[]): void {
    const out: SinkRecord<string>[] = [];
    for (const record of records) {
      if (record.change === '-U') {
        this.skipped++;
        continue;
      }
      out.push({ stream: record.stream, key: record.key, value: envelopeLine(record), timestamp: record.timestamp });
    }
    this.lines += out.length;
    this.file.write(out);
  }

  flush(): Promise<void> {
    return this.file.flush();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** A processing clock that a source moves: a replay's ManualClock, or a CatchUpTime. */
export interface DrivenTime {
  now(): number;
  advanceTo(time: number): unknown;
  /** `false` while a backfill is being caught up: polls are then kept small (CATCH_UP_POLL_RECORDS). */
  readonly caughtUp?: boolean;
}

/**
 * Records per poll while a backfill is caught up. Every record of a poll is ingested at one
 * processing time (that of its last record), so a poll must span well under a processing-time
 * window (5 s in the website job): 64 records are a third of a second at the simulator's 200/s.
 */
const CATCH_UP_POLL_RECORDS = 64;

/**
 * A source read faster than live (a `--from` replay, or a backfill being caught up): processing
 * time is the event time of the records being read, so processing-time windows, timers and idle
 * timeouts behave as they would have live, and two replays of one file give the same results.
 * Before handing out a batch it moves `clock` to the event time of the batch's last readable record.
 */
export class ReplaySource implements Source {
  readonly name: string;

  constructor(
    private readonly inner: Source,
    private readonly clock: DrivenTime,
    /** A record's plausible event time, `null` when it has none (undecodable, implausible). */
    private readonly eventTimeOf: (text: string) => number | null,
  ) {
    this.name = inner.name;
  }

  subscribe(group: string, listener: RebalanceListener): Promise<void> {
    return this.inner.subscribe(group, listener);
  }

  assignment(): readonly TopicPartition[] {
    return this.inner.assignment();
  }

  async poll(options: PollOptions): Promise<readonly SourceRecord[]> {
    const catchingUp = this.clock.caughtUp === false;
    const records = await this.inner.poll(catchingUp ? { ...options, maxRecords: Math.min(options.maxRecords, CATCH_UP_POLL_RECORDS) } : options);
    const t = catchingUp ? this.slowestPartitionTime(records) : this.lastTime(records);
    if (t !== null && t > this.clock.now()) this.clock.advanceTo(t);
    return records;
  }

  /** The event time of the batch's last readable record. */
  private lastTime(records: readonly SourceRecord[]): number | null {
    for (let i = records.length - 1; i >= 0 && i >= records.length - 64; i--) {
      const t = this.timeOf(records[i] as SourceRecord);
      if (t !== null) return t;
    }
    return null;
  }

  /**
   * The least, over the partitions in the batch, of each one's last readable event time. Partitions
   * are read by record count, so they drift apart in event time; following the one furthest behind
   * keeps each record's processing time at or after its event time and close to it.
   */
  private slowestPartitionTime(records: readonly SourceRecord[]): number | null {
    const seen = new Set<number>();
    let least: number | null = null;
    for (let i = records.length - 1; i >= 0; i--) {
      const record = records[i] as SourceRecord;
      if (seen.has(record.partition)) continue;
      const t = this.timeOf(record);
      if (t === null) continue;
      seen.add(record.partition);
      if (least === null || t < least) least = t;
    }
    return least;
  }

  private timeOf(record: SourceRecord): number | null {
    const value = record.value;
    return this.eventTimeOf(typeof value === 'string' ? value : Buffer.from(value).toString('utf8'));
  }

  commit(positions: readonly PartitionOffset[]): Promise<void> {
    return this.inner.commit(positions);
  }

  seek(position: PartitionOffset): void {
    this.inner.seek(position);
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.inner.pause(partitions);
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.inner.resume(partitions);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  atEnd(): boolean {
    return this.inner.atEnd?.() ?? false;
  }
}

/**
 * Processing time of a run that starts with a backfill (`--backfill`): while the backfilled records
 * are read it is their event time (moved by ReplaySource), so processing-time windows over the
 * backfill come out as they would have live instead of as one burst in the first window; from the
 * first record at or after `liveFrom` (the paced, live records) it is the wall clock. It never goes
 * back, and it goes live anyway `maxCatchUpMs` of wall time after it was made.
 */
export class CatchUpTime implements DrivenTime {
  private time: number;
  private live = false;
  private readonly giveUpAt: number;

  constructor(
    /** Event time from which records are live (the feeders' start). */
    private readonly liveFrom: number,
    /** Processing time at the start: the backfill's first event time. */
    start: number,
    private readonly wallNow: () => number = Date.now,
    maxCatchUpMs = 60_000,
  ) {
    this.time = start;
    this.giveUpAt = wallNow() + maxCatchUpMs;
  }

  /** Whether the backfill has been read (processing time is the wall clock). */
  get caughtUp(): boolean {
    return this.live;
  }

  now(): number {
    if (!this.live) {
      if (this.wallNow() < this.giveUpAt) return this.time;
      this.live = true;
    }
    const wall = this.wallNow();
    return wall > this.time ? wall : this.time;
  }

  advanceTo(time: number): void {
    if (this.live) return;
    if (time >= this.liveFrom) this.live = true;
    else if (time > this.time) this.time = time;
  }
}

// Small adapters of embedded runs that the embedded adapter set does not have: a sink appending to
// a topic of the in-process log (`kafka(topic: …)` sinks and dead-letter outputs), a JSON-lines
// writer for `--out`, and a source wrapper that moves a replay's processing clock with the event
// time of the records it reads.
import type {
  PartitionOffset,
  PollOptions,
  RebalanceListener,
  RecordBatch,
  Sink,
  SinkRecord,
  Source,
  SourceRecord,
  StreamRecord,
  TopicPartition,
} from '../../../runtime/src/index.ts';
import type { JsonlFileSink, ManualClock, PartitionedLog } from '../../../runtime/src/adapters/embedded/index.ts';

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

  write(records: readonly SinkRecord<unknown>[]): void {
    for (const record of records) {
      this.log.append(this.topic, record.key, JSON.stringify(record.value, finiteOnly) ?? 'null', Number.isFinite(record.timestamp) ? record.timestamp : undefined);
    }
    this.records += records.length;
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

/** One `--out` line: `{"stream","time","key","early"?,"value"}`. */
export function resultLine(stream: string, record: StreamRecord<unknown>, early: boolean): string {
  const time = Number.isFinite(record.timestamp) ? new Date(record.timestamp).toISOString() : null;
  return `{"stream":${JSON.stringify(stream)},"time":${JSON.stringify(time)},"key":${JSON.stringify(record.key)},${early ? '"early":true,' : ''}"value":${JSON.stringify(record.value, finiteOnly) ?? 'null'}}`;
}

/** Writes every batch of results it is given to a JSON-lines sink (`--out`). */
export class ResultWriter {
  lines = 0;

  constructor(private readonly sink: JsonlFileSink<string>) {}

  write(stream: string, batch: RecordBatch<unknown>): void {
    const early = batch.early === true;
    const out: SinkRecord<string>[] = [];
    for (const record of batch.records) out.push({ stream, key: record.key, value: resultLine(stream, record, early), timestamp: record.timestamp });
    this.lines += out.length;
    this.sink.write(out);
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}

/**
 * A bounded source read as fast as possible (`--from`): processing time is the event time of the
 * records being read, so processing-time windows, timers and idle timeouts behave as they would
 * have live, and two replays of one file give the same results. Before handing out a batch it
 * moves `clock` to the event time of the batch's last readable record.
 */
export class ReplaySource implements Source {
  readonly name: string;

  constructor(
    private readonly inner: Source,
    private readonly clock: ManualClock,
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
    const records = await this.inner.poll(options);
    for (let i = records.length - 1; i >= 0 && i >= records.length - 64; i--) {
      const value = (records[i] as SourceRecord).value;
      const t = this.eventTimeOf(typeof value === 'string' ? value : Buffer.from(value).toString('utf8'));
      if (t !== null) {
        if (t > this.clock.now()) this.clock.advanceTo(t);
        break;
      }
    }
    return records;
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

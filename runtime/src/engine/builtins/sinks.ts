// Sink writers: the last hop of a pipeline. A writer turns the stream records of each of its inputs
// into SinkRecords tagged with the input's stream name and hands them to the Sink (which buffers;
// checkpoints `flush` it). One Sink per sink node, whatever its connector: the SinkFactory picked
// the adapter, the writer does not know which one it is.
import type { DeadLetterRecord, RecordBatch, Sink, SinkRecord, StreamRecord } from '../../api/index.ts';
import type { PortWriter } from '../node.ts';

/**
 * A batch of stream records as the sink records of `stream`: key, value and time, the early mark,
 * and the change kind and row key of window and session results.
 */
export function sinkRecordsOf(stream: string, batch: RecordBatch<unknown>): SinkRecord<unknown>[] {
  const records = batch.records;
  const n = records.length;
  const out = new Array<SinkRecord<unknown>>(n);
  const early = batch.early === true;
  for (let i = 0; i < n; i++) {
    const record = records[i] as StreamRecord<unknown>;
    if (record.change === undefined) {
      out[i] = early ? { stream, key: record.key, value: record.value, timestamp: record.timestamp, early: true } : { stream, key: record.key, value: record.value, timestamp: record.timestamp };
    } else if (early) {
      out[i] = { stream, key: record.key, value: record.value, timestamp: record.timestamp, early: true, change: record.change, rowKey: record.rowKey };
    } else {
      out[i] = { stream, key: record.key, value: record.value, timestamp: record.timestamp, change: record.change, rowKey: record.rowKey };
    }
  }
  return out;
}

/** `emit … to connector` and `late to connector`. */
export class SinkWriter implements PortWriter {
  constructor(
    readonly sink: Sink,
    /** The stream name of each input port. */
    private readonly streams: readonly string[],
  ) {}

  write(port: number, batch: RecordBatch<unknown>): void {
    this.sink.write(sinkRecordsOf(this.streams[port] ?? this.sink.name, batch));
  }
}

/** A source's `dead letter to connector`: writes DeadLetterRecords, the stream being the source's name. */
export class DeadLetterWriter implements PortWriter {
  constructor(
    readonly sink: Sink,
    private readonly source: string,
  ) {}

  write(_port: number, batch: RecordBatch<unknown>): void {
    const records = batch.records;
    const n = records.length;
    const out = new Array<SinkRecord<DeadLetterRecord>>(n);
    for (let i = 0; i < n; i++) {
      const record = records[i] as StreamRecord<unknown>;
      const letter = record.value as DeadLetterRecord;
      out[i] = { stream: this.source, key: letter.key, value: letter, timestamp: letter.rejectedAt };
    }
    this.sink.write(out);
  }
}

// Decoding: raw source records → typed stream records, with the schema-specialised decoder the
// compiler generated (`decodeText` straight from JSON text). A record that fails becomes a dead
// letter with its reason, path and raw text, is counted by reason, and never stops the batch.
//
// Decoding is also where a record gets its logical key (`key by` of the source, else the record's
// own key) and its time (the event-time field, else the processing time of ingestion); the largest
// event time of the batch moves the partition's watermark.
import { MIN_WATERMARK } from '../../api/index.ts';
import type {
  DecodeNode,
  DecodeResult,
  EpochMillis,
  JsonTextDecoder,
  KeyExtractor,
  OperatorContext,
  RecordBatch,
  SourceNode,
  SourceRecord,
  StreamRecord,
  TimestampExtractor,
} from '../../api/index.ts';
import { StatelessProcessor } from './stateless.ts';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class DecodeProcessor extends StatelessProcessor {
  private readonly decodeText: JsonTextDecoder<unknown>;
  private readonly key: KeyExtractor<unknown> | null;
  private readonly eventTime: TimestampExtractor<unknown> | null;
  private readonly sourceName: string;

  constructor(node: DecodeNode<unknown>, source: SourceNode<unknown>) {
    super();
    this.decodeText = node.decodeText;
    this.key = source.key;
    this.eventTime = source.eventTime;
    this.sourceName = source.name;
  }

  /** Never called: a decode node's input is its source, handed over by `decodeBatch`. */
  processBatch(batch: RecordBatch<unknown>, context: OperatorContext<unknown>): void {
    context.emit(batch);
  }

  /**
   * Decodes the records of one partition and emits the good ones as one batch. Returns the largest
   * event time among them (`MIN_WATERMARK` when none had one).
   */
  decodeBatch(partition: number, records: readonly SourceRecord[], context: OperatorContext<unknown>): EpochMillis {
    const decodeText = this.decodeText;
    const keyOf = this.key;
    const eventTime = this.eventTime;
    const n = records.length;
    const now = context.clock.now();
    const out: StreamRecord<unknown>[] = [];
    let maxEventTime = MIN_WATERMARK;
    for (let i = 0; i < n; i++) {
      const raw = records[i] as SourceRecord;
      const text = typeof raw.value === 'string' ? raw.value : utf8.decode(raw.value);
      let result: DecodeResult<unknown>;
      try {
        result = decodeText(text);
      } catch (error) {
        // Generated decoders return failures as values; anything thrown is still a bad record.
        result = { ok: false, reason: `decoder failed: ${error instanceof Error ? error.message : String(error)}`, path: '$' };
      }
      if (!result.ok) {
        context.deadLetter({
          source: this.sourceName,
          topic: raw.topic,
          partition,
          offset: raw.offset,
          key: raw.key,
          raw: text,
          reason: result.reason,
          path: result.path,
          rejectedAt: now,
        });
        continue;
      }
      const value = result.value;
      let timestamp = now;
      if (eventTime !== null) {
        timestamp = eventTime(value);
        if (timestamp > maxEventTime) maxEventTime = timestamp;
      }
      out.push({ key: keyOf === null ? raw.key : keyOf(value), value, timestamp, partition });
    }
    if (out.length < n) context.metrics.dropped('decode_error', n - out.length);
    if (out.length > 0) context.emit({ partition, records: out });
    return maxEventTime;
  }
}

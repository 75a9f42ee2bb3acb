// Decoding: raw source records → typed stream records, with the schema-specialised decoder the
// compiler generated (`decodeText` straight from JSON text). A record that fails becomes a dead
// letter with its reason, path and raw text, is counted by reason, and never stops the batch.
//
// Decoding is also where a record gets its logical key (`key by` of the source, else the record's
// own key) and its time (the event-time field, else the processing time of ingestion); the largest
// event time of the batch moves the partition's watermark. An implausible event time (`EventTimeCheck`:
// before 2000, or more than a day ahead of the clock and of the partition's newest event time) makes
// the record a dead letter too (category `invalid_timestamp`): it never reaches the watermark.
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
import { EventTimeCheck } from '../event-times.ts';
import { StatelessProcessor } from './stateless.ts';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class DecodeProcessor extends StatelessProcessor {
  private readonly decodeText: JsonTextDecoder<unknown>;
  private readonly key: KeyExtractor<unknown> | null;
  private readonly eventTime: TimestampExtractor<unknown> | null;
  private readonly sourceName: string;
  private readonly times: EventTimeCheck | null;

  constructor(node: DecodeNode<unknown>, source: SourceNode<unknown>, times: EventTimeCheck | null = new EventTimeCheck()) {
    super();
    this.times = times !== null && times.enabled ? times : null;
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
   * Decodes the records of one partition into `out` (the good ones, in order; the engine delivers
   * them, cut where the partition's watermark must move); dead letters go to the context. Returns
   * the largest event time among the good ones (`MIN_WATERMARK` when none had one). `newest`: the
   * largest event time the partition has accepted so far (the reference of the implausible-time
   * horizon).
   */
  decodeBatch(partition: number, records: readonly SourceRecord[], context: OperatorContext<unknown>, out: StreamRecord<unknown>[], newest: EpochMillis = MIN_WATERMARK): EpochMillis {
    const decodeText = this.decodeText;
    const keyOf = this.key;
    const eventTime = this.eventTime;
    const n = records.length;
    const now = context.clock.now();
    const before = out.length;
    const times = this.times;
    const horizonNow = times === null ? now : times.now(now);
    let maxEventTime = MIN_WATERMARK;
    let newestAccepted = newest;
    let implausible = 0;
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
      let timestamp = now;
      if (result.ok && eventTime !== null) {
        timestamp = eventTime(result.value);
        if (times !== null) {
          const reason = times.implausible(timestamp, horizonNow, newestAccepted);
          if (reason !== null) {
            implausible++;
            result = { ok: false, reason, path: '$' };
          } else if (timestamp > newestAccepted) {
            newestAccepted = timestamp;
          }
        }
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
      if (eventTime !== null && timestamp > maxEventTime) maxEventTime = timestamp;
      out.push({ key: keyOf === null ? raw.key : keyOf(value), value, timestamp, partition });
    }
    const good = out.length - before;
    if (good + implausible < n) context.metrics.dropped('decode_error', n - good - implausible);
    if (implausible > 0) context.metrics.dropped('invalid_timestamp', implausible);
    return maxEventTime;
  }
}

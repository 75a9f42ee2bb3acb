// `dashboard()`: the sink that hands a pipeline's emitted records to the dashboard hub, which
// pushes them to the WebSocket clients subscribed to their streams. Nothing to make durable:
// `flush` resolves at once (a dashboard shows the present; its history comes from the hub's
// recent rows and the time-series store).
//
// Early firings arrive marked (`SinkRecord.early`) and go out as updates with `early: true`; the
// window's final row replaces them. Window and session rows are keyed updates (`SinkRecord.change`,
// `rowKey`): the hub replaces a row by its row key, removes it on `-D` and does not send `-U`.
import type { Sink, SinkRecord } from '../api/index.ts';

/** What a HubSink needs of the hub: `DashboardHub.publish`. */
export interface Publisher {
  publish(records: readonly SinkRecord<unknown>[]): void;
}

export class HubSink implements Sink<unknown> {
  private records = 0;

  constructor(
    readonly name: string,
    private readonly hub: Publisher,
  ) {}

  /** Records handed to the hub so far. */
  get recordsWritten(): number {
    return this.records;
  }

  async open(): Promise<void> {}

  write(records: readonly SinkRecord<unknown>[]): void {
    this.records += records.length;
    this.hub.publish(records);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

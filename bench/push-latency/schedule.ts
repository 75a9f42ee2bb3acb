// The website job's dashboard output, as a schedule to replay: the compiled website-analytics
// pipeline (generated/website-analytics) runs on the real engine over the built-in simulator's
// events, with processing time driven by the events' time (ManualClock) so that it runs in well
// under a second, and every batch the engine hands to its `dashboard()` sink is kept with the
// processing time at which it was emitted. A publisher then replays the batches at those offsets in
// real time: the rows, batch sizes and cadence are the job's own.
import type { PartitionOffset, PollOptions, RebalanceListener, Sink, SinkRecord, Source, SourceRecord, TopicPartition } from '../../runtime/src/index.ts';
import { LocalStateStoreFactory, ManualClock } from '../../runtime/src/adapters/embedded/index.ts';
import { Engine, partitionForKey } from '../../runtime/src/engine/index.ts';
import { FlowcMetrics } from '../../runtime/src/metrics/registry.ts';
import { WebsiteEventSimulator } from '../../runtime/src/simulator/index.ts';
import { topology } from '../../generated/website-analytics/index.ts';

const PARTITIONS = 12;
const T0 = Date.UTC(2024, 0, 1);

/** One `write` of the dashboard sink: its records and when (ms after the schedule's start). */
export interface ScheduledBatch {
  readonly at: number;
  readonly records: readonly SinkRecord<unknown>[];
}

export interface ScheduleOptions {
  /** Simulated website events per second (`flowc run`'s default is 200). */
  readonly rate: number;
  /** Processing time run before the kept part, so that every window is in its steady state. */
  readonly settleMs: number;
  /** Length of the kept part. */
  readonly lengthMs: number;
  /** How often the source is polled (processing time between batches of input). */
  readonly pollMs: number;
  readonly seed?: number;
}

/** Runs the pipeline and returns the dashboard batches emitted within [settle, settle + length). */
export async function websiteSchedule(options: ScheduleOptions): Promise<ScheduledBatch[]> {
  const simulator = new WebsiteEventSimulator({ seed: options.seed ?? 42, ratePerSecond: Number.POSITIVE_INFINITY, eventRatePerSecond: options.rate, startTime: T0 });
  const clock = new ManualClock({ start: T0 });
  const end = T0 + options.settleMs + options.lengthMs;
  const offsets = new Array<number>(PARTITIONS).fill(0);
  let pending = simulator.next();
  let done = false;
  const assignment: TopicPartition[] = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'events', partition }));
  const source: Source = {
    name: 'events',
    async subscribe(_group: string, listener: RebalanceListener): Promise<void> {
      await listener.onPartitionsAssigned(assignment);
    },
    assignment: () => assignment,
    async poll(_options: PollOptions): Promise<readonly SourceRecord[]> {
      const now = clock.now() + options.pollMs;
      if (now >= end) {
        done = true;
        return [];
      }
      const records: SourceRecord[] = [];
      while (pending.timestamp <= now) {
        const partition = partitionForKey(pending.key, PARTITIONS);
        const offset = offsets[partition] as number;
        offsets[partition] = offset + 1;
        records.push({ topic: 'events', partition, offset, key: pending.key, value: pending.value, timestamp: pending.timestamp, headers: [] });
        pending = simulator.next();
      }
      clock.advanceTo(now);
      return records;
    },
    async commit(_positions: readonly PartitionOffset[]): Promise<void> {},
    seek(_position: PartitionOffset): void {},
    pause(_partitions: readonly TopicPartition[]): void {},
    resume(_partitions: readonly TopicPartition[]): void {},
    async close(): Promise<void> {},
  };
  const kept: ScheduledBatch[] = [];
  const from = T0 + options.settleMs;
  const engine = new Engine({
    topology,
    sources: { createSource: () => source },
    sinks: {
      createSink: (node): Sink => {
        const dashboard = node.kind === 'sink' && node.connector.connector === 'dashboard';
        return {
          name: node.id,
          async open(): Promise<void> {},
          write(records: readonly SinkRecord<unknown>[]): void {
            const now = clock.now();
            if (dashboard && records.length > 0 && now >= from) kept.push({ at: now - from, records: [...records] });
          },
          async flush(): Promise<void> {},
          async close(): Promise<void> {},
        };
      },
    },
    stateStores: new LocalStateStoreFactory(),
    clock,
    checkpoints: null,
    checkpointIntervalMs: null,
    maxPollRecords: 100_000,
    metrics: new FlowcMetrics(),
  });
  await engine.start();
  while (!done) await engine.step(0);
  await engine.stop();
  return kept;
}

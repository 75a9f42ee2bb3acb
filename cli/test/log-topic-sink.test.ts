// The embedded `kafka(topic)` sink writes keyed updates as an upsert topic: window and session rows
// keyed by stream + row key with their kind in a header, `-U` left out, `-D` a tombstone; appends
// (alerts) as they are. A reader keeping the last record per key gets the final table.
import { describe, expect, it } from 'vitest';
import { PartitionedLog } from '../../runtime/src/adapters/embedded/index.ts';
import type { SinkRecord } from '../../runtime/src/api/index.ts';
import { LogTopicSink } from '../src/run/adapters.ts';

const T0 = Date.UTC(2024, 0, 1);

function row(stream: string, change: SinkRecord<unknown>['change'], start: number, end: number, n: number): SinkRecord<unknown> {
  return { stream, key: null, value: { window_start: start, window_end: end, n }, timestamp: end, change, rowKey: JSON.stringify([null, start, end]) };
}

describe('LogTopicSink', () => {
  it('writes upserts by stream + row key, skips -U, tombstones -D, keeps appends', async () => {
    const log = new PartitionedLog();
    const sink = new LogTopicSink('kafka.processed-metrics', log, 'processed-metrics');
    await sink.open();
    sink.write([
      row('funnel', '+I', T0, T0 + 60_000, 1),
      row('business', '+I', T0, T0 + 60_000, 7), // the same bounds in another stream: another row
      row('funnel', '-U', T0, T0 + 60_000, 1),
      row('funnel', '+U', T0, T0 + 60_000, 2),
      row('business', '-D', T0, T0 + 60_000, 7),
      { stream: 'bounces', key: 'u1', value: { alert_type: 'HIGH_BOUNCE_RATE' }, timestamp: T0 },
    ]);
    const records = Array.from({ length: log.partitionCount('processed-metrics') }, (_, p) => log.read('processed-metrics', p, 0, 100)).flat();
    expect(records).toHaveLength(5);
    expect(sink.recordsWritten).toBe(5);
    const table = new Map<string | null, unknown>();
    for (const r of [...records].sort((a, b) => a.timestamp - b.timestamp || a.offset - b.offset)) {
      const change = r.headers.find((h) => h.name === 'flowc-change')?.value;
      if (change === '-D') table.delete(r.key);
      else table.set(r.key, JSON.parse(r.value as string));
    }
    expect(table).toEqual(
      new Map<string | null, unknown>([
        [JSON.stringify(['funnel', null, T0, T0 + 60_000]), { window_start: T0, window_end: T0 + 60_000, n: 2 }],
        ['u1', { alert_type: 'HIGH_BOUNCE_RATE' }],
      ]),
    );
    const tombstone = records.find((r) => r.headers.some((h) => h.name === 'flowc-change' && h.value === '-D'));
    expect(tombstone?.value).toBe('null');
    expect(tombstone?.headers).toContainEqual({ name: 'flowc-stream', value: 'business' });
  });
});

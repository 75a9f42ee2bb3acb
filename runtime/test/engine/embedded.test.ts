// The engine's run loop on the embedded adapters: the partitioned log and its consumer group,
// checkpoint files on disk, memory sinks — what `flowc run` wires together.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStorage, EmbeddedLogSource, LocalStateStore, ManualClock, MemorySink, PartitionedLog } from '../../src/adapters/embedded/index.ts';
import { Engine } from '../../src/engine/index.ts';
import type { Topology } from '../../src/index.ts';
import { WebsiteEventSimulator } from '../../src/simulator/index.ts';
import { REPO, compilePipeline } from '../testing/compile.ts';

let topology: Topology;
const dir = join(REPO, '_output', 'engine-embedded-checkpoints');

beforeAll(async () => {
  ({ topology } = await compilePipeline('website-analytics.flow', 'engine-embedded'));
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function engineOn(log: PartitionedLog, storage: CheckpointStorage, clock: ManualClock, sinks: Map<string, MemorySink>): Engine {
  return new Engine({
    topology,
    clock,
    checkpoints: storage,
    checkpointIntervalMs: null,
    pollTimeoutMs: 1,
    maxPollRecords: 500,
    stateStores: { createStore: (spec, partition) => new LocalStateStore(spec.name, partition) },
    sources: { createSource: (node) => new EmbeddedLogSource(log, { name: node.name, topic: 'website-analytics-events', partitions: 4 }) },
    sinks: {
      createSink: (node) => {
        const sink = new MemorySink(node.id);
        sinks.set(node.id, sink);
        return sink;
      },
    },
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
}

describe('engine on the embedded adapters', () => {
  it('runs, checkpoints on stop, and a new engine resumes from the committed offsets', async () => {
    const log = new PartitionedLog({ defaultPartitions: 4 });
    log.createTopic('website-analytics-events', 4);
    const storage = new CheckpointStorage({ dir, fsync: false });
    const simulator = new WebsiteEventSimulator({ seed: 3, malformed: { fraction: 0.05 } });
    const append = (n: number): number => {
      let last = 0;
      for (const record of simulator.nextBatch(n)) {
        log.append('website-analytics-events', record.key, record.value, record.timestamp);
        last = record.timestamp;
      }
      return last;
    };
    const clock = new ManualClock({ start: append(2000) });

    const sinks1 = new Map<string, MemorySink>();
    const first = engineOn(log, storage, clock, sinks1);
    await first.start();
    const running = first.run();
    await until(() => first.counters().eventsIn === 2000);
    await first.stop();
    await running;
    const counters1 = first.counters();
    expect(counters1.decoded + counters1.deadLetters).toBe(2000);
    expect(counters1.deadLetters).toBeGreaterThan(0);
    expect(sinks1.get('events.dead-letter')?.records).toHaveLength(counters1.deadLetters);
    expect(await storage.list()).toEqual([1]);
    const committed = log.committedOffsets('flowc-website_analytics');
    expect(committed.reduce((sum, o) => sum + o.offset, 0)).toBe(2000);

    const last = append(1000);
    clock.advanceTo(Math.max(clock.now(), last));
    const sinks2 = new Map<string, MemorySink>();
    const second = engineOn(log, storage, clock, sinks2);
    await second.start();
    const resumed = second.run();
    await until(() => second.counters().eventsIn === 1000);
    second.advanceWatermark('events', null, last + 3 * 60 * 60_000);
    await second.stop();
    await resumed;
    expect(second.counters().eventsIn).toBe(1000); // nothing before the checkpoint was read again
    expect(log.committedOffsets('flowc-website_analytics').reduce((sum, o) => sum + o.offset, 0)).toBe(3000);
    // Sessions that began before the restart close in the second run, with their earlier events.
    const sessions = (sinks2.get('sink.log')?.records ?? []).filter((r) => r.stream === 'sessions');
    expect(sessions.length).toBeGreaterThan(0);
    expect(second.counters().checkpoints).toBe(1);
  });
});

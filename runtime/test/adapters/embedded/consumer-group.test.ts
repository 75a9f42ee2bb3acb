import { describe, expect, it } from 'vitest';
import { CommitFailedError, EmbeddedLogSource, PartitionedLog, roundRobinAssignment } from '../../../src/adapters/embedded/index.ts';
import type { RebalanceListener, SourceRecord } from '../../../src/api/index.ts';
import { committingListener, tpText } from './support.ts';

function logWith(partitions: number, perPartition: number): PartitionedLog {
  const log = new PartitionedLog();
  log.createTopic('events', partitions);
  for (let i = 0; i < perPartition; i++) for (let p = 0; p < partitions; p++) log.appendTo('events', p, null, `p${p}-${i}`);
  return log;
}

async function drain(source: EmbeddedLogSource): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  for (;;) {
    const batch = await source.poll({ maxRecords: 1000, timeoutMs: 0 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

const ids = (records: readonly SourceRecord[]): string[] => records.map((r) => `${r.partition}:${r.offset}`);

describe('roundRobinAssignment', () => {
  it('deals sorted partitions to the members in turn, skipping members not subscribed to a topic', () => {
    const members = [
      { memberId: 'a', topics: ['x', 'y'] },
      { memberId: 'b', topics: ['x'] },
    ];
    const assignment = roundRobinAssignment(members, (topic) => (topic === 'x' ? 3 : 2));
    expect(tpText(assignment.get('a') ?? [])).toBe('x/0,x/2,y/0,y/1');
    expect(tpText(assignment.get('b') ?? [])).toBe('x/1');
  });
});

describe('EmbeddedLogSource in a consumer group', () => {
  it('splits partitions between two members; when one leaves the other takes them over from the committed offsets', async () => {
    const log = logWith(4, 6);
    const events: string[] = [];
    const a: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'a' });
    const b: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'b' });

    await a.subscribe('g', committingListener('a', () => a, events));
    expect(tpText(a.assignment())).toBe('events/0,events/1,events/2,events/3');
    const aFirst = await a.poll({ maxRecords: 8, timeoutMs: 0 }); // two of each partition
    expect(ids(aFirst).sort()).toEqual(['0:0', '0:1', '1:0', '1:1', '2:0', '2:1', '3:0', '3:1']);

    await b.subscribe('g', committingListener('b', () => b, events));
    // a hands over the partitions that move (committing them), then b gets them.
    expect(events).toEqual(['a assigned events/0,events/1,events/2,events/3', 'a revoked events/1,events/3', 'b assigned events/1,events/3']);
    expect(tpText(a.assignment())).toBe('events/0,events/2');
    expect(tpText(b.assignment())).toBe('events/1,events/3');
    expect(log.committed('g', 'events', 1)).toBe(2);
    expect(log.coordinator('g').memberIds()).toEqual([a.memberId, b.memberId]);

    const bRecords = await drain(b);
    expect(ids(bRecords).sort(byPartitionThenOffset)).toEqual(['1:2', '1:3', '1:4', '1:5', '3:2', '3:3', '3:4', '3:5']);
    const aMore = await a.poll({ maxRecords: 2, timeoutMs: 0 });
    expect(ids(aMore).sort()).toEqual(['0:2', '2:2']);

    events.length = 0;
    await a.close();
    expect(events).toEqual(['a revoked events/0,events/2', 'b assigned events/0,events/2']);
    expect(tpText(b.assignment())).toBe('events/0,events/1,events/2,events/3');
    const takenOver = await drain(b);
    expect(ids(takenOver).sort(byPartitionThenOffset)).toEqual(['0:3', '0:4', '0:5', '2:3', '2:4', '2:5']);
    await b.close();
  });

  it('gives a crashed member\'s partitions to the others, who replay from the last commit', async () => {
    const log = logWith(2, 5);
    const events: string[] = [];
    const a: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'a' });
    const b: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'b' });
    await a.subscribe('g', committingListener('a', () => a, events));
    await b.subscribe('g', committingListener('b', () => b, events));
    expect(tpText(a.assignment())).toBe('events/0');
    await a.poll({ maxRecords: 2, timeoutMs: 0 });
    await a.commit(a.positions());
    await a.poll({ maxRecords: 2, timeoutMs: 0 }); // processed but never committed
    events.length = 0;
    await a.kill();
    expect(events).toEqual(['b assigned events/0']);
    const replayed = (await drain(b)).filter((r) => r.partition === 0);
    expect(replayed.map((r) => r.offset)).toEqual([2, 3, 4]);
  });

  it('tells an expelled member its partitions are lost; its next poll joins again', async () => {
    const log = logWith(2, 1);
    const events: string[] = [];
    const a: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'a' });
    const b: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'b' });
    await a.subscribe('g', committingListener('a', () => a, events));
    await b.subscribe('g', committingListener('b', () => b, events));
    events.length = 0;
    await a.expel();
    expect(events).toEqual(['a lost events/0', 'b assigned events/0']);
    expect(a.assignment()).toEqual([]);
    events.length = 0;
    await a.poll({ maxRecords: 1, timeoutMs: 0 });
    // a rejoined after b, so b (first in join order) keeps partition 0.
    expect(events).toEqual(['b revoked events/1', 'a assigned events/1']);
  });

  it('refuses to commit a partition that moved to another member (nothing is committed)', async () => {
    const log = logWith(2, 3);
    const a: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'a' });
    const b: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'b' });
    await a.subscribe('g', committingListener('a', () => a, []));
    await drain(a);
    const stale = a.positions();
    await b.subscribe('g', committingListener('b', () => b, []));
    await b.poll({ maxRecords: 1, timeoutMs: 0 });
    await b.commit(b.positions());
    const before = log.committedOffsets('g');
    const failure = await a.commit(stale).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CommitFailedError);
    expect((failure as CommitFailedError).partitions).toEqual([{ topic: 'events', partition: 1 }]);
    expect(log.committedOffsets('g')).toEqual(before);
  });

  it('does not poll a partition while its assignment callback runs, and lets the callback seek it', async () => {
    const log = logWith(1, 5);
    let polledDuringCallback: readonly SourceRecord[] | null = null;
    const source: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    const listener: RebalanceListener = {
      async onPartitionsAssigned(partitions) {
        polledDuringCallback = await source.poll({ maxRecords: 10, timeoutMs: 0 });
        source.seek({ ...(partitions[0] as { topic: string; partition: number }), offset: 3 });
      },
      async onPartitionsRevoked() {},
      async onPartitionsLost() {},
    };
    await source.subscribe('g', listener);
    expect(polledDuringCallback).toEqual([]);
    expect(ids(await drain(source))).toEqual(['0:3', '0:4']);
  });

  it('rethrows a failing listener\'s error from that member\'s next poll', async () => {
    const log = logWith(2, 1);
    const a: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'a' });
    const b: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 'events', topic: 'events', clientId: 'b' });
    await a.subscribe('g', {
      async onPartitionsAssigned() {},
      async onPartitionsRevoked() {
        throw new Error('checkpoint failed');
      },
      async onPartitionsLost() {},
    });
    await b.subscribe('g', committingListener('b', () => b, []));
    expect(tpText(b.assignment())).toBe('events/1');
    await expect(a.poll({ maxRecords: 1, timeoutMs: 0 })).rejects.toThrow('checkpoint failed');
    expect(await a.poll({ maxRecords: 10, timeoutMs: 0 })).toHaveLength(1);
  });
});

function byPartitionThenOffset(x: string, y: string): number {
  const [xp, xo] = x.split(':').map(Number) as [number, number];
  const [yp, yo] = y.split(':').map(Number) as [number, number];
  return xp - yp || xo - yo;
}

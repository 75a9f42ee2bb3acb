import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLogSource, PartitionedLog, partitionForKey } from '../../../src/adapters/embedded/index.ts';
import type { SourceRecord } from '../../../src/api/index.ts';
import { quietListener, tempDirs } from './support.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function offsetsByPartition(records: readonly SourceRecord[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of records) out.set(r.partition, [...(out.get(r.partition) ?? []), r.offset]);
  return out;
}

async function drain(source: EmbeddedLogSource, maxRecords = 1000): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  for (;;) {
    const batch = await source.poll({ maxRecords, timeoutMs: 0 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

describe('PartitionedLog: appends', () => {
  it('numbers records per partition from 0 and places keys with the Kafka partitioner', () => {
    const log = new PartitionedLog();
    log.createTopic('events', 3);
    const placed = ['a', 'b', 'c', 'a', 'd', 'a'].map((key, i) => log.append('events', key, `v${i}`, 1000 + i));
    for (const [i, key] of ['a', 'b', 'c', 'a', 'd', 'a'].entries()) expect(placed[i]?.partition).toBe(partitionForKey(key, 3));
    const aPartition = partitionForKey('a', 3);
    expect(placed.filter((p) => p.partition === aPartition).map((p) => p.offset)).toEqual(
      Array.from({ length: placed.filter((p) => p.partition === aPartition).length }, (_, i) => i),
    );
    const total = [0, 1, 2].reduce((n, p) => n + log.endOffset('events', p), 0);
    expect(total).toBe(6);
    const first = log.read('events', aPartition, 0, 10)[0];
    expect(first).toMatchObject({ topic: 'events', partition: aPartition, offset: 0, key: 'a', value: 'v0', timestamp: 1000, headers: [] });
  });

  it('keeps a key on one partition across appends and across log instances', () => {
    const one = new PartitionedLog();
    const two = new PartitionedLog();
    one.createTopic('t', 8);
    two.createTopic('t', 8);
    for (let i = 0; i < 200; i++) {
      const key = `user-${i % 17}`;
      expect(one.append('t', key, 'x').partition).toBe(two.partitionFor('t', key));
    }
  });

  it('spreads keyless records round-robin and auto-creates topics with the default partition count', () => {
    const log = new PartitionedLog({ defaultPartitions: 2 });
    const partitions = [0, 1, 2, 3].map(() => log.append('auto', null, 'x').partition);
    expect(partitions).toEqual([0, 1, 0, 1]);
    expect(log.partitionCount('auto')).toBe(2);
  });

  it('deletes the oldest records beyond the retention count', () => {
    const log = new PartitionedLog({ retentionRecords: 10 });
    log.createTopic('t', 1);
    for (let i = 0; i < 25; i++) log.appendTo('t', 0, null, `v${i}`);
    expect(log.startOffset('t', 0)).toBe(15);
    expect(log.endOffset('t', 0)).toBe(25);
    expect(log.read('t', 0, 0, 100).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 15 + i));
  });

  it('rejects invalid topic names and a different partition count for an existing topic', () => {
    const log = new PartitionedLog();
    expect(() => log.createTopic('a/b', 1)).toThrow(/invalid topic name/);
    log.createTopic('ok', 2);
    expect(() => log.createTopic('ok', 3)).toThrow(/2 partitions/);
  });
});

describe('EmbeddedLogSource: reading', () => {
  function filled(partitions: number, perPartition: number): PartitionedLog {
    const log = new PartitionedLog();
    log.createTopic('events', partitions);
    for (let i = 0; i < perPartition; i++) for (let p = 0; p < partitions; p++) log.appendTo('events', p, `k${p}`, `p${p}-${i}`, i);
    return log;
  }

  it('polls in offset order per partition, at most maxRecords, fairly across partitions', async () => {
    const log = filled(2, 10);
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    await source.subscribe('g', quietListener);
    const first = await source.poll({ maxRecords: 4, timeoutMs: 0 });
    expect(first).toHaveLength(4);
    expect(offsetsByPartition(first)).toEqual(new Map([[0, [0, 1]], [1, [0, 1]]]));
    const rest = await drain(source, 3);
    const all = offsetsByPartition([...first, ...rest]);
    expect(all.get(0)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(all.get(1)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(source.positions()).toEqual([
      { topic: 'events', partition: 0, offset: 10 },
      { topic: 'events', partition: 1, offset: 10 },
    ]);
    expect(source.lag()).toBe(0);
  });

  it('waits up to timeoutMs for an append, and returns at once when one arrives', async () => {
    const log = filled(1, 0);
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    await source.subscribe('g', quietListener);
    expect(await source.poll({ maxRecords: 10, timeoutMs: 10 })).toEqual([]);
    const pending = source.poll({ maxRecords: 10, timeoutMs: 30_000 });
    setTimeout(() => log.append('events', 'k', 'late'), 5);
    expect((await pending).map((r) => r.value)).toEqual(['late']);
  });

  it('seeks a partition back and forth', async () => {
    const log = filled(2, 5);
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    await source.subscribe('g', quietListener);
    await drain(source);
    source.seek({ topic: 'events', partition: 1, offset: 3 });
    expect((await drain(source)).map((r) => `${r.partition}:${r.offset}`)).toEqual(['1:3', '1:4']);
    source.seek({ topic: 'events', partition: 0, offset: 0 });
    expect((await drain(source)).map((r) => r.value)).toEqual(['p0-0', 'p0-1', 'p0-2', 'p0-3', 'p0-4']);
    expect(() => source.seek({ topic: 'events', partition: 7, offset: 0 })).toThrow(/not assigned/);
  });

  it('pauses and resumes partitions', async () => {
    const log = filled(2, 3);
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    await source.subscribe('g', quietListener);
    source.pause([{ topic: 'events', partition: 0 }]);
    expect(source.paused()).toEqual([{ topic: 'events', partition: 0 }]);
    expect(new Set((await drain(source)).map((r) => r.partition))).toEqual(new Set([1]));
    source.resume([{ topic: 'events', partition: 0 }]);
    expect((await drain(source)).map((r) => `${r.partition}:${r.offset}`)).toEqual(['0:0', '0:1', '0:2']);
  });

  it('starts a group without commits at the earliest retained record, or at the end with startFrom: latest', async () => {
    const log = new PartitionedLog({ retentionRecords: 3 });
    log.createTopic('t', 1);
    for (let i = 0; i < 5; i++) log.append('t', null, `v${i}`);
    const earliest = new EmbeddedLogSource(log, { name: 's', topic: 't' });
    await earliest.subscribe('g1', quietListener);
    expect((await drain(earliest)).map((r) => r.offset)).toEqual([2, 3, 4]);
    const latest = new EmbeddedLogSource(log, { name: 's', topic: 't', startFrom: 'latest' });
    await latest.subscribe('g2', quietListener);
    expect(await drain(latest)).toEqual([]);
    log.append('t', null, 'v5');
    expect((await drain(latest)).map((r) => r.value)).toEqual(['v5']);
  });

  it('reads hand-assigned partitions and commits them to a given group', async () => {
    const log = filled(3, 2);
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    source.assign([{ topic: 'events', partition: 2 }], 'manual');
    expect(source.assignment()).toEqual([{ topic: 'events', partition: 2 }]);
    expect((await drain(source)).map((r) => r.value)).toEqual(['p2-0', 'p2-1']);
    await source.commit(source.positions());
    expect(log.committed('manual', 'events', 2)).toBe(2);
    await expect(source.commit([{ topic: 'events', partition: 0, offset: 1 }])).rejects.toThrow(/not assigned/);
  });

  it('refuses a second concurrent poll, and polls after close', async () => {
    const log = filled(1, 0);
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    await source.subscribe('g', quietListener);
    const waiting = source.poll({ maxRecords: 1, timeoutMs: 30_000 });
    await expect(source.poll({ maxRecords: 1, timeoutMs: 0 })).rejects.toThrow(/already in progress/);
    await source.close();
    expect(await waiting).toEqual([]);
    await expect(source.poll({ maxRecords: 1, timeoutMs: 0 })).rejects.toThrow(/closed/);
  });
});

describe('PartitionedLog on disk', () => {
  it('resumes a restarted consumer from its last commit (new log object on the same directory)', async () => {
    const dir = await dirs.make();
    const log = await PartitionedLog.open({ dir, fsync: false });
    log.createTopic('events', 2);
    for (let i = 0; i < 10; i++) log.append('events', `k${i}`, JSON.stringify({ i }), 5000 + i, i === 0 ? [{ name: 'h', value: '1' }] : undefined);
    const before = [0, 1].map((p) => log.read('events', p, 0, 100));
    const source = new EmbeddedLogSource(log, { name: 'events', topic: 'events' });
    await source.subscribe('g', quietListener);
    const firstSix = await source.poll({ maxRecords: 6, timeoutMs: 0 });
    expect(firstSix).toHaveLength(6);
    await source.commit(source.positions());
    const committed = source.positions();
    await source.poll({ maxRecords: 2, timeoutMs: 0 }); // read past the commit, then "crash"
    await log.close();

    const reopened = await PartitionedLog.open({ dir, fsync: false });
    expect(reopened.topics()).toEqual(['events']);
    expect([0, 1].map((p) => reopened.read('events', p, 0, 100))).toEqual(before);
    expect(reopened.committedOffsets('g')).toEqual(committed);
    const again = new EmbeddedLogSource(reopened, { name: 'events', topic: 'events' });
    await again.subscribe('g', quietListener);
    const rest = await drain(again);
    expect(rest).toHaveLength(4);
    const seen = [...firstSix, ...rest].map((r) => `${r.partition}:${r.offset}`).sort();
    expect(new Set(seen).size).toBe(10);
    // Appends continue after the stored records.
    const next = reopened.appendTo('events', 0, null, 'more');
    expect(next.offset).toBe(before[0]?.length);
    await reopened.close();
  });

  it('keeps byte values and headers across a restart', async () => {
    const dir = await dirs.make();
    const log = await PartitionedLog.open({ dir, fsync: false });
    log.createTopic('bin', 1);
    log.appendTo('bin', 0, null, new Uint8Array([0, 1, 254, 255]), 7, [{ name: 'trace', value: 'abc' }]);
    await log.close();
    const reopened = await PartitionedLog.open({ dir });
    const [record] = reopened.read('bin', 0, 0, 1);
    expect(record?.value).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(record?.headers).toEqual([{ name: 'trace', value: 'abc' }]);
    await reopened.close();
  });

  it('loses only unflushed appends in a crash; commits are durable and never point past the durable end', async () => {
    const dir = await dirs.make();
    const log = await PartitionedLog.open({ dir, flushIntervalMs: null, fsync: false });
    log.createTopic('t', 1);
    for (let i = 0; i < 3; i++) log.append('t', null, `v${i}`);
    const source = new EmbeddedLogSource(log, { name: 's', topic: 't' });
    await source.subscribe('g', quietListener);
    await drain(source);
    await source.commit(source.positions()); // flushes v0..v2 first
    log.append('t', null, 'v3');
    await log.flush();
    log.append('t', null, 'lost');
    await log.close({ discard: true });

    const reopened = await PartitionedLog.open({ dir, flushIntervalMs: null, fsync: false });
    expect(reopened.read('t', 0, 0, 10).map((r) => r.value)).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(reopened.committed('g', 't', 0)).toBe(3);
    await reopened.close();
  });

  it('recovers from a torn last line by truncating it', async () => {
    const dir = await dirs.make();
    const log = await PartitionedLog.open({ dir, fsync: false });
    log.createTopic('t', 1);
    log.append('t', null, 'a');
    log.append('t', null, 'b');
    await log.close();
    const partitionDir = join(dir, 'topics', 't', '0');
    const [segment] = await readdir(partitionDir);
    await appendFile(join(partitionDir, segment as string), '{"offset":2,"timestamp":1,"ke');

    const reopened = await PartitionedLog.open({ dir, fsync: false });
    expect(reopened.read('t', 0, 0, 10).map((r) => r.value)).toEqual(['a', 'b']);
    reopened.append('t', null, 'c');
    await reopened.close();
    const text = await readFile(join(partitionDir, segment as string), 'utf8');
    expect(text.trim().split('\n').map((line) => (JSON.parse(line) as { value: string }).value)).toEqual(['a', 'b', 'c']);
    const third = await PartitionedLog.open({ dir });
    expect(third.read('t', 0, 0, 10).map((r) => r.offset)).toEqual([0, 1, 2]);
    await third.close();
  });

  it('rolls segments and deletes those behind the retention count', async () => {
    const dir = await dirs.make();
    const log = await PartitionedLog.open({ dir, fsync: false, segmentRecords: 5, retentionRecords: 8 });
    log.createTopic('t', 1);
    for (let i = 0; i < 23; i++) log.append('t', null, `v${i}`);
    await log.flush();
    const segments = await readdir(join(dir, 'topics', 't', '0'));
    expect(segments).toEqual(['00000000000000000015.jsonl', '00000000000000000020.jsonl']);
    await log.close();
    const reopened = await PartitionedLog.open({ dir, segmentRecords: 5, retentionRecords: 8 });
    expect(reopened.startOffset('t', 0)).toBe(15);
    expect(reopened.endOffset('t', 0)).toBe(23);
    await reopened.close();
  });

  it('compacts the committed-offsets log and still resumes from the latest commit', async () => {
    const dir = await dirs.make();
    const log = await PartitionedLog.open({ dir, fsync: false, segmentRecords: 200 });
    log.createTopic('t', 1);
    for (let i = 0; i < 1200; i++) {
      log.append('t', null, `v${i}`);
      await log.commitOffsets('g', [{ topic: 't', partition: 0, offset: i + 1 }]);
    }
    const lines = (await Promise.all((await readdir(join(dir, 'groups'))).map((f) => readFile(join(dir, 'groups', f), 'utf8'))))
      .join('')
      .trim()
      .split('\n');
    expect(lines.length).toBeLessThan(1000);
    await log.close();
    const reopened = await PartitionedLog.open({ dir });
    expect(reopened.committed('g', 't', 0)).toBe(1200);
    await reopened.close();
  });
});

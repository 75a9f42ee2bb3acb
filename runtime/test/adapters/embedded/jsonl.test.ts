import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FileOffsetStore, JsonlFileSink, JsonlFileSource, LogSink, MemorySink } from '../../../src/adapters/embedded/index.ts';
import type { SinkRecord, Source, SourceRecord } from '../../../src/api/index.ts';
import { quietListener, tempDirs } from './support.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

async function drain(source: Source, maxRecords = 1000): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  for (;;) {
    const batch = await source.poll({ maxRecords, timeoutMs: 0 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

describe('JsonlFileSource', () => {
  it('reads a file line by line: offsets are line numbers, blank lines skipped, the last line may lack its newline', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'events.jsonl');
    await writeFile(path, '\uFEFF{"a":1}\r\n{"a":2}\n\n  \n{"a":3}');
    const source = new JsonlFileSource({ name: 'events', path, key: (line) => String((JSON.parse(line) as { a: number }).a % 2), now: () => 42 });
    const assigned: string[] = [];
    await source.subscribe('g', { ...quietListener, onPartitionsAssigned: async (tps) => void assigned.push(...tps.map((tp) => `${tp.topic}/${tp.partition}`)) });
    expect(assigned).toEqual(['events/0']);
    expect(source.atEnd()).toBe(false);
    const records = await drain(source, 2);
    expect(records.map((r) => [r.offset, r.value, r.key])).toEqual([
      [0, '{"a":1}', '1'],
      [1, '{"a":2}', '0'],
      [4, '{"a":3}', '1'],
    ]);
    expect(records[0]).toMatchObject({ topic: 'events', partition: 0, timestamp: 42, headers: [] });
    expect(source.atEnd()).toBe(true);
    await source.close();
  });

  it('seeks to any line, also far back through the sparse line index', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'big.jsonl');
    await writeFile(path, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i })).join('\n') + '\n');
    const source = new JsonlFileSource({ name: 'big', path, chunkBytes: 1000 });
    await source.subscribe('g', quietListener);
    expect((await drain(source)).length).toBe(5000);
    for (const line of [4321, 0, 1024, 2047, 4999]) {
      source.seek({ topic: 'big', partition: 0, offset: line });
      const [first] = await source.poll({ maxRecords: 1, timeoutMs: 0 });
      expect(first?.offset).toBe(line);
      expect(first?.value).toBe(JSON.stringify({ i: line }));
    }
    await source.close();
  });

  it('resumes from the committed line after a restart (with a FileOffsetStore)', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'events.jsonl');
    await writeFile(path, ['{"n":0}', '{"n":1}', '{"n":2}', '{"n":3}'].join('\n') + '\n');
    const offsetsPath = join(dir, 'offsets.json');
    const first = new JsonlFileSource({ name: 'events', path, offsets: await FileOffsetStore.open(offsetsPath, { fsync: false }) });
    await first.subscribe('g', quietListener);
    await first.poll({ maxRecords: 2, timeoutMs: 0 });
    await first.commit(first.positions());
    await first.close();

    const second = new JsonlFileSource({ name: 'events', path, offsets: await FileOffsetStore.open(offsetsPath) });
    await second.subscribe('g', quietListener);
    expect((await drain(second)).map((r) => r.offset)).toEqual([2, 3]);
    await expect(second.commit([{ topic: 'other', partition: 0, offset: 1 }])).rejects.toThrow(/reads events\/0 only/);
    await second.close();
  });

  it('follows a growing file, returning a line only once its newline is written', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'live.jsonl');
    const source = new JsonlFileSource({ name: 'live', path, follow: true, followIntervalMs: 5 });
    await source.subscribe('g', quietListener);
    expect(await source.poll({ maxRecords: 10, timeoutMs: 0 })).toEqual([]); // the file is not there yet
    await writeFile(path, '{"x":1}\n{"x":');
    expect((await drain(source)).map((r) => r.value)).toEqual(['{"x":1}']);
    const waiting = source.poll({ maxRecords: 10, timeoutMs: 30_000 });
    await appendFile(path, '2}\n');
    expect((await waiting).map((r) => [r.offset, r.value])).toEqual([[1, '{"x":2}']]);
    expect(source.atEnd()).toBe(false);
    source.pause([{ topic: 'live', partition: 0 }]);
    await appendFile(path, '{"x":3}\n');
    expect(await source.poll({ maxRecords: 10, timeoutMs: 20 })).toEqual([]);
    source.resume([{ topic: 'live', partition: 0 }]);
    expect((await source.poll({ maxRecords: 10, timeoutMs: 1000 })).map((r) => r.offset)).toEqual([2]);
    await source.close();
  });
});

describe('JsonlFileSink', () => {
  it('round-trips with the file source: values written as lines, durable on flush', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'out', 'results.jsonl');
    const sink = new JsonlFileSink<{ page: string; views: number }>({ name: 'file', path, fsync: false });
    await sink.open();
    const values = [
      { page: '/home', views: 3 },
      { page: '/cart', views: 1 },
    ];
    sink.write(values.map((value, i) => ({ stream: 'popular', key: value.page, value, timestamp: i })));
    expect(await readFile(path, 'utf8')).toBe(''); // buffered until flush
    await sink.flush();
    sink.write([{ stream: 'popular', key: null, value: { page: '/checkout', views: 2 }, timestamp: 2 }]);
    await sink.close();
    expect(sink.linesWritten).toBe(3);

    const source = new JsonlFileSource({ name: 'popular', path });
    await source.subscribe('g', quietListener);
    expect((await drain(source)).map((r) => JSON.parse(r.value as string) as unknown)).toEqual([...values, { page: '/checkout', views: 2 }]);
    await source.close();

    // Appends by default; `truncate` starts over.
    const again = new JsonlFileSink({ name: 'file', path, truncate: true, fsync: false });
    again.write([{ stream: 's', key: null, value: 1, timestamp: 0 }]);
    await again.close();
    expect(await readFile(path, 'utf8')).toBe('1\n');
  });
});

describe('LogSink and MemorySink', () => {
  it('LogSink writes one JSON line per record to its stream', async () => {
    const output = new PassThrough();
    const chunks: string[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const sink = new LogSink({ output });
    await sink.open();
    sink.write([
      { stream: 'alerts', key: 'u1', value: { severity: 'high' }, timestamp: Date.UTC(2024, 0, 1) },
      { stream: 'alerts', key: null, value: 7, timestamp: Date.UTC(2024, 0, 1, 0, 0, 1) },
    ]);
    await sink.close();
    expect(chunks.join('').split('\n')).toEqual([
      '{"stream":"alerts","time":"2024-01-01T00:00:00.000Z","key":"u1","value":{"severity":"high"}}',
      '{"stream":"alerts","time":"2024-01-01T00:00:01.000Z","key":null,"value":7}',
      '',
    ]);
  });

  it('MemorySink keeps what was written and what was flushed', async () => {
    const sink = new MemorySink<number>();
    await sink.open();
    const record = (stream: string, value: number): SinkRecord<number> => ({ stream, key: null, value, timestamp: 0 });
    sink.write([record('a', 1), record('b', 2)]);
    await sink.flush();
    sink.write([record('a', 3)]);
    expect(sink.values()).toEqual([1, 2, 3]);
    expect(sink.values('a')).toEqual([1, 3]);
    expect(sink.flushed().map((r) => r.value)).toEqual([1, 2]);
    await sink.close();
    expect(sink.flushed()).toHaveLength(3);
    expect(() => sink.write([record('a', 4)])).toThrow(/closed/);
  });
});

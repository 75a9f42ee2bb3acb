// JsonlFileSink after a crash: a last line without its newline (a write the crash interrupted) is
// cut off when the file is opened for appending, so the next line does not glue onto it; and the
// envelope lines of LogSink carry the change kind and row key of keyed results.
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { envelopeLine, JsonlFileSink } from '../../../src/adapters/embedded/index.ts';
import { tempDirs } from './support.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

async function appendLines(path: string, values: readonly unknown[], truncate = false): Promise<JsonlFileSink> {
  const sink = new JsonlFileSink({ name: 'out', path, truncate, fsync: false });
  await sink.open();
  sink.write(values.map((value, i) => ({ stream: 's', key: null, value, timestamp: i })));
  await sink.close();
  return sink;
}

describe('JsonlFileSink after a crash', () => {
  it('cuts a torn last line off before appending', async () => {
    const path = join(await dirs.make(), 'out.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3,"b":[1,2');
    const sink = await appendLines(path, [{ a: 3, b: [1, 2, 3] }, { a: 4 }]);
    expect(sink.tornTailBytes).toBe('{"a":3,"b":[1,2'.length);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3,"b":[1,2,3]}\n{"a":4}\n');
  });

  it('cuts a file that holds only a fragment to nothing, across more than one read chunk', async () => {
    const path = join(await dirs.make(), 'out.jsonl');
    await writeFile(path, `{"long":"${'x'.repeat(200_000)}`);
    const sink = await appendLines(path, [1]);
    expect(sink.tornTailBytes).toBe(200_009);
    expect(await readFile(path, 'utf8')).toBe('1\n');
  });

  it('finds the last newline more than one read chunk back', async () => {
    const path = join(await dirs.make(), 'out.jsonl');
    await writeFile(path, `{"a":1}\n{"long":"${'y'.repeat(150_000)}`);
    await appendLines(path, [2]);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n2\n');
  });

  it('leaves complete files, new files and truncated files alone', async () => {
    const dir = await dirs.make();
    const complete = join(dir, 'complete.jsonl');
    await writeFile(complete, '1\n2\n');
    expect((await appendLines(complete, [3])).tornTailBytes).toBe(0);
    expect(await readFile(complete, 'utf8')).toBe('1\n2\n3\n');

    const fresh = join(dir, 'sub', 'fresh.jsonl');
    await appendLines(fresh, [1]);
    expect(await readFile(fresh, 'utf8')).toBe('1\n');

    const truncated = join(dir, 'truncated.jsonl');
    await writeFile(truncated, '1\n{"torn');
    expect((await appendLines(truncated, [9], true)).tornTailBytes).toBe(0);
    expect(await readFile(truncated, 'utf8')).toBe('9\n');
  });

  it('writes nothing for a flush with nothing buffered, and appends across sinks of one file', async () => {
    const path = join(await dirs.make(), 'out.jsonl');
    const first = new JsonlFileSink({ name: 'out', path, fsync: false });
    await first.open();
    await first.flush();
    first.write([{ stream: 's', key: null, value: 1, timestamp: 0 }]);
    await first.flush();
    await first.close();
    await appendLines(path, [2]);
    expect(await readFile(path, 'utf8')).toBe('1\n2\n');
  });
});

describe('envelopeLine', () => {
  it('carries change, row key and the early flag of keyed results; appends stay as they were', () => {
    const time = Date.UTC(2024, 0, 1, 0, 1);
    expect(envelopeLine({ stream: 'bounces', key: 'u1', value: { views: 1 }, timestamp: time })).toBe('{"stream":"bounces","time":"2024-01-01T00:01:00.000Z","key":"u1","value":{"views":1}}');
    expect(envelopeLine({ stream: 'sessions', key: 's1', value: { pages: 2 }, timestamp: time, change: '+U', rowKey: '["s1",1704067200000]' })).toBe(
      '{"stream":"sessions","time":"2024-01-01T00:01:00.000Z","key":"s1","change":"+U","rowKey":"[\\"s1\\",1704067200000]","value":{"pages":2}}',
    );
    expect(envelopeLine({ stream: 'top', key: null, value: 1, timestamp: time, early: true, change: '+I', rowKey: '[null,0,60000]' })).toBe(
      '{"stream":"top","time":"2024-01-01T00:01:00.000Z","key":null,"change":"+I","rowKey":"[null,0,60000]","early":true,"value":1}',
    );
  });
});

describe('JsonlFileSink when a flush fails', () => {
  it('keeps the lines for the next flush: the checkpoint that failed is retried with them', async () => {
    const path = join(await dirs.make(), 'out.jsonl');
    const sink = new JsonlFileSink({ name: 'out', path, fsync: true });
    await sink.open();
    const handle = await open(path, 'r');
    const prototype = Object.getPrototypeOf(handle) as { datasync(): Promise<void> };
    await handle.close();
    const record = (value: number) => ({ stream: 's', key: null, value, timestamp: value });
    sink.write([record(1), record(2)]);
    const failing = vi.spyOn(prototype, 'datasync').mockRejectedValueOnce(new Error('EIO: disk error'));
    await expect(sink.flush()).rejects.toThrow('EIO');
    failing.mockRestore();
    // The failed write was cut back off the file.
    expect(await readFile(path, 'utf8')).toBe('');
    sink.write([record(3)]);
    await sink.flush();
    expect(await readFile(path, 'utf8')).toBe('1\n2\n3\n');
    expect(sink.linesWritten).toBe(3);
    await sink.close();
  });
});

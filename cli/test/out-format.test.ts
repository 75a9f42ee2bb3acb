// The `--out` line format (ResultWriter): one JSON line per change with its kind and row key, `-U`
// left out, alerts as plain appends; written only when flushed (the engine flushes it before each
// checkpoint is saved).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envelopeLine, JsonlFileSink } from '../../runtime/src/adapters/embedded/index.ts';
import { sessionRowKey, windowRowKey } from '../../runtime/src/index.ts';
import { ResultWriter } from '../src/run/adapters.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writerAt(truncate = false): { writer: ResultWriter; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flowc-out-'));
  dirs.push(dir);
  const path = join(dir, 'results.jsonl');
  return { writer: new ResultWriter(new JsonlFileSink<string>({ name: '--out', path, truncate, fsync: false, format: (r) => r.value })), path };
}

const T0 = Date.UTC(2024, 0, 1);

describe('--out lines', () => {
  it('write +I, +U and -D with their row key, leave -U out, and write alerts without either', async () => {
    const { writer, path } = writerAt();
    await writer.open();
    const row = windowRowKey('US', T0, T0 + 60_000);
    writer.writeBatch('geography', {
      partition: 0,
      records: [
        { key: 'US', value: { country: 'US', users: 1 }, timestamp: T0 + 60_000, partition: 0, change: '+I', rowKey: row },
        { key: 'US', value: { country: 'US', users: 1 }, timestamp: T0 + 60_000, partition: 0, change: '-U', rowKey: row },
        { key: 'US', value: { country: 'US', users: 2 }, timestamp: T0 + 60_000, partition: 0, change: '+U', rowKey: row },
      ],
    });
    const session = sessionRowKey('s-1', T0);
    writer.writeBatch('sessions', { partition: 3, records: [{ key: 's-1', value: { pages: 1 }, timestamp: T0 + 5000, partition: 3, change: '-D', rowKey: session }] });
    writer.writeBatch('bounces', { partition: 0, records: [{ key: 'u1', value: { views: 1, ratio: Number.NaN }, timestamp: T0, partition: 0 }] });
    writer.writeBatch('popular_pages', { partition: 0, early: true, records: [{ key: null, value: { top: [] }, timestamp: T0 + 60_000, partition: 0, change: '+I', rowKey: windowRowKey(null, T0, T0 + 60_000) }] });
    expect(writer.lines).toBe(5);
    expect(writer.skipped).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(''); // buffered until the engine flushes it
    await writer.flush();
    expect(readFileSync(path, 'utf8').split('\n')).toEqual([
      '{"stream":"geography","time":"2024-01-01T00:01:00.000Z","key":"US","change":"+I","rowKey":"[\\"US\\",1704067200000,1704067260000]","value":{"country":"US","users":1}}',
      '{"stream":"geography","time":"2024-01-01T00:01:00.000Z","key":"US","change":"+U","rowKey":"[\\"US\\",1704067200000,1704067260000]","value":{"country":"US","users":2}}',
      '{"stream":"sessions","time":"2024-01-01T00:00:05.000Z","key":"s-1","change":"-D","rowKey":"[\\"s-1\\",1704067200000]","value":{"pages":1}}',
      '{"stream":"bounces","time":"2024-01-01T00:00:00.000Z","key":"u1","value":{"views":1,"ratio":null}}',
      '{"stream":"popular_pages","time":"2024-01-01T00:01:00.000Z","key":null,"change":"+I","rowKey":"[null,1704067200000,1704067260000]","early":true,"value":{"top":[]}}',
      '',
    ]);
    await writer.close();
  });

  it('writes a non-finite time as null', () => {
    expect(envelopeLine({ stream: 's', key: null, value: 1, timestamp: Number.POSITIVE_INFINITY })).toBe('{"stream":"s","time":null,"key":null,"value":1}');
  });

  it('append to the file of a resumed run, and start anew when told to', async () => {
    const { writer, path } = writerAt();
    writer.write([{ stream: 's', key: null, value: 1, timestamp: T0 }]);
    await writer.close();
    const resumed = new ResultWriter(new JsonlFileSink<string>({ name: '--out', path, fsync: false, format: (r) => r.value }));
    resumed.write([{ stream: 's', key: null, value: 2, timestamp: T0 }]);
    await resumed.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    const fresh = new ResultWriter(new JsonlFileSink<string>({ name: '--out', path, truncate: true, fsync: false, format: (r) => r.value }));
    await fresh.open();
    await fresh.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});

// LogSinks over one shared crash-safe file (the `log()` sinks of `flowc run`, `log-sink.jsonl`):
// lines of every sink land in the one file in envelope format, written and fsynced when the sinks
// are flushed (what a checkpoint waits for), and a run that opens the file after a crash cuts the
// torn last line before it appends.
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { SinkRecord } from '../../../src/api/index.ts';
import { envelopeLine, JsonlFileSink, LogSink } from '../../../src/adapters/embedded/index.ts';
import { tempDirs } from './support.ts';

const dirs = tempDirs();
afterEach(async () => {
  vi.restoreAllMocks();
  await dirs.cleanup();
});

const T0 = Date.UTC(2024, 0, 1, 0, 1);

function record(stream: string, value: unknown, extra: Partial<SinkRecord<unknown>> = {}): SinkRecord<unknown> {
  return { stream, key: null, value, timestamp: T0, ...extra };
}

/** FileHandle.prototype.datasync, spied on (every handle of fs/promises shares the prototype). */
async function spyOnDatasync(path: string): Promise<MockInstance<() => Promise<void>>> {
  await writeFile(path, '');
  const handle = await open(path, 'r');
  const prototype = Object.getPrototypeOf(handle) as { datasync(): Promise<void> };
  await handle.close();
  return vi.spyOn(prototype, 'datasync');
}

/** A run's log() sinks: one shared file, two sinks over it, opened as the engine opens its sinks. */
async function openRun(path: string): Promise<{ file: JsonlFileSink; sessions: LogSink; late: LogSink }> {
  const file = new JsonlFileSink({ name: 'log-sink', path });
  const sessions = new LogSink({ name: 'sessions', file });
  const late = new LogSink({ name: 'late', file });
  await Promise.all([sessions.open(), late.open()]);
  return { file, sessions, late };
}

describe('LogSinks sharing one crash-safe file', () => {
  it('buffers the lines of both sinks, then one flush writes and fsyncs them all', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'log-sink.jsonl');
    const datasync = await spyOnDatasync(join(dir, 'probe'));
    const { file, sessions, late } = await openRun(path);
    datasync.mockClear();

    const inserted = record('sessions', { pages: 1 }, { key: 's1', change: '+I', rowKey: '["s1"]' });
    const retracted = record('sessions', { pages: 1 }, { key: 's1', change: '-U', rowKey: '["s1"]' });
    const updated = record('sessions', { pages: 2 }, { key: 's1', change: '+U', rowKey: '["s1"]', early: true });
    const lateOnes = [record('late', { url: '/a' }), record('late', { url: '/b' })];
    sessions.write([inserted, retracted]);
    late.write(lateOnes);
    sessions.write([updated]);
    expect(await readFile(path, 'utf8')).toBe('');

    // The engine flushes every sink at once before it saves a checkpoint.
    await Promise.all([sessions.flush(), late.flush()]);
    const expected = [inserted, retracted, ...lateOnes, updated].map((r) => `${envelopeLine(r)}\n`).join('');
    expect(await readFile(path, 'utf8')).toBe(expected);
    expect(expected).toContain('"change":"+U","rowKey":"[\\"s1\\"]","early":true');
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(file.linesWritten).toBe(5);

    // Nothing new: no write, no fsync.
    await Promise.all([sessions.flush(), late.flush()]);
    expect(datasync).toHaveBeenCalledTimes(1);

    // Closing a sink flushes it and leaves the shared file to the other sinks and its owner.
    late.write([record('late', { url: '/c' })]);
    await late.close();
    expect(datasync).toHaveBeenCalledTimes(2);
    sessions.write([record('sessions', { pages: 3 })]);
    await sessions.close();
    await file.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.slice(-3)).toEqual([envelopeLine(record('late', { url: '/c' })), envelopeLine(record('sessions', { pages: 3 })), '']);
    expect(datasync).toHaveBeenCalledTimes(3);
  });

  it('a new run cuts the torn last line of the previous one and appends after the last whole line', async () => {
    const path = join(await dirs.make(), 'log-sink.jsonl');
    const whole = [envelopeLine(record('sessions', { pages: 1 })), envelopeLine(record('late', { url: '/a' }))];
    const torn = envelopeLine(record('sessions', { pages: 2 })).slice(0, 25);
    await writeFile(path, `${whole.join('\n')}\n${torn}`);

    const { file, sessions, late } = await openRun(path);
    expect(file.tornTailBytes).toBe(torn.length);
    expect(await readFile(path, 'utf8')).toBe(`${whole.join('\n')}\n`);

    const again = [record('sessions', { pages: 2 }), record('late', { url: '/b' })];
    sessions.write(again.slice(0, 1));
    late.write(again.slice(1));
    await Promise.all([sessions.flush(), late.flush()]);
    await Promise.all([sessions.close(), late.close()]);
    await file.close();
    expect(await readFile(path, 'utf8')).toBe([...whole, ...again.map((r) => envelopeLine(r))].map((line) => `${line}\n`).join(''));
  });

  it('leaves a whole file as it is and appends to it', async () => {
    const path = join(await dirs.make(), 'log-sink.jsonl');
    const before = `${envelopeLine(record('late', { url: '/a' }))}\n`;
    await writeFile(path, before);
    const { file, late } = await openRun(path);
    expect(file.tornTailBytes).toBe(0);
    late.write([record('late', { url: '/b' })]);
    await late.close();
    await file.close();
    expect(await readFile(path, 'utf8')).toBe(`${before}${envelopeLine(record('late', { url: '/b' }))}\n`);
  });

  it('a run without log() output leaves no file behind', async () => {
    const path = join(await dirs.make(), 'log-sink.jsonl');
    const file = new JsonlFileSink({ name: 'log-sink', path });
    await file.close();
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

// `flowc run` wiring of log() sinks (cli/src/run/embedded.ts): every log() sink of a run, and a
// dead-letter output the run cannot serve (a dashboard without a hub), writes into the one shared
// crash-safe file the runner makes (`<state>/log-sink.jsonl`), durable once the sinks are flushed;
// with --verbose the runner passes a stream (the terminal) instead.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetterNode, SinkNode, Topology } from '../../runtime/src/index.ts';
import { envelopeLine, JsonlFileSink, LogSink } from '../../runtime/src/adapters/embedded/index.ts';
import { EmbeddedAdapters, type EmbeddedAdaptersOptions } from '../src/run/embedded.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function adapters(logOutput: EmbeddedAdaptersOptions['logOutput']): EmbeddedAdapters {
  // Only what log() sinks use; the rest is never touched by them.
  const unused = null as never;
  return new EmbeddedAdapters({ topology: { nodes: [], edges: [] } as unknown as Topology, plans: [], log: unused, store: unused, hub: null, cwd: tmpdir(), logOutput, fileOffsets: unused, replayClock: null });
}

const logNode = (id: string): SinkNode => ({ kind: 'sink', id, name: id, stage: 0, parallelism: 'partitioned', role: 'emit', connector: { connector: 'log' }, inputs: [] });
const deadLetterToDashboard: DeadLetterNode = { kind: 'deadLetter', id: 'events.deadLetter', name: 'events', stage: 0, parallelism: 'partitioned', connector: { connector: 'dashboard' }, source: 'events' };
const record = (stream: string, value: unknown) => ({ stream, key: null, value, timestamp: Date.UTC(2024, 0, 1) });

describe('flowc run: log() sinks', () => {
  it('all write into the one shared file, durable once flushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowc-log-sink-'));
    made.push(dir);
    const path = join(dir, 'log-sink.jsonl');
    const file = new JsonlFileSink({ name: 'log-sink', path });
    const run = adapters(file);
    const sinks = [run.createSink(logNode('sessions.sink')), run.createSink(logNode('late.sink')), run.createSink(deadLetterToDashboard)];
    for (const sink of sinks) expect(sink).toBeInstanceOf(LogSink);
    await Promise.all(sinks.map((sink) => sink.open()));

    const [sessions, late, deadLetters] = sinks as [LogSink, LogSink, LogSink];
    sessions.write([record('sessions', { pages: 1 })]);
    late.write([record('late', { url: '/a' })]);
    deadLetters.write([record('events', { reason: 'decode' })]);
    await Promise.all(sinks.map((sink) => sink.flush()));
    expect(readFileSync(path, 'utf8')).toBe(
      [record('sessions', { pages: 1 }), record('late', { url: '/a' }), record('events', { reason: 'decode' })].map((r) => `${envelopeLine(r)}\n`).join(''),
    );
    expect(file.linesWritten).toBe(3);
    await Promise.all(sinks.map((sink) => sink.close()));
    await file.close();
  });

  it('write to the stream they are given (--verbose: the terminal)', async () => {
    const chunks: string[] = [];
    const terminal = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    const sink = adapters(terminal).createSink(logNode('sessions.sink'));
    await sink.open();
    sink.write([record('sessions', { pages: 1 })]);
    await sink.flush();
    expect(chunks.join('')).toBe(`${envelopeLine(record('sessions', { pages: 1 }))}\n`);
  });
});

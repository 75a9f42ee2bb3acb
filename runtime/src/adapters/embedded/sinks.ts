// Sinks of embedded runs and tests: a JSON-lines file, the console (or any writable stream), and
// memory.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { Sink, SinkRecord } from '../../api/index.ts';

/** A record's value as one JSON line (without the newline); `undefined` values are written as `null`. */
export function valueLine(record: SinkRecord<unknown>): string {
  return JSON.stringify(record.value) ?? 'null';
}

/**
 * A record with its stream, key and time, as one JSON line:
 * `{"stream":"realtime","time":"2024-01-01T00:01:00.000Z","key":null,"value":{…}}`.
 */
export function envelopeLine(record: SinkRecord<unknown>): string {
  const time = Number.isFinite(record.timestamp) ? new Date(record.timestamp).toISOString() : String(record.timestamp);
  return JSON.stringify({ stream: record.stream, time, key: record.key, value: record.value });
}

export type LineFormat<T> = (record: SinkRecord<T>) => string;

export interface JsonlFileSinkOptions<T> {
  readonly name: string;
  readonly path: string;
  /** Start with an empty file instead of appending to an existing one. */
  readonly truncate?: boolean;
  /** A record's line; its value as JSON (`valueLine`) by default. */
  readonly format?: LineFormat<T>;
  /** fsync on `flush` (the durability a checkpoint waits for); `true` by default. */
  readonly fsync?: boolean;
}

/**
 * `file(path: …)`: appends one JSON line per record. `write` buffers, `flush` writes and fsyncs
 * what was buffered. Not idempotent: records replayed after a restart are written again (at least once).
 */
export class JsonlFileSink<T = unknown> implements Sink<T> {
  readonly name: string;
  readonly path: string;
  private readonly format: LineFormat<T>;
  private readonly truncate: boolean;
  private readonly fsync: boolean;
  private handle: FileHandle | null = null;
  private opening: Promise<FileHandle> | null = null;
  private pending: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private lines = 0;

  constructor(options: JsonlFileSinkOptions<T>) {
    this.name = options.name;
    this.path = options.path;
    this.format = options.format ?? valueLine;
    this.truncate = options.truncate ?? false;
    this.fsync = options.fsync ?? true;
  }

  /** Lines made durable so far. */
  get linesWritten(): number {
    return this.lines;
  }

  async open(): Promise<void> {
    await this.fileHandle();
  }

  write(records: readonly SinkRecord<T>[]): void {
    if (this.closed) throw new Error(`sink ${this.name} is closed`);
    for (const record of records) this.pending.push(`${this.format(record)}\n`);
  }

  flush(): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.pending.length === 0) return;
      const chunk = this.pending;
      this.pending = [];
      const handle = await this.fileHandle();
      await handle.write(chunk.join(''));
      if (this.fsync) await handle.datasync();
      this.lines += chunk.length;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private fileHandle(): Promise<FileHandle> {
    if (this.handle !== null) return Promise.resolve(this.handle);
    this.opening ??= (async () => {
      await mkdir(dirname(this.path), { recursive: true });
      this.handle = await open(this.path, this.truncate ? 'w' : 'a');
      return this.handle;
    })();
    return this.opening;
  }
}

export interface LogSinkOptions<T> {
  /** `log` by default. */
  readonly name?: string;
  /** Where lines go; `process.stdout` by default. */
  readonly output?: Writable;
  /** A record's line; `envelopeLine` (stream, time, key, value) by default. */
  readonly format?: LineFormat<T>;
}

/**
 * `log()`: one JSON line per record on a writable stream, written as records arrive (the stream
 * buffers them). `flush` resolves once the stream has taken everything written so far.
 */
export class LogSink<T = unknown> implements Sink<T> {
  readonly name: string;
  private readonly output: Writable;
  private readonly format: LineFormat<T>;
  private lastWrite: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(options: LogSinkOptions<T> = {}) {
    this.name = options.name ?? 'log';
    this.output = options.output ?? process.stdout;
    this.format = options.format ?? envelopeLine;
  }

  async open(): Promise<void> {}

  write(records: readonly SinkRecord<T>[]): void {
    if (records.length === 0) return;
    let chunk = '';
    for (const record of records) chunk += `${this.format(record)}\n`;
    this.lastWrite = new Promise<void>((resolve) => {
      this.output.write(chunk, (error) => {
        if (error) this.failure ??= error;
        resolve();
      });
    });
  }

  async flush(): Promise<void> {
    await this.lastWrite;
    if (this.failure !== null) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

/**
 * Keeps every record in memory (tests, `--out`). `records` holds all written records, `flushed()`
 * those written before the last `flush` (what a checkpoint would have made durable).
 */
export class MemorySink<T = unknown> implements Sink<T> {
  readonly records: SinkRecord<T>[] = [];
  private durable = 0;
  private opened = false;
  private closed = false;
  flushes = 0;

  constructor(readonly name = 'memory') {}

  get isOpen(): boolean {
    return this.opened && !this.closed;
  }

  async open(): Promise<void> {
    this.opened = true;
  }

  write(records: readonly SinkRecord<T>[]): void {
    if (this.closed) throw new Error(`sink ${this.name} is closed`);
    for (const record of records) this.records.push(record);
  }

  async flush(): Promise<void> {
    this.durable = this.records.length;
    this.flushes++;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** The records written before the last flush. */
  flushed(): SinkRecord<T>[] {
    return this.records.slice(0, this.durable);
  }

  /** The values written, of one stream or all. */
  values(stream?: string): T[] {
    return this.records.filter((r) => stream === undefined || r.stream === stream).map((r) => r.value);
  }

  clear(): void {
    this.records.length = 0;
    this.durable = 0;
  }
}

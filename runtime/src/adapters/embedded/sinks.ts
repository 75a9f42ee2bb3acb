// Sinks of embedded runs and tests: a JSON-lines file, the console (or any writable stream), and
// memory.
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { Sink, SinkRecord } from '../../api/index.ts';
import { syncDirectory } from './segments.ts';

/** A record's value as one JSON line (without the newline); `undefined` values are written as `null`. */
export function valueLine(record: SinkRecord<unknown>): string {
  return JSON.stringify(record.value) ?? 'null';
}

/**
 * A record with its stream, key and time, as one JSON line:
 * `{"stream":"realtime","time":"2024-01-01T00:01:00.000Z","key":null,"value":{…}}`; window and
 * session results also carry their change and row key (`"change":"+U","rowKey":"[null,…]"`, before
 * `value`), early firings `"early":true`, so that a reader can keep the last version of each row.
 */
export function envelopeLine(record: SinkRecord<unknown>): string {
  const time = Number.isFinite(record.timestamp) ? new Date(record.timestamp).toISOString() : null;
  if (record.change === undefined && record.early === undefined) return JSON.stringify({ stream: record.stream, time, key: record.key, value: record.value });
  return JSON.stringify({ stream: record.stream, time, key: record.key, change: record.change, rowKey: record.rowKey, early: record.early, value: record.value });
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

/** Bytes read at a time while looking for the last newline of a torn file. */
const TAIL_CHUNK = 64 * 1024;

/**
 * `file(path: …)`: appends one JSON line per record. `write` buffers, `flush` writes and fsyncs
 * what was buffered. Not idempotent: records replayed after a restart are written again (at least
 * once).
 *
 * Crash safety: a flush writes whole lines and resolves only once they are durable (a checkpoint
 * waits for it before it is saved). A crash in the middle of a write can leave a last line without
 * its newline; opening the file again cuts that torn tail off (it was never flushed, so no
 * checkpoint covers it and the replay writes it again), so an appended line never glues onto a
 * fragment. A failed write is cut off the same way, and the file's creation is made durable too
 * (its directory is fsynced).
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
  /** The file's length: its end after the last complete write. */
  private size = 0;
  private tornBytes = 0;

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

  /** Bytes of a torn last line cut off when the file was opened (0: none). */
  get tornTailBytes(): number {
    return this.tornBytes;
  }

  async open(): Promise<void> {
    await this.fileHandle();
  }

  write(records: readonly SinkRecord<T>[]): void {
    if (this.closed) throw new Error(`sink ${this.name} is closed`);
    for (const record of records) this.pending.push(`${this.format(record)}\n`);
  }

  /**
   * Buffers ready-made lines (each without its newline, and none inside), as `write` buffers
   * records: the way several writers share one file (the `log()` sinks of `flowc run`).
   */
  writeLines(lines: readonly string[]): void {
    if (this.closed) throw new Error(`sink ${this.name} is closed`);
    for (const line of lines) this.pending.push(`${line}\n`);
  }

  flush(): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.pending.length === 0) return;
      const chunk = this.pending;
      this.pending = [];
      const handle = await this.fileHandle();
      const bytes = Buffer.from(chunk.join(''), 'utf8');
      try {
        // A write may take only part of the buffer: go on until it is all in the file.
        for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
        if (this.fsync) await handle.datasync();
      } catch (error) {
        // Cut what part of the chunk got in, so that the next lines do not follow a fragment, and
        // keep the chunk for the next flush: the checkpoint this flush was for fails, and the next
        // one covers these lines too, so they must still be written.
        await handle.truncate(this.size).catch(() => undefined);
        this.pending = chunk.concat(this.pending);
        throw error;
      }
      this.size += bytes.length;
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
      const dir = dirname(this.path);
      await mkdir(dir, { recursive: true });
      const existed = await stat(this.path).then(
        () => true,
        () => false,
      );
      const handle = await open(this.path, this.truncate ? 'w' : 'a+');
      try {
        this.size = this.truncate ? 0 : await this.cutTornTail(handle);
        if (this.fsync && (this.truncate || this.tornBytes > 0)) await handle.datasync();
        if (this.fsync && !existed) await syncDirectory(dir);
      } catch (error) {
        await handle.close();
        throw error;
      }
      this.handle = handle;
      return handle;
    })();
    return this.opening;
  }

  /** Cuts a last line that lacks its newline (a write a crash interrupted); returns the length kept. */
  private async cutTornTail(handle: FileHandle): Promise<number> {
    const { size } = await handle.stat();
    let end = size;
    const buffer = Buffer.alloc(TAIL_CHUNK);
    while (end > 0) {
      const from = Math.max(0, end - TAIL_CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, end - from, from);
      const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        end = from + newline + 1;
        break;
      }
      end = from;
    }
    if (end < size) {
      await handle.truncate(end);
      this.tornBytes = size - end;
    }
    return end;
  }
}

/** What a LogSink needs of the file it writes to: a `JsonlFileSink`, which other writers may share. */
type LogFile = Pick<JsonlFileSink, 'open' | 'writeLines' | 'flush'>;

export interface LogSinkOptions<T> {
  /** `log` by default. */
  readonly name?: string;
  /** Where lines go; `process.stdout` by default. Not used with `file`. */
  readonly output?: Writable;
  /**
   * A crash-safe file instead of `output`, which several LogSinks may share: lines are buffered
   * there and written + fsynced when a sink flushes; its owner closes it (after the sinks).
   */
  readonly file?: LogFile;
  /** A record's line; `envelopeLine` (stream, time, key, value) by default. */
  readonly format?: LineFormat<T>;
}

/**
 * `log()`: one JSON line per record.
 *
 * - On a writable stream (`output`, the terminal): written as records arrive (the stream buffers
 *   them); `flush` resolves once the stream has taken everything written so far. No durability.
 * - Into a `file` (a `JsonlFileSink`, shared by every `log()` sink of a run): buffered there;
 *   `flush` writes and fsyncs every sink's lines so far, so a checkpoint covers only durable lines
 *   (at least once: a resumed run writes again what followed its checkpoint). Opening the file
 *   cuts a torn last line, so a line appended after a crash never glues onto a fragment.
 */
export class LogSink<T = unknown> implements Sink<T> {
  readonly name: string;
  private readonly output: Writable;
  private readonly file: LogFile | null;
  private readonly format: LineFormat<T>;
  private lastWrite: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(options: LogSinkOptions<T> = {}) {
    this.name = options.name ?? 'log';
    this.output = options.output ?? process.stdout;
    this.file = options.file ?? null;
    this.format = options.format ?? envelopeLine;
  }

  async open(): Promise<void> {
    await this.file?.open();
  }

  write(records: readonly SinkRecord<T>[]): void {
    if (records.length === 0) return;
    if (this.file !== null) {
      this.file.writeLines(records.map((record) => this.format(record)));
      return;
    }
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
    if (this.file !== null) return this.file.flush();
    await this.lastWrite;
    if (this.failure !== null) throw this.failure;
  }

  /** Flushes; a shared file stays open (its owner closes it). */
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

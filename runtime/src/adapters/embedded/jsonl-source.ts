// `JsonlFileSource`: a JSON-lines file as a one-partition source (`file(path: …)`).
//
// The partition is `<topic>/0` (the topic is the source name unless given). Offsets are line
// numbers from 0, so a committed offset is "the next line to read"; blank lines are counted but
// produce no record (the offsets of the records then have gaps, as in a compacted Kafka topic). A
// record's value is the line's text (a UTF-8 BOM and a trailing `\r` are removed), its key comes
// from the `key` extractor the engine supplies (none: `null`), its timestamp is the time it was read
// (`now`); event time comes from the decoded record. There is no pacing: a replay runs as fast as
// the pipeline takes the records.
//
// Without `follow` the file is bounded: the final line may lack its newline, and once every line
// has been returned `atEnd()` is true (the engine then closes every window). With `follow` it
// waits at the end for more lines (checking every `followIntervalMs`) and never ends; a line is
// only returned once its newline is written. `seek` re-reads from a sparse index of line starts (one
// entry every 1024 lines), so it never rescans the whole file.
//
// Commits go to an `OffsetStore` (in memory by default; `FileOffsetStore` to survive restarts).
import { open, type FileHandle } from 'node:fs/promises';
import type { EpochMillis, PartitionOffset, PollOptions, RebalanceListener, Source, SourceRecord, TopicPartition } from '../../api/index.ts';
import { isNotFound } from './files.ts';
import { MemoryOffsetStore, type OffsetStore } from './offset-store.ts';

export interface JsonlFileSourceOptions {
  /** The `source` declaration it serves. */
  readonly name: string;
  readonly path: string;
  /** The topic name its records and offsets carry; the source name by default. */
  readonly topic?: string;
  /** Keep reading as the file grows (the file may also appear later). */
  readonly follow?: boolean;
  /** The record key of a line (the engine's partition-key extractor); keys are `null` without one. */
  readonly key?: (line: string) => string | null;
  /** The timestamp given to records as they are read; `Date.now` by default. */
  readonly now?: () => EpochMillis;
  /** Where commits go; in memory by default. */
  readonly offsets?: OffsetStore;
  /** How often a followed file is checked for growth; 100 ms by default. */
  readonly followIntervalMs?: number;
  /** Bytes read per file read; 64 KiB by default. */
  readonly chunkBytes?: number;
}

const INDEX_EVERY = 1024;
const NO_HEADERS = Object.freeze([]);

export class JsonlFileSource implements Source {
  readonly name: string;
  readonly path: string;
  readonly topic: string;
  private readonly follow: boolean;
  private readonly keyOf: ((line: string) => string | null) | null;
  private readonly now: () => EpochMillis;
  private readonly offsets: OffsetStore;
  private readonly followIntervalMs: number;
  private readonly buffer: Buffer;

  private handle: FileHandle | null = null;
  /** The next byte to read. */
  private bytePos = 0;
  /** The line number of the next complete line. */
  private nextLine = 0;
  /** The start of an unfinished line (bytes read past the last newline). */
  private carry: Buffer | null = null;
  /** Lines below this are dropped as they are read (after a seek). */
  private skipBelow = 0;
  /** Byte offset of line `k * INDEX_EVERY`. */
  private readonly lineIndex: number[] = [0];
  private ready: SourceRecord[] = [];
  private readyHead = 0;
  /** The whole file has been read (never set when following). */
  private eof = false;
  /** Bumped by every seek: a read that was in flight across one is discarded. */
  private seeks = 0;

  private owned = false;
  private paused = false;
  private closed = false;
  private polling = false;
  private group: string | null = null;
  private listener: RebalanceListener | null = null;
  private wake: (() => void) | null = null;

  constructor(options: JsonlFileSourceOptions) {
    this.name = options.name;
    this.path = options.path;
    this.topic = options.topic ?? options.name;
    this.follow = options.follow ?? false;
    this.keyOf = options.key ?? null;
    this.now = options.now ?? Date.now;
    this.offsets = options.offsets ?? new MemoryOffsetStore();
    this.followIntervalMs = options.followIntervalMs ?? 100;
    this.buffer = Buffer.allocUnsafe(options.chunkBytes ?? 64 * 1024);
  }

  private get partition(): TopicPartition {
    return { topic: this.topic, partition: 0 };
  }

  async subscribe(group: string, listener: RebalanceListener): Promise<void> {
    this.ensureOpen();
    if (this.group !== null) throw new Error(`source ${this.name} is already subscribed`);
    this.group = group;
    this.listener = listener;
    this.owned = true;
    const committed = this.offsets.committed(group, this.topic, 0);
    if (committed !== undefined) this.seekTo(committed);
    await listener.onPartitionsAssigned([this.partition]);
  }

  assignment(): readonly TopicPartition[] {
    return this.owned ? [this.partition] : [];
  }

  async poll(options: PollOptions): Promise<readonly SourceRecord[]> {
    this.ensureOpen();
    if (!(options.maxRecords >= 1)) throw new RangeError(`maxRecords must be at least 1, got ${options.maxRecords}`);
    if (this.polling) throw new Error(`source ${this.name}: poll is already in progress (one poll at a time)`);
    this.polling = true;
    try {
      const deadline = Date.now() + Math.max(0, options.timeoutMs);
      for (;;) {
        if (this.owned && !this.paused) {
          while (this.readyCount() < options.maxRecords && !this.eof) {
            if (!(await this.readChunk())) break;
          }
          if (this.readyCount() > 0) return this.take(options.maxRecords);
          if (this.eof) return [];
        }
        if (this.closed) return [];
        const remaining = deadline - Date.now();
        if (remaining <= 0) return [];
        await this.sleep(this.owned && !this.paused ? Math.min(remaining, this.followIntervalMs) : remaining);
      }
    } finally {
      this.polling = false;
    }
  }

  /** True once every line of a bounded file (no `follow`) has been returned. */
  atEnd(): boolean {
    return this.owned && this.eof && this.readyCount() === 0;
  }

  async commit(positions: readonly PartitionOffset[]): Promise<void> {
    this.ensureOpen();
    if (this.group === null) throw new Error(`source ${this.name} has no consumer group to commit to`);
    for (const p of positions) this.checkPartition(p);
    await this.offsets.commitOffsets(this.group, positions);
  }

  seek(position: PartitionOffset): void {
    this.ensureOpen();
    this.checkPartition(position);
    if (!Number.isSafeInteger(position.offset) || position.offset < 0) throw new RangeError(`an offset must be a non-negative safe integer, got ${position.offset}`);
    this.seekTo(position.offset);
    this.wake?.();
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.some((p) => this.isMine(p))) this.paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.some((p) => this.isMine(p))) this.paused = false;
    this.wake?.();
  }

  /** The next line to be returned. */
  positions(): PartitionOffset[] {
    if (!this.owned) return [];
    const next = this.readyCount() > 0 ? (this.ready[this.readyHead] as SourceRecord).offset : Math.max(this.nextLine, this.skipBelow);
    return [{ topic: this.topic, partition: 0, offset: next }];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.owned && this.listener !== null) await this.listener.onPartitionsRevoked([this.partition]);
    } finally {
      this.owned = false;
      this.closed = true;
      this.wake?.();
      const handle = this.handle;
      this.handle = null;
      await handle?.close();
    }
  }

  // ───────────────────────────── reading ─────────────────────────────

  private readyCount(): number {
    return this.ready.length - this.readyHead;
  }

  private take(max: number): SourceRecord[] {
    const end = Math.min(this.ready.length, this.readyHead + max);
    const out = this.ready.slice(this.readyHead, end);
    this.readyHead = end;
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    }
    return out;
  }

  private seekTo(line: number): void {
    const k = Math.min(Math.floor(line / INDEX_EVERY), this.lineIndex.length - 1);
    this.bytePos = this.lineIndex[k] as number;
    this.nextLine = k * INDEX_EVERY;
    this.skipBelow = line;
    this.carry = null;
    this.ready = [];
    this.readyHead = 0;
    this.eof = false;
    this.seeks++;
  }

  /** Reads one chunk; false when there was nothing new (end of file, or a followed file not there yet). */
  private async readChunk(): Promise<boolean> {
    if (this.handle === null) {
      try {
        this.handle = await open(this.path, 'r');
      } catch (error) {
        if (this.follow && isNotFound(error)) return false;
        throw error;
      }
    }
    const seeks = this.seeks;
    const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.bytePos);
    if (seeks !== this.seeks) return true;
    if (bytesRead === 0) {
      if (!this.follow) {
        const carry = this.carry;
        if (carry !== null) this.line(carry, 0, carry.length, this.bytePos - carry.length);
        this.carry = null;
        this.eof = true;
      }
      return false;
    }
    const carryLength = this.carry?.length ?? 0;
    const data = this.carry === null ? this.buffer.subarray(0, bytesRead) : Buffer.concat([this.carry, this.buffer.subarray(0, bytesRead)]);
    const dataStart = this.bytePos - carryLength;
    this.bytePos += bytesRead;
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      this.line(data, start, nl, dataStart + start);
      start = nl + 1;
    }
    // The buffer is reused by the next read: keep a copy of the unfinished line.
    this.carry = start < data.length ? Buffer.from(data.subarray(start)) : null;
    return true;
  }

  private line(data: Buffer, start: number, end: number, byteOffset: number): void {
    const lineNo = this.nextLine++;
    if (lineNo % INDEX_EVERY === 0 && lineNo / INDEX_EVERY === this.lineIndex.length) this.lineIndex.push(byteOffset);
    if (lineNo < this.skipBelow) return;
    if (end > start && data[end - 1] === 0x0d) end--;
    if (lineNo === 0 && end - start >= 3 && data[start] === 0xef && data[start + 1] === 0xbb && data[start + 2] === 0xbf) start += 3;
    const text = data.toString('utf8', start, end);
    if (text.trim().length === 0) return;
    this.ready.push({
      topic: this.topic,
      partition: 0,
      offset: lineNo,
      key: this.keyOf === null ? null : this.keyOf(text),
      value: text,
      timestamp: this.now(),
      headers: NO_HEADERS,
    });
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private isMine(tp: TopicPartition): boolean {
    return tp.topic === this.topic && tp.partition === 0;
  }

  private checkPartition(tp: TopicPartition): void {
    if (!this.isMine(tp)) throw new Error(`source ${this.name} reads ${this.topic}/0 only, not ${tp.topic}/${tp.partition}`);
    if (!this.owned) throw new Error(`source ${this.name} does not own ${tp.topic}/0`);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`source ${this.name} is closed`);
  }
}

// The embedded partitioned log: Kafka's data model in one process. Topics have a fixed number of
// partitions; a record goes to the partition Kafka's default partitioner would pick for its key
// (murmur2, see murmur2.ts), keyless records are spread round-robin; each partition numbers its
// records with consecutive offsets from 0 and keeps the last `retentionRecords` of them. Consumer
// groups commit the offset of the next record to read, and the commits live in the log too, so a
// consumer restarted on the same log resumes where its group left off.
//
// With a `dir` (`PartitionedLog.open({ dir })`), the log and the commits persist as append-only
// segment files of JSON lines (segments.ts):
//
//   <dir>/topics/<topic>/topic.json                      { "name", "partitions" } (written atomically)
//   <dir>/topics/<topic>/<partition>/<base offset>.jsonl { "offset", "timestamp", "key", "value" | "bytes", "headers"? }
//   <dir>/groups/<base>.jsonl                            { "seq", "group", "topic", "partition", "offset", "committedAt" }
//
// Creating a topic writes its topic.json at once. Appends are visible to consumers at once and written behind (every `flushIntervalMs`, or on
// `flush()`); a commit first makes every appended record durable, then the offsets, so a committed
// offset never points past the durable end of its partition. The groups log is compacted (rewritten
// with the latest commit per group and partition) once it holds many superseded lines.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EpochMillis, PartitionOffset, RecordHeader, SourceRecord } from '../../api/index.ts';
import { GroupCoordinator, partitionKey } from './consumer-group.ts';
import { isNotFound, syncDirectorySync } from './files.ts';
import { partitionForKey } from './murmur2.ts';
import { SegmentLog } from './segments.ts';

export interface PartitionedLogOptions {
  /** Partitions of a topic created implicitly (by an append or a subscription); 4 by default. */
  readonly defaultPartitions?: number;
  /** Records kept per partition (older ones are deleted); 100 000 by default. */
  readonly retentionRecords?: number;
  /** Lines per segment file; 10 000 by default. */
  readonly segmentRecords?: number;
  /** Write-behind interval of appends; `null`: only on `flush()`, commits and `close()`. 100 ms by default. */
  readonly flushIntervalMs?: number | null;
  /** fsync segment files on flush and commit; `true` by default. */
  readonly fsync?: boolean;
  /** The append time of records appended without a timestamp; `Date.now` by default. */
  readonly now?: () => EpochMillis;
}

export interface PersistentLogOptions extends PartitionedLogOptions {
  /** The directory holding the log; created when missing, loaded when present. */
  readonly dir?: string;
}

export interface CloseOptions {
  /**
   * Drop the appends not yet flushed and close the files without syncing, as a crash would (for
   * restart tests). Committed offsets are durable either way.
   */
  readonly discard?: boolean;
}

/** Kafka's topic name rule: letters, digits, `.`, `_`, `-`, at most 249 characters, not `.` or `..`. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export function validateTopicName(name: string): void {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new RangeError(`invalid topic name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (at most 249 characters)`);
  }
}

function checkCount(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}`);
  return n;
}

function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`an offset must be a non-negative safe integer, got ${offset}`);
}

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

/** Records encoded and written per file write. */
const WRITE_BATCH = 4096;

/** One partition's records in memory: `records[head]` has offset `start`. */
class Partition {
  records: SourceRecord[] = [];
  head = 0;
  start = 0;
  /** Records below this offset have been written to the segment files. */
  written = 0;
  segments: SegmentLog | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get end(): number {
    return this.start + this.records.length - this.head;
  }

  at(offset: number): SourceRecord {
    return this.records[this.head + offset - this.start] as SourceRecord;
  }

  push(record: SourceRecord): void {
    this.records.push(record);
  }

  /** Deletes the records below `offset`. */
  trimTo(offset: number): void {
    if (offset <= this.start) return;
    const drop = Math.min(offset, this.end) - this.start;
    this.head += drop;
    this.start += drop;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops everything (the first record kept after a gap in the stored offsets starts afresh at `offset`). */
  resetAt(offset: number): void {
    this.records = [];
    this.head = 0;
    this.start = offset;
  }

  /** Appends up to `max` records from offset `from` (start ≤ from ≤ end) to `out`; returns how many. */
  readInto(from: number, max: number, out: SourceRecord[]): number {
    const n = Math.min(max, this.end - from);
    const base = this.head + from - this.start;
    for (let i = 0; i < n; i++) out.push(this.records[base + i] as SourceRecord);
    return Math.max(0, n);
  }
}

class Topic {
  /** Next partition of a keyless record. */
  roundRobin = 0;
  readonly partitions: Partition[];

  constructor(
    readonly name: string,
    count: number,
  ) {
    this.partitions = Array.from({ length: count }, (_, p) => new Partition(name, p));
  }
}

interface StoredRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value?: string;
  readonly bytes?: string;
  readonly headers?: readonly RecordHeader[];
}

function encodeRecord(record: SourceRecord): string {
  // Built by hand (the flush path's hot loop); same JSON as stringifying a StoredRecord.
  const key = record.key === null ? 'null' : JSON.stringify(record.key);
  const value = typeof record.value === 'string' ? `"value":${JSON.stringify(record.value)}` : `"bytes":"${Buffer.from(record.value).toString('base64')}"`;
  const headers = record.headers.length > 0 ? `,"headers":${JSON.stringify(record.headers)}` : '';
  return `{"offset":${record.offset},"timestamp":${JSON.stringify(record.timestamp)},"key":${key},${value}${headers}}`;
}

function isHeader(h: unknown): h is RecordHeader {
  return typeof h === 'object' && h !== null && typeof (h as RecordHeader).name === 'string' && typeof (h as RecordHeader).value === 'string';
}

function decodeRecord(line: string, topic: string, partition: number): SourceRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const s = parsed as Partial<Record<keyof StoredRecord, unknown>>;
  if (typeof s.offset !== 'number' || !Number.isSafeInteger(s.offset) || s.offset < 0) return null;
  if (typeof s.timestamp !== 'number') return null;
  if (s.key !== null && typeof s.key !== 'string') return null;
  let value: string | Uint8Array;
  if (typeof s.value === 'string') value = s.value;
  else if (typeof s.bytes === 'string') value = new Uint8Array(Buffer.from(s.bytes, 'base64'));
  else return null;
  let headers = NO_HEADERS;
  if (s.headers !== undefined) {
    if (!Array.isArray(s.headers) || !s.headers.every(isHeader)) return null;
    headers = s.headers;
  }
  return { topic, partition, offset: s.offset, key: s.key, value, timestamp: s.timestamp, headers };
}

interface StoredCommit {
  readonly seq: number;
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly committedAt: number;
}

function decodeCommit(line: string): StoredCommit | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const c = parsed as Partial<Record<keyof StoredCommit, unknown>>;
  if (typeof c.seq !== 'number' || typeof c.group !== 'string' || typeof c.topic !== 'string') return null;
  if (typeof c.partition !== 'number' || typeof c.offset !== 'number' || typeof c.committedAt !== 'number') return null;
  return { seq: c.seq, group: c.group, topic: c.topic, partition: c.partition, offset: c.offset, committedAt: c.committedAt };
}

/** What a disk-backed log keeps beside the in-memory one. */
interface Storage {
  readonly dir: string;
  readonly groups: SegmentLog;
  /** Next sequence number of a commit line. */
  seq: number;
  /** Commit lines in the groups log (live or superseded). */
  lines: number;
}

export class PartitionedLog {
  private readonly topicMap = new Map<string, Topic>();
  /** group → `topic/partition` → committed offset. */
  private readonly commits = new Map<string, Map<string, PartitionOffset>>();
  private readonly coordinators = new Map<string, GroupCoordinator>();
  private readonly appendListeners = new Set<() => void>();
  private readonly defaultPartitions: number;
  private readonly retention: number;
  private readonly segmentRecords: number;
  private readonly flushIntervalMs: number | null;
  private readonly fsync: boolean;
  private readonly now: () => EpochMillis;
  private storage: Storage | null = null;
  private queue: Promise<void> = Promise.resolve();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private failure: unknown = undefined;
  private closed = false;

  /** An in-memory log. Use `PartitionedLog.open({ dir })` for one persisted to a directory. */
  constructor(options: PartitionedLogOptions = {}) {
    this.defaultPartitions = checkCount('defaultPartitions', options.defaultPartitions ?? 4);
    this.retention = checkCount('retentionRecords', options.retentionRecords ?? 100_000);
    this.segmentRecords = checkCount('segmentRecords', options.segmentRecords ?? 10_000);
    this.flushIntervalMs = options.flushIntervalMs === undefined ? 100 : options.flushIntervalMs;
    this.fsync = options.fsync ?? true;
    this.now = options.now ?? Date.now;
  }

  /** A log persisted to `options.dir` (loaded when it exists), or an in-memory one without a `dir`. */
  static async open(options: PersistentLogOptions = {}): Promise<PartitionedLog> {
    const log = new PartitionedLog(options);
    if (options.dir !== undefined) await log.load(options.dir);
    return log;
  }

  /** The directory it persists to; `null` in memory. */
  get dir(): string | null {
    return this.storage?.dir ?? null;
  }

  // ───────────────────────────── topics ─────────────────────────────

  /** Creates a topic; creating an existing one with the same partition count is a no-op. */
  createTopic(name: string, partitions: number): void {
    validateTopicName(name);
    checkCount('partitions', partitions);
    const existing = this.topicMap.get(name);
    if (existing !== undefined) {
      if (existing.partitions.length !== partitions) {
        throw new Error(`topic ${name} exists with ${existing.partitions.length} partitions, not ${partitions}`);
      }
      return;
    }
    const topic = new Topic(name, partitions);
    if (this.storage !== null) this.persistTopic(topic);
    this.topicMap.set(name, topic);
  }

  /** The topic's partition count, creating it (with `partitions`, else the default) when missing. */
  ensureTopic(name: string, partitions?: number): number {
    const existing = this.topicMap.get(name);
    if (existing !== undefined) return existing.partitions.length;
    this.createTopic(name, partitions ?? this.defaultPartitions);
    return partitions ?? this.defaultPartitions;
  }

  hasTopic(name: string): boolean {
    return this.topicMap.has(name);
  }

  topics(): string[] {
    return [...this.topicMap.keys()].sort();
  }

  /** The partition count of an existing topic. */
  partitionCount(topic: string): number {
    return this.topicOf(topic).partitions.length;
  }

  /** Where a record with `key` goes: Kafka's default partitioner (murmur2 of the key's UTF-8 bytes). */
  partitionFor(topic: string, key: string): number {
    return partitionForKey(key, this.partitionCount(topic));
  }

  // ───────────────────────────── writing ─────────────────────────────

  /**
   * Appends a record to the partition of its key (keyless records round-robin), creating the topic
   * with the default partition count when missing. Returns where it went.
   */
  append(
    topic: string,
    key: string | null,
    value: string | Uint8Array,
    timestamp?: EpochMillis,
    headers?: readonly RecordHeader[],
  ): PartitionOffset {
    this.ensureUsable();
    const t = this.topicMap.get(topic) ?? this.autoCreate(topic);
    const count = t.partitions.length;
    const partition = key === null ? t.roundRobin++ % count : partitionForKey(key, count);
    return this.appendAt(t.partitions[partition] as Partition, key, value, timestamp, headers);
  }

  /** Appends a record to one partition, whatever its key. */
  appendTo(
    topic: string,
    partition: number,
    key: string | null,
    value: string | Uint8Array,
    timestamp?: EpochMillis,
    headers?: readonly RecordHeader[],
  ): PartitionOffset {
    return this.appendAt(this.partitionOf(topic, partition), key, value, timestamp, headers);
  }

  /** Calls `listener` after every append (the waiting consumers' wake-up); returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  // ───────────────────────────── reading ─────────────────────────────

  /** The offset of the oldest retained record of a partition. */
  startOffset(topic: string, partition: number): number {
    return this.partitionOf(topic, partition).start;
  }

  /** The offset the next record of a partition will get (Kafka's log end offset). */
  endOffset(topic: string, partition: number): number {
    return this.partitionOf(topic, partition).end;
  }

  /** Up to `maxRecords` records from offset `from` (clamped to the retained range). */
  read(topic: string, partition: number, from: number, maxRecords: number): SourceRecord[] {
    const out: SourceRecord[] = [];
    this.readInto(topic, partition, from, maxRecords, out);
    return out;
  }

  /**
   * Appends up to `max` records from offset `from` to `out`; returns the offset after the last one
   * read. `from` below the retained range reads from the oldest retained record, beyond the end
   * reads nothing and returns the end.
   */
  readInto(topic: string, partition: number, from: number, max: number, out: SourceRecord[]): number {
    const p = this.partitionOf(topic, partition);
    const start = Math.min(Math.max(from, p.start), p.end);
    return start + p.readInto(start, max, out);
  }

  // ───────────────────────────── consumer groups ─────────────────────────────

  /** The group's committed offset of a partition (the next record to read), if any. */
  committed(group: string, topic: string, partition: number): number | undefined {
    return this.commits.get(group)?.get(partitionKey(topic, partition))?.offset;
  }

  /** Every committed offset of a group, sorted by topic and partition. */
  committedOffsets(group: string): PartitionOffset[] {
    const byPartition = this.commits.get(group);
    if (byPartition === undefined) return [];
    return [...byPartition.values()].sort((a, b) => (a.topic !== b.topic ? (a.topic < b.topic ? -1 : 1) : a.partition - b.partition));
  }

  /** Groups with commits or members. */
  groups(): string[] {
    return [...new Set([...this.commits.keys(), ...this.coordinators.keys()])].sort();
  }

  /**
   * Makes `positions` the group's committed offsets. With a directory, resolves once they are on
   * disk, after every record appended before the call.
   */
  async commitOffsets(group: string, positions: readonly PartitionOffset[]): Promise<void> {
    this.ensureUsable();
    for (const p of positions) {
      checkOffset(p.offset);
      this.partitionOf(p.topic, p.partition);
    }
    const storage = this.storage;
    if (storage === null) {
      this.applyCommits(group, positions);
      return;
    }
    const at = this.now();
    await this.serially(async () => {
      await this.writeRecords();
      const lines = positions.map((p) => {
        const seq = storage.seq++;
        const commit: StoredCommit = { seq, group, topic: p.topic, partition: p.partition, offset: p.offset, committedAt: at };
        return { offset: seq, text: JSON.stringify(commit) };
      });
      await storage.groups.append(lines);
      await storage.groups.sync();
      storage.lines += lines.length;
      this.applyCommits(group, positions);
      await this.compactCommitsIfNeeded(storage);
    });
  }

  /** The coordinator of a group (used by `EmbeddedLogSource`; also shows members and assignment). */
  coordinator(group: string): GroupCoordinator {
    let coordinator = this.coordinators.get(group);
    if (coordinator === undefined) {
      coordinator = new GroupCoordinator(group, (topic) => this.topicMap.get(topic)?.partitions.length ?? 0);
      this.coordinators.set(group, coordinator);
    }
    return coordinator;
  }

  // ───────────────────────────── durability ─────────────────────────────

  /** Resolves once every record appended so far is on disk (immediately in memory). */
  async flush(): Promise<void> {
    this.ensureUsable();
    if (this.storage === null) return;
    await this.serially(() => this.writeRecords());
  }

  /** Flushes and closes the files (see `CloseOptions.discard`). Appends afterwards throw. */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const storage = this.storage;
    if (storage === null) return;
    await this.serially(async () => {
      if (!options.discard) await this.writeRecords();
      const logs = [storage.groups, ...this.partitionsWithSegments().map((p) => p.segments as SegmentLog)];
      for (const log of logs) await (options.discard ? log.abandon() : log.close());
    });
  }

  // ───────────────────────────── internals ─────────────────────────────

  /**
   * Writes `topic.json` synchronously (topics are created rarely, and a created topic must survive
   * a crash even before its first record is flushed). Anything already in the directory was left
   * without its topic.json, so it never was part of the log.
   */
  private persistTopic(topic: Topic): void {
    const dir = join((this.storage as Storage).dir, 'topics', topic.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'topic.json');
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, `${JSON.stringify({ name: topic.name, partitions: topic.partitions.length })}\n`);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    if (this.fsync) syncDirectorySync(dir);
  }

  private autoCreate(topic: string): Topic {
    this.createTopic(topic, this.defaultPartitions);
    return this.topicMap.get(topic) as Topic;
  }

  private topicOf(topic: string): Topic {
    const t = this.topicMap.get(topic);
    if (t === undefined) throw new Error(`unknown topic ${topic}`);
    return t;
  }

  private partitionOf(topic: string, partition: number): Partition {
    const p = this.topicOf(topic).partitions[partition];
    if (p === undefined || !Number.isInteger(partition)) throw new RangeError(`topic ${topic} has no partition ${partition}`);
    return p;
  }

  private appendAt(
    p: Partition,
    key: string | null,
    value: string | Uint8Array,
    timestamp: EpochMillis | undefined,
    headers: readonly RecordHeader[] | undefined,
  ): PartitionOffset {
    this.ensureUsable();
    const offset = p.end;
    p.push({ topic: p.topic, partition: p.partition, offset, key, value, timestamp: timestamp ?? this.now(), headers: headers ?? NO_HEADERS });
    if (p.end - p.start > this.retention) p.trimTo(p.end - this.retention);
    this.scheduleFlush();
    // Listeners unsubscribe themselves when called; deleting from a Set while iterating it is safe.
    if (this.appendListeners.size > 0) for (const listener of this.appendListeners) listener();
    return { topic: p.topic, partition: p.partition, offset };
  }

  private applyCommits(group: string, positions: readonly PartitionOffset[]): void {
    let byPartition = this.commits.get(group);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.commits.set(group, byPartition);
    }
    for (const p of positions) byPartition.set(partitionKey(p.topic, p.partition), { topic: p.topic, partition: p.partition, offset: p.offset });
  }

  private ensureUsable(): void {
    if (this.closed) throw new Error('the log is closed');
    if (this.failure !== undefined) throw this.failure;
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private scheduleFlush(): void {
    if (this.storage === null || this.flushIntervalMs === null || this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (this.closed) return;
      this.serially(() => this.writeRecords()).catch((error: unknown) => {
        this.failure ??= error;
      });
    }, this.flushIntervalMs);
    this.flushTimer.unref();
  }

  private partitionsWithSegments(): Partition[] {
    return [...this.topicMap.values()].flatMap((t) => t.partitions.filter((p) => p.segments !== null));
  }

  /** Writes new topics and unwritten records, syncs them, and applies retention to the files. Runs serially. */
  private async writeRecords(): Promise<void> {
    const storage = this.storage;
    if (storage === null) return;
    const touched: Partition[] = [];
    for (const topic of this.topicMap.values()) {
      for (const p of topic.partitions) {
        if (p.written >= p.end) continue;
        if (p.segments === null) {
          p.segments = new SegmentLog(join(storage.dir, 'topics', topic.name, String(p.partition)), { segmentRecords: this.segmentRecords, fsync: this.fsync });
          await p.segments.load(() => null);
        }
        // In batches: short-lived lines stay in the young generation (one huge array of them would not).
        const end = p.end;
        for (let from = Math.max(p.written, p.start); from < end; ) {
          const to = Math.min(end, from + WRITE_BATCH);
          const lines: { offset: number; text: string }[] = [];
          // Retention may delete records while a batch is written; those are skipped.
          for (let offset = Math.max(from, p.start); offset < to; offset++) lines.push({ offset, text: encodeRecord(p.at(offset)) });
          await p.segments.append(lines);
          from = to;
        }
        p.written = end;
        touched.push(p);
      }
    }
    await Promise.all(touched.map((p) => (p.segments as SegmentLog).sync()));
    for (const p of touched) await (p.segments as SegmentLog).deleteBelow(p.start);
  }

  /** Rewrites the groups log with the live commits once superseded lines outnumber them 4 to 1. */
  private async compactCommitsIfNeeded(storage: Storage): Promise<void> {
    const live = [...this.commits.values()].reduce((n, m) => n + m.size, 0);
    if (storage.lines < Math.max(1000, 4 * live)) return;
    await storage.groups.roll();
    const base = storage.seq;
    const at = this.now();
    const lines: { offset: number; text: string }[] = [];
    for (const [group, byPartition] of this.commits) {
      for (const p of byPartition.values()) {
        const seq = storage.seq++;
        lines.push({ offset: seq, text: JSON.stringify({ seq, group, topic: p.topic, partition: p.partition, offset: p.offset, committedAt: at } satisfies StoredCommit) });
      }
    }
    await storage.groups.append(lines);
    await storage.groups.sync();
    await storage.groups.deleteBelow(base);
    storage.lines = lines.length;
  }

  private async load(dir: string): Promise<void> {
    const topicsDir = join(dir, 'topics');
    await mkdir(topicsDir, { recursive: true });
    for (const name of (await readdir(topicsDir)).sort()) {
      let meta: unknown;
      try {
        meta = JSON.parse(await readFile(join(topicsDir, name, 'topic.json'), 'utf8'));
      } catch (error) {
        // A topic directory without its topic.json was being created when the process stopped; no record reached it.
        if (isNotFound(error) || error instanceof SyntaxError) continue;
        throw error;
      }
      const partitions = (meta as { partitions?: unknown }).partitions;
      if ((meta as { name?: unknown }).name !== name || typeof partitions !== 'number') throw new Error(`invalid ${join(topicsDir, name, 'topic.json')}`);
      const topic = new Topic(name, checkCount('partitions', partitions));
      this.topicMap.set(name, topic);
      for (const p of topic.partitions) await this.loadPartition(join(topicsDir, name, String(p.partition)), p);
    }

    const groups = new SegmentLog(join(dir, 'groups'), { segmentRecords: this.segmentRecords, fsync: this.fsync });
    const storage: Storage = { dir, groups, seq: 0, lines: 0 };
    await groups.load((line) => {
      const commit = decodeCommit(line);
      if (commit === null) return null;
      storage.seq = Math.max(storage.seq, commit.seq + 1);
      storage.lines++;
      if (this.topicMap.has(commit.topic)) this.applyCommits(commit.group, [commit]);
      return commit.seq;
    });
    const bases = groups.bases();
    if (bases.length > 0) storage.seq = Math.max(storage.seq, bases[bases.length - 1] as number);
    this.storage = storage;
  }

  private async loadPartition(dir: string, p: Partition): Promise<void> {
    const segments = new SegmentLog(dir, { segmentRecords: this.segmentRecords, fsync: this.fsync });
    let expected = -1;
    await segments.load((line) => {
      const record = decodeRecord(line, p.topic, p.partition);
      if (record === null || record.offset < expected) return null;
      if (record.offset !== expected) p.resetAt(record.offset);
      p.push(record);
      expected = record.offset + 1;
      return record.offset;
    });
    const bases = segments.bases();
    const lastBase = bases.length > 0 ? (bases[bases.length - 1] as number) : 0;
    if (p.end < lastBase) p.resetAt(lastBase);
    p.written = p.end;
    p.segments = segments;
    if (p.end - p.start > this.retention) p.trimTo(p.end - this.retention);
  }
}

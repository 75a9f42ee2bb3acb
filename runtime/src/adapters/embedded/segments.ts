// Append-only segment files of JSON lines, the on-disk form of one embedded log partition (and of
// the committed-offsets log). As in Kafka, a partition is a directory of segments named by the
// offset of their first record (`00000000000000012000.jsonl`), each line carries its own offset,
// a full segment is closed and a new one started, and retention deletes whole segments.
//
// Recovery after a crash: a torn or corrupt line can only be the tail of the last segment (lines
// are appended, and every earlier segment was fsynced before the next one was created). Loading
// truncates the last segment before its first bad line; a bad line in an earlier segment is
// corruption, reported as an error.
import { mkdir, open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT_FILE = /^(\d{20})\.jsonl$/;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.jsonl`;
}

/** fsyncs a directory so a created, renamed or deleted entry survives a crash (a no-op where directories cannot be opened). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows and some file systems do not allow syncing a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

export interface SegmentLogOptions {
  /** Lines per segment before a new one is started. */
  readonly segmentRecords: number;
  /** fsync on `sync()` (off: the OS writes back in its own time; for tests and throwaway runs). */
  readonly fsync: boolean;
}

interface Segment {
  readonly base: number;
  readonly path: string;
}

/**
 * Parses one stored line; returns its offset, or `null` when the line is not valid (torn or corrupt).
 * Called in offset order while loading.
 */
export type LineReader = (line: string) => number | null;

export interface LoadSummary {
  /** Lines dropped from the tail of the last segment. */
  readonly truncatedLines: number;
}

/** One directory of segments. Not safe for concurrent calls: the owner serialises them. */
export class SegmentLog {
  private segments: Segment[] = [];
  private active: FileHandle | null = null;
  private activeLines = 0;
  /** Written since the last sync. */
  private dirty = false;
  /** The last loaded segment may take more lines. */
  private resumable = false;

  constructor(
    readonly dir: string,
    private readonly options: SegmentLogOptions,
  ) {}

  /** Creates the directory and reads every segment in order, repairing a torn tail. */
  async load(read: LineReader): Promise<LoadSummary> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_FILE.test(n)).sort();
    this.segments = names.map((name) => ({ base: Number(name.slice(0, 20)), path: join(this.dir, name) }));
    let truncatedLines = 0;
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments[s] as Segment;
      const last = s === this.segments.length - 1;
      const bytes = await readFile(segment.path);
      let lineStart = 0;
      let lines = 0;
      let badAt = -1;
      while (lineStart < bytes.length) {
        let end = bytes.indexOf(0x0a, lineStart);
        const terminated = end >= 0;
        if (!terminated) end = bytes.length;
        const text = bytes.toString('utf8', lineStart, end);
        // An unterminated last line is a torn write even when it happens to parse.
        if (!terminated || (text.length > 0 && read(text) === null)) {
          badAt = lineStart;
          break;
        }
        if (text.length > 0) lines++;
        lineStart = end + 1;
      }
      if (badAt >= 0) {
        if (!last) throw new Error(`corrupt log segment ${segment.path} at byte ${badAt}`);
        truncatedLines = countLines(bytes, badAt);
        await truncate(segment.path, badAt);
      }
      if (last) {
        this.activeLines = lines;
        this.resumable = true;
      }
    }
    return { truncatedLines };
  }

  /** The base offsets of the segments, oldest first. */
  bases(): number[] {
    return this.segments.map((s) => s.base);
  }

  /** Appends lines (`offset` is the line's own offset, used to name a new segment). */
  async append(lines: readonly { readonly offset: number; readonly text: string }[]): Promise<void> {
    let chunk = '';
    if (this.active === null && this.resumable && this.activeLines < this.options.segmentRecords) {
      const last = this.segments[this.segments.length - 1] as Segment;
      this.active = await open(last.path, 'a');
    }
    this.resumable = false;
    for (const line of lines) {
      if (this.active === null || this.activeLines >= this.options.segmentRecords) {
        await this.writeActive(chunk);
        chunk = '';
        await this.startSegment(line.offset);
      }
      chunk += `${line.text}\n`;
      this.activeLines++;
    }
    await this.writeActive(chunk);
  }

  /** Seals the current segment; the next append starts a new one. */
  async roll(): Promise<void> {
    await this.sealActive();
    this.resumable = false;
  }

  /** Makes every write so far durable (when `fsync` is on). */
  async sync(): Promise<void> {
    if (this.active !== null && this.dirty && this.options.fsync) await this.active.datasync();
    this.dirty = false;
  }

  /**
   * Deletes the segments holding only offsets below `offset` (a segment's records end where the
   * next segment begins; the last segment is never deleted).
   */
  async deleteBelow(offset: number): Promise<number> {
    let drop = 0;
    while (drop + 1 < this.segments.length && (this.segments[drop + 1] as Segment).base <= offset) drop++;
    if (drop === 0) return 0;
    const gone = this.segments.slice(0, drop);
    this.segments = this.segments.slice(drop);
    for (const segment of gone) await rm(segment.path, { force: true });
    if (this.options.fsync) await syncDirectory(this.dir);
    return drop;
  }

  async close(): Promise<void> {
    await this.sealActive();
  }

  /** Closes the files without syncing (a simulated crash). */
  async abandon(): Promise<void> {
    const handle = this.active;
    this.active = null;
    this.dirty = false;
    await handle?.close();
  }

  private async writeActive(chunk: string): Promise<void> {
    if (chunk.length === 0 || this.active === null) return;
    await this.active.write(chunk);
    this.dirty = true;
  }

  /** Syncs and closes the current segment, so a later segment never exists beside a torn earlier one. */
  private async sealActive(): Promise<void> {
    if (this.active === null) return;
    await this.sync();
    await this.active.close();
    this.active = null;
  }

  private async startSegment(base: number): Promise<void> {
    await this.sealActive();
    const path = join(this.dir, segmentFileName(base));
    if (!this.segments.some((s) => s.base === base)) this.segments.push({ base, path });
    this.active = await open(path, 'a');
    this.activeLines = 0;
    if (this.options.fsync) await syncDirectory(this.dir);
  }
}

function countLines(bytes: Buffer, from: number): number {
  let n = 0;
  let i = from;
  while (i < bytes.length) {
    n++;
    const nl = bytes.indexOf(0x0a, i);
    if (nl < 0) break;
    i = nl + 1;
  }
  return n;
}

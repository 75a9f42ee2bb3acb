// `CheckpointStorage`: whole checkpoints (operator state + source offsets, runtime/src/api/processor.ts)
// in a directory, one file per checkpoint, for embedded runs that restart where they stopped.
//
// A save writes `checkpoint-<id>.json` atomically (temporary file, fsync, rename, fsync of the
// directory), then deletes all but the newest `keep` checkpoints. A file holds a header line
// (format, version, id, byte length and SHA-256 of the body) and the body, the checkpoint encoded by
// value-codec.ts (lossless for -Infinity watermarks, bytes, maps, …). `loadLatest` returns the newest
// checkpoint whose file is complete and whose hash matches; a torn or corrupt file is skipped (and
// reported to `onCorrupt`), so the previous checkpoint is used. It implements the engine's
// `CheckpointStorage` interface (runtime/src/api/engine.ts: `write`, `latest`). One writer per directory.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint, CheckpointStorage as CheckpointStore } from '../../api/index.ts';
import { isNotFound, writeFileAtomic } from './files.ts';
import { decodeValue, encodeValue, type Json } from './value-codec.ts';

export interface CheckpointStorageOptions {
  readonly dir: string;
  /** Checkpoints kept; 3 by default. */
  readonly keep?: number;
  /** fsync the file and the directory on save; `true` by default. */
  readonly fsync?: boolean;
  /** Told about each checkpoint file `loadLatest` had to skip. */
  readonly onCorrupt?: (path: string, reason: string) => void;
}

const FORMAT = 'flowc-checkpoint';
const VERSION = 1;
const FILE = /^checkpoint-(\d{20})\.json$/;

interface Header {
  readonly format: string;
  readonly version: number;
  readonly id: number;
  readonly bytes: number;
  readonly sha256: string;
}

function fileName(id: number): string {
  return `checkpoint-${String(id).padStart(20, '0')}.json`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The file content of a checkpoint. */
export function encodeCheckpointFile(checkpoint: Checkpoint): string {
  const body = JSON.stringify(encodeValue(checkpoint));
  const header: Header = { format: FORMAT, version: VERSION, id: checkpoint.id, bytes: Buffer.byteLength(body, 'utf8'), sha256: sha256(body) };
  return `${JSON.stringify(header)}\n${body}\n`;
}

/** The checkpoint in a file's content; throws an Error saying what is wrong with it. */
export function decodeCheckpointFile(text: string): Checkpoint {
  const newline = text.indexOf('\n');
  if (newline < 0) throw new Error('no header line');
  let header: Partial<Header>;
  try {
    header = JSON.parse(text.slice(0, newline)) as Partial<Header>;
  } catch {
    throw new Error('unreadable header');
  }
  if (header.format !== FORMAT) throw new Error(`not a ${FORMAT} file`);
  if (header.version !== VERSION) throw new Error(`unsupported version ${String(header.version)}`);
  const body = text.slice(newline + 1).replace(/\n$/, '');
  if (Buffer.byteLength(body, 'utf8') !== header.bytes) throw new Error(`truncated: body has ${Buffer.byteLength(body, 'utf8')} bytes, header says ${String(header.bytes)}`);
  if (sha256(body) !== header.sha256) throw new Error('checksum mismatch');
  const checkpoint = decodeValue(JSON.parse(body) as Json) as Checkpoint;
  if (typeof checkpoint !== 'object' || checkpoint === null || checkpoint.id !== header.id) throw new Error('body does not match header');
  if (!Array.isArray(checkpoint.operators) || !Array.isArray(checkpoint.offsets)) throw new Error('not a checkpoint');
  return checkpoint;
}

export class CheckpointStorage implements CheckpointStore {
  readonly dir: string;
  private readonly keep: number;
  private readonly fsync: boolean;
  private readonly onCorrupt: ((path: string, reason: string) => void) | null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: CheckpointStorageOptions) {
    this.dir = options.dir;
    this.keep = options.keep ?? 3;
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new RangeError(`keep must be a positive integer, got ${this.keep}`);
    this.fsync = options.fsync ?? true;
    this.onCorrupt = options.onCorrupt ?? null;
  }

  /** Writes `checkpoint` durably and prunes old ones; resolves to the file's path. Saves run one at a time. */
  save(checkpoint: Checkpoint): Promise<string> {
    let content: string;
    try {
      if (!Number.isSafeInteger(checkpoint.id) || checkpoint.id < 0) throw new RangeError(`a checkpoint id must be a non-negative safe integer, got ${checkpoint.id}`);
      // Encoded now: later changes to the objects it references do not reach the file.
      content = encodeCheckpointFile(checkpoint);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.serially(async () => {
      await mkdir(this.dir, { recursive: true });
      const path = join(this.dir, fileName(checkpoint.id));
      await writeFileAtomic(path, content, this.fsync);
      await this.prune();
      return path;
    });
  }

  /** The engine's `CheckpointStorage.write`: `save`. */
  async write(checkpoint: Checkpoint): Promise<void> {
    await this.save(checkpoint);
  }

  /** The engine's `CheckpointStorage.latest`: `loadLatest`. */
  latest(): Promise<Checkpoint | null> {
    return this.loadLatest();
  }

  /** The ids of the checkpoint files present, oldest first (not validated). */
  async list(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    return names
      .map((n) => FILE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** The checkpoint `id`, or `null` when it is missing or invalid. */
  async load(id: number): Promise<Checkpoint | null> {
    const path = join(this.dir, fileName(id));
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    try {
      return decodeCheckpointFile(text);
    } catch (error) {
      this.onCorrupt?.(path, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  /** The newest valid checkpoint, or `null` when there is none. */
  async loadLatest(): Promise<Checkpoint | null> {
    const ids = await this.list();
    for (let i = ids.length - 1; i >= 0; i--) {
      const checkpoint = await this.load(ids[i] as number);
      if (checkpoint !== null) return checkpoint;
    }
    return null;
  }

  /** Deletes all but the newest `keep` checkpoints, and temporary files left by an interrupted save. */
  private async prune(): Promise<void> {
    const ids = await this.list();
    for (const id of ids.slice(0, Math.max(0, ids.length - this.keep))) await rm(join(this.dir, fileName(id)), { force: true });
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.checkpoint-') && name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    }
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

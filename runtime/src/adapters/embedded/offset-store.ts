// Where sources without a log of their own (the JSON-lines file source) keep their groups'
// committed offsets. `PartitionedLog` keeps its groups' commits itself.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PartitionOffset } from '../../api/index.ts';
import { partitionKey } from './consumer-group.ts';
import { isNotFound, writeFileAtomic } from './files.ts';

export interface OffsetStore {
  /** The committed offset (the next record to read), if any. */
  committed(group: string, topic: string, partition: number): number | undefined;
  /** Resolves once `positions` are durable for `group`. */
  commitOffsets(group: string, positions: readonly PartitionOffset[]): Promise<void>;
}

type Commits = Map<string, Map<string, PartitionOffset>>;

function withCommits(commits: Commits, group: string, positions: readonly PartitionOffset[]): Commits {
  const next: Commits = new Map(commits);
  const byPartition = new Map(commits.get(group) ?? []);
  for (const p of positions) byPartition.set(partitionKey(p.topic, p.partition), { topic: p.topic, partition: p.partition, offset: p.offset });
  next.set(group, byPartition);
  return next;
}

/** Commits kept in memory (lost with the process). */
export class MemoryOffsetStore implements OffsetStore {
  protected commits: Commits = new Map();

  committed(group: string, topic: string, partition: number): number | undefined {
    return this.commits.get(group)?.get(partitionKey(topic, partition))?.offset;
  }

  async commitOffsets(group: string, positions: readonly PartitionOffset[]): Promise<void> {
    this.commits = withCommits(this.commits, group, positions);
  }
}

interface StoredOffsets {
  readonly groups: Readonly<Record<string, readonly PartitionOffset[]>>;
}

/** Commits in one JSON file, replaced atomically on every commit. Create with `FileOffsetStore.open(path)`. */
export class FileOffsetStore extends MemoryOffsetStore {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly fsync: boolean,
  ) {
    super();
  }

  static async open(path: string, options: { readonly fsync?: boolean } = {}): Promise<FileOffsetStore> {
    const store = new FileOffsetStore(path, options.fsync ?? true);
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (text !== null) {
      const stored = JSON.parse(text) as StoredOffsets;
      for (const [group, positions] of Object.entries(stored.groups)) store.commits = withCommits(store.commits, group, positions);
    }
    return store;
  }

  override commitOffsets(group: string, positions: readonly PartitionOffset[]): Promise<void> {
    const run = this.queue.then(async () => {
      const next = withCommits(this.commits, group, positions);
      const stored: StoredOffsets = { groups: Object.fromEntries([...next].map(([g, byPartition]) => [g, [...byPartition.values()]])) };
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, `${JSON.stringify(stored)}\n`, this.fsync);
      this.commits = next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

// Shared helpers of the embedded adapter tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RebalanceListener, TopicPartition } from '../../../src/api/index.ts';
import type { EmbeddedLogSource } from '../../../src/adapters/embedded/index.ts';

/** A fresh temporary directory; `cleanup` removes every one made so far. */
export function tempDirs(): { make(): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), 'flowc-embedded-'));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export function tpText(tps: readonly TopicPartition[]): string {
  return tps.map((tp) => `${tp.topic}/${tp.partition}`).join(',');
}

/**
 * A listener that behaves like the engine's: it commits the positions of revoked partitions (the
 * records it returned count as processed) and logs every callback as `<name> <event> <partitions>`.
 */
export function committingListener(name: string, source: () => EmbeddedLogSource, log: string[]): RebalanceListener {
  return {
    async onPartitionsAssigned(partitions) {
      log.push(`${name} assigned ${tpText(partitions)}`);
    },
    async onPartitionsRevoked(partitions) {
      log.push(`${name} revoked ${tpText(partitions)}`);
      const keys = new Set(partitions.map((p) => `${p.topic}/${p.partition}`));
      await source().commit(source().positions().filter((p) => keys.has(`${p.topic}/${p.partition}`)));
    },
    async onPartitionsLost(partitions) {
      log.push(`${name} lost ${tpText(partitions)}`);
    },
  };
}

export const quietListener: RebalanceListener = {
  async onPartitionsAssigned() {},
  async onPartitionsRevoked() {},
  async onPartitionsLost() {},
};

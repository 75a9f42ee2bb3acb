// Replay files: a simulated stream written as JSON lines (one record's wire text per line), the
// format of the `file(path: …)` source.
import { open } from 'node:fs/promises';
import { WebsiteEventSimulator, type SimulatorOptions } from './simulator.ts';

export interface SampleFileSummary {
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}

/**
 * Writes `count` records of a simulator seeded with `seed` to `path` (replacing it), in emission
 * order. `options` may add disorder or malformed records or change the rate of the simulated
 * world; the default is a clean stream at 200 events per second of event time from 2024-01-01.
 */
export async function writeSampleJsonl(
  path: string,
  count: number,
  seed: number,
  options: Omit<SimulatorOptions, 'seed'> = {},
): Promise<SampleFileSummary> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const simulator = new WebsiteEventSimulator({ ...options, seed });
  const file = await open(path, 'w');
  let bytes = 0;
  try {
    const chunkLines = 4096;
    for (let written = 0; written < count; ) {
      const n = Math.min(chunkLines, count - written);
      let chunk = '';
      for (let i = 0; i < n; i++) chunk += `${simulator.next().value}\n`;
      const buffer = Buffer.from(chunk, 'utf8');
      await file.write(buffer);
      bytes += buffer.length;
      written += n;
    }
  } finally {
    await file.close();
  }
  return { path, records: count, bytes };
}

// Replay files made by writeSampleJsonl.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebsiteEventSimulator, writeSampleJsonl } from '../../src/simulator/index.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowc-simulator-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeSampleJsonl', () => {
  it('writes the simulated records of a seed, one per line', async () => {
    const path = join(dir, 'sample.jsonl');
    const summary = await writeSampleJsonl(path, 10_000, 9);
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(new WebsiteEventSimulator({ seed: 9 }).nextBatch(10_000).map((r) => r.value));
    expect(summary).toEqual({ path, records: 10_000, bytes: Buffer.byteLength(text) });
  });

  it('is reproducible and takes the simulator options', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await writeSampleJsonl(a, 5_000, 3, { malformed: { fraction: 0.1 }, outOfOrder: { fraction: 0.1, maxDelayMs: 1_000 } });
    await writeSampleJsonl(b, 5_000, 3, { malformed: { fraction: 0.1 }, outOfOrder: { fraction: 0.1, maxDelayMs: 1_000 } });
    const text = await readFile(a, 'utf8');
    expect(await readFile(b, 'utf8')).toBe(text);
    const unparseable = text
      .trimEnd()
      .split('\n')
      .filter((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
    expect(unparseable.length).toBeGreaterThan(20); // the invalid-JSON fifth of the malformed tenth
  });

  it('writes an empty file for no records and rejects a bad count', async () => {
    const path = join(dir, 'empty.jsonl');
    expect((await writeSampleJsonl(path, 0, 1)).bytes).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('');
    await expect(writeSampleJsonl(path, -1, 1)).rejects.toThrow(RangeError);
  });
});

import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStorage, decodeValue, encodeValue, type Json } from '../../../src/adapters/embedded/index.ts';
import { MIN_WATERMARK, type Checkpoint } from '../../../src/api/index.ts';
import { tempDirs } from './support.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function checkpoint(id: number): Checkpoint {
  return {
    id,
    startedAt: 1_700_000_000_000 + id,
    operators: [
      {
        nodeId: 'sessions.window',
        partition: 0,
        watermark: id === 1 ? MIN_WATERMARK : 1_700_000_000_000,
        stores: [{ store: 'windows', partition: 0, entries: [{ key: `user-${id}|0`, value: { count: id, sum: -0, $weird: 'x', registers: new Uint8Array([1, 2, 3]) } }] }],
      },
    ],
    offsets: [{ topic: 'events', partition: 0, offset: 10 * id }],
  };
}

describe('CheckpointStorage', () => {
  it('writes checkpoints atomically, keeps the newest N and loads the latest losslessly', async () => {
    const dir = await dirs.make();
    const storage = new CheckpointStorage({ dir, keep: 2, fsync: false });
    expect(await storage.loadLatest()).toBeNull();
    for (const id of [1, 2, 3]) await storage.save(checkpoint(id));
    expect(await storage.list()).toEqual([2, 3]);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const latest = await storage.loadLatest();
    expect(latest).toEqual(checkpoint(3));
    expect(Object.is((latest?.operators[0]?.stores[0]?.entries[0]?.value as { sum: number }).sum, -0)).toBe(true);
    // The engine's interface: write / latest.
    await storage.write(checkpoint(4));
    expect(await storage.latest()).toEqual(checkpoint(4));
  });

  it('keeps a -Infinity watermark', async () => {
    const dir = await dirs.make();
    const storage = new CheckpointStorage({ dir, fsync: false });
    await storage.save(checkpoint(1));
    expect((await storage.loadLatest())?.operators[0]?.watermark).toBe(MIN_WATERMARK);
  });

  it('falls back to the previous checkpoint when the latest file is truncated or corrupt', async () => {
    const dir = await dirs.make();
    const corrupt: string[] = [];
    const storage = new CheckpointStorage({ dir, fsync: false, onCorrupt: (path, reason) => corrupt.push(`${path.slice(dir.length + 1)}: ${reason}`) });
    await storage.save(checkpoint(1));
    const second = await storage.save(checkpoint(2));
    const size = (await readFile(second)).length;
    await truncate(second, size - 20);
    expect(await storage.loadLatest()).toEqual(checkpoint(1));
    expect(corrupt).toEqual([expect.stringMatching(/^checkpoint-0+2\.json: truncated/)]);

    // A flipped byte with the length intact fails the checksum.
    const text = await readFile(join(dir, 'checkpoint-00000000000000000001.json'), 'utf8');
    await writeFile(join(dir, 'checkpoint-00000000000000000001.json'), text.replace('user-1', 'user-X'));
    expect(await storage.loadLatest()).toBeNull();
    expect(corrupt.at(-1)).toMatch(/checksum mismatch/);
  });

  it('ignores and removes temporary files of an interrupted save', async () => {
    const dir = await dirs.make();
    const storage = new CheckpointStorage({ dir, fsync: false });
    await storage.save(checkpoint(1));
    await writeFile(join(dir, '.checkpoint-00000000000000000002.json.123.1.tmp'), '{"format":');
    expect(await storage.loadLatest()).toEqual(checkpoint(1));
    await storage.save(checkpoint(2));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint-00000000000000000001.json', 'checkpoint-00000000000000000002.json']);
  });

  it('refuses state it cannot store faithfully', async () => {
    const dir = await dirs.make();
    const storage = new CheckpointStorage({ dir, fsync: false });
    class Opaque {
      x = 1;
    }
    const bad = { ...checkpoint(1), operators: [{ nodeId: 'n', partition: 0, watermark: 0, stores: [{ store: 's', partition: 0, entries: [{ key: 'k', value: new Opaque() }] }] }] };
    await expect(storage.save(bad)).rejects.toThrow(/Opaque instance/);
  });
});

describe('checkpoint value codec', () => {
  it('round-trips JSON-like values with the numbers and containers plain JSON loses', () => {
    const special = fc.constantFrom(NaN, Infinity, -Infinity, -0, undefined);
    const leaf = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), special, fc.bigInt(), fc.uint8Array({ maxLength: 8 }));
    const value = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
      array: fc.array(tie('tree'), { maxLength: 4 }),
      object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('$num', '$object', '$')), tie('tree'), { maxKeys: 4 }),
      map: fc.array(fc.tuple(fc.string(), tie('tree')), { maxLength: 3 }).map((entries) => new Map(entries)),
      set: fc.array(fc.integer(), { maxLength: 3 }).map((items) => new Set(items)),
    })).tree;
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v))) as Json);
        expect(back).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});

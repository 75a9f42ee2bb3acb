import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalStateStore, LocalStateStoreFactory } from '../../../src/adapters/embedded/index.ts';

describe('LocalStateStore', () => {
  it('gets, puts, deletes and scans in key order with prefix and bounds', () => {
    const store = new LocalStateStore<number>('counts', 3);
    for (const [k, v] of [['b|2', 2], ['a|1', 1], ['b|1', 1], ['c', 9], ['a|2', 5]] as const) store.put(k, v);
    store.put('a|1', 10);
    store.delete('c');
    store.delete('missing');
    expect(store.size).toBe(4);
    expect(store.get('a|1')).toBe(10);
    expect(store.get('c')).toBeUndefined();
    expect([...store.scan()].map((e) => e.key)).toEqual(['a|1', 'a|2', 'b|1', 'b|2']);
    expect([...store.scan({ prefix: 'b|' })]).toEqual([
      { key: 'b|1', value: 1 },
      { key: 'b|2', value: 2 },
    ]);
    expect([...store.scan({ from: 'a|2', to: 'b|2' })].map((e) => e.key)).toEqual(['a|2', 'b|1']);
    expect([...store.scan({ prefix: 'a', from: 'a|2' })].map((e) => e.key)).toEqual(['a|2']);
  });

  it('round-trips through a snapshot, which later writes do not change', () => {
    const store = new LocalStateStore<{ n: number }>('windows', 0);
    store.put('k1', { n: 1 });
    store.put('k2', { n: 2 });
    const snapshot = store.snapshot();
    store.put('k1', { n: 100 });
    store.delete('k2');
    store.put('k3', { n: 3 });
    expect(snapshot).toEqual({ store: 'windows', partition: 0, entries: [{ key: 'k1', value: { n: 1 } }, { key: 'k2', value: { n: 2 } }] });

    const restored = new LocalStateStore<{ n: number }>('windows', 0);
    restored.put('stale', { n: -1 });
    restored.restore(JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
    expect([...restored.scan()]).toEqual(snapshot.entries);
    expect(restored.size).toBe(2);
    expect(() => new LocalStateStore('other', 0).restore(snapshot)).toThrow(/cannot restore/);
  });

  it('copies values into snapshots when given cloneValue (for values mutated in place)', () => {
    const store = new LocalStateStore<number[]>('lists', 1, { cloneValue: (v) => [...v] });
    const list = [1];
    store.put('k', list);
    const snapshot = store.snapshot();
    list.push(2);
    expect(snapshot.entries[0]?.value).toEqual([1]);
  });

  it('creates stores for the engine', () => {
    const store = new LocalStateStoreFactory().createStore<number>({ name: 'agg', changelogTopic: 'p-agg-changelog' }, 2, 'agg.window');
    expect([store.name, store.partition, store.size]).toEqual(['agg', 2, 0]);
  });

  it('behaves like a sorted map under any sequence of operations', () => {
    const key = fc.stringMatching(/^[a-d]{0,3}$/);
    const op = fc.oneof(
      fc.record({ put: key, value: fc.integer() }),
      fc.record({ del: key }),
      fc.record({ scan: fc.record({ prefix: fc.option(key, { nil: undefined }), from: fc.option(key, { nil: undefined }), to: fc.option(key, { nil: undefined }) }) }),
      fc.record({ snapshot: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const store = new LocalStateStore<number>('s', 0);
        const model = new Map<string, number>();
        for (const o of ops) {
          if ('put' in o) {
            store.put(o.put, o.value);
            model.set(o.put, o.value);
          } else if ('del' in o) {
            store.delete(o.del);
            model.delete(o.del);
          } else if ('scan' in o) {
            const { prefix, from, to } = o.scan;
            const expected = [...model.entries()]
              .filter(([k]) => (prefix === undefined || k.startsWith(prefix)) && (from === undefined || k >= from) && (to === undefined || k < to))
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, value]) => ({ key: k, value }));
            const range = { ...(prefix === undefined ? {} : { prefix }), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
            expect([...store.scan(range)]).toEqual(expected);
          } else {
            const copy = new LocalStateStore<number>('s', 0);
            copy.restore(store.snapshot());
            expect([...copy.scan()]).toEqual([...store.scan()]);
          }
          expect(store.size).toBe(model.size);
        }
      }),
      { numRuns: 300 },
    );
  });
});

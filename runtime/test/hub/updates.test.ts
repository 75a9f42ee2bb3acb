// Keyed updates through the hub, over real sockets: window and session rows arrive as +I/-U/+U/-D
// changes of a row key. The hub sends no -U, replaces a row by its row key (a session whose end
// moved replaces its old row, it does not sit beside it), removes a row on -D and tells the
// subscribers; snapshots and /api/history hold the current version of each row, nothing deleted
// or superseded — whatever the store still holds, and while a snapshot is being read.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedTimeSeriesStore, TimeSeriesSink } from '../../src/adapters/embedded/index.ts';
import { sessionRowKey, type SinkRecord } from '../../src/api/index.ts';
import { StoredSeriesHistory, type MetricSnapshotMessage, type UpdateMessage, type WindowRow } from '../../src/hub/index.ts';
import { DeferredHistory, T0, TestClient, clientRows, closeHubs, geoChange, rowOf, sessionChange, sortRows, startHub } from './support.ts';

afterEach(closeHubs);

// ann's session: 1 page until T0+10 s, then 3 pages until T0+25 s (its end moved), then 4 until T0+40 s.
const ann1 = sessionChange('+I', 'ann', T0, T0 + 10_000, 1);
const ann2 = sessionChange('+U', 'ann', T0, T0 + 25_000, 3);
const ann3 = sessionChange('+U', 'ann', T0, T0 + 40_000, 4);
// bob's session: inserted, then deleted (merged into another, or its start moved earlier).
const bob = sessionChange('+I', 'bob', T0 + 5000, T0 + 12_000, 2);
const retract = (record: SinkRecord<unknown>, change: '-U' | '-D'): SinkRecord<unknown> => ({ ...record, change });

/** The batches of the story, as the engine emits them: -U always right before its +U. */
function story(): { readonly batches: SinkRecord<unknown>[][]; readonly sess: WindowRow[]; readonly geo: WindowRow[] } {
  const usFinal = geoChange('+U', 'US', 1, 6);
  return {
    batches: [
      [ann1, bob],
      [retract(ann1, '-U'), ann2],
      [retract(bob, '-D')],
      [geoChange('+I', 'US', 1, 5), geoChange('+I', 'DE', 1, 3)],
      // A late event updates US's window in place; DE's window lost all its input rows.
      [geoChange('-U', 'US', 1, 5), usFinal, geoChange('-D', 'DE', 1, 3)],
    ],
    sess: [rowOf(ann2)],
    geo: [rowOf(usFinal)],
  };
}

const snapshotOf = (client: TestClient, stream: string): MetricSnapshotMessage => {
  const found = client.ofType('snapshot').find((m) => m.stream === stream);
  if (found?.kind !== 'metric') throw new Error(`no metric snapshot of ${stream}`);
  return found;
};

describe('keyed updates', () => {
  it('sends +I, +U (with previousTime when the row moved) and -D, never -U; a client, the recent rows and a later snapshot hold exactly the final rows', async () => {
    const registry = new Registry();
    const { hub, ws, url } = await startHub({ registry });
    const client = await TestClient.ready(ws);
    client.subscribe(['sess', 'geo']);
    await client.until((ms) => ms.filter((m) => m.type === 'snapshot').length === 2, 'two snapshots');
    const { batches, sess, geo } = story();
    for (const batch of batches) hub.publish(batch);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 8, 'eight updates');
    await client.barrier();

    const updates = client.ofType('update');
    expect(updates.map((u) => `${u.stream} ${u.change ?? ''} ${String(u.key)}`)).toEqual([
      'sess +I ann',
      'sess +I bob',
      'sess +U ann',
      'sess -D bob',
      'geo +I US',
      'geo +I DE',
      'geo +U US',
      'geo -D DE',
    ]);
    const moved = updates[2] as UpdateMessage;
    expect(moved).toEqual({ v: 3, type: 'update', stream: 'sess', key: 'ann', time: T0 + 25_000, row: ann2.value, rowKey: sessionRowKey('ann', T0), change: '+U', previousTime: T0 + 10_000 });
    // A window updated in place keeps its time: no previousTime.
    expect('previousTime' in (updates[6] as UpdateMessage)).toBe(false);
    // -D names the row and carries its last version.
    expect(updates[3]).toMatchObject({ change: '-D', rowKey: bob.rowKey, time: bob.timestamp, row: bob.value });
    // Messages made are counted, not the -U records (which make none).
    expect(await registry.metrics()).toMatch(/flowc_hub_messages_total\{pipeline="hub_test",type="update"\} 8\n/);

    expect(clientRows(client.messages, 'sess')).toEqual(sess);
    expect(clientRows(client.messages, 'geo')).toEqual(geo);

    // A client connecting now: its snapshots hold the final rows, with their row keys, and nothing else.
    const later = await TestClient.ready(ws);
    later.subscribe(['sess', 'geo']);
    await later.until((ms) => ms.filter((m) => m.type === 'snapshot').length === 2, 'two snapshots');
    expect(snapshotOf(later, 'sess').rows).toEqual(sess);
    expect(snapshotOf(later, 'geo').rows).toEqual(geo);
    // …and so does /api/history.
    const history = (await (await fetch(`${url}api/history?metric=sess`)).json()) as { rows: WindowRow[] };
    expect(history.rows).toEqual(sess);
    await Promise.all([client.close(), later.close()]);
  });

  it('a snapshot leaves out what a lagging store still holds of deleted and superseded rows', async () => {
    // Rows as a store gives them back: no row key, no session start. carl's it has from before the hub started.
    const stored = (record: SinkRecord<unknown>): WindowRow => {
      const { window_start: _start, ...row } = record.value as Record<string, unknown>;
      return { key: record.key, time: record.timestamp, row };
    };
    const carl = sessionChange('+I', 'carl', T0 - 60_000, T0 - 50_000, 7);
    const { hub, ws, url } = await startHub({ history: { rows: async (metric) => (metric.name === 'sess' ? [stored(carl), stored(ann1), stored(bob)] : []) } });
    for (const batch of story().batches) hub.publish(batch);
    const client = await TestClient.ready(ws);
    client.subscribe(['sess']);
    await client.until((ms) => ms.some((m) => m.type === 'snapshot'), 'the snapshot');
    const expected = [stored(carl), rowOf(ann2)];
    expect(snapshotOf(client, 'sess').rows).toEqual(expected);
    expect(((await (await fetch(`${url}api/history?metric=sess`)).json()) as { rows: WindowRow[] }).rows).toEqual(expected);

    // The store's copy of ann's row has no row key: the +U that moves it again names its previous time.
    hub.publish([retract(ann2, '-U'), ann3]);
    hub.publish([retract(carl, '-D')]);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 2, 'two updates');
    expect(client.ofType('update')[0]).toMatchObject({ change: '+U', time: T0 + 40_000, previousTime: T0 + 25_000 });
    expect(clientRows(client.messages, 'sess')).toEqual([rowOf(ann3)]);
    await client.close();
  });

  it('while the history read is pending: the snapshot has neither the old versions nor deleted rows, and what changed follows it', async () => {
    const history = new DeferredHistory();
    const { hub, ws } = await startHub({ history });
    hub.publish([ann1, bob]);
    const client = await TestClient.ready(ws);
    client.subscribe(['sess']);
    await history.called(1);

    // Meanwhile ann's session moves twice (once with its -U in a publish of its own) and bob's goes.
    hub.publish([retract(ann1, '-U'), ann2]);
    hub.publish([retract(bob, '-D')]);
    hub.publish([retract(ann2, '-U')]);
    hub.publish([ann3]);
    await client.barrier();
    expect(client.messages.map((m) => m.type)).toEqual(['hello', 'health']);

    // The store answers with what it held when it was read: the first versions.
    const keyless = (record: SinkRecord<unknown>): WindowRow => ({ key: record.key, time: record.timestamp, row: record.value as Record<string, unknown> });
    history.calls[0]?.answer([keyless(ann1), keyless(bob)]);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 3, 'the queued updates');
    expect(client.messages.map((m) => m.type)).toEqual(['hello', 'health', 'snapshot', 'update', 'update', 'update']);
    expect(snapshotOf(client, 'sess').rows).toEqual([]);
    expect(client.ofType('update').map((u) => `${u.change ?? ''} ${u.time - T0}`)).toEqual(['+U 25000', '-D 12000', '+U 40000']);
    expect(clientRows(client.messages, 'sess')).toEqual([rowOf(ann3)]);
    await client.close();
  });

  it('with the embedded store as `flowc run` wires it: a row evicted from memory comes back from the store at its current time only', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const sink = new TimeSeriesSink(store, { name: 'influx', measurement: 'm', inputs: [{ stream: 'sess', node: 'sess', tags: ['user'], fields: ['pages'], time: 'window_end' }] });
    // One recent row per stream: the hub forgets ann once zed's row arrives.
    const { hub, ws } = await startHub({ history: new StoredSeriesHistory(store), recentRowsPerStream: 1 });
    const zed = sessionChange('+I', 'zed', T0 + 30_000, T0 + 31_000, 1);
    for (const batch of [[ann1, bob], [retract(ann1, '-U'), ann2], [retract(bob, '-D')], [zed]]) {
      sink.write(batch);
      hub.publish(batch);
    }
    const client = await TestClient.ready(ws);
    client.subscribe(['sess']);
    await client.until((ms) => ms.some((m) => m.type === 'snapshot'), 'the snapshot');
    // ann from the store (no row key, no start), zed from memory.
    expect(snapshotOf(client, 'sess').rows).toEqual(sortRows([{ key: 'ann', time: T0 + 25_000, row: { user: 'ann', window_end: T0 + 25_000, pages: 3 } }, rowOf(zed)]));

    // ann's session moves again: the hub no longer has it, the -U gives the +U its previousTime.
    for (const batch of [[retract(ann2, '-U'), ann3]]) {
      sink.write(batch);
      hub.publish(batch);
    }
    await client.until((ms) => ms.some((m) => m.type === 'update'), 'the update');
    expect(client.ofType('update')[0]).toMatchObject({ change: '+U', rowKey: ann3.rowKey, previousTime: T0 + 25_000 });
    expect(clientRows(client.messages, 'sess')).toEqual(sortRows([rowOf(ann3), rowOf(zed)]));
    await client.close();
  });
});

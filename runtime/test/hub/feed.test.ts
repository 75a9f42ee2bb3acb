// The WebSocket feed, protocol v3, over real sockets: hello, subscribe → snapshot → live, the queue
// behind a slow history read, unsubscribe, errors, oversize frames.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HubSink, PROTOCOL_VERSION, type MetricSnapshotMessage, type UpdateMessage, type WindowRow } from '../../src/hub/index.ts';
import { DeferredHistory, MANIFEST, T0, TestClient, alertRecord, closeHubs, geoRecord, startHub } from './support.ts';

afterEach(closeHubs);

const identity = (r: { readonly row: Readonly<Record<string, unknown>>; readonly time: number }): string => `${String(r.row.country)}@${r.time}`;

describe('connecting', () => {
  it('greets with hello (manifest, streams: metrics then alerts) and one health, and sends no update before a subscribe', async () => {
    const { hub, ws } = await startHub({ heartbeatMs: 15_000, healthIntervalMs: 60_000 });
    hub.publish([geoRecord('US', 1, 5)]);
    const client = await TestClient.ready(ws);
    const [hello, health] = client.messages;
    expect(hello).toMatchObject({ v: PROTOCOL_VERSION, type: 'hello', pipeline: 'hub_test', heartbeatMs: 15_000, healthIntervalMs: 60_000, manifest: MANIFEST });
    if (hello?.type !== 'hello') throw new Error('no hello');
    expect(hello.streams).toEqual([
      { name: 'rt', kind: 'metric' },
      { name: 'geo', kind: 'metric' },
      { name: 'sess', kind: 'metric' },
      { name: 'bounces', kind: 'alert' },
    ]);
    expect(typeof hello.serverTime).toBe('number');
    expect(health).toMatchObject({ type: 'health', pipeline: 'hub_test', status: { state: 'running', clients: 1, clientsDropped: 0 } });

    hub.publish([geoRecord('US', 2, 6)]);
    await client.barrier();
    expect(client.messages.map((m) => m.type)).toEqual(['hello', 'health']);
    await client.close();
  });
});

describe('subscribe', () => {
  it('answers each new stream with a snapshot (rows oldest first, the newest `limit` per group key), then its live updates', async () => {
    const { hub, ws } = await startHub();
    for (let slot = 1; slot <= 5; slot++) hub.publish(['US', 'DE', 'FR'].map((country, i) => geoRecord(country, slot, slot * 10 + i)));
    hub.publish([alertRecord(1), alertRecord(2), alertRecord(3)]);
    const client = await TestClient.ready(ws);

    client.subscribe(['geo', 'bounces'], { limit: 2 });
    await client.until((ms) => ms.filter((m) => m.type === 'snapshot').length === 2, 'two snapshots');
    const geo = client.ofType('snapshot').find((m) => m.stream === 'geo') as MetricSnapshotMessage;
    expect(geo.kind).toBe('metric');
    expect(geo.rows.map(identity)).toEqual([`US@${T0 + 40_000}`, `DE@${T0 + 40_000}`, `FR@${T0 + 40_000}`, `US@${T0 + 50_000}`, `DE@${T0 + 50_000}`, `FR@${T0 + 50_000}`]);
    expect(geo.rows[0]).toEqual({ key: 'US', time: T0 + 40_000, row: { country: 'US', window_start: T0 - 20_000, window_end: T0 + 40_000, users: 40, events: 120 } });
    const bounces = client.ofType('snapshot').find((m) => m.stream === 'bounces');
    expect(bounces).toMatchObject({ kind: 'alert', alerts: [{ time: T0 + 2000 }, { time: T0 + 3000 }] });

    hub.publish([geoRecord('US', 6, 60), alertRecord(4)]);
    await client.until((ms) => ms.some((m) => m.type === 'update') && ms.some((m) => m.type === 'alert'), 'the live update and alert');
    expect(client.ofType('update')).toEqual([{ v: 3, type: 'update', stream: 'geo', key: 'US', time: T0 + 60_000, row: geoRecord('US', 6, 60).value }]);
    expect(client.ofType('alert')[0]).toMatchObject({ type: 'alert', stream: 'bounces', time: T0 + 4000, alert: { alert_type: 'HIGH_BOUNCE_RATE', userId: 'user_4' } });

    // Subscribing again to a subscribed stream sends no second snapshot.
    client.subscribe(['geo']);
    await client.barrier();
    expect(client.ofType('snapshot')).toHaveLength(2);
    await client.close();
  });

  it("'*' subscribes to every stream; the default snapshot has the 120 newest rows of every group key", async () => {
    const { hub, ws } = await startHub();
    const countries = Array.from({ length: 20 }, (_, i) => `C${i}`);
    for (let slot = 1; slot <= 130; slot++) hub.publish(countries.map((c) => geoRecord(c, slot, slot)));
    const client = await TestClient.ready(ws);
    client.subscribe('*');
    await client.until((ms) => ms.filter((m) => m.type === 'snapshot').length === 4, 'four snapshots');
    expect(client.ofType('snapshot').map((m) => m.stream).sort()).toEqual(['bounces', 'geo', 'rt', 'sess']);
    const geo = client.ofType('snapshot').find((m) => m.stream === 'geo') as MetricSnapshotMessage;
    expect(geo.rows).toHaveLength(20 * 120);
    for (const c of countries) {
      const times = geo.rows.filter((r) => r.row.country === c).map((r) => r.time);
      expect(times).toEqual(Array.from({ length: 120 }, (_, i) => T0 + (11 + i) * 10_000));
    }
    await client.close();
  });

  it('limit 0: no snapshot, live updates only; since: only rows at or after it', async () => {
    const { hub, ws } = await startHub();
    for (let slot = 1; slot <= 5; slot++) hub.publish([geoRecord('US', slot, slot)]);
    const live = await TestClient.ready(ws);
    live.subscribe(['geo'], { limit: 0 });
    const recent = await TestClient.ready(ws);
    recent.subscribe(['geo'], { since: T0 + 40_000 });
    await recent.until((ms) => ms.some((m) => m.type === 'snapshot'), 'the snapshot');
    expect((recent.ofType('snapshot')[0] as MetricSnapshotMessage).rows.map((r) => r.time)).toEqual([T0 + 40_000, T0 + 50_000]);
    await live.barrier();
    hub.publish([geoRecord('US', 6, 6)]);
    await live.until((ms) => ms.some((m) => m.type === 'update'), 'the update');
    expect(live.messages.map((m) => m.type)).toEqual(['hello', 'health', 'update']);
    await Promise.all([live.close(), recent.close()]);
  });

  it('queues the updates published while the history read is pending and sends them after the snapshot: no gap, no duplicate', async () => {
    const history = new DeferredHistory();
    const { hub, ws } = await startHub({ history });
    // Before the subscription: slots 1–3 of US and DE reached the hub.
    for (let slot = 1; slot <= 3; slot++) hub.publish([geoRecord('US', slot, slot), geoRecord('DE', slot, 100 + slot)]);
    const client = await TestClient.ready(ws);
    client.subscribe(['geo']);
    await history.called(1);
    expect(history.calls[0]?.request).toEqual({ since: undefined, limit: 120 });
    expect(history.calls[0]?.metric.name).toBe('geo');

    // While the read is pending: new windows, and DE slot 3 re-emitted (a late update).
    hub.publish([geoRecord('US', 4, 4), geoRecord('DE', 4, 104)]);
    hub.publish([geoRecord('DE', 3, 999)]);
    hub.publish([geoRecord('US', 5, 5)]);
    await client.barrier();
    expect(client.messages.map((m) => m.type)).toEqual(['hello', 'health']);

    // The store answers with older rows (slot 0, before the hub started), rows the hub also has
    // (US slot 1, an older copy), and a row it was written with meanwhile (US slot 4).
    const stored = (country: string, slot: number, users: number): WindowRow => {
      const r = geoRecord(country, slot, users);
      return { key: country, time: r.timestamp, row: { ...(r.value as Record<string, unknown>), country } };
    };
    history.calls[0]?.answer([stored('US', 0, 0), stored('DE', 0, 100), stored('US', 1, -1), stored('US', 4, 4)]);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 4, 'the queued updates');

    const types = client.messages.map((m) => m.type);
    expect(types).toEqual(['hello', 'health', 'snapshot', 'update', 'update', 'update', 'update']);
    const snapshot = client.ofType('snapshot')[0] as MetricSnapshotMessage;
    const updates = client.ofType('update');
    // Snapshot: the stored past and the hub's rows (its copy of US slot 1), without what follows as updates.
    expect(snapshot.rows.map(identity)).toEqual([`US@${T0}`, `DE@${T0}`, `US@${T0 + 10_000}`, `DE@${T0 + 10_000}`, `US@${T0 + 20_000}`, `DE@${T0 + 20_000}`, `US@${T0 + 30_000}`]);
    expect(snapshot.rows.find((r) => identity(r) === `US@${T0 + 10_000}`)?.row.users).toBe(1);
    expect(updates.map(identity)).toEqual([`US@${T0 + 40_000}`, `DE@${T0 + 40_000}`, `DE@${T0 + 30_000}`, `US@${T0 + 50_000}`]);
    expect(updates.find((u) => identity(u) === `DE@${T0 + 30_000}`)?.row.users).toBe(999);
    // Every window once: the snapshot and the updates together.
    const all = [...snapshot.rows.map(identity), ...updates.map(identity)];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(11);

    hub.publish([geoRecord('FR', 6, 1)]);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 5, 'a live update');
    await client.close();
  });

  it('a failing history read still answers with the rows in memory', async () => {
    const { hub, ws } = await startHub({ history: { rows: () => Promise.reject(new Error('influx down')) } });
    hub.publish([geoRecord('US', 1, 1)]);
    const client = await TestClient.ready(ws);
    client.subscribe(['geo']);
    await client.until((ms) => ms.some((m) => m.type === 'snapshot'), 'the snapshot');
    expect((client.ofType('snapshot')[0] as MetricSnapshotMessage).rows.map(identity)).toEqual([`US@${T0 + 10_000}`]);
    await client.close();
  });
});

describe('unsubscribe and errors', () => {
  it('unsubscribe stops the updates of that stream only', async () => {
    const { hub, ws } = await startHub();
    const client = await TestClient.ready(ws);
    client.subscribe(['geo', 'rt'], { limit: 0 });
    await client.barrier();
    client.send({ v: 3, type: 'unsubscribe', streams: ['geo'] });
    await client.barrier();
    hub.publish([geoRecord('US', 1, 1), { stream: 'rt', key: null, timestamp: T0 + 5000, value: { window_start: T0, window_end: T0 + 5000, seq: 1, pad: '' } }]);
    await client.until((ms) => ms.some((m) => m.type === 'update'), 'the rt update');
    await client.barrier();
    expect(client.ofType('update').map((u) => u.stream)).toEqual(['rt']);

    client.send({ v: 3, type: 'unsubscribe', streams: '*' });
    await client.barrier();
    hub.publish([{ stream: 'rt', key: null, timestamp: T0 + 10_000, value: { seq: 2 } }]);
    await client.barrier();
    expect(client.ofType('update')).toHaveLength(1);
    await client.close();
  });

  it('an unknown stream gets an error (unknown_stream) and the rest of the list is still subscribed', async () => {
    const { hub, ws } = await startHub();
    const client = await TestClient.ready(ws);
    client.subscribe(['nope', 'geo'], { limit: 0 });
    await client.until((ms) => ms.some((m) => m.type === 'error'), 'the error');
    expect(client.ofType('error')[0]).toMatchObject({ v: 3, type: 'error', code: 'unknown_stream', stream: 'nope' });
    hub.publish([geoRecord('US', 1, 1)]);
    await client.until((ms) => ms.some((m) => m.type === 'update'), 'the update');
    await client.close();
  });

  it('bad JSON, an unknown type, another version or a binary frame get an error, and the connection stays open', async () => {
    const { hub, ws } = await startHub();
    const client = await TestClient.ready(ws);
    client.send('{"v":3,"type":"subscribe",');
    client.send({ v: 3, type: 'publish', streams: '*' });
    client.send({ v: 1, type: 'subscribe', streams: '*' });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.until((ms) => ms.filter((m) => m.type === 'error').length === 4, 'four errors');
    expect(client.ofType('error').map((e) => e.code)).toEqual(['bad_message', 'unknown_type', 'unsupported_version', 'bad_message']);
    client.subscribe(['geo'], { limit: 0 });
    await client.barrier();
    hub.publish([geoRecord('US', 1, 1)]);
    await client.until((ms) => ms.some((m) => m.type === 'update'), 'the update');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await client.close();
  });

  it('closes the connection with 1009 when a client frame exceeds maxPayload', async () => {
    const { ws } = await startHub({ maxPayload: 16 * 1024 });
    const client = await TestClient.ready(ws);
    client.send(JSON.stringify({ v: 3, type: 'subscribe', streams: ['x'.repeat(17 * 1024)] }));
    const closed = await client.closed;
    expect(closed.code).toBe(1009);
  });
});

describe('publishing', () => {
  it('serialises each message once, counts messages by type and health reports clients', async () => {
    const registry = new Registry();
    const { hub, ws } = await startHub({ registry });
    const a = await TestClient.ready(ws);
    const b = await TestClient.ready(ws);
    a.subscribe(['geo'], { limit: 0 });
    b.subscribe(['geo'], { limit: 0 });
    await Promise.all([a.barrier(), b.barrier()]);
    hub.publish([geoRecord('US', 1, 1)]);
    await Promise.all([a, b].map((c) => c.until((ms) => ms.some((m) => m.type === 'update'), 'the update')));
    expect(a.ofType('update')).toEqual(b.ofType('update'));
    const text = await registry.metrics();
    expect(text).toMatch(/flowc_hub_messages_total\{pipeline="hub_test",type="update"\} 1\n/);
    expect(text).toMatch(/flowc_websocket_clients\{pipeline="hub_test"\} 2\n/);
    expect(hub.clientCount).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });

  it("sends one stream's messages of one publish as one frame (an array), in order, and each stream its own", async () => {
    const registry = new Registry();
    const { hub, ws } = await startHub({ registry });
    const client = await TestClient.ready(ws);
    client.subscribe(['geo', 'bounces'], { limit: 0 });
    await client.barrier();
    const framesBefore = client.frames;
    hub.publish([geoRecord('US', 1, 1), geoRecord('DE', 1, 2), geoRecord('FR', 1, 3), alertRecord(1), alertRecord(2), geoRecord('US', 2, 4)]);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 4 && ms.filter((m) => m.type === 'alert').length === 2, 'four updates, two alerts');
    // geo ×3, then bounces ×2, then geo ×1: three frames.
    expect(client.frames - framesBefore).toBe(3);
    expect(client.ofType('update').map((u) => u.row.country)).toEqual(['US', 'DE', 'FR', 'US']);
    // Messages are counted one by one, however they are framed.
    expect(await registry.metrics()).toMatch(/flowc_hub_messages_total\{pipeline="hub_test",type="update"\} 4\n/);
    await client.close();
  });

  it('marks the updates of early-firing records (SinkRecord.early) early', async () => {
    const { hub, ws } = await startHub();
    const client = await TestClient.ready(ws);
    client.subscribe(['geo'], { limit: 0 });
    await client.barrier();
    // What the engine's sink writer hands a HubSink for an early batch, then the final row.
    const sink = new HubSink('dash', hub);
    sink.write([{ ...geoRecord('US', 1, 1), early: true }]);
    sink.write([geoRecord('US', 1, 2)]);
    await client.until((ms) => ms.filter((m) => m.type === 'update').length === 2, 'two updates');
    const [early, final] = client.ofType('update') as [UpdateMessage, UpdateMessage];
    expect(early.early).toBe(true);
    expect('early' in final).toBe(false);
    await client.close();
  });

  it('sends health to every client every healthIntervalMs, subscribed or not', async () => {
    const { ws } = await startHub({ healthIntervalMs: 20 });
    const client = await TestClient.ready(ws);
    await client.until((ms) => ms.filter((m) => m.type === 'health').length >= 3, 'three health messages');
    await client.close();
  });
});

describe('GET /api/history', () => {
  it('answers with what a snapshot holds: stored and recent rows merged, within from … to, limit per group key', async () => {
    const stored: WindowRow[] = [{ key: 'US', time: T0, row: { country: 'US', window_start: T0 - 60_000, window_end: T0, users: 0, events: 0 } }];
    const { hub, url } = await startHub({ history: { rows: async () => stored } });
    for (let slot = 1; slot <= 4; slot++) hub.publish([geoRecord('US', slot, slot), geoRecord('DE', slot, slot)]);
    hub.publish([alertRecord(1), alertRecord(2)]);

    const all = (await (await fetch(`${url}api/history?metric=geo`)).json()) as { kind: string; rows: WindowRow[] };
    expect(all.kind).toBe('metric');
    expect(all.rows.map(identity)).toEqual([`US@${T0}`, ...[1, 2, 3, 4].flatMap((s) => [`US@${T0 + s * 10_000}`, `DE@${T0 + s * 10_000}`])]);
    const some = (await (await fetch(`${url}api/history?metric=geo&from=${T0 + 10_000}&to=${new Date(T0 + 40_000).toISOString()}&limit=1&field=users`)).json()) as { rows: WindowRow[] };
    expect(some.rows).toEqual([
      { key: 'US', time: T0 + 30_000, row: { country: 'US', window_start: T0 - 30_000, window_end: T0 + 30_000, users: 3 } },
      { key: 'DE', time: T0 + 30_000, row: { country: 'DE', window_start: T0 - 30_000, window_end: T0 + 30_000, users: 3 } },
    ]);
    const alerts = (await (await fetch(`${url}api/history?metric=bounces&limit=1`)).json()) as { kind: string; alerts: { time: number }[] };
    expect(alerts).toMatchObject({ kind: 'alert', alerts: [{ time: T0 + 2000 }] });

    expect((await fetch(`${url}api/history`)).status).toBe(400);
    expect((await fetch(`${url}api/history?metric=nope`)).status).toBe(404);
    expect((await fetch(`${url}api/history?metric=geo&limit=0`)).status).toBe(400);
    expect((await fetch(`${url}api/history?metric=geo&from=yesterday-ish`)).status).toBe(400);
    expect((await fetch(`${url}api/history?metric=geo&field=nope`)).status).toBe(400);
  });
});

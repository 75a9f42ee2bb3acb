// A client that stops reading is terminated when its send buffer passes maxBufferedBytes; the
// others get every update, in order. Client A is a raw TCP socket that does the WebSocket
// handshake by hand, subscribes with a masked frame and then never reads again; client B is an
// ordinary `ws` client.
import { Registry } from 'prom-client';
import { afterEach, expect, it } from 'vitest';
import type { SinkRecord } from '../../src/api/index.ts';
import { PROTOCOL_VERSION } from '../../src/hub/index.ts';
import { RawClient, T0, TestClient, closeHubs, startHub } from './support.ts';

afterEach(closeHubs);

const UPDATE_BYTES = 64 * 1024;
const TOTAL_BYTES = 40 * 1024 * 1024;
const PER_ROUND = 2;

function update(seq: number, pad: string): SinkRecord<unknown> {
  const end = T0 + seq * 5000;
  return { stream: 'rt', key: null, timestamp: end, value: { window_start: end - 5000, window_end: end, seq, pad } };
}

it('terminates a client that does not read once its buffer overflows, counts it, and the others get every update in order', async () => {
  const registry = new Registry();
  const maxBufferedBytes = 256 * 1024;
  const { hub, port, ws, url } = await startHub({ registry, maxBufferedBytes, recentRowsPerKey: 4, heartbeatMs: 600_000 });

  // A: handshake and subscribe by hand; read up to its snapshot, then never again.
  const { client: a, status } = await RawClient.open(port);
  expect(status).toBe(101);
  a.sendText(JSON.stringify({ v: PROTOCOL_VERSION, type: 'subscribe', streams: ['rt'] }));
  await a.until(() => a.texts.some((t) => t.includes('"type":"snapshot"')), "A's snapshot");
  a.socket.pause();

  // B: subscribed, reading.
  const b = await TestClient.ready(ws);
  b.subscribe(['rt']);
  await b.until((ms) => ms.some((m) => m.type === 'snapshot'), "B's snapshot");
  expect(hub.clientCount).toBe(2);

  // Publish ~40 MB, a few updates at a time, each round once B has all of them (B never lags).
  const pad = 'x'.repeat(UPDATE_BYTES);
  const count = Math.ceil(TOTAL_BYTES / UPDATE_BYTES);
  const updates = (): number => b.messages.filter((m) => m.type === 'update').length;
  for (let seq = 0; seq < count; seq += PER_ROUND) {
    hub.publish(Array.from({ length: PER_ROUND }, (_, i) => update(seq + i, pad)));
    await b.until(() => updates() >= seq + PER_ROUND, `update ${seq + PER_ROUND}`);
  }

  // A was dropped, once; B is still there.
  expect(hub.droppedClients).toBe(1);
  expect(hub.clientCount).toBe(1);
  const metrics = await registry.metrics();
  expect(metrics).toMatch(/flowc_websocket_clients_dropped_total\{pipeline="hub_test"\} 1\n/);
  expect(metrics).toMatch(/flowc_websocket_clients\{pipeline="hub_test"\} 1\n/);

  // B got every update, in order, none missing, none twice, whole.
  const seqs = b.ofType('update').map((u) => u.row.seq);
  expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(b.ofType('update').every((u) => u.row.pad === pad)).toBe(true);

  // The server closed A: reading again, A gets what the kernel still held, then the end.
  a.socket.resume();
  await a.ended;
  const seen = a.texts.filter((t) => t.includes('"type":"update"')).length;
  expect(seen).toBeLessThan(count);

  // B still gets live updates, and the health figures count the dropped client.
  hub.publish([update(count, 'last')]);
  await b.until(() => updates() === count + 1, 'the last update');
  expect(await (await fetch(`${url}healthz`)).json()).toMatchObject({ clients: 1, clientsDropped: 1 });
  await b.close();
});

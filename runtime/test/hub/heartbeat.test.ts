// Liveness: the hub pings every heartbeatMs and terminates a client that did not answer the
// previous ping; a client that answers stays.
import { afterEach, expect, it } from 'vitest';
import { TestClient, closeHubs, startHub } from './support.ts';

afterEach(closeHubs);

it('terminates a client that does not answer pings at the second heartbeat, and keeps one that does', async () => {
  const { hub, ws } = await startHub({ heartbeatMs: 250 });
  const silent = await TestClient.ready(ws, { autoPong: false });
  const answering = await TestClient.ready(ws);
  const closed = await silent.closed;
  // Pinged once, not answered: terminated at the next heartbeat, without a second ping or a close frame.
  expect(silent.pings).toBe(1);
  expect(closed.code).toBe(1006);

  const pings = answering.pings;
  await answering.until(() => answering.pings >= pings + 3, 'three more pings');
  expect(answering.ws.readyState).toBe(answering.ws.OPEN);
  expect(hub.clientCount).toBe(1);
  expect(hub.droppedClients).toBe(0);
  await answering.close();
});

// Who may open /ws and read /api/*: the Origin rule and the bearer token. /, /healthz and
// /metrics stay open.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { RawClient, TestClient, closeHubs, startHub } from './support.ts';

afterEach(closeHubs);

/** The HTTP status an upgrade gets: 101 when it opens. */
function upgradeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

describe('origin', () => {
  it('allows no Origin (not a browser) and the page’s own origin; refuses another site with 403', async () => {
    const { ws, port, url } = await startHub();
    expect(await upgradeStatus(ws)).toBe(101);
    expect(await upgradeStatus(ws, { origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await upgradeStatus(ws, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(ws, { origin: `http://evil.example:${port}` })).toBe(403);
    expect(await upgradeStatus(ws, { origin: 'null' })).toBe(403);
    // Raw: the refusal is a plain HTTP answer.
    const raw = await RawClient.open(port, '/ws', { Origin: 'https://evil.example' });
    expect(raw.status).toBe(403);
    expect(raw.head).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    raw.client.socket.destroy();
    // /api/* too.
    expect((await fetch(`${url}api/manifest`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await fetch(`${url}api/manifest`)).status).toBe(200);
  });

  it('allows the listed origins (and any with *)', async () => {
    const listed = await startHub({ allowedOrigins: ['https://wall.example.com', 'http://localhost:5173'] });
    expect(await upgradeStatus(listed.ws, { origin: 'https://wall.example.com' })).toBe(101);
    expect(await upgradeStatus(listed.ws, { origin: 'https://WALL.example.com:443' })).toBe(101);
    expect(await upgradeStatus(listed.ws, { origin: 'http://localhost:5173' })).toBe(101);
    expect(await upgradeStatus(listed.ws, { origin: 'http://localhost:5174' })).toBe(403);
    const res = await fetch(`${listed.url}api/manifest`, { headers: { origin: 'http://localhost:5173' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const any = await startHub({ allowedOrigins: ['*'] });
    expect(await upgradeStatus(any.ws, { origin: 'http://anything.example' })).toBe(101);
  });
});

describe('token', () => {
  const token = 'correct-horse-battery';

  it('requires it on /ws: missing or wrong → 401; header or query → open', async () => {
    const { ws, port } = await startHub({ token });
    expect(await upgradeStatus(ws)).toBe(401);
    expect(await upgradeStatus(`${ws}?token=wrong-horse-battery`)).toBe(401);
    expect(await upgradeStatus(ws, { headers: { authorization: 'Bearer wrong' } })).toBe(401);
    expect(await upgradeStatus(ws, { headers: { authorization: `Basic ${token}` } })).toBe(401);
    expect(await upgradeStatus(ws, { headers: { authorization: `Bearer ${token}` } })).toBe(101);
    expect(await upgradeStatus(`${ws}?token=${token}`)).toBe(101);
    const raw = await RawClient.open(port, '/ws');
    expect(raw.head).toMatch(/^HTTP\/1\.1 401 Unauthorized/);
    expect(raw.head.toLowerCase()).toContain('www-authenticate: bearer');
    raw.client.socket.destroy();
    // With the token it is the ordinary protocol.
    const client = await TestClient.ready(`${ws}?token=${encodeURIComponent(token)}`);
    expect(client.messages[0]?.type).toBe('hello');
    await client.close();
  });

  it('requires it on /api/*; /, /healthz and /metrics stay open', async () => {
    const registry = new Registry();
    const { url } = await startHub({ token, metrics: registry, registry });
    expect((await fetch(`${url}api/manifest`)).status).toBe(401);
    expect((await fetch(`${url}api/manifest?token=nope`)).status).toBe(401);
    expect((await fetch(`${url}api/history?metric=geo`)).status).toBe(401);
    expect((await fetch(`${url}api/manifest`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${url}api/manifest?token=${token}`)).status).toBe(200);
    expect((await fetch(`${url}api/history?metric=geo&token=${token}`)).status).toBe(200);
    const metrics = await fetch(`${url}metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('flowc_websocket_clients');
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
  });

  it('checks the origin first: a foreign page with the right token is still refused', async () => {
    const { ws } = await startHub({ token });
    expect(await upgradeStatus(`${ws}?token=${token}`, { origin: 'http://evil.example' })).toBe(403);
  });
});

import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay, backoffSchedule, silenceLimitMs } from '../src/lib/backoff.ts';
import { Connection, hubSocketUrl, type Clock, type ConnectionStatus, type SocketHandlers } from '../src/lib/connection.ts';
import type { ServerMessage } from '../src/lib/protocol.ts';
import { health, hello } from './fixtures.ts';

describe('backoff', () => {
  it('doubles from 1 s to a 30 s cap', () => {
    expect(backoffSchedule(8)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('jitters ±20 % and never exceeds the cap', () => {
    expect(backoffDelay(0, () => 0)).toBe(800);
    expect(backoffDelay(0, () => 0.999_999)).toBe(1200);
    expect(backoffDelay(3, () => 0)).toBe(6400);
    for (const r of [0, 0.5, 0.99]) expect(backoffDelay(20, () => r)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(backoffDelay(20, () => 0)).toBe(24_000);
  });

  it('judges silence over 3 health intervals, at least 5 s', () => {
    expect(silenceLimitMs(1000)).toBe(5000);
    expect(silenceLimitMs(4000)).toBe(12_000);
    expect(silenceLimitMs(null)).toBeNull();
  });
});

describe('hubSocketUrl', () => {
  it('points at /ws next to the page, ws or wss, with the page token', () => {
    expect(hubSocketUrl('http://127.0.0.1:8080/')).toBe('ws://127.0.0.1:8080/ws');
    expect(hubSocketUrl('https://dash.example/?token=s3cr%2Bt&wall=1')).toBe('wss://dash.example/ws?token=s3cr%2Bt');
    expect(hubSocketUrl('http://h:8080/index.html#x')).toBe('ws://h:8080/ws');
    expect(hubSocketUrl('http://localhost:5173/?hub=ws://127.0.0.1:8090/ws')).toBe('ws://127.0.0.1:8090/ws');
  });
});

class FakeClock implements Clock {
  time = 0;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time on, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}

interface FakeSocket {
  readonly url: string;
  readonly handlers: SocketHandlers;
  readonly sent: string[];
  closed: boolean;
}

function setup(online = true) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const messages: ServerMessage[] = [];
  const problems: string[] = [];
  let isOnline = online;
  const connection = new Connection({
    url: 'ws://hub/ws',
    clock,
    random: () => 0.5,
    online: () => isOnline,
    socket: (url, handlers) => {
      const socket: FakeSocket = { url, handlers, sent: [], closed: false };
      sockets.push(socket);
      return { send: (text) => socket.sent.push(text), close: () => (socket.closed = true) };
    },
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    onProblem: (p) => problems.push(p.code),
  });
  const last = (): FakeSocket => sockets[sockets.length - 1] as FakeSocket;
  const send = (m: unknown): void => last().handlers.message(JSON.stringify(m));
  return { clock, sockets, statuses, messages, problems, connection, last, send, setOnline: (v: boolean) => (isOnline = v) };
}

describe('Connection', () => {
  it('goes live on hello and subscribes to every stream', () => {
    const t = setup();
    t.connection.start();
    expect(t.connection.status.state).toBe('connecting');
    t.last().handlers.open();
    expect(t.last().sent).toEqual([]);
    t.send(hello());
    expect(t.connection.status.state).toBe('live');
    expect(t.last().sent.map((s) => JSON.parse(s) as unknown)).toEqual([{ v: 3, type: 'subscribe', streams: '*' }]);
    expect(t.messages.map((m) => m.type)).toEqual(['hello']);
  });

  it('hands on every message of a frame that holds an array of them, in order', () => {
    const t = setup();
    t.connection.start();
    t.last().handlers.open();
    t.send(hello());
    const update = (country: string): unknown => ({ v: 3, type: 'update', stream: 'geography', key: country, time: 10_000, row: { country } });
    t.send([update('US'), update('DE'), { v: 1, type: 'update' }, update('FR')]);
    expect(t.messages.map((m) => (m.type === 'update' ? m.key : m.type))).toEqual(['hello', 'US', 'DE', 'FR']);
    expect(t.problems).toContain('unsupported_version');
  });

  it('reconnects with growing delays and resets them after a successful hello', () => {
    const t = setup();
    t.connection.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      t.last().handlers.close(1006, '');
      const status = t.connection.status;
      expect(status.state).toBe('reconnecting');
      if (status.state === 'reconnecting') delays.push(status.retryAt - t.clock.time);
      const before = t.sockets.length;
      t.clock.advance(delays[i] as number);
      expect(t.sockets.length).toBe(before + 1);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    t.send(hello());
    t.last().handlers.close(1006, '');
    const status = t.connection.status;
    expect(status.state === 'reconnecting' && status.retryAt - t.clock.time).toBe(1000);
  });

  it('treats 3 silent health intervals as a dead connection', () => {
    const t = setup();
    t.connection.start();
    t.send(hello({ healthIntervalMs: 2000 }));
    t.clock.advance(5000);
    t.send(health(1));
    t.clock.advance(5999);
    expect(t.connection.status.state).toBe('live');
    t.clock.advance(1);
    expect(t.connection.status.state).toBe('reconnecting');
    expect(t.sockets[0]?.closed).toBe(true);
  });

  it('drops a socket that sends no hello', () => {
    const t = setup();
    t.connection.start();
    t.last().handlers.open();
    t.clock.advance(10_000);
    expect(t.connection.status.state).toBe('reconnecting');
  });

  it('ignores a replaced socket and does not double-schedule on error then close', () => {
    const t = setup();
    t.connection.start();
    const first = t.last();
    first.handlers.error();
    first.handlers.close(1006, '');
    first.handlers.message(JSON.stringify(hello()));
    expect(t.messages).toEqual([]);
    t.clock.advance(1000);
    expect(t.sockets).toHaveLength(2);
  });

  it('passes hub errors on and warns once about another protocol version', () => {
    const t = setup();
    t.connection.start();
    t.send(hello());
    t.send({ v: 3, type: 'error', code: 'unknown_stream', message: 'no such stream' });
    t.send({ v: 4, type: 'update' });
    t.send({ v: 4, type: 'update' });
    t.last().handlers.message('not json');
    expect(t.messages.map((m) => m.type)).toEqual(['hello', 'error']);
    expect(t.problems).toEqual(['unsupported_version']);
    expect(t.connection.status.state).toBe('live');
  });

  it('is offline while the browser is, and connects at once when it is back', () => {
    const t = setup();
    t.connection.start();
    t.send(hello());
    t.setOnline(false);
    t.last().handlers.close(1006, '');
    expect(t.connection.status.state).toBe('offline');
    t.setOnline(true);
    t.connection.goOnline();
    expect(t.connection.status.state).toBe('connecting');
    expect(t.sockets).toHaveLength(2);
  });

  it('stop closes the socket and stays offline', () => {
    const t = setup();
    t.connection.start();
    t.send(hello());
    t.connection.stop();
    expect(t.connection.status).toEqual({ state: 'offline', reason: 'stopped' });
    expect(t.last().closed).toBe(true);
    t.clock.advance(60_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('retryNow skips the wait', () => {
    const t = setup();
    t.connection.start();
    t.last().handlers.close(1006, '');
    t.connection.retryNow();
    expect(t.sockets).toHaveLength(2);
    expect(t.statuses.map((s) => s.state)).toEqual(['connecting', 'reconnecting', 'connecting']);
  });
});

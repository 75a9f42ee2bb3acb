// Shared helpers of the hub tests: a small manifest, a hub on 127.0.0.1 port 0, a `ws` client that
// collects parsed messages (and what a client holding one row per row key makes of them), a raw
// WebSocket client written by hand over `net`, and a history whose reads the test answers when it
// likes.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import { sessionRowKey, windowRowKey, type ChangeKind, type MetricManifest, type PipelineManifest, type SinkRecord } from '../../src/api/index.ts';
import { DashboardHub, PROTOCOL_VERSION, parseServerFrame, type DashboardHubOptions, type MetricHistory, type MetricHistoryRequest, type ServerMessage, type WindowRow } from '../../src/hub/index.ts';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** `geo`: sliding 1m every 10s by country; `rt`: tumbling 5s, global; `sess`: sessions by user; `bounces`: an alert stream. */
export const MANIFEST: PipelineManifest = {
  pipeline: 'hub_test',
  compilerVersion: '0.0.0',
  source: { path: 'hub-test.flow', sha256: '0000000000000000' },
  sources: [],
  metrics: [
    {
      name: 'rt',
      input: 'events',
      window: { kind: 'tumbling', sizeMs: 5000 },
      time: 'processing',
      groupBy: [],
      measures: [
        { name: 'seq', unit: null, valueKind: 'int', expression: 'count()' },
        { name: 'pad', unit: null, valueKind: 'string', expression: 'first(pad)' },
      ],
      latenessMs: 0,
      earlyFiringMs: null,
      location: 'hub-test.flow:1:1',
    },
    {
      name: 'geo',
      input: 'events',
      window: { kind: 'sliding', sizeMs: 60_000, slideMs: 10_000 },
      time: 'event',
      groupBy: ['country'],
      measures: [
        { name: 'users', unit: 'users', valueKind: 'int', expression: 'count_distinct(userId)' },
        { name: 'events', unit: null, valueKind: 'int', expression: 'count()' },
      ],
      latenessMs: 0,
      earlyFiringMs: null,
      location: 'hub-test.flow:2:1',
    },
    {
      name: 'sess',
      input: 'events',
      window: { kind: 'session', gapMs: 30_000 },
      time: 'event',
      groupBy: ['user'],
      measures: [{ name: 'pages', unit: 'pages', valueKind: 'int', expression: 'count()' }],
      latenessMs: 0,
      earlyFiringMs: null,
      location: 'hub-test.flow:4:1',
    },
  ],
  alerts: [{ stream: 'bounces', from: 'aggregate', alertType: 'HIGH_BOUNCE_RATE', severity: 'medium', title: 'High Bounce Rate Detected', messageTemplate: 'User {userId} viewed only one page', location: 'hub-test.flow:3:1' }],
  sinks: [],
};

export function metricOf(name: string): MetricManifest {
  const metric = MANIFEST.metrics.find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  return metric;
}

/** A `geo` record: window ending at T0 + `slot` × 10 s. */
export function geoRecord(country: string, slot: number, users: number): SinkRecord<unknown> {
  const end = T0 + slot * 10_000;
  return { stream: 'geo', key: country, timestamp: end, value: { country, window_start: end - 60_000, window_end: end, users, events: users * 3 } };
}

/** A `geo` row as a keyed update (`change`, `rowKey` = window row key), window ending at T0 + `slot` × 10 s. */
export function geoChange(change: ChangeKind, country: string, slot: number, users: number): SinkRecord<unknown> {
  const record = geoRecord(country, slot, users);
  return { ...record, change, rowKey: windowRowKey(country, record.timestamp - 60_000, record.timestamp) };
}

/** A `sess` row: `user`'s session from `start` to `end` (its time), as a keyed update (row key: user + start). */
export function sessionChange(change: ChangeKind, user: string, start: number, end: number, pages: number): SinkRecord<unknown> {
  return { stream: 'sess', key: user, timestamp: end, change, rowKey: sessionRowKey(user, start), value: { user, window_start: start, window_end: end, pages } };
}

/**
 * What a client that keeps one row per row key makes of `stream`'s snapshot and updates (the
 * protocol's rule): a row without a row key is the row with the same key and time; `+U`
 * replaces its row (and a keyless row at `previousTime`), `-D` removes it. Sorted by time, then key.
 */
export function clientRows(messages: readonly ServerMessage[], stream: string): WindowRow[] {
  const rows = new Map<string, WindowRow>();
  const at = (key: string | null, time: number): string => `${String(key)}@${time}`;
  const idOf = (r: WindowRow): string => r.rowKey ?? at(r.key, r.time);
  for (const m of messages) {
    if (m.type === 'snapshot' && m.kind === 'metric' && m.stream === stream) {
      for (const r of m.rows) rows.set(idOf(r), r);
    } else if (m.type === 'update' && m.stream === stream) {
      const row: WindowRow = m.rowKey === undefined ? { key: m.key, time: m.time, row: m.row } : { key: m.key, time: m.time, row: m.row, rowKey: m.rowKey };
      rows.delete(at(m.key, m.time));
      if (m.previousTime !== undefined) rows.delete(at(m.key, m.previousTime));
      if (m.change === '-D') rows.delete(idOf(row));
      else rows.set(idOf(row), row);
    }
  }
  return sortRows([...rows.values()]);
}

/** Rows by time, then key. */
export function sortRows(rows: readonly WindowRow[]): WindowRow[] {
  return [...rows].sort((a, b) => a.time - b.time || String(a.key).localeCompare(String(b.key)));
}

/** A sink record as the window row a client should end up with (its row key kept). */
export function rowOf(record: SinkRecord<unknown>): WindowRow {
  const row = { key: record.key, time: record.timestamp, row: record.value as Readonly<Record<string, unknown>> };
  return record.rowKey === undefined ? row : { ...row, rowKey: record.rowKey };
}

export function alertRecord(n: number): SinkRecord<unknown> {
  const time = T0 + n * 1000;
  return { stream: 'bounces', key: `user_${n}`, timestamp: time, value: { alert_type: 'HIGH_BOUNCE_RATE', severity: 'medium', title: 'High Bounce Rate Detected', message: `User user_${n} viewed only one page`, key: `user_${n}`, time, userId: `user_${n}`, views: 1 } };
}

/** Hubs started by `startHub`; `closeHubs` closes them. */
const hubs = new Set<DashboardHub>();

export async function startHub(options: Partial<DashboardHubOptions> = {}): Promise<{ hub: DashboardHub; url: string; port: number; ws: string }> {
  const hub = new DashboardHub({ manifest: MANIFEST, healthIntervalMs: null, ...options });
  hubs.add(hub);
  const { url, port } = await hub.listen(0, '127.0.0.1');
  return { hub, url, port, ws: `ws://127.0.0.1:${port}/ws` };
}

export async function closeHubs(): Promise<void> {
  const all = [...hubs];
  hubs.clear();
  await Promise.all(all.map((hub) => hub.close()));
}

/** A `ws` client collecting the hub's messages. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  /** Frames received (a frame may hold several messages). */
  frames = 0;
  /** WebSocket pings received. */
  pings = 0;
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  private waiters: (() => void)[] = [];
  private closedWith: { readonly code: number; readonly reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('ping', () => {
      this.pings++;
      this.wake();
    });
    ws.on('message', (data: Buffer) => {
      const messages = parseServerFrame(data.toString('utf8'));
      if (messages.length === 0) throw new Error(`not a v${PROTOCOL_VERSION} server frame: ${data.toString('utf8').slice(0, 200)}`);
      this.frames++;
      this.messages.push(...messages);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code: number, reason: Buffer) => {
        this.closedWith = { code, reason: reason.toString('utf8') };
        this.wake();
        resolve(this.closedWith);
      }),
    );
    ws.on('error', () => undefined);
  }

  static connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode ?? '?'}`)));
      ws.once('error', reject);
    });
  }

  /** Connects and waits for hello and the first health. */
  static async ready(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(url, options);
    await client.until((ms) => ms.length >= 2, 'hello and health');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  subscribe(streams: readonly string[] | '*', history?: { since?: number; limit?: number }): void {
    this.send(history === undefined ? { v: PROTOCOL_VERSION, type: 'subscribe', streams } : { v: PROTOCOL_VERSION, type: 'subscribe', streams, history });
  }

  /** Resolves once `done(messages)` holds; rejects when the connection closes first. */
  until(done: (messages: readonly ServerMessage[]) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (done(this.messages)) {
          resolve();
          return true;
        }
        if (this.closedWith !== null) {
          reject(new Error(`closed (${this.closedWith.code}) before ${what}; got ${this.messages.map((m) => m.type).join(', ')}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) this.waiters.splice(this.waiters.indexOf(waiter), 1);
      };
      this.waiters.push(waiter);
    });
  }

  /** A round trip: sends a frame the hub refuses and waits for its `error`; every message the hub sent before is in by then. */
  async barrier(): Promise<void> {
    const errors = this.messages.filter((m) => m.type === 'error').length;
    this.send({ v: PROTOCOL_VERSION, type: 'ping?' });
    await this.until((ms) => ms.filter((m) => m.type === 'error').length > errors, 'the barrier error');
    this.messages.splice(this.messages.findLastIndex((m) => m.type === 'error'), 1);
  }

  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  close(): Promise<unknown> {
    this.ws.close();
    return this.closed;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A history whose reads wait until the test answers them. */
export class DeferredHistory implements MetricHistory {
  readonly calls: { readonly metric: MetricManifest; readonly request: MetricHistoryRequest; readonly answer: (rows: readonly WindowRow[]) => void }[] = [];
  private waiters: (() => void)[] = [];

  rows(metric: MetricManifest, request: MetricHistoryRequest): Promise<readonly WindowRow[]> {
    return new Promise((resolve) => {
      this.calls.push({ metric, request, answer: resolve });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves when there have been `n` reads. */
  async called(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

// ───────────────────────────── raw sockets ─────────────────────────────

/** A WebSocket client over a bare TCP socket: the handshake, masked frames and frame parsing by hand. */
export class RawClient {
  /** Text payloads received (while reading). */
  readonly texts: string[] = [];
  readonly pings: Buffer[] = [];
  /** The close frame's code, when one came. */
  closeCode: number | null = null;
  readonly ended: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private upgraded = false;

  private constructor(readonly socket: Socket) {
    this.ended = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
      for (const w of [...this.waiters]) w();
    });
    socket.on('close', () => {
      for (const w of [...this.waiters]) w();
    });
  }

  /** Opens `path` with the WebSocket handshake; resolves with the HTTP status line and headers (101 when upgraded). */
  static async open(port: number, path = '/ws', headers: Readonly<Record<string, string>> = {}): Promise<{ client: RawClient; status: number; head: string }> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    const key = randomBytes(16).toString('base64');
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    const head = await client.waitForHead();
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    if (status === 101) {
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (!head.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) throw new Error(`bad Sec-WebSocket-Accept in\n${head}`);
    }
    return { client, status, head };
  }

  /** Sends one masked text frame (as a browser would). */
  sendText(text: string): void {
    this.socket.write(maskedFrame(0x1, Buffer.from(text, 'utf8')));
  }

  /** Resolves once `done()` holds (while the socket is read); rejects when it closes first. */
  until(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (done()) resolve();
        else if (this.socket.destroyed || this.socket.readableEnded) reject(new Error(`socket closed before ${what}`));
        else return false;
        return true;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) this.waiters.splice(this.waiters.indexOf(waiter), 1);
      };
      this.waiters.push(waiter);
    });
  }

  private async waitForHead(): Promise<string> {
    let head = '';
    await this.until(() => {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return false;
      head = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      this.upgraded = true;
      this.parse();
      return true;
    }, 'the handshake answer');
    return head;
  }

  /** Unmasked server frames out of the buffer. */
  private parse(): void {
    if (!this.upgraded) return;
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = (this.buffer[0] as number) & 0x0f;
      let length = (this.buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === 0x1) this.texts.push(payload.toString('utf8'));
      else if (opcode === 0x9) this.pings.push(Buffer.from(payload));
      else if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    }
  }
}

export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : n < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), bigLength(n)]);
  const masked = Buffer.alloc(n);
  for (let i = 0; i < n; i++) masked[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([header, mask, masked]);
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** A GET with the path sent as written (no URL normalisation, unlike fetch). */
export function rawGet(port: number, path: string, headers: Readonly<Record<string, string>> = {}): Promise<{ status: number; headers: Readonly<Record<string, string | string[] | undefined>>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

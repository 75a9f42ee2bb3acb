// The dashboard hub: one HTTP port serving a running pipeline to people and to Prometheus.
//
//   GET /              the built dashboard (`staticDir`), else a minimal live page (page.ts)
//   GET /metrics       the prom-client registry, Prometheus text format          (open)
//   GET /healthz       200 while the pipeline runs, 503 once it is stopping       (open)
//   GET /api/manifest  the compiled pipeline's manifest                           (origin, token)
//   GET /api/history   ?metric=<stream>[&from=…][&to=…][&limit=…][&field=…]       (origin, token)
//   WS  /ws            protocol v3 (protocol.ts, feed.ts)                         (origin, token)
//
// No CLI or adapter imports: the hub sees the pipeline through its manifest, a metrics endpoint,
// a `MetricHistory` (the embedded time-series store, InfluxDB later) and a health callback, so
// embedded runs and deployed processors can both use it. See README.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EpochMillis, PipelineManifest, SinkRecord } from '../api/index.ts';
import { AccessPolicy } from './access.ts';
import { DEFAULT_SNAPSHOT_LIMIT, LiveFeed } from './feed.ts';
import type { MetricHistory } from './history.ts';
import { hubMetrics, type HubMetrics } from './metrics.ts';
import { dashboardPage } from './page.ts';
import { PROTOCOL_VERSION, type HealthMessage, type HealthStatus } from './protocol.ts';
import type { Publisher } from './sink.ts';
import { StaticFiles } from './static-files.ts';

/** Something that renders Prometheus metrics (FlowcMetrics, a prom-client Registry). */
export interface MetricsEndpoint {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** The pipeline's figures of a health message; the hub adds `clients` and `clientsDropped`. */
export type HealthFigures = Omit<HealthStatus, 'clients' | 'clientsDropped'>;

export interface DashboardHubOptions {
  readonly manifest: PipelineManifest;
  /** `/metrics`; 404 without one. */
  readonly metrics?: MetricsEndpoint | null;
  /** Where the hub registers its own metrics (clients, messages, dropped clients); none by default. */
  readonly registry?: Registry | null;
  /** Stored window rows, for snapshots and `/api/history` (`new StoredSeriesHistory(store)`); without one, the recent rows in memory only. */
  readonly history?: MetricHistory | null;
  /** The figures of health messages and `/healthz`; without one, zeros and the hub's uptime. */
  readonly health?: (() => HealthFigures) | null;
  /** A built dashboard (`dashboard/dist`): served when it holds an `index.html`, else the minimal page. */
  readonly staticDir?: string | null;
  /** Browser origins allowed on `/ws` and `/api/*` besides the page's own; `'*'` in the list: any. */
  readonly allowedOrigins?: readonly string[];
  /** A bearer token `/ws` and `/api/*` require (`Authorization: Bearer …` or `?token=…`); none by default. */
  readonly token?: string | null;
  /** WebSocket ping interval; a client that did not answer the previous ping is terminated. 15 000 ms by default. */
  readonly heartbeatMs?: number;
  /** How often health messages go out; 1 000 ms by default (`null`: only on connect). */
  readonly healthIntervalMs?: number | null;
  /** Largest client frame; a bigger one closes the connection (1009). 16 KiB by default. */
  readonly maxPayload?: number;
  /** A client whose unsent data exceeds this is terminated (and counted); 4 MiB by default. */
  readonly maxBufferedBytes?: number;
  /** Recent rows kept in memory per group key of a metric stream; 240 by default. */
  readonly recentRowsPerKey?: number;
  /** Recent rows kept in memory per metric stream in all; 20 000 by default. */
  readonly recentRowsPerStream?: number;
  /** Recent alerts kept in memory per alert stream; 1 000 by default. */
  readonly recentAlertsPerStream?: number;
  readonly now?: () => EpochMillis;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PATHS = ['/', '/metrics', '/healthz', '/api/manifest', '/api/history', '/ws'];

export class DashboardHub implements Publisher {
  readonly manifest: PipelineManifest;
  private readonly options: DashboardHubOptions;
  private readonly now: () => EpochMillis;
  private readonly startedAt: EpochMillis;
  private readonly heartbeatMs: number;
  private readonly healthIntervalMs: number | null;
  private readonly metrics: HubMetrics | null;
  private readonly access: AccessPolicy;
  private readonly statics: StaticFiles;
  private readonly feed: LiveFeed;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly page: string;
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopping = false;

  constructor(options: DashboardHubOptions) {
    this.options = options;
    this.manifest = options.manifest;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.heartbeatMs = positive('heartbeatMs', options.heartbeatMs ?? 15_000);
    this.healthIntervalMs = options.healthIntervalMs === undefined ? 1000 : options.healthIntervalMs === null ? null : positive('healthIntervalMs', options.healthIntervalMs);
    this.metrics = options.registry ? hubMetrics(options.registry) : null;
    this.metrics?.clients.set({ pipeline: options.manifest.pipeline }, 0);
    this.access = new AccessPolicy({ allowedOrigins: options.allowedOrigins, token: options.token });
    this.statics = new StaticFiles(options.staticDir ?? null);
    this.page = dashboardPage(options.manifest.pipeline);
    this.feed = new LiveFeed({
      manifest: options.manifest,
      history: options.history ?? null,
      metrics: this.metrics,
      maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes ?? 4 * 1024 * 1024),
      recentRowsPerKey: positive('recentRowsPerKey', options.recentRowsPerKey ?? 240),
      recentRowsPerStream: positive('recentRowsPerStream', options.recentRowsPerStream ?? 20_000),
      recentAlertsPerStream: positive('recentAlertsPerStream', options.recentAlertsPerStream ?? 1000),
      heartbeatMs: this.heartbeatMs,
      healthIntervalMs: this.healthIntervalMs,
      health: () => this.healthMessage(),
      now: this.now,
    });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
        else res.destroy();
      });
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: positive('maxPayload', options.maxPayload ?? 16 * 1024), perMessageDeflate: false });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.wss.on('connection', (ws: WebSocket) => this.feed.connect(ws));
  }

  /** Connected WebSocket clients. */
  get clientCount(): number {
    return this.feed.clientCount;
  }

  /** Clients dropped for falling behind. */
  get droppedClients(): number {
    return this.feed.droppedClients;
  }

  /** Starts listening; `port` 0 picks a free one. Resolves to the base URL (`http://127.0.0.1:8080/`). */
  listen(port: number, host = '127.0.0.1'): Promise<{ readonly url: string; readonly port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
        this.timers.push(setInterval(() => this.feed.heartbeat(), this.heartbeatMs));
        if (this.healthIntervalMs !== null) this.timers.push(setInterval(() => this.feed.broadcastHealth(), this.healthIntervalMs));
        resolve({ url: `http://${shownHost}:${address.port}/`, port: address.port });
      });
    });
  }

  /** Pushes emitted records to their subscribers: alert streams as `alert`, metric streams as `update`. */
  publish(records: readonly SinkRecord<unknown>[]): void {
    this.feed.publish(records);
  }

  /** Marks the pipeline as stopping (`/healthz` answers 503, new WebSockets are refused) and tells the clients. */
  markStopping(): void {
    this.stopping = true;
    this.feed.broadcastHealth();
  }

  /** Closes every client and the port. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.feed.closeAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = url.pathname;
    const api = path === '/api' || path.startsWith('/api/');
    if (api && req.method === 'OPTIONS') {
      this.preflight(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: `${req.method ?? '?'} not allowed` });
      return;
    }
    if (path === '/metrics') {
      const metrics = this.options.metrics;
      if (!metrics) {
        sendJson(res, 404, { error: 'no metrics' });
        return;
      }
      send(res, 200, metrics.contentType, await metrics.metrics());
      return;
    }
    if (path === '/healthz') {
      const status = this.healthMessage().status;
      sendJson(res, this.stopping ? 503 : 200, { ...status, status: this.stopping ? 'stopping' : 'ok', pipeline: this.manifest.pipeline });
      return;
    }
    if (path === '/ws') {
      res.setHeader('upgrade', 'websocket');
      sendJson(res, 426, { error: '/ws is a WebSocket (protocol v3: see the hub README)' });
      return;
    }
    if (api) {
      const access = this.access.check(req, url);
      if (!access.ok) {
        if (access.status === 401) res.setHeader('www-authenticate', 'Bearer realm="flowc"');
        sendJson(res, access.status, { error: access.reason });
        return;
      }
      if (access.crossOrigin !== null) {
        res.setHeader('access-control-allow-origin', access.crossOrigin);
        res.setHeader('vary', 'Origin');
      }
      if (path === '/api/manifest') sendJson(res, 200, this.manifest);
      else if (path === '/api/history') await this.history(url.searchParams, res);
      else sendJson(res, 404, { error: `no such path: ${path}`, paths: PATHS });
      return;
    }
    if ((await this.statics.serve(req, res, path)) === 'served') return;
    if (path === '/' || path === '/index.html') {
      send(res, 200, 'text/html; charset=utf-8', this.page);
      return;
    }
    sendJson(res, 404, { error: `no such path: ${path}`, paths: PATHS });
  }

  /** CORS preflight of `/api/*` (a page elsewhere sending `Authorization`). */
  private preflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = this.access.checkOrigin(req);
    if (!origin.ok) {
      sendJson(res, 403, { error: origin.reason });
      return;
    }
    const headers: Record<string, string> = { allow: 'GET, HEAD, OPTIONS' };
    if (origin.crossOrigin !== null) {
      headers['access-control-allow-origin'] = origin.crossOrigin;
      headers['access-control-allow-methods'] = 'GET, HEAD';
      headers['access-control-allow-headers'] = 'authorization';
      headers['access-control-max-age'] = '600';
      headers.vary = 'Origin';
    }
    res.writeHead(204, headers);
    res.end();
  }

  /** `/api/history?metric=<stream>`: what a snapshot of the stream would hold, within `from` … `to`. */
  private async history(params: URLSearchParams, res: ServerResponse): Promise<void> {
    const metric = params.get('metric') ?? params.get('stream');
    const streams = this.feed.streams.map((s) => s.name);
    if (metric === null || metric === '') {
      sendJson(res, 400, { error: 'metric is required: /api/history?metric=<stream>', streams });
      return;
    }
    const kind = this.feed.kindOf(metric);
    if (kind === null) {
      sendJson(res, 404, { error: `unknown stream ${metric}`, streams });
      return;
    }
    const now = this.now();
    const from = parseTime(params.get('from'), now);
    const to = parseTime(params.get('to'), now);
    const limitText = params.get('limit');
    const limit = limitText === null ? DEFAULT_SNAPSHOT_LIMIT : Number(limitText);
    if (from === null || to === null || !(Number.isInteger(limit) && limit > 0)) {
      sendJson(res, 400, { error: 'from/to take epoch milliseconds, ISO-8601 text or -<n>ms|s|m|h|d (before now); limit a positive integer (rows per group key)' });
      return;
    }
    const request = { since: from, until: to, limit };
    if (kind === 'alert') {
      sendJson(res, 200, { metric, kind, from: from ?? null, to: to ?? null, alerts: this.feed.alerts(metric, request) });
      return;
    }
    const manifest = this.feed.metric(metric);
    if (manifest === undefined) throw new Error(`no manifest for metric ${metric}`);
    const field = params.get('field');
    if (field !== null && !manifest.measures.some((m) => m.name === field)) {
      sendJson(res, 400, { error: `${metric} has no measure ${field}`, measures: manifest.measures.map((m) => m.name) });
      return;
    }
    let rows = await this.feed.metricRows(manifest, request);
    if (field !== null) {
      const other = new Set(manifest.measures.map((m) => m.name).filter((name) => name !== field));
      rows = rows.map((r) => ({ ...r, row: Object.fromEntries(Object.entries(r.row).filter(([name]) => !other.has(name))) }));
    }
    sendJson(res, 200, { metric, kind, from: from ?? null, to: to ?? null, rows });
  }

  // ───────────────────────────── WebSocket ─────────────────────────────

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname !== '/ws') {
      refuse(socket, 404, 'Not Found', `no WebSocket at ${url.pathname}; use /ws`);
      return;
    }
    if (this.stopping) {
      refuse(socket, 503, 'Service Unavailable', 'the pipeline is stopping');
      return;
    }
    const access = this.access.check(req, url);
    if (!access.ok) {
      refuse(socket, access.status, access.status === 401 ? 'Unauthorized' : 'Forbidden', access.reason);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private healthMessage(): HealthMessage {
    const figures = this.options.health?.() ?? defaultFigures(this.now() - this.startedAt);
    return {
      v: PROTOCOL_VERSION,
      type: 'health',
      time: this.now(),
      pipeline: this.manifest.pipeline,
      status: { ...figures, state: this.stopping ? 'stopping' : figures.state, clients: this.feed.clientCount, clientsDropped: this.feed.droppedClients },
    };
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function defaultFigures(uptimeMs: number): HealthFigures {
  return { state: 'running', uptimeMs, eventsIn: 0, eventsPerSecond: 0, windowsEmitted: 0, alerts: 0, deadLetters: 0, lateEvents: 0, watermarkLagMs: null, checkpoints: 0, lastCheckpointId: null };
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`DashboardHub: ${name} must be a positive number, got ${value}`);
  return value;
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, text: string, reason: string): void {
  const body = `${JSON.stringify({ error: reason })}\n`;
  const extra = status === 401 ? 'www-authenticate: Bearer realm="flowc"\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`);
}

const RELATIVE = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `undefined` for no bound, `null` for unreadable text. */
function parseTime(text: string | null, now: EpochMillis): EpochMillis | undefined | null {
  if (text === null || text === '') return undefined;
  const relative = RELATIVE.exec(text);
  if (relative !== null) return now - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number);
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? null : parsed;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON_TYPE, JSON.stringify(body, jsonReplacer));
}

/** JSON without throwing on -Infinity watermarks and the like. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

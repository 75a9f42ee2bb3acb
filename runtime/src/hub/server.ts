// The dashboard hub: one HTTP port serving a running pipeline to people and to Prometheus.
//
//   GET /              a minimal live page (plain inline JS; the Svelte dashboard replaces it)
//   GET /metrics       the prom-client registry, Prometheus text format
//   GET /healthz       200 while the pipeline runs, 503 once it is stopping
//   GET /api/manifest  the compiled pipeline's manifest (metrics, units, windows, alerts, sinks)
//   GET /api/history   ?metric=<stream>[&field=…][&from=…][&to=…][&limit=…]: stored history of a metric
//   WS  /ws            every window result and alert as it is emitted (protocol.ts), health every second
//
// Push, not poll: the pipeline's `dashboard()` sink hands each emitted record to `publish`, which
// serialises it once and sends the same text to every client. A client that connects first gets
// the recent messages the hub keeps per stream, then live ones. Each client has a bounded send
// buffer: a client that falls `maxBufferedBytes` behind is dropped (and counted), never the server.
//
// No CLI or adapter imports: the hub sees the pipeline through its manifest, a metrics endpoint, a
// history provider (the embedded time-series store, or an InfluxDB client later) and a health
// callback, so embedded runs and deployed processors can both use it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Counter, Gauge, type Registry } from 'prom-client';
import { WebSocket, WebSocketServer } from 'ws';
import type { EpochMillis, PipelineManifest, SinkRecord } from '../api/index.ts';
import { dashboardPage } from './page.ts';
import { PROTOCOL_VERSION, type AlertMessage, type HealthMessage, type HealthStatus, type HubMessage, type UpdateMessage } from './protocol.ts';

/** Something that renders Prometheus metrics (FlowcMetrics, a prom-client Registry). */
export interface MetricsEndpoint {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Selects stored series, as the embedded time-series store's `query` does. */
export interface HistoryQuery {
  /** The stream (aggregate) that wrote the series. */
  readonly stream?: string;
  readonly field?: string;
  /** Inclusive. */
  readonly from?: EpochMillis;
  /** Exclusive. */
  readonly to?: EpochMillis;
  /** The newest `limit` points of each series. */
  readonly limit?: number;
}

export interface HistorySeries {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly field: string;
  readonly points: readonly { readonly time: EpochMillis; readonly value: unknown }[];
}

/** Where `/api/history` reads from (`EmbeddedTimeSeriesStore` fits as it is). */
export interface HistoryProvider {
  query(query: HistoryQuery): readonly HistorySeries[];
}

export type HealthFigures = Omit<HealthStatus, 'clients'>;

export interface DashboardHubOptions {
  readonly manifest: PipelineManifest;
  /** `/metrics`; 404 without one. */
  readonly metrics?: MetricsEndpoint | null;
  /** Where the hub registers its own metrics (clients, messages, dropped clients); none by default. */
  readonly registry?: Registry | null;
  /** `/api/history`; without one it answers from the recent messages kept in memory. */
  readonly history?: HistoryProvider | null;
  /** The figures of health messages and `/healthz`. */
  readonly health?: (() => HealthFigures) | null;
  /** Recent update messages kept per stream for new clients; 120 by default. */
  readonly recentPerStream?: number;
  /** Recent alerts kept for new clients; 200 by default. */
  readonly recentAlerts?: number;
  /** A client whose unsent data exceeds this is dropped; 4 MiB by default. */
  readonly maxBufferedBytes?: number;
  /** How often health messages go out; 1 000 ms by default (`null`: never). */
  readonly healthIntervalMs?: number | null;
  readonly now?: () => EpochMillis;
}

interface HubMetrics {
  readonly clients: Gauge<'pipeline'>;
  readonly dropped: Counter<'pipeline'>;
  readonly messages: Counter<'pipeline' | 'type'>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class DashboardHub {
  readonly manifest: PipelineManifest;
  private readonly options: DashboardHubOptions;
  private readonly now: () => EpochMillis;
  private readonly alertStreams: ReadonlySet<string>;
  private readonly knownStreams: ReadonlySet<string>;
  private readonly recentUpdates = new Map<string, string[]>();
  private readonly recentAlerts: string[] = [];
  private readonly recentPerStream: number;
  private readonly recentAlertCount: number;
  private readonly maxBufferedBytes: number;
  private readonly clients = new Set<WebSocket>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly metrics: HubMetrics | null;
  private readonly page: string;
  private healthTimer: ReturnType<typeof setInterval> | null = null;
  private stopping = false;
  private droppedCount = 0;

  constructor(options: DashboardHubOptions) {
    this.options = options;
    this.manifest = options.manifest;
    this.now = options.now ?? Date.now;
    this.alertStreams = new Set(options.manifest.alerts.map((a) => a.stream));
    this.knownStreams = new Set([...options.manifest.metrics.map((m) => m.name), ...this.alertStreams]);
    this.recentPerStream = options.recentPerStream ?? 120;
    this.recentAlertCount = options.recentAlerts ?? 200;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.metrics = options.registry ? hubMetrics(options.registry) : null;
    this.metrics?.clients.set({ pipeline: options.manifest.pipeline }, 0);
    this.page = dashboardPage(options.manifest.pipeline);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
        else res.destroy();
      });
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.wss.on('connection', (ws: WebSocket) => this.connected(ws));
  }

  /** Connected WebSocket clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Clients dropped for falling behind. */
  get droppedClients(): number {
    return this.droppedCount;
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
        const interval = this.options.healthIntervalMs === undefined ? 1000 : this.options.healthIntervalMs;
        if (interval !== null && this.options.health) this.healthTimer = setInterval(() => this.broadcastHealth(), interval);
        resolve({ url: `http://${shownHost}:${address.port}/`, port: address.port });
      });
    });
  }

  /** Pushes emitted records to every client: alert streams as `alert`, the others as `update`. */
  publish(records: readonly SinkRecord<unknown>[]): void {
    for (const record of records) {
      const row = isRow(record.value) ? record.value : { value: record.value };
      if (this.alertStreams.has(record.stream)) {
        const message: AlertMessage = { v: PROTOCOL_VERSION, type: 'alert', stream: record.stream, time: record.timestamp, alert: row };
        this.remember(this.recentAlerts, message, this.recentAlertCount);
        this.broadcast(message);
      } else {
        const message: UpdateMessage = { v: PROTOCOL_VERSION, type: 'update', stream: record.stream, key: record.key, time: record.timestamp, row };
        let recent = this.recentUpdates.get(record.stream);
        if (recent === undefined) {
          recent = [];
          this.recentUpdates.set(record.stream, recent);
        }
        this.remember(recent, message, this.recentPerStream);
        this.broadcast(message);
      }
    }
  }

  /** Marks the pipeline as stopping (`/healthz` answers 503) and tells the clients. */
  markStopping(): void {
    this.stopping = true;
    this.broadcastHealth();
  }

  /** Closes every client and the port. */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.healthTimer !== null) clearInterval(this.healthTimer);
    this.healthTimer = null;
    for (const ws of this.clients) ws.close(1001, 'pipeline stopped');
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    this.metrics?.clients.set({ pipeline: this.manifest.pipeline }, 0);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: `${req.method ?? '?'} not allowed` });
      return;
    }
    switch (url.pathname) {
      case '/':
      case '/index.html':
        send(res, 200, 'text/html; charset=utf-8', this.page);
        return;
      case '/metrics': {
        const metrics = this.options.metrics;
        if (!metrics) {
          sendJson(res, 404, { error: 'no metrics' });
          return;
        }
        send(res, 200, metrics.contentType, await metrics.metrics());
        return;
      }
      case '/healthz': {
        const figures = this.options.health?.() ?? null;
        sendJson(res, this.stopping ? 503 : 200, { status: this.stopping ? 'stopping' : 'ok', pipeline: this.manifest.pipeline, ...(figures ?? {}), clients: this.clients.size });
        return;
      }
      case '/api/manifest':
        sendJson(res, 200, this.manifest);
        return;
      case '/api/history':
        this.history(url.searchParams, res);
        return;
      default:
        sendJson(res, 404, { error: `no such path: ${url.pathname}`, paths: ['/', '/metrics', '/healthz', '/api/manifest', '/api/history', '/ws'] });
    }
  }

  private history(params: URLSearchParams, res: ServerResponse): void {
    const metric = params.get('metric');
    if (metric === null || metric === '') {
      sendJson(res, 400, { error: 'metric is required: /api/history?metric=<aggregate>', metrics: [...this.knownStreams] });
      return;
    }
    if (!this.knownStreams.has(metric)) {
      sendJson(res, 404, { error: `unknown metric ${metric}`, metrics: [...this.knownStreams] });
      return;
    }
    const now = this.now();
    const from = parseTime(params.get('from'), now);
    const to = parseTime(params.get('to'), now);
    const limitText = params.get('limit');
    const limit = limitText === null ? undefined : Number(limitText);
    if (from === null || to === null || (limit !== undefined && !(Number.isInteger(limit) && limit > 0))) {
      sendJson(res, 400, { error: 'from/to take epoch milliseconds, ISO-8601 text or -<n>s|m|h|d (before now); limit a positive integer' });
      return;
    }
    const field = params.get('field') ?? undefined;
    const query: HistoryQuery = { stream: metric, field, from, to, limit };
    const stored = this.options.history?.query(query) ?? [];
    const series = stored.map((s) => ({ measurement: s.measurement, tags: s.tags, field: s.field, points: s.points.map((p) => [p.time, p.value]) }));
    const body: Record<string, unknown> = { metric, from: from ?? null, to: to ?? null, series };
    if (series.length === 0) {
      // Not written to a time-series sink (an alert stream, a dashboard-only metric): the recent messages.
      const recent = this.alertStreams.has(metric) ? this.recentAlerts : (this.recentUpdates.get(metric) ?? []);
      body.recent = recent
        .map((text) => JSON.parse(text) as UpdateMessage | AlertMessage)
        .filter((m) => m.stream === metric && (from === undefined || m.time >= from) && (to === undefined || m.time < to));
    }
    sendJson(res, 200, body);
  }

  // ───────────────────────────── WebSocket ─────────────────────────────

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    if (path !== '/ws' || this.stopping) {
      socket.write('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private connected(ws: WebSocket): void {
    this.clients.add(ws);
    this.metrics?.clients.set({ pipeline: this.manifest.pipeline }, this.clients.size);
    ws.on('close', () => this.forget(ws));
    ws.on('error', () => this.forget(ws));
    // Clients only listen; anything they send is ignored.
    for (const recent of this.recentUpdates.values()) for (const text of recent) this.sendTo(ws, withHistory(text));
    for (const text of this.recentAlerts) this.sendTo(ws, withHistory(text));
    const health = this.healthMessage();
    if (health !== null) this.sendTo(ws, JSON.stringify(health));
  }

  private forget(ws: WebSocket): void {
    if (this.clients.delete(ws)) this.metrics?.clients.set({ pipeline: this.manifest.pipeline }, this.clients.size);
  }

  private broadcast(message: HubMessage): void {
    this.metrics?.messages.inc({ pipeline: this.manifest.pipeline, type: message.type });
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.clients) this.sendTo(ws, text);
  }

  private sendTo(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.maxBufferedBytes) {
      // A slow client is dropped, not the server: its buffer would grow without bound.
      this.droppedCount++;
      this.metrics?.dropped.inc({ pipeline: this.manifest.pipeline });
      this.forget(ws);
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  private broadcastHealth(): void {
    const message = this.healthMessage();
    if (message !== null) this.broadcast(message);
  }

  private healthMessage(): HealthMessage | null {
    const figures = this.options.health?.();
    if (!figures) return null;
    return { v: PROTOCOL_VERSION, type: 'health', time: this.now(), pipeline: this.manifest.pipeline, status: { ...figures, state: this.stopping ? 'stopping' : figures.state, clients: this.clients.size } };
  }

  private remember(list: string[], message: UpdateMessage | AlertMessage, max: number): void {
    list.push(JSON.stringify(message));
    if (list.length > max) list.splice(0, list.length - max);
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function hubMetrics(registry: Registry): HubMetrics {
  const existing = (name: string): unknown => registry.getSingleMetric(name);
  const clients =
    (existing('flowc_websocket_clients') as Gauge<'pipeline'> | undefined) ??
    new Gauge({ name: 'flowc_websocket_clients', help: 'Dashboard WebSocket clients connected.', labelNames: ['pipeline'], registers: [registry] });
  const dropped =
    (existing('flowc_websocket_clients_dropped_total') as Counter<'pipeline'> | undefined) ??
    new Counter({ name: 'flowc_websocket_clients_dropped_total', help: 'Dashboard clients dropped for falling behind (send buffer full).', labelNames: ['pipeline'], registers: [registry] });
  const messages =
    (existing('flowc_hub_messages_total') as Counter<'pipeline' | 'type'> | undefined) ??
    new Counter({ name: 'flowc_hub_messages_total', help: 'Messages the dashboard hub pushed, by type (update, alert, health).', labelNames: ['pipeline', 'type'], registers: [registry] });
  return { clients, dropped, messages };
}

function isRow(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A kept message marked as history (the text ends with `}`). */
function withHistory(text: string): string {
  return `${text.slice(0, -1)},"history":true}`;
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
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
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

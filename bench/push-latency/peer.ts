// The peer: the reference stack's delivery path (its "Stage 5: Real-Time Delivery",
// websocket-server/…/WebSocketServer.java, Java/Jetty), modelled in Node with `ws`.
//
// The reference's Flink job writes every window result to InfluxDB; a separate WebSocket server
// polls InfluxDB every 5 s (`fetchLatestMetrics`: per measurement, `range(start: -1m) |> last()`),
// serialises the result once (`objectMapper.writeValueAsString`) and sends that text to every
// open session, removing the closed ones. Its clients send `{action: "subscribe", metrics: […]}`,
// which the server records and does not use to filter. Alerts go to Kafka (`cep-alerts`), not
// to the WebSocket.
//
// Here: `write` is the InfluxDB write (the latest point of each series — stream + group key — by
// its time, as `last()` picks it), the poll reads the series written in the last minute, and the
// broadcast is the reference's loop. The store is in memory, so the peer's query costs nothing
// (the reference quotes ~20 ms per InfluxDB query): that is in the peer's favour.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { SinkRecord } from '../../runtime/src/index.ts';
import { now } from './shared.ts';

/** The reference's broadcast interval. */
export const PEER_POLL_MS = 5000;
/** `range(start: -1m)`. */
const RANGE_MS = 60_000;

interface Point {
  readonly stream: string;
  readonly key: string | null;
  readonly time: number;
  readonly row: unknown;
  readonly writtenAt: number;
}

export class PollingPeer {
  private readonly series = new Map<string, Point>();
  private readonly sessions = new Map<WebSocket, { metrics: readonly string[] }>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private nextPoll = Number.POSITIVE_INFINITY;
  broadcasts = 0;

  constructor(private readonly alertStreams: ReadonlySet<string>) {
    this.server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('peer\n');
    });
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws: WebSocket) => {
      this.sessions.set(ws, { metrics: [] });
      ws.on('message', (data: Buffer) => {
        // The reference reads `{action, metrics}` and keeps the subscription (it does not filter by it).
        try {
          const request = JSON.parse(data.toString('utf8')) as { action?: unknown; metrics?: unknown };
          if (request.action === 'subscribe' && Array.isArray(request.metrics)) this.sessions.set(ws, { metrics: request.metrics.map(String) });
        } catch {
          // Ignored, as the reference logs and goes on.
        }
      });
      ws.on('close', () => this.sessions.delete(ws));
      ws.on('error', () => this.sessions.delete(ws));
    });
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /** The InfluxDB write of the reference's Flink sink: each metric row becomes the series' newest point. */
  write(records: readonly SinkRecord<unknown>[]): void {
    const writtenAt = Date.now();
    for (const record of records) {
      if (this.alertStreams.has(record.stream)) continue;
      const id = `${record.stream}\u0000${record.key ?? ''}`;
      const previous = this.series.get(id);
      if (previous !== undefined && previous.time > record.timestamp) continue;
      this.series.set(id, { stream: record.stream, key: record.key, time: record.timestamp, row: record.value, writtenAt });
    }
  }

  async listen(): Promise<{ readonly port: number }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return { port: (this.server.address() as AddressInfo).port };
  }

  /**
   * Polls every 5 s from `firstInMs` on. The reference's timer runs from its start, so its phase
   * against the job's window timers is arbitrary; the bench sets it (see push-latency.ts).
   */
  startPolling(firstInMs: number): void {
    this.nextPoll = Date.now() + firstInMs;
    const poll = (): void => {
      this.nextPoll += PEER_POLL_MS;
      this.timer = setTimeout(poll, Math.max(0, this.nextPoll - Date.now()));
      this.broadcastMetrics();
    };
    this.timer = setTimeout(poll, firstInMs);
  }

  /** `fetchLatestMetrics`: per stream, the newest point of each series written in the last minute. */
  private fetchLatestMetrics(): Record<string, unknown> {
    const since = Date.now() - RANGE_MS;
    const metrics: Record<string, { key: string | null; time: number; row: unknown }[]> = {};
    for (const point of this.series.values()) {
      if (point.writtenAt < since) continue;
      (metrics[point.stream] ??= []).push({ key: point.key, time: point.time, row: point.row });
    }
    // `polledAt` is the bench's: when the poll ran (its clock), to split a row's wait for the poll from the sending.
    return { timestamp: Date.now(), polledAt: now(), metrics };
  }

  /** `broadcastMetrics`: serialised once, the same text to every open session; closed ones are removed. */
  private broadcastMetrics(): void {
    const metricsJson = JSON.stringify(this.fetchLatestMetrics());
    this.broadcasts++;
    for (const ws of [...this.sessions.keys()]) {
      if (ws.readyState === WebSocket.OPEN) ws.send(metricsJson);
      else this.sessions.delete(ws);
    }
  }

  /** Milliseconds until the next poll. */
  get nextPollInMs(): number {
    return Math.max(0, this.nextPoll - Date.now());
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    for (const ws of this.sessions.keys()) ws.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// The live feed behind `/ws`: connected clients, who subscribed to what, the recent rows and
// alerts kept in memory, and the messages of protocol v3 (protocol.ts).
//
//   connect      hello, then one health; nothing else until the client subscribes
//   subscribe    per newly subscribed stream one snapshot (stored rows merged with the recent
//                ones), then its live messages; an unknown stream gets an `error`, the others
//                are still subscribed
//   publish      each record becomes one message, serialised once, the same bytes sent to every
//                subscriber of its stream (queued behind a pending snapshot); a window row's
//                `-U` is not sent (its `+U` replaces the row by row key), a `-D` is
//   heartbeat    a WebSocket ping every `heartbeatMs`; a client silent since the previous ping
//                is terminated
//   health       every `healthIntervalMs`, to every client
import type { WebSocket } from 'ws';
import type { EpochMillis, MetricManifest, PipelineManifest, SinkRecord } from '../api/index.ts';
import { HubClient } from './client.ts';
import { groupOfRow, mergeRows, rowIdentity, rowKeyExclusion, type GroupedRow, type MetricHistory } from './history.ts';
import type { HubMetrics } from './metrics.ts';
import {
  PROTOCOL_VERSION,
  parseClientMessage,
  type AlertMessage,
  type AlertRecord,
  type AlertSnapshotMessage,
  type ErrorCode,
  type ErrorMessage,
  type HelloMessage,
  type HealthMessage,
  type MetricSnapshotMessage,
  type ServerMessage,
  type StreamInfo,
  type SubscribeMessage,
  type UpdateMessage,
  type WindowRow,
} from './protocol.ts';
import { RecentAlerts, RecentRows } from './recent.ts';

/** Rows per group key (alerts: in all) a snapshot has when the client does not say. */
export const DEFAULT_SNAPSHOT_LIMIT = 120;

export interface FeedOptions {
  readonly manifest: PipelineManifest;
  readonly history: MetricHistory | null;
  readonly metrics: HubMetrics | null;
  readonly maxBufferedBytes: number;
  readonly recentRowsPerKey: number;
  readonly recentRowsPerStream: number;
  readonly recentAlertsPerStream: number;
  readonly heartbeatMs: number;
  readonly healthIntervalMs: number | null;
  readonly health: () => HealthMessage;
  readonly now: () => EpochMillis;
}

export class LiveFeed {
  readonly streams: readonly StreamInfo[];
  private readonly options: FeedOptions;
  private readonly pipeline: string;
  private readonly metricsByName: ReadonlyMap<string, MetricManifest>;
  private readonly alertStreams: ReadonlySet<string>;
  private readonly recentRows = new Map<string, RecentRows>();
  private readonly recentAlerts = new Map<string, RecentAlerts>();
  private readonly clients = new Set<HubClient>();
  private readonly subscribers = new Map<string, Set<HubClient>>();
  private droppedCount = 0;
  /** Clients corked during the publish under way; `null` outside one. */
  private corked: Set<HubClient> | null = null;
  /** The last `-U` published, until its `+U` (the next record of the stream) takes its time as `previousTime`. */
  private retracted: { readonly stream: string; readonly id: string; readonly time: EpochMillis } | null = null;

  constructor(options: FeedOptions) {
    this.options = options;
    const manifest = options.manifest;
    this.pipeline = manifest.pipeline;
    this.alertStreams = new Set(manifest.alerts.map((a) => a.stream));
    this.metricsByName = new Map(manifest.metrics.filter((m) => !this.alertStreams.has(m.name)).map((m) => [m.name, m]));
    const alertNames = [...new Set(manifest.alerts.map((a) => a.stream))];
    this.streams = [...[...this.metricsByName.keys()].map((name) => ({ name, kind: 'metric' as const })), ...alertNames.map((name) => ({ name, kind: 'alert' as const }))];
    for (const name of this.metricsByName.keys()) this.recentRows.set(name, new RecentRows(options.recentRowsPerKey, options.recentRowsPerStream));
    for (const name of alertNames) this.recentAlerts.set(name, new RecentAlerts(options.recentAlertsPerStream));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get droppedClients(): number {
    return this.droppedCount;
  }

  kindOf(stream: string): 'metric' | 'alert' | null {
    return this.metricsByName.has(stream) ? 'metric' : this.alertStreams.has(stream) ? 'alert' : null;
  }

  metric(stream: string): MetricManifest | undefined {
    return this.metricsByName.get(stream);
  }

  // ───────────────────────────── clients ─────────────────────────────

  /** A client connected: hello, then one health. */
  connect(ws: WebSocket): HubClient {
    const client = new HubClient(ws, { maxBufferedBytes: this.options.maxBufferedBytes, onOverflow: (c) => this.drop(c) });
    this.clients.add(client);
    this.gauge();
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => this.received(client, data, isBinary));
    ws.on('close', () => this.forget(client));
    // ws closes the connection itself after an error (1009 for an oversize frame, 1002 for a bad one).
    ws.on('error', () => this.forget(client));
    const hello: HelloMessage = {
      v: PROTOCOL_VERSION,
      type: 'hello',
      pipeline: this.pipeline,
      manifest: this.options.manifest,
      serverTime: this.options.now(),
      heartbeatMs: this.options.heartbeatMs,
      healthIntervalMs: this.options.healthIntervalMs,
      streams: this.streams,
    };
    client.send(this.encode(hello));
    client.send(this.encode(this.options.health()));
    return client;
  }

  /** Every client: ping, or terminate the one that did not answer the previous ping. */
  heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.forget(client);
        client.terminate();
        continue;
      }
      client.alive = false;
      try {
        client.ws.ping();
      } catch {
        this.forget(client);
        client.terminate();
      }
    }
  }

  /** A health message to every client. */
  broadcastHealth(): void {
    if (this.clients.size === 0) {
      this.count('health');
      return;
    }
    const data = this.encode(this.options.health());
    for (const client of this.clients) client.send(data);
  }

  /** Closes every client (1001, then terminated). */
  closeAll(code = 1001, reason = 'pipeline stopped'): void {
    for (const client of this.clients) {
      try {
        client.ws.close(code, reason);
      } catch {
        // Closing anyway below.
      }
      client.terminate();
    }
    this.clients.clear();
    this.subscribers.clear();
    this.gauge();
  }

  private forget(client: HubClient): void {
    if (!this.clients.delete(client)) return;
    for (const stream of client.streams()) this.subscribers.get(stream)?.delete(client);
    this.gauge();
  }

  private drop(client: HubClient): void {
    // A slow client is dropped, not the server: its buffer would grow without bound.
    this.droppedCount++;
    this.options.metrics?.dropped.inc({ pipeline: this.pipeline });
    this.forget(client);
    client.terminate();
  }

  private gauge(): void {
    this.options.metrics?.clients.set({ pipeline: this.pipeline }, this.clients.size);
  }

  // ───────────────────────────── client messages ─────────────────────────────

  private received(client: HubClient, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (isBinary) {
      this.error(client, 'bad_message', 'expected text frames holding JSON');
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.error(client, parsed.code, parsed.message);
      return;
    }
    const message = parsed.message;
    if (message.type === 'subscribe') this.subscribe(client, message);
    else this.unsubscribe(client, message.streams);
  }

  private subscribe(client: HubClient, message: SubscribeMessage): void {
    const names = message.streams === '*' ? this.streams.map((s) => s.name) : [...new Set(message.streams)];
    const limit = message.history?.limit ?? DEFAULT_SNAPSHOT_LIMIT;
    const since = message.history?.since;
    for (const name of names) {
      const kind = this.kindOf(name);
      if (kind === null) {
        this.error(client, 'unknown_stream', `unknown stream ${JSON.stringify(name)}; streams: ${this.streams.map((s) => s.name).join(', ')}`, name);
        continue;
      }
      if (client.isSubscribed(name)) continue;
      this.subscriberSet(name).add(client);
      if (limit === 0) {
        client.subscribe(name, false);
        continue;
      }
      if (kind === 'alert') {
        // From memory, at once: no live alert can come between the snapshot and the subscription.
        client.subscribe(name, false);
        const alerts = this.recentAlerts.get(name)?.alerts(limit, since) ?? [];
        const snapshot: AlertSnapshotMessage = { v: PROTOCOL_VERSION, type: 'snapshot', stream: name, kind: 'alert', alerts };
        client.send(this.encode(snapshot));
        continue;
      }
      this.metricSnapshot(client, this.metricsByName.get(name) as MetricManifest, limit, since);
    }
  }

  /**
   * Subscribes to a metric: the recent rows are taken now (everything published later queues
   * behind the snapshot), the stored ones when the history answers; then the snapshot goes out,
   * without the rows queued meanwhile (they follow), and the queue after it.
   */
  private metricSnapshot(client: HubClient, metric: MetricManifest, limit: number, since: EpochMillis | undefined): void {
    const recent = this.recentRows.get(metric.name)?.rows(since) ?? [];
    const history = this.options.history;
    if (history === null) {
      client.subscribe(metric.name, false);
      client.send(this.encode(this.snapshotOf(metric, [], recent, limit, undefined)));
      return;
    }
    const subscription = client.subscribe(metric.name, true);
    const finish = (stored: readonly WindowRow[]): void => {
      if (!client.isCurrent(subscription)) return;
      client.release(subscription, this.encode(this.snapshotOf(metric, stored, recent, limit, subscription.identities)));
    };
    Promise.resolve()
      .then(() => history.rows(metric, { since, limit }))
      .then(finish, () => finish([]));
  }

  private snapshotOf(metric: MetricManifest, stored: readonly WindowRow[], recent: readonly GroupedRow[], limit: number, exclude: ReadonlySet<string> | undefined): MetricSnapshotMessage {
    const gone = this.recentRows.get(metric.name)?.gone();
    return { v: PROTOCOL_VERSION, type: 'snapshot', stream: metric.name, kind: 'metric', rows: mergeRows(metric, stored, recent, { limit, exclude, gone }) };
  }

  private unsubscribe(client: HubClient, streams: readonly string[] | '*'): void {
    const names = streams === '*' ? client.streams() : [...new Set(streams)];
    for (const name of names) {
      if (this.kindOf(name) === null) {
        this.error(client, 'unknown_stream', `unknown stream ${JSON.stringify(name)}`, name);
        continue;
      }
      client.unsubscribe(name);
      this.subscribers.get(name)?.delete(client);
    }
  }

  private error(client: HubClient, code: ErrorCode, message: string, stream?: string): void {
    const error: ErrorMessage = stream === undefined ? { v: PROTOCOL_VERSION, type: 'error', code, message } : { v: PROTOCOL_VERSION, type: 'error', code, message, stream };
    client.send(this.encode(error));
  }

  private subscriberSet(stream: string): Set<HubClient> {
    let set = this.subscribers.get(stream);
    if (set === undefined) this.subscribers.set(stream, (set = new Set()));
    return set;
  }

  // ───────────────────────────── publishing ─────────────────────────────

  /**
   * Emitted records: alert streams as `alert`, metric streams as `update`; kept in memory, sent to
   * the subscribers. Window rows are keyed updates (`SinkRecord.change`): `+I`/`+U` replace the row
   * with the same row key (a `+U` whose time moved carries `previousTime`), `-D` removes it (and is
   * sent), `-U` is not sent (its `+U` follows) but counts for snapshots under way.
   */
  publish(records: readonly SinkRecord<unknown>[]): void {
    if (records.length > 1 && this.corked === null) {
      // Every client's frames of this publish go out in one write (see HubClient.cork).
      this.corked = new Set();
      try {
        this.publish(records);
      } finally {
        const corked = this.corked;
        this.corked = null;
        for (const client of corked) client.uncork();
      }
      return;
    }
    // Consecutive records of one stream go out as one frame (an array when there are several).
    let frame: StreamFrame | null = null;
    for (const record of records) {
      const value = record.value;
      const row: Readonly<Record<string, unknown>> = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Readonly<Record<string, unknown>>) : { value };
      const stream = record.stream;
      if (frame !== null && frame.stream !== stream) {
        this.fanOut(frame);
        frame = null;
      }
      frame ??= { stream, subscribed: (this.subscribers.get(stream)?.size ?? 0) > 0, texts: [], identities: [] };
      const alerts = this.recentAlerts.get(stream);
      if (alerts !== undefined) {
        alerts.put({ time: record.timestamp, alert: row });
        this.count('alert');
        if (frame.subscribed) frame.texts.push(this.stringify({ v: PROTOCOL_VERSION, type: 'alert', stream, time: record.timestamp, alert: row } satisfies AlertMessage));
        continue;
      }
      const change = record.change;
      if (change !== '-U') this.count('update');
      const metric = this.metricsByName.get(stream);
      // Not in the manifest: nobody can subscribe to it.
      if (metric === undefined) continue;
      const group = groupOfRow(metric, row);
      const rowKey = record.rowKey;
      const windowRow: WindowRow = rowKey === undefined ? { key: record.key, time: record.timestamp, row } : { key: record.key, time: record.timestamp, row, rowKey };
      const recent = this.recentRows.get(stream) as RecentRows;
      if (change === '-U') {
        // The old version of a row whose `+U` follows: remembered for the `+U`'s previousTime.
        recent.retract(group, windowRow);
        this.retracted = { stream, id: rowKey ?? rowIdentity(group, record.timestamp), time: record.timestamp };
        if (frame.subscribed) frame.identities.push(...exclusionsOf(group, windowRow));
        continue;
      }
      let previousTime: EpochMillis | undefined;
      if (change === '-D') {
        recent.remove(group, windowRow);
      } else {
        const replaced = recent.put(group, windowRow);
        const retracted = this.retracted;
        previousTime = retracted !== null && retracted.stream === stream && retracted.id === (rowKey ?? rowIdentity(group, record.timestamp)) ? retracted.time : replaced?.time;
      }
      this.retracted = null;
      if (!frame.subscribed) continue;
      const update: UpdateMessage = {
        v: PROTOCOL_VERSION,
        type: 'update',
        stream,
        key: record.key,
        time: record.timestamp,
        row,
        ...(rowKey === undefined ? {} : { rowKey }),
        ...(change === undefined ? {} : { change }),
        ...(change === '+U' && previousTime !== undefined && previousTime !== record.timestamp ? { previousTime } : {}),
        ...(record.early === true ? { early: true as const } : {}),
      };
      frame.texts.push(this.stringify(update));
      frame.identities.push(...exclusionsOf(group, windowRow));
      if (update.previousTime !== undefined) frame.identities.push(rowIdentity(group, update.previousTime));
    }
    if (frame !== null) this.fanOut(frame);
  }

  /** Sends a stream's messages of one publish, as one frame, to the stream's subscribers. */
  private fanOut(frame: StreamFrame): void {
    const subscribers = this.subscribers.get(frame.stream);
    if (subscribers === undefined || (frame.texts.length === 0 && frame.identities.length === 0)) return;
    // A frame of `-U`s alone sends nothing, but a snapshot under way must still leave their rows out.
    const data = frame.texts.length === 0 ? null : Buffer.from(frame.texts.length === 1 ? (frame.texts[0] as string) : `[${frame.texts.join(',')}]`, 'utf8');
    const corked = this.corked;
    for (const client of subscribers) {
      if (data !== null && corked !== null && !corked.has(client)) {
        client.cork();
        corked.add(client);
      }
      client.deliver(frame.stream, data, frame.identities);
    }
  }

  // ───────────────────────────── history (/api/history) ─────────────────────────────

  /** Stored rows of `metric` merged with the recent ones, as a snapshot has them. */
  async metricRows(metric: MetricManifest, request: { readonly since?: EpochMillis; readonly until?: EpochMillis; readonly limit: number }): Promise<WindowRow[]> {
    const recent = this.recentRows.get(metric.name)?.rows(request.since, request.until) ?? [];
    const stored = this.options.history === null ? [] : await this.options.history.rows(metric, request);
    return mergeRows(metric, stored, recent, { limit: request.limit, gone: this.recentRows.get(metric.name)?.gone() });
  }

  /** The recent alerts of `stream`. */
  alerts(stream: string, request: { readonly since?: EpochMillis; readonly until?: EpochMillis; readonly limit: number }): AlertRecord[] {
    return this.recentAlerts.get(stream)?.alerts(request.limit, request.since, request.until) ?? [];
  }

  // ───────────────────────────── encoding ─────────────────────────────

  /** One message as the bytes of a text frame (serialised once, whoever gets it); counted by type. */
  private encode(message: ServerMessage): Buffer {
    this.count(message.type);
    return Buffer.from(this.stringify(message), 'utf8');
  }

  private stringify(message: ServerMessage): string {
    try {
      return JSON.stringify(message);
    } catch {
      return JSON.stringify(message, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
    }
  }

  private count(type: ServerMessage['type']): void {
    this.options.metrics?.messages.inc({ pipeline: this.pipeline, type });
  }
}

/** What a snapshot under way leaves out for a live record of `row`: the rows at its (group, time) and the row with its key. */
function exclusionsOf(group: string, row: WindowRow): string[] {
  const identity = rowIdentity(group, row.time);
  return row.rowKey === undefined ? [identity] : [identity, rowKeyExclusion(row.rowKey)];
}

/** The messages of one stream in one publish, serialised, waiting to go out as one frame. */
interface StreamFrame {
  readonly stream: string;
  /** Whether anyone subscribes to it (else nothing is serialised). */
  readonly subscribed: boolean;
  readonly texts: string[];
  /** The row identities and row keys its records touched (for a snapshot being read meanwhile to leave out). */
  readonly identities: string[];
}

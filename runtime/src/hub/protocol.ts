// The dashboard protocol: the JSON messages exchanged over the hub's WebSocket (`/ws`). Every
// message is one envelope `{ v, type, … }`; `v` is the protocol version, bumped on any change a
// client could notice. A text frame from the hub holds one message, or a JSON array of messages:
// the updates (or alerts) of one stream from one emitted batch, in order — a tick's geography rows,
// a burst of alerts — so that a batch costs a frame per client, not a frame per row and client
// (`parseServerFrame` reads both). A client's frames hold one message each. The dashboard imports these types (and the manifest
// type they carry) and nothing else of the runtime.
//
// server → client
//   hello      first message on every connection: the pipeline's manifest, server time, heartbeat
//   snapshot   the stored history of one subscribed stream (the current version of each row:
//              nothing deleted or superseded), sent once per `subscribe`, before any live message
//              of that stream
//   update     a change of a window row of a subscribed metric stream: `+I` a new row, `+U` a new
//              version of the row with the same `rowKey` (which replaces it, whatever its time:
//              a session whose end moved), `-D` the row is gone. A row without `rowKey` is
//              identified by its group columns and window end, as in v2
//   alert      an alert record of a subscribed alert stream
//   health     the pipeline's status figures, every `healthIntervalMs` to every client (no
//              subscription needed); it doubles as the application-level heartbeat
//   error      a client message the hub refused (bad JSON, unknown type or stream, …); the
//              connection stays open
//
// client → server
//   subscribe    `streams`: names, or '*' for every metric and alert stream; optional `history`
//   unsubscribe  `streams`: names, or '*'
//
// Liveness: the hub pings every client (WebSocket ping frame) every `heartbeatMs` and terminates
// one that has not answered the previous ping. A browser cannot see ping frames, so clients treat
// ~3 missed health intervals without any message as a dead connection and reconnect.
import type { PipelineManifest } from '../api/manifest.ts';

// v3 (from v2): window rows are keyed updates — `update` has `change` ('+I' | '+U' | '-D'), `rowKey`
// and `previousTime`, snapshot rows `rowKey`. A v2 client would draw a deleted row (`-D`) as a live
// one, so the version changed; client messages are as in v2.
export const PROTOCOL_VERSION = 3;

/** Epoch milliseconds (the runtime's `EpochMillis`, spelled out so this file imports no runtime code). */
type Millis = number;

interface Envelope {
  readonly v: typeof PROTOCOL_VERSION;
}

// ───────────────────────────── server → client ─────────────────────────────

export interface HelloMessage extends Envelope {
  readonly type: 'hello';
  readonly pipeline: string;
  readonly manifest: PipelineManifest;
  /** The hub's clock when it sent this (epoch ms), to show clock skew and ages. */
  readonly serverTime: Millis;
  /** How often the hub pings; `health` arrives every `healthIntervalMs` (null: never). */
  readonly heartbeatMs: number;
  readonly healthIntervalMs: number | null;
  /** Every stream a client may subscribe to: metric streams first, then alert streams. */
  readonly streams: readonly StreamInfo[];
}

export interface StreamInfo {
  readonly name: string;
  readonly kind: 'metric' | 'alert';
}

/** One window result: what `update` carries and what `snapshot` lists. */
export interface WindowRow {
  /** The group key as text; `null` for a global aggregate. Display only: a row's series is named by its group-by columns. */
  readonly key: string | null;
  /** The result's time: the window's end (epoch ms). */
  readonly time: Millis;
  /** The row: group-by columns, measures, `window_start` / `window_end`. */
  readonly row: Readonly<Record<string, unknown>>;
  /**
   * Which row this is, across its versions: the engine's row key (`["US",start,end]` for a window,
   * `["s-42",start]` for a session). A row without one (a row read back from the time-series
   * store, a record that carried none) is identified by its group-by columns and `time`.
   */
  readonly rowKey?: string;
}

/** How an `update` changes the stream's rows (the runtime's `ChangeKind` without `-U`, which the hub does not send). */
export type RowChange = '+I' | '+U' | '-D';

/** One alert record. */
export interface AlertRecord {
  readonly time: Millis;
  /** `alert_type`, `severity`, `title`, `message`, `key`, `time`, plus the stream's own columns. */
  readonly alert: Readonly<Record<string, unknown>>;
}

/** The history of one stream, oldest first, sent in answer to `subscribe`: the current version of each row, no deleted one. */
export type SnapshotMessage = MetricSnapshotMessage | AlertSnapshotMessage;

export interface MetricSnapshotMessage extends Envelope {
  readonly type: 'snapshot';
  readonly stream: string;
  readonly kind: 'metric';
  readonly rows: readonly WindowRow[];
}

export interface AlertSnapshotMessage extends Envelope {
  readonly type: 'snapshot';
  readonly stream: string;
  readonly kind: 'alert';
  readonly alerts: readonly AlertRecord[];
}

/**
 * One change of a window row of `stream` (an aggregate's name), pushed the moment it is emitted.
 *
 * - `+I`: a new row; `+U`: a new version of the row with the same `rowKey`, which it replaces —
 *   its `time` may differ (a session whose end moved: `previousTime` is the old one);
 * - `-D`: the row with this `rowKey` is gone (a session merged into another or whose start moved,
 *   a row `having` now rejects, a window whose input was all retracted); `row` and `time` are its
 *   last version;
 * - no `change` (a record that carried none): a new version of the row with the same group-by
 *   columns and `time`.
 *
 * A client keeps one row per `rowKey`; where a row lacks one (a snapshot row read back from the
 * store), the row with the same group-by columns and `time` is the same row.
 */
export interface UpdateMessage extends Envelope, WindowRow {
  readonly type: 'update';
  readonly stream: string;
  /** True for an early firing (the window is still open; a later update replaces it). */
  readonly early?: true;
  readonly change?: RowChange;
  /**
   * On a `+U` whose `time` differs from the version it replaces (a session whose end moved): that
   * version's time. A client drops the row there too when it holds it without a `rowKey`.
   */
  readonly previousTime?: Millis;
}

/** One alert raised by `stream` (an aggregate with an `alert`, or a pattern). */
export interface AlertMessage extends Envelope, AlertRecord {
  readonly type: 'alert';
  readonly stream: string;
}

/** The status figures of the running pipeline. */
export interface HealthMessage extends Envelope {
  readonly type: 'health';
  readonly time: Millis;
  readonly pipeline: string;
  readonly status: HealthStatus;
}

export interface HealthStatus {
  /** `starting`, `running`, `stopping`, … */
  readonly state: string;
  readonly uptimeMs: number;
  readonly eventsIn: number;
  /** Recent input rate. */
  readonly eventsPerSecond: number;
  readonly windowsEmitted: number;
  readonly alerts: number;
  readonly deadLetters: number;
  readonly lateEvents: number;
  /** Processing time minus the sources' watermark; `null` while unknown. */
  readonly watermarkLagMs: number | null;
  readonly checkpoints: number;
  readonly lastCheckpointId: number | null;
  /** WebSocket clients connected. */
  readonly clients: number;
  /** Clients dropped so far for not reading (their send buffer filled up). */
  readonly clientsDropped: number;
}

export type ErrorCode = 'bad_message' | 'unknown_type' | 'unknown_stream' | 'unsupported_version';

export interface ErrorMessage extends Envelope {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  /** The stream the error is about (`unknown_stream`). */
  readonly stream?: string;
}

export type ServerMessage = HelloMessage | SnapshotMessage | UpdateMessage | AlertMessage | HealthMessage | ErrorMessage;

// ───────────────────────────── client → server ─────────────────────────────

export interface HistoryRequest {
  /** Only rows/alerts at or after this time (epoch ms). Default: all the hub has. */
  readonly since?: Millis;
  /** At most this many rows per group key (alerts: in all), newest kept. Default 120; 0: no snapshot. */
  readonly limit?: number;
}

export interface SubscribeMessage extends Envelope {
  readonly type: 'subscribe';
  readonly streams: readonly string[] | '*';
  readonly history?: HistoryRequest;
}

export interface UnsubscribeMessage extends Envelope {
  readonly type: 'unsubscribe';
  readonly streams: readonly string[] | '*';
}

export type ClientMessage = SubscribeMessage | UnsubscribeMessage;

// ───────────────────────────── parsing ─────────────────────────────

const SERVER_TYPES: ReadonlySet<string> = new Set(['hello', 'snapshot', 'update', 'alert', 'health', 'error']);

/** Parses a message received from the hub; `null` when it is not one (or of another version). */
export function parseServerMessage(text: string): ServerMessage | null {
  return serverMessage(parseEnvelope(text));
}

/**
 * Parses a frame received from the hub, one message or an array of them; the messages of this
 * version, in order (none when the frame holds none).
 */
export function parseServerFrame(text: string): ServerMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const out: ServerMessage[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    const message = serverMessage(typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : null);
    if (message !== null) out.push(message);
  }
  return out;
}

function serverMessage(value: Record<string, unknown> | null): ServerMessage | null {
  if (value === null || value.v !== PROTOCOL_VERSION || typeof value.type !== 'string' || !SERVER_TYPES.has(value.type)) return null;
  return value as unknown as ServerMessage;
}

/** What the hub makes of a client's text frame: a message, or the error to answer with. */
export type ParsedClientMessage = { readonly ok: true; readonly message: ClientMessage } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Parses and validates a client message (shape only; the hub checks the stream names). */
export function parseClientMessage(text: string): ParsedClientMessage {
  const value = parseEnvelope(text);
  if (value === null) return { ok: false, code: 'bad_message', message: 'expected one JSON object per frame' };
  if (value.v !== PROTOCOL_VERSION) return { ok: false, code: 'unsupported_version', message: `this hub speaks protocol v${PROTOCOL_VERSION}; got v${String(value.v)}` };
  if (value.type !== 'subscribe' && value.type !== 'unsubscribe') {
    return { ok: false, code: 'unknown_type', message: `unknown message type ${JSON.stringify(value.type)}; expected subscribe or unsubscribe` };
  }
  const streams = value.streams;
  if (!(streams === '*' || (Array.isArray(streams) && streams.every((s) => typeof s === 'string')))) {
    return { ok: false, code: 'bad_message', message: 'streams must be "*" or a list of stream names' };
  }
  if (value.type === 'unsubscribe') return { ok: true, message: { v: PROTOCOL_VERSION, type: 'unsubscribe', streams: streams as readonly string[] | '*' } };
  const history = value.history;
  if (history !== undefined) {
    if (typeof history !== 'object' || history === null || Array.isArray(history)) return { ok: false, code: 'bad_message', message: 'history must be an object {since?, limit?}' };
    const { since, limit } = history as { since?: unknown; limit?: unknown };
    if (since !== undefined && (typeof since !== 'number' || !Number.isFinite(since))) return { ok: false, code: 'bad_message', message: 'history.since takes epoch milliseconds' };
    if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 0)) return { ok: false, code: 'bad_message', message: 'history.limit takes a whole number ≥ 0' };
  }
  return { ok: true, message: { v: PROTOCOL_VERSION, type: 'subscribe', streams: streams as readonly string[] | '*', history: history as HistoryRequest | undefined } };
}

function parseEnvelope(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

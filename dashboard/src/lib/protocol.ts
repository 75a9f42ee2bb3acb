// The protocol types the dashboard builds against. This is the only place that reaches into the
// runtime, and it takes types only (`import type`, erased at build time): everything else the
// dashboard learns over the WebSocket. Manifest types are read off `HelloMessage['manifest']`, so
// the dashboard depends on protocol.ts alone.
import type {
  AlertMessage,
  ClientMessage,
  ErrorMessage,
  HealthMessage,
  HealthStatus,
  HelloMessage,
  PROTOCOL_VERSION,
  RowChange,
  ServerMessage,
  SnapshotMessage,
  StreamInfo,
  SubscribeMessage,
  UpdateMessage,
  WindowRow,
} from '../../../runtime/src/hub/protocol.ts';

export type { AlertMessage, ClientMessage, ErrorMessage, HealthMessage, HealthStatus, HelloMessage, RowChange, ServerMessage, SnapshotMessage, StreamInfo, SubscribeMessage, UpdateMessage, WindowRow };

export type PipelineManifest = HelloMessage['manifest'];
export type MetricManifest = PipelineManifest['metrics'][number];
export type MeasureManifest = MetricManifest['measures'][number];
export type WindowManifest = MetricManifest['window'];
export type AlertManifest = PipelineManifest['alerts'][number];
export type SinkManifest = PipelineManifest['sinks'][number];
export type ValueKind = MeasureManifest['valueKind'];
export type AlertSeverity = AlertManifest['severity'];

/** The protocol version this build speaks (checked against protocol.ts at compile time). */
export const VERSION: typeof PROTOCOL_VERSION = 3;

export const SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];

const SERVER_TYPES: ReadonlySet<string> = new Set(['hello', 'snapshot', 'update', 'alert', 'health', 'error']);

/** What a received message is: a message of this version, a message of another version, or junk. */
export type Received = { readonly ok: true; readonly message: ServerMessage } | { readonly ok: false; readonly reason: 'not_json' | 'not_message' | 'version'; readonly version?: unknown };

/**
 * Parses one frame from the hub (the client twin of protocol.ts's `parseServerFrame`): one message,
 * or an array of one stream's messages; one result per message, in order.
 */
export function parseFrame(text: string): Received[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ ok: false, reason: 'not_json' }];
  }
  return Array.isArray(value) ? value.map(readMessage) : [readMessage(value)];
}

function readMessage(value: unknown): Received {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not_message' };
  const record = value as Record<string, unknown>;
  if (record.v !== VERSION) return { ok: false, reason: 'version', version: record.v };
  if (typeof record.type !== 'string' || !SERVER_TYPES.has(record.type)) return { ok: false, reason: 'not_message' };
  return { ok: true, message: record as unknown as ServerMessage };
}

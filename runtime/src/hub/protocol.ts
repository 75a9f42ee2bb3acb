// The dashboard protocol: the JSON messages the hub pushes over its WebSocket (`/ws`). Every
// message is one envelope `{ v, type, … }`; `v` is the protocol version, bumped on any change a
// client could notice. The dashboard imports these types and nothing else of the runtime.
//
//   update  a window result of a metric stream (a row; a re-emitted window overwrites the earlier one)
//   alert   an alert record of an aggregate or pattern (`alert_type`, `severity`, `title`, `message`, …)
//   health  the pipeline's status figures, about once a second
//
// On connect a client first receives the recent updates and alerts the hub keeps (`history: true`),
// then a health message, then live messages as they are emitted.
import type { EpochMillis } from '../api/index.ts';

export const PROTOCOL_VERSION = 1;

interface Envelope {
  readonly v: typeof PROTOCOL_VERSION;
}

/** One window result of `stream` (an aggregate's name). */
export interface UpdateMessage extends Envelope {
  readonly type: 'update';
  readonly stream: string;
  /** The group key as text; `null` for a global aggregate. */
  readonly key: string | null;
  /** The result's time: the window's end (epoch ms). */
  readonly time: EpochMillis;
  /** The row: group-by columns, measures, `window_start` / `window_end`. */
  readonly row: Readonly<Record<string, unknown>>;
  /** Set on messages replayed to a client that just connected. */
  readonly history?: true;
}

/** One alert raised by `stream` (an aggregate with an `alert`, or a pattern). */
export interface AlertMessage extends Envelope {
  readonly type: 'alert';
  readonly stream: string;
  readonly time: EpochMillis;
  /** The alert record: `alert_type`, `severity`, `title`, `message`, `key`, `time`, plus its own columns. */
  readonly alert: Readonly<Record<string, unknown>>;
  readonly history?: true;
}

/** The status figures of the running pipeline. */
export interface HealthMessage extends Envelope {
  readonly type: 'health';
  readonly time: EpochMillis;
  readonly pipeline: string;
  readonly status: HealthStatus;
}

export interface HealthStatus {
  /** `running`, `stopping`, … */
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
}

export type HubMessage = UpdateMessage | AlertMessage | HealthMessage;

/** Parses a message received from the hub; `null` when it is not one (or of another version). */
export function parseHubMessage(text: string): HubMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as { v?: unknown; type?: unknown };
  if (message.v !== PROTOCOL_VERSION) return null;
  if (message.type !== 'update' && message.type !== 'alert' && message.type !== 'health') return null;
  return value as HubMessage;
}

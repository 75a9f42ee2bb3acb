// Message builders for the dashboard tests.
import { VERSION, type AlertMessage, type HealthMessage, type HelloMessage, type MetricManifest, type PipelineManifest, type SnapshotMessage, type UpdateMessage } from '../src/lib/protocol.ts';
import { manifest as websiteAnalytics } from '../../generated/website-analytics/manifest.ts';

export const manifest: PipelineManifest = websiteAnalytics;

export function metric(name: string): MetricManifest {
  const found = manifest.metrics.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no metric ${name}`);
  return found;
}

export function hello(overrides: Partial<HelloMessage> = {}): HelloMessage {
  return {
    v: VERSION,
    type: 'hello',
    pipeline: manifest.pipeline,
    manifest,
    serverTime: 1_767_225_600_000,
    heartbeatMs: 15_000,
    healthIntervalMs: 1000,
    streams: [
      ...manifest.metrics.filter((m) => !manifest.alerts.some((a) => a.stream === m.name)).map((m) => ({ name: m.name, kind: 'metric' as const })),
      ...manifest.alerts.map((a) => ({ name: a.stream, kind: 'alert' as const })),
    ],
    ...overrides,
  };
}

export function update(stream: string, time: number, row: Record<string, unknown>, extra: Partial<UpdateMessage> = {}): UpdateMessage {
  return { v: VERSION, type: 'update', stream, key: null, time, row: { window_start: time - 5000, window_end: time, ...row }, ...extra };
}

export function snapshot(stream: string, rows: readonly { time: number; row: Record<string, unknown>; key?: string | null; rowKey?: string }[]): SnapshotMessage {
  return { v: VERSION, type: 'snapshot', stream, kind: 'metric', rows: rows.map((r) => ({ key: r.key ?? null, time: r.time, row: r.row, ...(r.rowKey === undefined ? {} : { rowKey: r.rowKey }) })) };
}

export function alert(stream: string, time: number, fields: Record<string, unknown>): AlertMessage {
  return { v: VERSION, type: 'alert', stream, time, alert: { alert_type: 'HIGH_BOUNCE_RATE', severity: 'medium', title: 'High Bounce Rate Detected', message: 'User u1 viewed only one page', key: 'u1', time, ...fields } };
}

export function health(time: number, eventsIn = 100): HealthMessage {
  return {
    v: VERSION,
    type: 'health',
    time,
    pipeline: manifest.pipeline,
    status: { state: 'running', uptimeMs: 5000, eventsIn, eventsPerSecond: 200, windowsEmitted: 3, alerts: 0, deadLetters: 0, lateEvents: 0, watermarkLagMs: 1200, checkpoints: 1, lastCheckpointId: 1, clients: 1, clientsDropped: 0 },
  };
}

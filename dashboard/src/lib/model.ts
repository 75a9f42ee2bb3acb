// The dashboard's data: what the hub has told us, merged into per-stream series. Plain TypeScript
// (no Svelte), so it is unit-tested as it is; `live.svelte.ts` wraps it for the components.
//
// A metric row belongs to a series named by its group-by column values (`country=DE`), not by the
// message's `key` (display text only). Within a series a point is identified by its time (the
// window end): a later row with the same series and time replaces the earlier one (re-emitted
// windows, early firings, replays after a reconnect). Each series keeps its newest `maxPoints`.
import type { AlertSeverity, HealthStatus, HelloMessage, MetricManifest, PipelineManifest, ServerMessage, WindowRow } from './protocol.ts';
import { SEVERITIES } from './protocol.ts';

export interface Point {
  /** The window end (epoch ms). */
  readonly time: number;
  readonly row: Readonly<Record<string, unknown>>;
  /** An early firing: the window is still open. */
  readonly early: boolean;
}

export interface Series {
  /** `col=value[,col=value]`; `""` for a global metric. */
  readonly id: string;
  /** The group-by columns and their values. */
  readonly tags: readonly (readonly [string, string])[];
  /** Oldest first, unique times. */
  readonly points: Point[];
}

export interface StreamState {
  readonly stream: string;
  readonly groupBy: readonly string[];
  readonly series: Map<string, Series>;
  /** The newest time of any point (−∞ when empty). */
  latestTime: number;
}

export interface AlertItem {
  /** Identifies an alert across reconnects (stream, time, key, type, message). */
  readonly id: string;
  readonly stream: string;
  readonly time: number;
  readonly severity: AlertSeverity;
  readonly alertType: string;
  readonly title: string;
  readonly message: string;
  readonly key: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What a message changed, for the view to refresh only that. */
export type Change =
  | { readonly kind: 'hello'; readonly reset: boolean }
  | { readonly kind: 'metric'; readonly stream: string }
  | { readonly kind: 'alerts' }
  | { readonly kind: 'health' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'none' };

export interface ModelOptions {
  /** Points kept per series; 120 by default. */
  readonly maxPoints?: number;
  /** Series kept per stream (the least recently updated go first); 500 by default. */
  readonly maxSeries?: number;
  /** Alerts kept; 200 by default. */
  readonly maxAlerts?: number;
}

/** The series id of a row: its group-by columns and values, `country=DE,device=MOBILE`. */
export function seriesId(groupBy: readonly string[], row: Readonly<Record<string, unknown>>): string {
  return groupBy.map((column) => `${column}=${tagText(row[column])}`).join(',');
}

function tagText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Adds `point` to time-ordered `points`: replaces a point with the same time, else inserts it in
 * order; then drops the oldest beyond `max`. Returns whether anything changed.
 */
export function mergePoint(points: Point[], point: Point, max: number): boolean {
  let i = points.length - 1;
  while (i >= 0 && (points[i] as Point).time > point.time) i--;
  if (i >= 0 && (points[i] as Point).time === point.time) points[i] = point;
  else {
    if (points.length >= max && i < 0) return false; // older than everything kept, and no room
    points.splice(i + 1, 0, point);
  }
  if (points.length > max) points.splice(0, points.length - max);
  return true;
}

export class DashboardModel {
  hello: HelloMessage | null = null;
  health: HealthStatus | null = null;
  /** When the last health message was sent (hub clock). */
  healthTime: number | null = null;
  readonly streams = new Map<string, StreamState>();
  /** Newest first. */
  alerts: AlertItem[] = [];
  /** Counts of messages by type, for the footer and tests. */
  readonly received: Record<string, number> = {};
  private readonly alertIds = new Set<string>();
  private readonly maxPoints: number;
  private readonly maxSeries: number;
  private readonly maxAlerts: number;
  private metrics = new Map<string, MetricManifest>();

  constructor(options: ModelOptions = {}) {
    this.maxPoints = options.maxPoints ?? 120;
    this.maxSeries = options.maxSeries ?? 500;
    this.maxAlerts = options.maxAlerts ?? 200;
  }

  get manifest(): PipelineManifest | null {
    return this.hello?.manifest ?? null;
  }

  stream(name: string): StreamState | undefined {
    return this.streams.get(name);
  }

  /** Applies one message from the hub. */
  apply(message: ServerMessage): Change {
    this.received[message.type] = (this.received[message.type] ?? 0) + 1;
    switch (message.type) {
      case 'hello':
        return this.applyHello(message);
      case 'snapshot':
        if (message.kind === 'metric') {
          for (const row of message.rows) this.addRow(message.stream, row, false);
          return { kind: 'metric', stream: message.stream };
        }
        for (const alert of message.alerts) this.addAlert(message.stream, alert.time, alert.alert);
        return { kind: 'alerts' };
      case 'update':
        this.addRow(message.stream, message, message.early === true);
        return { kind: 'metric', stream: message.stream };
      case 'alert':
        this.addAlert(message.stream, message.time, message.alert);
        return { kind: 'alerts' };
      case 'health':
        this.health = message.status;
        this.healthTime = message.time;
        return { kind: 'health' };
      case 'error':
        return { kind: 'error', code: message.code, message: message.message };
      default:
        return { kind: 'none' };
    }
  }

  private applyHello(message: HelloMessage): Change {
    const previous = this.hello;
    // Another pipeline, or another build of it: what we hold no longer matches the panels.
    const reset = previous !== null && (previous.pipeline !== message.pipeline || previous.manifest.source.sha256 !== message.manifest.source.sha256);
    if (reset) {
      this.streams.clear();
      this.alerts = [];
      this.alertIds.clear();
      this.health = null;
      this.healthTime = null;
    }
    this.hello = message;
    this.metrics = new Map(message.manifest.metrics.map((m) => [m.name, m]));
    return { kind: 'hello', reset };
  }

  private addRow(stream: string, row: WindowRow, early: boolean): void {
    let state = this.streams.get(stream);
    if (state === undefined) {
      state = { stream, groupBy: this.metrics.get(stream)?.groupBy ?? [], series: new Map(), latestTime: -Infinity };
      this.streams.set(stream, state);
    }
    const values = row.row ?? {};
    // A metric unknown to the manifest has no group columns we know of: fall back to its key.
    const id = this.metrics.has(stream) ? seriesId(state.groupBy, values) : row.key === null ? '' : `key=${row.key}`;
    let series = state.series.get(id);
    if (series === undefined) {
      const tags = this.metrics.has(stream) ? state.groupBy.map((c) => [c, tagText(values[c])] as const) : row.key === null ? [] : [['key', row.key] as const];
      series = { id, tags, points: [] };
      state.series.set(id, series);
      if (state.series.size > this.maxSeries) this.evictSeries(state);
    } else {
      // Map order doubles as recency: move the series to the end.
      state.series.delete(id);
      state.series.set(id, series);
    }
    if (mergePoint(series.points, { time: row.time, row: values, early }, this.maxPoints) && row.time > state.latestTime) state.latestTime = row.time;
  }

  private evictSeries(state: StreamState): void {
    for (const id of state.series.keys()) {
      state.series.delete(id);
      if (state.series.size <= this.maxSeries) return;
    }
  }

  private addAlert(stream: string, time: number, alert: Readonly<Record<string, unknown>>): void {
    const declared = this.hello?.manifest.alerts.find((a) => a.stream === stream);
    const alertType = text(alert.alert_type) ?? declared?.alertType ?? stream;
    const severity = SEVERITIES.includes(alert.severity as AlertSeverity) ? (alert.severity as AlertSeverity) : (declared?.severity ?? 'medium');
    const title = text(alert.title) ?? declared?.title ?? alertType;
    const message = text(alert.message) ?? '';
    const key = text(alert.key) ?? '';
    const id = `${stream}|${time}|${key}|${alertType}|${message}`;
    if (this.alertIds.has(id)) return;
    const item: AlertItem = { id, stream, time, severity, alertType, title, message, key, fields: alert };
    // Newest first; an alert arriving out of order goes where its time puts it.
    let i = 0;
    while (i < this.alerts.length && (this.alerts[i] as AlertItem).time > time) i++;
    if (i >= this.maxAlerts) return;
    this.alerts.splice(i, 0, item);
    this.alertIds.add(id);
    while (this.alerts.length > this.maxAlerts) {
      const dropped = this.alerts.pop() as AlertItem;
      this.alertIds.delete(dropped.id);
    }
  }
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

// ───────────────────────────── views of a stream ─────────────────────────────

/** The newest point of a global metric (the one series with id ""). */
export function latestPoint(state: StreamState | undefined): Point | null {
  const series = state?.series.get('');
  return series?.points[series.points.length - 1] ?? null;
}

/** A finite number out of a row cell, or null. */
export function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface TableRow {
  readonly series: Series;
  readonly point: Point;
}

/** Where the pipeline's time stands: the hub clock and the sources' watermark (null: unknown). */
export interface PipelineClock {
  readonly now: number;
  readonly watermark: number | null;
}

/**
 * The latest window end that is settled (closed) for `metric`, or null when every window counts.
 * Only metrics with early firings (`emit every …`) send rows of open windows, and the hub does not
 * always flag them (`early`): a window is open while its end is past the watermark (event time) or
 * past now (processing time).
 */
export function settledUntil(metric: Pick<MetricManifest, 'earlyFiringMs' | 'time'> | undefined, clock: PipelineClock): number | null {
  if (metric === undefined || metric.earlyFiringMs === null) return null;
  return metric.time === 'processing' ? clock.now : clock.watermark;
}

/** The points to show: those of closed windows when `until` is known and some are closed, else all. */
export function settledPoints(points: readonly Point[], until: number | null): readonly Point[] {
  if (until === null) return points;
  const closed = points.filter((p) => !p.early && p.time <= until);
  return closed.length > 0 ? closed : points;
}

/**
 * The rows of a grouped metric's table: the series' rows of the latest window (the newest window
 * end at or before `until`, when given), one per series. Session windows end at different times
 * per group, so there it takes each series' newest point, the `sessionLimit` most recent. Sorted
 * by `sortBy` (largest first), then series id.
 */
export function tableRows(state: StreamState | undefined, sortBy: string | null, options: { readonly sessionWindows?: boolean; readonly until?: number | null; readonly sessionLimit?: number } = {}): TableRow[] {
  if (state === undefined) return [];
  const until = options.until ?? null;
  const newest = (series: Series): Point | undefined => {
    for (let i = series.points.length - 1; i >= 0; i--) {
      const point = series.points[i] as Point;
      if (until === null || (!point.early && point.time <= until)) return point;
    }
    return until === null ? undefined : series.points[series.points.length - 1];
  };
  let rows: TableRow[] = [];
  for (const series of state.series.values()) {
    const point = newest(series);
    if (point !== undefined) rows.push({ series, point });
  }
  if (options.sessionWindows) rows = rows.sort((a, b) => b.point.time - a.point.time).slice(0, options.sessionLimit ?? 50);
  else {
    const latest = rows.reduce((max, r) => Math.max(max, r.point.time), -Infinity);
    rows = rows.filter((r) => r.point.time === latest);
  }
  return rows.sort((a, b) => {
    if (sortBy !== null) {
      const x = numberOf(a.point.row[sortBy]) ?? -Infinity;
      const y = numberOf(b.point.row[sortBy]) ?? -Infinity;
      if (x !== y) return y - x;
    }
    return a.series.id < b.series.id ? -1 : a.series.id > b.series.id ? 1 : 0;
  });
}

export interface TopKEntry {
  readonly value: string;
  readonly count: number;
}

/** A top_k cell (`[{value, count}, …]`) as entries, best first; other shapes give []. */
export function topKEntries(cell: unknown): TopKEntry[] {
  if (!Array.isArray(cell)) return [];
  const entries: TopKEntry[] = [];
  for (const item of cell as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { value, count } = item as { value?: unknown; count?: unknown };
    if (typeof count !== 'number' || !Number.isFinite(count)) continue;
    entries.push({ value: value === null || value === undefined ? 'null' : String(value), count });
  }
  return entries.sort((a, b) => b.count - a.count);
}

// The dashboard's data: what the hub has told us, merged into per-stream series. Plain TypeScript
// (no Svelte), so it is unit-tested as it is; `live.svelte.ts` wraps it for the components.
//
// A metric row belongs to a series named by its group-by column values (`country=DE`), not by the
// message's `key` (display text only). Window rows are keyed updates: within a series a point is
// identified by its row key (`rowKey`), or — where a row has none (rows read back from the store)
// — by its time (the window end). An update replaces the point of its row wherever it was (a
// re-emitted window, an early firing, a session whose end moved: `previousTime`), a `-D` removes
// it, and a snapshot (after a reconnect) is the truth from each of its series' oldest row on. Each
// series keeps its newest `maxPoints`; a series left without points goes.
import type { AlertSeverity, HealthStatus, HelloMessage, MetricManifest, PipelineManifest, ServerMessage, WindowRow } from './protocol.ts';
import { SEVERITIES } from './protocol.ts';

export interface Point {
  /** The window end (epoch ms). */
  readonly time: number;
  readonly row: Readonly<Record<string, unknown>>;
  /** An early firing: the window is still open. */
  readonly early: boolean;
  /** The row's key across its versions (absent: the row is identified by its time). */
  readonly rowKey?: string;
}

export interface Series {
  /** `col=value[,col=value]`; `""` for a global metric. */
  readonly id: string;
  /** The group-by columns and their values. */
  readonly tags: readonly (readonly [string, string])[];
  /** Oldest first, one per row (several at one time only with distinct row keys). */
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

/** Whether two points are versions of one row: the same row key, or — where either has none — the same time. */
export function sameRow(a: Pick<Point, 'time' | 'rowKey'>, b: Pick<Point, 'time' | 'rowKey'>): boolean {
  return a.rowKey !== undefined && b.rowKey !== undefined ? a.rowKey === b.rowKey : a.time === b.time;
}

/**
 * Adds `point` to time-ordered `points`: it replaces the versions of its row (`sameRow`, wherever
 * they are) and, with `previousTime` (a `+U` whose time moved), a point at that time without a row
 * key; it goes in time order (after points of the same time). Then drops the oldest beyond `max`.
 * Returns whether anything changed.
 */
export function mergePoint(points: Point[], point: Point, max: number, previousTime?: number): boolean {
  const removed = removeRow(points, point, previousTime);
  let i = points.length - 1;
  while (i >= 0 && (points[i] as Point).time > point.time) i--;
  if (points.length >= max && i < 0) return removed; // older than everything kept, and no room
  points.splice(i + 1, 0, point);
  if (points.length > max) points.splice(0, points.length - max);
  return true;
}

/** Removes the versions of `row` (`sameRow`), and with `previousTime` a point at that time without a row key. Returns whether any went. */
export function removeRow(points: Point[], row: Pick<Point, 'time' | 'rowKey'>, previousTime?: number): boolean {
  let removed = false;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i] as Point;
    if (sameRow(p, row) || (previousTime !== undefined && p.rowKey === undefined && p.time === previousTime)) {
      points.splice(i, 1);
      removed = true;
    }
  }
  return removed;
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
          this.applySnapshot(message.stream, message.rows);
          return { kind: 'metric', stream: message.stream };
        }
        for (const alert of message.alerts) this.addAlert(message.stream, alert.time, alert.alert);
        return { kind: 'alerts' };
      case 'update':
        if (message.change === '-D') this.removeRow(message.stream, message);
        else this.addRow(message.stream, message, message.early === true, message.previousTime);
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

  private streamState(stream: string): StreamState {
    let state = this.streams.get(stream);
    if (state === undefined) {
      state = { stream, groupBy: this.metrics.get(stream)?.groupBy ?? [], series: new Map(), latestTime: -Infinity };
      this.streams.set(stream, state);
    }
    return state;
  }

  /** The series id of `row` in `state`. A metric unknown to the manifest has no group columns we know of: its key then. */
  private seriesOf(state: StreamState, row: WindowRow): string {
    return this.metrics.has(state.stream) ? seriesId(state.groupBy, row.row ?? {}) : row.key === null ? '' : `key=${row.key}`;
  }

  /**
   * A snapshot: the hub's rows of each series it lists, from that series' oldest row on. A point
   * held since before (a reconnect) at or after that time and not among them was deleted or
   * superseded meanwhile: it goes. Then the rows are merged.
   */
  private applySnapshot(stream: string, rows: readonly WindowRow[]): void {
    const state = this.streamState(stream);
    const bySeries = new Map<string, WindowRow[]>();
    for (const row of rows) {
      const id = this.seriesOf(state, row);
      const list = bySeries.get(id);
      if (list === undefined) bySeries.set(id, [row]);
      else list.push(row);
    }
    let removed = false;
    for (const [id, list] of bySeries) {
      const series = state.series.get(id);
      if (series === undefined) continue;
      let from = Infinity;
      const keys = new Set<string>();
      const times = new Set<number>();
      const keylessTimes = new Set<number>();
      for (const r of list) {
        from = Math.min(from, r.time);
        times.add(r.time);
        if (r.rowKey === undefined) keylessTimes.add(r.time);
        else keys.add(r.rowKey);
      }
      // `sameRow` of a point and any of the rows.
      const listed = (p: Point): boolean => (p.rowKey === undefined ? times.has(p.time) : keys.has(p.rowKey) || keylessTimes.has(p.time));
      const before = series.points.length;
      const kept = series.points.filter((p) => p.time < from || listed(p));
      if (kept.length === before) continue;
      series.points.splice(0, before, ...kept);
      removed = true;
    }
    for (const row of rows) this.addRow(stream, row, false);
    if (removed) this.refreshLatest(state);
  }

  private addRow(stream: string, row: WindowRow, early: boolean, previousTime?: number): void {
    const state = this.streamState(stream);
    const values = row.row ?? {};
    const id = this.seriesOf(state, row);
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
    const point: Point = row.rowKey === undefined ? { time: row.time, row: values, early } : { time: row.time, row: values, early, rowKey: row.rowKey };
    if (!mergePoint(series.points, point, this.maxPoints, previousTime)) return;
    if (series.points.length === 0) state.series.delete(id);
    // A row that moved may have been the newest.
    if (previousTime !== undefined && previousTime >= state.latestTime) this.refreshLatest(state);
    else if (row.time > state.latestTime) state.latestTime = row.time;
  }

  /** `-D`: the row is gone from its series (and the series, when it held nothing else). */
  private removeRow(stream: string, row: WindowRow): void {
    const state = this.streams.get(stream);
    if (state === undefined) return;
    const id = this.seriesOf(state, row);
    const series = state.series.get(id);
    if (series === undefined || !removeRow(series.points, row)) return;
    if (series.points.length === 0) state.series.delete(id);
    this.refreshLatest(state);
  }

  private refreshLatest(state: StreamState): void {
    let latest = -Infinity;
    for (const series of state.series.values()) {
      const last = series.points[series.points.length - 1];
      if (last !== undefined && last.time > latest) latest = last.time;
    }
    state.latestTime = latest;
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

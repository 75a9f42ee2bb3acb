// The history behind a subscription's snapshot and `/api/history`: one interface, `MetricHistory`
// (window rows of one metric, newest `limit` per group key), so that InfluxDB can replace the
// embedded store without the hub noticing.
//
// `StoredSeriesHistory` reads anything with the `query()` of the embedded time-series store
// (`EmbeddedTimeSeriesStore`; the hub does not import the adapter: `SeriesSource` is structural)
// and pivots its series back into rows. `TimeSeriesSink` wrote each window result as one row of a
// measurement: the group-by columns as tags (text; a null column is left out), each measure as a
// field of its own series (a null measure is skipped), `window_end` as the time, `window_start`
// not at all (it is implied by the end and the window's size), and the stream as the series'
// `stream`. So the rows come back by (tags, time): group-by columns from the tags, measures from
// the fields of the same time, `window_end` = time and `window_start` = time − size for tumbling
// and sliding windows (a session window's start is not stored: such rows have no `window_start`).
// Group-by values come back as text (`"42"` for 42), as a stored tag is; top_k lists and other
// record values come back as written.
import type { EpochMillis, MetricManifest } from '../api/index.ts';
import type { WindowRow } from './protocol.ts';

export interface MetricHistoryRequest {
  /** Only rows at or after this time (epoch ms). */
  readonly since?: EpochMillis;
  /** Only rows before this time (epoch ms, exclusive). */
  readonly until?: EpochMillis;
  /** At most this many rows per group key, the newest. */
  readonly limit: number;
}

/** Where stored window rows come from: the embedded store (`StoredSeriesHistory`), InfluxDB later. */
export interface MetricHistory {
  /** Rows of `metric`, in any order (the hub sorts and merges them). */
  rows(metric: MetricManifest, request: MetricHistoryRequest): Promise<readonly WindowRow[]>;
}

// ───────────────────────────── the embedded store, structurally ─────────────────────────────

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

/** Anything with the `query()` of `EmbeddedTimeSeriesStore` (which fits as it is). */
export interface SeriesSource {
  query(query: HistoryQuery): readonly HistorySeries[];
}

/** The former name of `SeriesSource`. */
export type HistoryProvider = SeriesSource;

/** `MetricHistory` over stored series (one per group-by tag set and measure), pivoted back into rows. */
export class StoredSeriesHistory implements MetricHistory {
  constructor(private readonly source: SeriesSource) {}

  async rows(metric: MetricManifest, request: MetricHistoryRequest): Promise<readonly WindowRow[]> {
    if (!(request.limit > 0)) return [];
    // The newest `limit` points of every series cover the newest `limit` rows of every group key:
    // a series has a point only where its group key has a row, so no row among a key's newest
    // `limit` has `limit` or more newer points in any of the key's series.
    const series = this.source.query({ stream: metric.name, from: request.since, to: request.until, limit: request.limit });
    return pivotSeries(metric, series, request.limit);
  }
}

/** Rows by (group-by tags, time) out of the stored series of `metric`; the newest `limit` per group key, oldest first. */
export function pivotSeries(metric: MetricManifest, series: readonly HistorySeries[], limit = Number.POSITIVE_INFINITY): WindowRow[] {
  const groupBy = metric.groupBy;
  const pivot = new Map<string, { readonly group: string; readonly time: EpochMillis; readonly tags: Record<string, string>; readonly fields: Record<string, unknown> }>();
  for (const s of series) {
    const group = groupIdentity(groupBy.map((column) => s.tags[column] ?? null));
    for (const point of s.points) {
      const id = rowIdentity(group, point.time);
      let entry = pivot.get(id);
      if (entry === undefined) {
        entry = { group, time: point.time, tags: { ...s.tags }, fields: {} };
        pivot.set(id, entry);
      } else {
        // Extra `influx(tags: …)` columns are a function of the row: the same everywhere, but a
        // series may lack one (a null column is left out).
        Object.assign(entry.tags, s.tags);
      }
      entry.fields[s.field] = point.value;
    }
  }
  const byGroup = new Map<string, WindowRow[]>();
  for (const entry of pivot.values()) {
    const rows = byGroup.get(entry.group);
    const row = toRow(metric, entry.time, entry.tags, entry.fields);
    if (rows === undefined) byGroup.set(entry.group, [row]);
    else rows.push(row);
  }
  const out: WindowRow[] = [];
  for (const rows of byGroup.values()) {
    rows.sort((a, b) => a.time - b.time);
    for (let i = Math.max(0, rows.length - limit); i < rows.length; i++) out.push(rows[i] as WindowRow);
  }
  return out.sort((a, b) => a.time - b.time);
}

function toRow(metric: MetricManifest, time: EpochMillis, tags: Readonly<Record<string, string>>, fields: Readonly<Record<string, unknown>>): WindowRow {
  const row: Record<string, unknown> = {};
  for (const column of metric.groupBy) row[column] = tags[column] ?? null;
  const window = metric.window;
  if (window.kind !== 'session') row.window_start = time - window.sizeMs;
  row.window_end = time;
  for (const measure of metric.measures) {
    const name = measure.name;
    row[name] = name in fields ? fields[name] : (tags[name] ?? null);
  }
  for (const name in fields) if (!(name in row)) row[name] = fields[name];
  for (const name in tags) if (!(name in row)) row[name] = tags[name];
  return { key: keyOf(metric.groupBy, tags), time, row };
}

/** The group key text, as the engine writes it (`rt.keyText` for one column, `rt.compositeKey` for several). */
function keyOf(groupBy: readonly string[], tags: Readonly<Record<string, string>>): string | null {
  if (groupBy.length === 0) return null;
  if (groupBy.length === 1) return tags[groupBy[0] as string] ?? '\u0000';
  return JSON.stringify(groupBy.map((column) => tags[column] ?? null));
}

// ───────────────────────────── identities ─────────────────────────────

/** A tag's text, as `TimeSeriesSink` writes it: strings as they are, numbers and booleans as written, other values as JSON; null: no tag. */
export function tagText(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return value === null || value === undefined ? null : JSON.stringify(value);
  }
}

/** Which series a row belongs to: its group-by values as stored tag text (so live and stored rows agree). */
export function groupIdentity(values: readonly unknown[]): string {
  return JSON.stringify(values.map(tagText));
}

/** The group of a row of `metric`. */
export function groupOfRow(metric: MetricManifest, row: Readonly<Record<string, unknown>>): string {
  return groupIdentity(metric.groupBy.map((column) => row[column]));
}

/** One row of a metric by its group and time: how a row without a row key is identified (a re-emitted window has the same identity). */
export function rowIdentity(group: string, time: EpochMillis): string {
  return `${group}\u0000${time}`;
}

/** A row key as an entry of `MergeOptions.exclude` (beside row identities, which never start with NUL). */
export function rowKeyExclusion(rowKey: string): string {
  return `\u0000${rowKey}`;
}

/** A row and its group identity. */
export interface GroupedRow {
  readonly group: string;
  readonly row: WindowRow;
}

export interface MergeOptions {
  /** Rows kept per group key, the newest. */
  readonly limit: number;
  /**
   * Rows left out (they follow as live updates): row identities (`rowIdentity`) leave out the
   * stored rows there and the recent rows there without a row key; row keys (`rowKeyExclusion`)
   * the recent rows with that key.
   */
  readonly exclude?: ReadonlySet<string>;
  /** Identities of rows deleted or superseded (`RecentRows.gone`): stored rows there are left out. */
  readonly gone?: ReadonlySet<string>;
}

/**
 * Stored rows and the hub's recent ones as one list, oldest first, the newest `limit` per group.
 * Recent rows are the current version of each row (one per row key). A stored row carries no row
 * key: it is identified by (group, time), and left out where a recent row is (the recent copy wins:
 * it reached the hub live, from the same emit the store was written by, and keeps the columns' own
 * types) and where a row was deleted or superseded (`gone`: the store may still hold what a `-D`
 * or a session's moved end retracted).
 */
export function mergeRows(metric: MetricManifest, stored: readonly WindowRow[], recent: readonly GroupedRow[], options: MergeOptions): WindowRow[] {
  const exclude = options.exclude;
  const gone = options.gone;
  // The recent rows, one per row key (without one: per identity), the last copy winning.
  const live = new Map<string, GroupedRow>();
  const liveIdentities = new Set<string>();
  for (const entry of recent) {
    const identity = rowIdentity(entry.group, entry.row.time);
    const rowKey = entry.row.rowKey;
    if (exclude !== undefined && (rowKey === undefined ? exclude.has(identity) : exclude.has(rowKeyExclusion(rowKey)))) continue;
    const id = rowKey === undefined ? identity : rowKeyExclusion(rowKey);
    live.delete(id);
    live.set(id, entry);
    liveIdentities.add(identity);
  }
  const groups = new Map<string, Map<string, WindowRow>>();
  const add = (group: string, id: string, row: WindowRow): void => {
    let rows = groups.get(group);
    if (rows === undefined) groups.set(group, (rows = new Map()));
    rows.delete(id);
    rows.set(id, row);
  };
  for (const row of stored) {
    const group = groupOfRow(metric, row.row);
    const identity = rowIdentity(group, row.time);
    if (liveIdentities.has(identity) || exclude?.has(identity) === true || gone?.has(identity) === true) continue;
    add(group, identity, row);
  }
  for (const [id, { group, row }] of live) add(group, id, row);
  const out: WindowRow[] = [];
  for (const rows of groups.values()) {
    // Stable: rows of one time keep their order.
    const sorted = [...rows.values()].sort((a, b) => a.time - b.time);
    for (let i = Math.max(0, sorted.length - options.limit); i < sorted.length; i++) out.push(sorted[i] as WindowRow);
  }
  return out.sort((a, b) => a.time - b.time);
}

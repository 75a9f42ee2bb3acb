// `EmbeddedTimeSeriesStore`: the embedded stand-in for InfluxDB. It keeps the recent history of
// every series — one (measurement, tag set, field), as in InfluxDB — in a bounded, time-ordered
// ring: at most `maxPointsPerSeries` points, none older than `maxAgeMs` before the newest point the
// store has seen (event time, so replays at full speed keep the same window of history).
//
// Writes are idempotent on (series, time), as InfluxDB's are: a window result re-emitted after a
// restart, a late update or an early firing overwrites the point instead of adding one. Queries
// select series by measurement, field, stream and tags, and points by time range; `latest` gives
// each series' newest point. The dashboard serves a new client's history from here.
//
// `TimeSeriesSink` is the `influx(...)` sink of embedded runs: it turns each window result into one
// row (tags, fields, time) by its stream's `SinkInputLayout`.
import { toEpochMillis, type EpochMillis, type Sink, type SinkInputLayout, type SinkRecord } from '../../api/index.ts';

/** A field's value: numbers, strings, booleans, and lists or records (top-k results) kept as they are. */
export type FieldValue = number | string | boolean | object;

export type Tags = Readonly<Record<string, string>>;

export interface SeriesId {
  readonly measurement: string;
  /** Tag names sorted. */
  readonly tags: Tags;
  readonly field: string;
}

export interface Point {
  readonly time: EpochMillis;
  readonly value: FieldValue;
}

export interface SeriesInfo extends SeriesId {
  /** A stable text key of the series (measurement, sorted tags, field). */
  readonly key: string;
  /** The stream that last wrote it (the dashboard's metric name), when known. */
  readonly stream: string | null;
}

export interface SeriesPoints extends SeriesInfo {
  /** Oldest first. */
  readonly points: readonly Point[];
}

export interface LatestPoint extends SeriesInfo, Point {}

/** One row, as a line of InfluxDB's line protocol: several fields of one tag set at one time. */
export interface Row {
  readonly measurement: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** `null` and `undefined` fields are skipped (InfluxDB has no null fields). */
  readonly fields: Readonly<Record<string, FieldValue | null | undefined>>;
  readonly time: EpochMillis;
  readonly stream?: string | null;
}

type OneOrMany = string | readonly string[];

export interface SeriesFilter {
  readonly measurement?: OneOrMany;
  readonly field?: OneOrMany;
  /** The stream that wrote the series (a dashboard metric is its aggregate's stream). */
  readonly stream?: OneOrMany;
  /** Each tag must have the value (or one of the values); a series without the tag does not match. */
  readonly tags?: Readonly<Record<string, OneOrMany>>;
}

export interface TimeSeriesQuery extends SeriesFilter {
  /** Inclusive lower bound. */
  readonly from?: EpochMillis;
  /** Exclusive upper bound. */
  readonly to?: EpochMillis;
  /** Only the newest `limit` points of each series in the range. */
  readonly limit?: number;
}

export interface TimeSeriesStoreOptions {
  /** 10 000 by default. */
  readonly maxPointsPerSeries?: number;
  /** History kept behind the newest point written; 2 hours by default. */
  readonly maxAgeMs?: number;
  /** Series kept at most; points of further new series are rejected (and counted). 100 000 by default. */
  readonly maxSeries?: number;
}

function matches(value: string | null, wanted: OneOrMany | undefined): boolean {
  if (wanted === undefined) return true;
  if (value === null) return false;
  return typeof wanted === 'string' ? value === wanted : wanted.includes(value);
}

/** One series' points, time-ordered, as a ring over plain arrays (`head` is the oldest live index). */
class Series {
  times: number[] = [];
  values: FieldValue[] = [];
  head = 0;
  stream: string | null;

  constructor(
    readonly info: Omit<SeriesInfo, 'stream'>,
    stream: string | null,
  ) {
    this.stream = stream;
  }

  get size(): number {
    return this.times.length - this.head;
  }

  /** The index of the first point with time `>= time`. */
  lowerBound(time: number): number {
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  put(time: number, value: FieldValue, maxPoints: number): void {
    const n = this.times.length;
    if (n === this.head || time > (this.times[n - 1] as number)) {
      this.times.push(time);
      this.values.push(value);
    } else {
      const i = this.lowerBound(time);
      if (this.times[i] === time) {
        this.values[i] = value;
        return;
      }
      this.times.splice(i, 0, time);
      this.values.splice(i, 0, value);
    }
    if (this.size > maxPoints) this.dropOldest(this.size - maxPoints);
  }

  /** Removes the point at `time`, if there is one. */
  remove(time: number): void {
    const i = this.lowerBound(time);
    if (i >= this.times.length || this.times[i] !== time) return;
    this.times.splice(i, 1);
    this.values.splice(i, 1);
  }

  /** Drops the points older than `cutoff`. */
  expire(cutoff: number): void {
    if (this.size > 0 && (this.times[this.head] as number) < cutoff) this.dropOldest(this.lowerBound(cutoff) - this.head);
  }

  points(from: number, to: number, limit: number): Point[] {
    let i = this.lowerBound(from);
    const end = this.lowerBound(to);
    if (end - i > limit) i = end - limit;
    const out: Point[] = [];
    for (; i < end; i++) out.push({ time: this.times[i] as number, value: this.values[i] as FieldValue });
    return out;
  }

  private dropOldest(count: number): void {
    this.head += count;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }
}

export class EmbeddedTimeSeriesStore {
  readonly maxPointsPerSeries: number;
  readonly maxAgeMs: number;
  readonly maxSeries: number;
  private readonly seriesMap = new Map<string, Series>();
  private newest = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private rejected = 0;

  constructor(options: TimeSeriesStoreOptions = {}) {
    this.maxPointsPerSeries = options.maxPointsPerSeries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 2 * 60 * 60 * 1000;
    this.maxSeries = options.maxSeries ?? 100_000;
    if (!Number.isInteger(this.maxPointsPerSeries) || this.maxPointsPerSeries < 1) throw new RangeError(`maxPointsPerSeries must be a positive integer, got ${this.maxPointsPerSeries}`);
    if (!(this.maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be positive, got ${this.maxAgeMs}`);
  }

  /** Series in the store. */
  get seriesCount(): number {
    return this.seriesMap.size;
  }

  /** Points in the store. */
  get pointCount(): number {
    let n = 0;
    for (const s of this.seriesMap.values()) n += s.size;
    return n;
  }

  /** Points refused because the store already held `maxSeries` series. */
  get rejectedPoints(): number {
    return this.rejected;
  }

  /** Writes one point; a point at the same series and time replaces it. */
  write(series: SeriesId, time: EpochMillis, value: FieldValue, stream: string | null = null): void {
    this.writeRow({ measurement: series.measurement, tags: series.tags, fields: { [series.field]: value }, time, stream });
  }

  /** Writes every non-null field of a row as a point of its series. */
  writeRow(row: Row): void {
    const time = row.time;
    if (!Number.isFinite(time)) throw new RangeError(`a point needs a finite time, got ${time}`);
    if (time > this.newest) this.newest = time;
    const cutoff = this.newest - this.maxAgeMs;
    if (time < cutoff) return;
    const tags = sortTags(row.tags ?? {});
    const prefix = `${JSON.stringify(row.measurement)},${JSON.stringify(Object.entries(tags))},`;
    const stream = row.stream ?? null;
    for (const field in row.fields) {
      const value = row.fields[field];
      if (value === null || value === undefined) continue;
      const key = prefix + JSON.stringify(field);
      let series = this.seriesMap.get(key);
      if (series === undefined) {
        if (this.seriesMap.size >= this.maxSeries) {
          this.rejected++;
          continue;
        }
        series = new Series({ key, measurement: row.measurement, tags, field }, stream);
        this.seriesMap.set(key, series);
      } else if (stream !== null) {
        series.stream = stream;
      }
      series.put(time, value, this.maxPointsPerSeries);
      series.expire(cutoff);
    }
    if (this.newest - this.lastSweep >= this.maxAgeMs / 8) this.sweep(cutoff);
  }

  /**
   * Removes the points of a row: at `row.time`, in the series of each field it names (values are
   * ignored). What an InfluxDB delete of one point does; a retracted window or session row uses it.
   */
  deleteRow(row: Row): void {
    const tags = sortTags(row.tags ?? {});
    const prefix = `${JSON.stringify(row.measurement)},${JSON.stringify(Object.entries(tags))},`;
    for (const field in row.fields) this.seriesMap.get(prefix + JSON.stringify(field))?.remove(row.time);
  }

  /** The series matching `filter`, sorted by key. */
  series(filter: SeriesFilter = {}): SeriesInfo[] {
    return this.select(filter).map(infoOf);
  }

  /** The points of the matching series within `[from, to)`, oldest first; series without points there are left out. */
  query(query: TimeSeriesQuery = {}): SeriesPoints[] {
    const from = query.from ?? Number.NEGATIVE_INFINITY;
    const to = query.to ?? Number.POSITIVE_INFINITY;
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const out: SeriesPoints[] = [];
    for (const series of this.select(query)) {
      const points = series.points(from, to, limit);
      if (points.length > 0) out.push({ ...infoOf(series), points });
    }
    return out;
  }

  /** The newest point of each matching series. */
  latest(filter: SeriesFilter = {}): LatestPoint[] {
    const out: LatestPoint[] = [];
    for (const series of this.select(filter)) {
      const n = series.times.length;
      if (n === series.head) continue;
      out.push({ ...infoOf(series), time: series.times[n - 1] as number, value: series.values[n - 1] as FieldValue });
    }
    return out;
  }

  clear(): void {
    this.seriesMap.clear();
    this.newest = Number.NEGATIVE_INFINITY;
    this.lastSweep = Number.NEGATIVE_INFINITY;
    this.rejected = 0;
  }

  private select(filter: SeriesFilter): Series[] {
    const out: Series[] = [];
    const tagFilter = filter.tags === undefined ? [] : Object.entries(filter.tags);
    for (const series of this.seriesMap.values()) {
      const info = series.info;
      if (!matches(info.measurement, filter.measurement) || !matches(info.field, filter.field) || !matches(series.stream, filter.stream)) continue;
      if (!tagFilter.every(([tag, wanted]) => matches(info.tags[tag] ?? null, wanted))) continue;
      out.push(series);
    }
    return out.sort((a, b) => (a.info.key < b.info.key ? -1 : a.info.key > b.info.key ? 1 : 0));
  }

  /** Expires old points of every series and forgets empty series. */
  private sweep(cutoff: number): void {
    this.lastSweep = this.newest;
    for (const [key, series] of this.seriesMap) {
      series.expire(cutoff);
      if (series.size === 0) this.seriesMap.delete(key);
    }
  }
}

function sortTags(tags: Readonly<Record<string, string>>): Tags {
  const names = Object.keys(tags);
  let sorted = true;
  for (let i = 1; i < names.length; i++) if ((names[i - 1] as string) > (names[i] as string)) sorted = false;
  if (sorted) return tags;
  const out: Record<string, string> = {};
  for (const name of names.sort()) out[name] = tags[name] as string;
  return out;
}

function infoOf(series: Series): SeriesInfo {
  return { ...series.info, stream: series.stream };
}

// ───────────────────────────── the sink ─────────────────────────────

export interface TimeSeriesSinkOptions {
  readonly name: string;
  /** The measurement rows are written to (`influx(measurement: …)`). */
  readonly measurement: string;
  /** How each stream's records map onto rows (the sink node's `inputs`). */
  readonly inputs: readonly SinkInputLayout[];
  /** Columns written as tags for every stream, besides each layout's tags (`influx(tags: […])`). */
  readonly tags?: readonly string[];
}

function tagText(value: unknown): string | null {
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

function fieldValue(value: unknown): FieldValue | null {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'object':
      return value;
    default:
      return null;
  }
}

/**
 * Writes window results into an `EmbeddedTimeSeriesStore`: per record, the layout's tag columns
 * become tags (null tags are left out), its field columns fields (null fields are skipped), and the
 * time column (epoch millis or ISO text; the record timestamp when `null` or unreadable) the
 * point's time. The store is in memory, so a write is visible at once and `flush` has nothing to wait for.
 *
 * Rows are keyed updates (records.ts `ChangeKind`): `+I`/`+U` write the point (the same tags and
 * time overwrite it, as in InfluxDB); `-U` and `-D` remove the point the old row wrote, so a
 * session whose end moved does not leave its old point behind.
 */
export class TimeSeriesSink implements Sink<unknown> {
  readonly name: string;
  private readonly layouts: Map<string, { readonly layout: SinkInputLayout; readonly tags: readonly string[] }>;
  private rows = 0;

  constructor(
    readonly store: EmbeddedTimeSeriesStore,
    private readonly options: TimeSeriesSinkOptions,
  ) {
    this.name = options.name;
    const extra = options.tags ?? [];
    this.layouts = new Map(options.inputs.map((layout) => [layout.stream, { layout, tags: [...new Set([...layout.tags, ...extra])] }]));
  }

  /** Rows written so far. */
  get rowsWritten(): number {
    return this.rows;
  }

  async open(): Promise<void> {}

  write(records: readonly SinkRecord<unknown>[]): void {
    for (const record of records) {
      const entry = this.layouts.get(record.stream);
      if (entry === undefined) throw new Error(`sink ${this.name} has no layout for stream ${record.stream}`);
      const value = record.value;
      if (typeof value !== 'object' || value === null) throw new TypeError(`sink ${this.name}: a ${record.stream} record is not a row`);
      const row = value as Readonly<Record<string, unknown>>;
      const tags: Record<string, string> = {};
      for (const column of entry.tags) {
        const text = tagText(row[column]);
        if (text !== null) tags[column] = text;
      }
      const fields: Record<string, FieldValue | null> = {};
      for (const column of entry.layout.fields) fields[column] = fieldValue(row[column]);
      const time = entry.layout.time === null ? record.timestamp : (toEpochMillis(row[entry.layout.time]) ?? record.timestamp);
      if (record.change === '-U' || record.change === '-D') {
        if (Number.isFinite(time)) this.store.deleteRow({ measurement: this.options.measurement, tags, fields, time, stream: record.stream });
        continue;
      }
      this.store.writeRow({ measurement: this.options.measurement, tags, fields, time, stream: record.stream });
      this.rows++;
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

// What the hub keeps in memory of what reached it live: per metric stream the newest window rows
// of each group key (a stream sent to the dashboard but stored nowhere has no other history), per
// alert stream the newest alerts. Bounded twice: rows per group key, and rows in all per stream
// (the oldest-arrived go first), so a high-cardinality group-by cannot grow it without bound.
import type { EpochMillis } from '../api/index.ts';
import type { GroupedRow } from './history.ts';
import type { AlertRecord, WindowRow } from './protocol.ts';

interface Kept {
  readonly seq: number;
  readonly row: WindowRow;
}

/** The recent rows of one metric stream, by group; one row per (group, time), the newest copy. */
export class RecentRows {
  private readonly groups = new Map<string, Kept[]>();
  /** Arrival order, for the total cap; entries of replaced or evicted rows are skipped (and compacted away). */
  private order: { readonly group: string; readonly seq: number }[] = [];
  private head = 0;
  private count = 0;
  private seq = 0;

  constructor(
    /** Rows kept per group key. */
    readonly perKey: number,
    /** Rows kept in all. */
    readonly total: number,
  ) {
    if (!(perKey >= 1 && total >= 1)) throw new RangeError(`RecentRows keeps at least one row (perKey ${perKey}, total ${total})`);
  }

  /** Rows kept. */
  get size(): number {
    return this.count;
  }

  /** Group keys kept. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Keeps `row` of `group`; a row of the same group and time is replaced. */
  put(group: string, row: WindowRow): void {
    const seq = ++this.seq;
    const kept: Kept = { seq, row };
    let list = this.groups.get(group);
    if (list === undefined) this.groups.set(group, (list = []));
    // Rows arrive about in time order: look from the newest end.
    let i = list.length;
    while (i > 0 && (list[i - 1] as Kept).row.time > row.time) i--;
    if (i > 0 && (list[i - 1] as Kept).row.time === row.time) {
      list[i - 1] = kept;
    } else {
      list.splice(i, 0, kept);
      this.count++;
    }
    this.order.push({ group, seq });
    if (list.length > this.perKey) {
      list.shift();
      this.count--;
    }
    while (this.count > this.total && this.head < this.order.length) this.evictOldest();
    if (this.order.length - this.head > 2 * this.count + 1024) this.compact();
  }

  /** The rows kept within `[since, until)`, by group, each group oldest first. */
  rows(since: EpochMillis = Number.NEGATIVE_INFINITY, until: EpochMillis = Number.POSITIVE_INFINITY): GroupedRow[] {
    const out: GroupedRow[] = [];
    for (const [group, list] of this.groups) {
      for (const kept of list) if (kept.row.time >= since && kept.row.time < until) out.push({ group, row: kept.row });
    }
    return out;
  }

  private evictOldest(): void {
    const entry = this.order[this.head++] as { readonly group: string; readonly seq: number };
    const list = this.groups.get(entry.group);
    if (list === undefined) return;
    const i = list.findIndex((k) => k.seq === entry.seq);
    if (i < 0) return;
    list.splice(i, 1);
    this.count--;
    if (list.length === 0) this.groups.delete(entry.group);
  }

  /** Rebuilds the arrival order from the rows still kept. */
  private compact(): void {
    const live: { readonly group: string; readonly seq: number }[] = [];
    for (const [group, list] of this.groups) for (const kept of list) live.push({ group, seq: kept.seq });
    this.order = live.sort((a, b) => a.seq - b.seq);
    this.head = 0;
  }
}

/** The newest alerts of one alert stream, oldest first. */
export class RecentAlerts {
  private list: AlertRecord[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`RecentAlerts keeps at least one alert, got ${max}`);
  }

  get size(): number {
    return Math.min(this.list.length, this.max);
  }

  put(alert: AlertRecord): void {
    this.list.push(alert);
    if (this.list.length >= 2 * this.max) this.list = this.list.slice(this.list.length - this.max);
  }

  /** The newest `limit` alerts within `[since, until)`, oldest first. */
  alerts(limit: number, since: EpochMillis = Number.NEGATIVE_INFINITY, until: EpochMillis = Number.POSITIVE_INFINITY): AlertRecord[] {
    const kept = this.list.length > this.max ? this.list.slice(this.list.length - this.max) : this.list;
    const out = kept.filter((a) => a.time >= since && a.time < until);
    return limit < out.length ? out.slice(out.length - limit) : out;
  }
}

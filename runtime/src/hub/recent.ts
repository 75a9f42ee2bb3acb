// What the hub keeps in memory of what reached it live: per metric stream the current version of
// the newest window rows of each group key (a stream sent to the dashboard but stored nowhere has
// no other history), per alert stream the newest alerts. Bounded twice: rows per group key, and
// rows in all per stream (the oldest-arrived go first), so a high-cardinality group-by cannot grow
// it without bound.
//
// Window rows are keyed updates (the runtime's `ChangeKind`): a row is identified by its row key
// (`rowKey`; without one, by its group and time), a new version replaces the old one wherever its
// time now is (a session whose end moved), and a deleted row goes. What was deleted or superseded
// is remembered by (group, time) for a while (`gone`), so that a snapshot can leave out a stored
// copy the store has not dropped yet.
import type { EpochMillis } from '../api/index.ts';
import { rowIdentity, type GroupedRow } from './history.ts';
import type { AlertRecord, WindowRow } from './protocol.ts';

interface Kept {
  readonly seq: number;
  /** The row's key: its `rowKey`, else its (group, time) identity. */
  readonly id: string;
  readonly group: string;
  /** Its (group, time) identity. */
  readonly identity: string;
  readonly row: WindowRow;
}

/** The recent rows of one metric stream, by group: the current version of each row. */
export class RecentRows {
  /** Per group, oldest first. */
  private readonly groups = new Map<string, Kept[]>();
  private readonly byId = new Map<string, Kept>();
  /** How many kept rows have each (group, time) identity (several only for rows with distinct row keys). */
  private readonly atIdentity = new Map<string, number>();
  /** (group, time) identities of rows deleted or superseded that no kept row has, oldest first. */
  private readonly goneIdentities = new Set<string>();
  /** Arrival order, for the total cap; entries of replaced or evicted rows are skipped (and compacted away). */
  private order: { readonly id: string; readonly seq: number }[] = [];
  private head = 0;
  private seq = 0;

  constructor(
    /** Rows kept per group key. */
    readonly perKey: number,
    /** Rows kept in all (and deleted identities remembered). */
    readonly total: number,
  ) {
    if (!(perKey >= 1 && total >= 1)) throw new RangeError(`RecentRows keeps at least one row (perKey ${perKey}, total ${total})`);
  }

  /** Rows kept. */
  get size(): number {
    return this.byId.size;
  }

  /** Group keys kept. */
  get groupCount(): number {
    return this.groups.size;
  }

  /**
   * Keeps `row` of `group` (`+I`, `+U`, or a record without a change): it replaces the row with the
   * same row key (without one: the same group and time), wherever that one's time was. Returns
   * the version it replaced, if one was kept.
   */
  put(group: string, row: WindowRow): WindowRow | undefined {
    const identity = rowIdentity(group, row.time);
    const id = row.rowKey ?? identity;
    const replaced = this.byId.get(id);
    if (replaced !== undefined) {
      this.detach(replaced);
      if (replaced.identity !== identity) this.bury(replaced.identity);
    }
    const kept: Kept = { seq: ++this.seq, id, group, identity, row };
    let list = this.groups.get(group);
    if (list === undefined) this.groups.set(group, (list = []));
    // Rows arrive about in time order: look from the newest end.
    let i = list.length;
    while (i > 0 && (list[i - 1] as Kept).row.time > row.time) i--;
    list.splice(i, 0, kept);
    this.byId.set(id, kept);
    this.atIdentity.set(identity, (this.atIdentity.get(identity) ?? 0) + 1);
    this.goneIdentities.delete(identity);
    this.order.push({ id, seq: kept.seq });
    // Beyond perKey the oldest row of the group goes (the new one itself, when it is older than all).
    if (list.length > this.perKey) this.detach(list[0] as Kept);
    while (this.byId.size > this.total && this.head < this.order.length) this.evictOldest();
    if (this.order.length - this.head > 2 * this.byId.size + 1024) this.compact();
    return replaced?.row;
  }

  /** `-D`: the row with `row`'s key (without one: its group and time) is gone. Returns the version removed, if one was kept. */
  remove(group: string, row: WindowRow): WindowRow | undefined {
    const identity = rowIdentity(group, row.time);
    const removed = this.byId.get(row.rowKey ?? identity);
    if (removed !== undefined) {
      this.detach(removed);
      this.bury(removed.identity);
    }
    this.bury(identity);
    return removed?.row;
  }

  /**
   * `-U`: the version of `row` at its time is about to be replaced (its `+U` follows). Nothing
   * changes but that its (group, time) counts as gone, unless another row is there — the `+U`
   * takes it back when it lands at the same time.
   */
  retract(group: string, row: WindowRow): void {
    const identity = rowIdentity(group, row.time);
    const own = this.byId.get(row.rowKey ?? identity)?.identity === identity ? 1 : 0;
    if ((this.atIdentity.get(identity) ?? 0) - own > 0) return;
    this.goneIdentities.delete(identity);
    this.goneIdentities.add(identity);
    this.trimGone();
  }

  /** The kept version of the row with `row`'s key (without one: its group and time). */
  current(group: string, row: WindowRow): WindowRow | undefined {
    return this.byId.get(row.rowKey ?? rowIdentity(group, row.time))?.row;
  }

  /** The rows kept within `[since, until)`, by group, each group oldest first. */
  rows(since: EpochMillis = Number.NEGATIVE_INFINITY, until: EpochMillis = Number.POSITIVE_INFINITY): GroupedRow[] {
    const out: GroupedRow[] = [];
    for (const [group, list] of this.groups) {
      for (const kept of list) if (kept.row.time >= since && kept.row.time < until) out.push({ group, row: kept.row });
    }
    return out;
  }

  /** (group, time) identities (`rowIdentity`) of rows deleted or superseded lately, where no kept row is. */
  gone(): ReadonlySet<string> {
    return this.goneIdentities;
  }

  /** Takes `kept` out (its arrival entry is skipped later). */
  private detach(kept: Kept): void {
    if (this.byId.get(kept.id) !== kept) return;
    this.byId.delete(kept.id);
    const n = (this.atIdentity.get(kept.identity) ?? 1) - 1;
    if (n > 0) this.atIdentity.set(kept.identity, n);
    else this.atIdentity.delete(kept.identity);
    const list = this.groups.get(kept.group);
    if (list === undefined) return;
    const i = list.indexOf(kept);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.groups.delete(kept.group);
  }

  /** Remembers `identity` as gone, unless a kept row is there. */
  private bury(identity: string): void {
    if (this.atIdentity.has(identity)) return;
    this.goneIdentities.delete(identity);
    this.goneIdentities.add(identity);
    this.trimGone();
  }

  private trimGone(): void {
    for (const identity of this.goneIdentities) {
      if (this.goneIdentities.size <= this.total) return;
      this.goneIdentities.delete(identity);
    }
  }

  private evictOldest(): void {
    const entry = this.order[this.head++] as { readonly id: string; readonly seq: number };
    const kept = this.byId.get(entry.id);
    if (kept !== undefined && kept.seq === entry.seq) this.detach(kept);
  }

  /** Rebuilds the arrival order from the rows still kept. */
  private compact(): void {
    this.order = [...this.byId.values()].map((k) => ({ id: k.id, seq: k.seq })).sort((a, b) => a.seq - b.seq);
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

// Firing windows over panes: what tumbling, sliding and final-phase operators do when time moves.
//
//   fire     a window `[s, s + size)` fires once the watermark W reaches its last instant:
//            `s + size − 1 <= W`; its row per key merges the key's cells of the window's panes.
//   update   a record folded into a pane after one of its windows fired (and before that window
//            is past `lateness`) re-emits that window's row for that key at the end of the batch,
//            with the same bounds.
//   purge    a window is forgotten once `s + size − 1 + lateness <= W`; a pane once the last
//            window containing it is.
//   early    every `earlyFiringMs` of processing time, open windows (`s + size − 1 > W`) whose
//            key changed since their previous early firing are emitted in a batch marked `early`.
//
// Every row is a change of the keyed row `(group key, window bounds)` (records.ts `ChangeKind`):
// the first firing inserts it (`+I`); an update emits the previous row as `-U` and the new one as
// `+U`, or `-D` when `having` now rejects it. The previous row of a fired window is kept while the
// window can still change (allowed lateness, the final's processing retention). Early rows are
// `+I` the first time a window and key is shown, `+U` after; they only reach sinks.
//
// Rows are emitted in window order, then key order (first update in the window's earliest pane
// first); the record's timestamp is the window's end.
import type { AggregateResults, AggregateSlots } from '../../api/aggregates.ts';
import type { OperatorContext } from '../../api/processor.ts';
import { windowRowKey, type ChangeKind, type StreamRecord } from '../../api/records.ts';
import type { EpochMillis } from '../../api/time.ts';
import type { WindowBounds } from '../../api/windows.ts';
import { TIMER_WINDOW_END, ceilTo, floorTo } from './common.ts';
import { PanedOperator, type Cell, type Pane, type PanePartition, type PanedConfig } from './paned.ts';
import type { SlotAccumulators } from './slots.ts';

/**
 * Why a window is emitted: `Final`, the watermark passed its end; `Update`, a late record changed
 * it after it fired; `Early`, an early firing of a still-open window.
 */
const Firing = { Final: 0, Update: 1, Early: 2 } as const;
type Firing = (typeof Firing)[keyof typeof Firing];

export type FinishFunction<Slots, Key, Out> = (values: AggregateResults<Slots>, window: WindowBounds, key: Key) => Out | null;

export interface FiringConfig<In, Key, Slots extends AggregateSlots<In>, Out> extends PanedConfig<In, Slots> {
  readonly finish: FinishFunction<Slots, Key, Out>;
  /** Output records carry the group key text as their key; otherwise `null`. */
  readonly keyed: boolean;
}

export abstract class WindowFiringOperator<R, In, Key, Slots extends AggregateSlots<In>, Out> extends PanedOperator<R, In, Key, Slots, Out> {
  private readonly finish: FinishFunction<Slots, Key, Out>;
  private readonly keyed: boolean;
  /** Reused to merge a key's panes when a sliding window fires. */
  private readonly scratch: SlotAccumulators;
  /** Output being collected by the current call. */
  private out: StreamRecord<Out>[] = [];
  private filtered = 0;

  constructor(config: FiringConfig<In, Key, Slots, Out>) {
    super(config);
    this.finish = config.finish;
    this.keyed = config.keyed;
    this.scratch = this.slots.create();
  }

  protected override registerPaneTimers(ps: PanePartition<Key>, paneStart: EpochMillis, context: OperatorContext<Out>): void {
    const { sizeMs, slideMs, paneMs } = this.geometry;
    const lateness = this.latenessMs;
    for (let s = ceilTo(paneStart + paneMs - sizeMs, slideMs); s <= paneStart; s += slideMs) {
      const last = s + sizeMs - 1;
      // When the window fires, and (with a retention, the final phase) when it is forgotten.
      if (last > ps.watermark) this.setProcessingTimer(ps, last + 1 + this.timerDelayMs, TIMER_WINDOW_END, context);
      if (lateness > 0 && last + lateness > ps.watermark) this.setProcessingTimer(ps, last + 1 + this.timerDelayMs + lateness, TIMER_WINDOW_END, context);
    }
  }

  protected override markUpdated(ps: PanePartition<Key>, paneStart: EpochMillis, keyText: string): void {
    const { sizeMs, slideMs, paneMs } = this.geometry;
    const watermark = ps.watermark;
    for (let s = ceilTo(paneStart + paneMs - sizeMs, slideMs); s <= paneStart; s += slideMs) {
      const last = s + sizeMs - 1;
      if (last <= watermark && last + this.latenessMs > watermark) {
        let keys = ps.pending.get(s);
        if (keys === undefined) ps.pending.set(s, (keys = new Set()));
        keys.add(keyText);
      }
    }
  }

  protected override afterBatch(ps: PanePartition<Key>, context: OperatorContext<Out>): void {
    if (ps.pending.size === 0) return;
    const starts = [...ps.pending.keys()].sort(numeric);
    for (const s of starts) this.emitWindow(ps, s, ps.pending.get(s)!, Firing.Update);
    ps.pending.clear();
    this.flush(ps, false, context);
  }

  protected override advanceTo(ps: PanePartition<Key>, watermark: EpochMillis, context: OperatorContext<Out>): void {
    const previous = ps.watermark;
    ps.watermark = watermark;
    const { sizeMs, slideMs, paneMs } = this.geometry;
    // Windows whose last instant is in (previous, watermark], found from the panes that hold data.
    const due = new Set<EpochMillis>();
    for (const start of ps.panes.keys()) {
      for (let s = ceilTo(start + paneMs - sizeMs, slideMs); s <= start; s += slideMs) {
        const last = s + sizeMs - 1;
        if (last > previous && last <= watermark) due.add(s);
      }
    }
    if (due.size > 0) {
      for (const s of [...due].sort(numeric)) {
        this.emitWindow(ps, s, null, Firing.Final);
        ps.earlyVersions.delete(s);
      }
    }
    const lateness = this.latenessMs;
    for (const start of ps.panes.keys()) {
      if (floorTo(start, slideMs) + sizeMs - 1 + lateness <= watermark) ps.panes.delete(start);
    }
    for (const s of ps.emitted.keys()) {
      if (s + sizeMs - 1 + lateness <= watermark) ps.emitted.delete(s);
    }
    this.flush(ps, false, context);
  }

  protected override earlyTick(ps: PanePartition<Key>, context: OperatorContext<Out>): void {
    const { sizeMs, slideMs, paneMs } = this.geometry;
    const open = new Set<EpochMillis>();
    for (const start of ps.panes.keys()) {
      for (let s = ceilTo(start + paneMs - sizeMs, slideMs); s <= start; s += slideMs) {
        if (s + sizeMs - 1 > ps.watermark) open.add(s);
      }
    }
    for (const s of [...open].sort(numeric)) this.emitWindow(ps, s, null, Firing.Early);
    this.flush(ps, true, context);
  }

  /** Evaluates window `[s, s + size)` for `keys` (all its keys when `null`) into `this.out`. */
  private emitWindow(ps: PanePartition<Key>, s: EpochMillis, keys: ReadonlySet<string> | null, firing: Firing): void {
    const { sizeMs, paneMs } = this.geometry;
    const bounds: WindowBounds = { start: s, end: s + sizeMs };
    if (paneMs === sizeMs) {
      // One pane per window (tumbling): its cells are the window's state.
      const pane = ps.panes.get(s);
      if (pane === undefined) return;
      if (keys === null) {
        for (const cell of pane.cells.values()) this.emitKey(ps, cell, bounds, firing);
      } else {
        for (const keyText of keys) {
          const cell = pane.cells.get(keyText);
          if (cell !== undefined) this.emitKey(ps, cell, bounds, firing);
        }
      }
      return;
    }
    const panes: Pane<Key>[] = [];
    for (let p = s; p < bounds.end; p += paneMs) {
      const pane = ps.panes.get(p);
      if (pane !== undefined) panes.push(pane);
    }
    if (panes.length === 0) return;
    let order: Iterable<string>;
    if (keys !== null) {
      order = keys;
    } else if (panes.length === 1) {
      order = panes[0]!.cells.keys();
    } else {
      const seen = new Set<string>();
      for (const pane of panes) for (const keyText of pane.cells.keys()) seen.add(keyText);
      order = seen;
    }
    const scratch = this.scratch;
    for (const keyText of order) {
      let version = -1;
      let key: Key | undefined;
      let single: SlotAccumulators | null = null;
      let cells = 0;
      let n = 0;
      for (const pane of panes) {
        const cell = pane.cells.get(keyText);
        if (cell === undefined) continue;
        if (cell.version > version) version = cell.version;
        key = cell.key;
        single = this.accsOf(cell);
        cells++;
        n += cell.n;
      }
      if (cells === 0) continue;
      if (n === 0) {
        // Every input row of the window was retracted: the row is gone.
        if (firing !== Firing.Early) this.emitGone(ps, keyText, bounds);
        continue;
      }
      let change: ChangeKind | null = null;
      if (firing === Firing.Early && (change = this.earlyChange(ps, s, keyText, version)) === null) continue;
      let accs: SlotAccumulators;
      if (cells === 1) {
        accs = single!;
      } else {
        this.slots.reset(scratch);
        for (const pane of panes) {
          const cell = pane.cells.get(keyText);
          if (cell !== undefined) this.slots.merge(scratch, this.accsOf(cell));
        }
        accs = scratch;
      }
      if (change !== null) this.emitEarlyRow(ps, accs, key as Key, keyText, bounds, change);
      else this.emitRow(ps, accs, key as Key, keyText, bounds);
    }
  }

  private emitKey(ps: PanePartition<Key>, cell: Cell<Key>, bounds: WindowBounds, firing: Firing): void {
    if (cell.n === 0) {
      // Every input row of the window was retracted: the row is gone.
      if (firing !== Firing.Early) this.emitGone(ps, cell.keyText, bounds);
      return;
    }
    const accs = this.accsOf(cell);
    if (firing !== Firing.Early) {
      this.emitRow(ps, accs, cell.key, cell.keyText, bounds);
      return;
    }
    const change = this.earlyChange(ps, bounds.start, cell.keyText, cell.version);
    if (change !== null) this.emitEarlyRow(ps, accs, cell.key, cell.keyText, bounds, change);
  }

  /** The window has no row for the key (no input left, or `having` rejects it): deletes the row downstream saw, if any. */
  private emitGone(ps: PanePartition<Key>, keyText: string, bounds: WindowBounds): void {
    const shown = ps.emitted.get(bounds.start);
    const previous = shown?.get(keyText);
    if (previous === undefined) return;
    this.out.push({ ...(previous as StreamRecord<Out>), change: '-D' });
    shown!.delete(keyText);
  }

  /**
   * Whether the key changed in the window since its last early firing (and records this one):
   * `null` when it did not, else the early row's kind (`+I` the first time).
   */
  private earlyChange(ps: PanePartition<Key>, s: EpochMillis, keyText: string, version: number): ChangeKind | null {
    let emitted = ps.earlyVersions.get(s);
    if (emitted === undefined) ps.earlyVersions.set(s, (emitted = new Map()));
    const previous = emitted.get(keyText);
    if (previous !== undefined && previous >= version) return null;
    emitted.set(keyText, version);
    return previous === undefined ? '+I' : '+U';
  }

  private emitEarlyRow(ps: PanePartition<Key>, accs: SlotAccumulators, key: Key, keyText: string, bounds: WindowBounds, change: ChangeKind): void {
    const row = this.finish(this.slots.results(accs, this.geometry.sizeMs), bounds, key);
    if (row === null) {
      this.filtered++;
      return;
    }
    const k = this.keyed ? keyText : null;
    this.out.push({ key: k, value: row, timestamp: bounds.end, partition: ps.partition, change, rowKey: windowRowKey(k, bounds.start, bounds.end) });
  }

  /**
   * Emits the window's row for the key as a change of the row downstream operators last saw:
   * `+I` the first time, `-U` + `+U` after, `-D` when `having` now rejects a row that was shown.
   */
  private emitRow(ps: PanePartition<Key>, accs: SlotAccumulators, key: Key, keyText: string, bounds: WindowBounds): void {
    const row = this.finish(this.slots.results(accs, this.geometry.sizeMs), bounds, key);
    if (row === null) {
      this.filtered++;
      this.emitGone(ps, keyText, bounds);
      return;
    }
    const k = this.keyed ? keyText : null;
    // Only a window that can still change needs the row it showed (`emitted` is empty otherwise).
    const keep = this.latenessMs > 0;
    let shown = keep ? ps.emitted.get(bounds.start) : undefined;
    const previous = shown?.get(keyText) as StreamRecord<Out> | undefined;
    const rowKey = windowRowKey(k, bounds.start, bounds.end);
    if (previous !== undefined) this.out.push({ ...previous, change: '-U' });
    const record: StreamRecord<Out> = { key: k, value: row, timestamp: bounds.end, partition: ps.partition, change: previous === undefined ? '+I' : '+U', rowKey };
    this.out.push(record);
    if (keep) {
      if (shown === undefined) ps.emitted.set(bounds.start, (shown = new Map()));
      shown.set(keyText, record as StreamRecord<unknown>);
    }
  }

  private flush(ps: PanePartition<Key>, early: boolean, context: OperatorContext<Out>): void {
    if (this.filtered > 0) {
      context.metrics.dropped('having', this.filtered);
      this.filtered = 0;
    }
    if (this.out.length === 0) return;
    const records = this.out;
    this.out = [];
    context.emit(early ? { partition: ps.partition, records, early: true } : { partition: ps.partition, records });
    context.metrics.recordsOut(records.length);
  }
}

function numeric(a: number, b: number): number {
  return a - b;
}

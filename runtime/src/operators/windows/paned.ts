// What tumbling windows, sliding windows and both phases of global aggregates share: time cut into
// panes aligned to the epoch, one accumulator set per key and pane, per-partition state with its
// checkpoint form, the lateness rule applied to incoming records, processing-time and early-firing
// timers. A tumbling window is the case pane = slide = size.
//
// An operator over an update stream (`input: 'updates'`) keeps each cell's live input rows by row
// key: `+I`/`+U` set a row, `-U`/`-D` remove it, and the cell's accumulators are rebuilt from its
// rows when a retraction made them stale. Every aggregate function then retracts exactly, sketches
// included, at the cost of holding the rows of the windows still open (rows, not events: one per
// upstream window or session). An update whose retraction is past lateness is late as a whole:
// its `+U` (or the `+I` after a `-D`) goes to the late output with it, so the old row stays counted
// once rather than the new one being counted beside it.
//
// Subclasses decide what happens when the (event or processing) watermark advances: the window
// operators fire windows (firing.ts), the partial phase ships pane states (partial.ts).
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { GroupKeySpec } from '../../api/topology.ts';
import type { OperatorCheckpoint, OperatorContext, Processor } from '../../api/processor.ts';
import { isRetraction, type RecordBatch, type StreamRecord } from '../../api/records.ts';
import type { StateEntry, StateStore, StateStoreSpec } from '../../api/state.ts';
import { MAX_WATERMARK, MIN_WATERMARK, type DurationMillis, type EpochMillis, type TimeDomain, type Timer, type Watermark } from '../../api/time.ts';
import type { WindowDescriptor } from '../../api/windows.ts';
import type { JsonValue } from '../../aggregates/index.ts';
import { decodeValue, encodeValue } from '../../aggregates/codec.ts';
import {
  TIMER_EARLY_FIRING,
  TIMER_WINDOW_END,
  ceilTo,
  corrupt,
  decodeKey,
  decodeTime,
  encodeKey,
  encodeTime,
  entriesOf,
  floorTo,
  nextTick,
  rewriteStore,
  storeSnapshotOf,
  storeSpec,
  timerPartition,
} from './common.ts';
import { SlotSet, type SlotAccumulators, type SlotStates } from './slots.ts';

/** Window `k` covers `[k·slide, k·slide + size)`, the panes of `paneMs` that tile it. */
export interface PaneGeometry {
  readonly sizeMs: DurationMillis;
  readonly slideMs: DurationMillis;
  readonly paneMs: DurationMillis;
}

export function geometryOf(window: WindowDescriptor<unknown>): PaneGeometry {
  let g: PaneGeometry;
  switch (window.kind) {
    case 'tumbling':
      g = { sizeMs: window.sizeMs, slideMs: window.sizeMs, paneMs: window.sizeMs };
      break;
    case 'sliding':
      g = { sizeMs: window.sizeMs, slideMs: window.slideMs, paneMs: window.panes.paneMs };
      break;
    case 'session':
      throw new TypeError('a session window has no panes: use SessionWindowProcessor');
  }
  const { sizeMs, slideMs, paneMs } = g;
  const positive = (x: number): boolean => Number.isSafeInteger(x) && x > 0;
  if (!positive(sizeMs) || !positive(slideMs) || !positive(paneMs) || sizeMs % paneMs !== 0 || slideMs % paneMs !== 0 || slideMs > sizeMs) {
    throw new RangeError(`invalid window geometry: size ${sizeMs} ms, slide ${slideMs} ms, pane ${paneMs} ms`);
  }
  return g;
}

/** One key's accumulators in one pane. */
export interface Cell<Key> {
  readonly keyText: string;
  readonly key: Key;
  readonly accs: SlotAccumulators;
  /** Records (or, in the final phase, partial records' counts) folded in. */
  n: number;
  /** The partition's change counter at the last update: "changed since" checks compare these. */
  version: number;
  /** Over an update stream: the live input rows by row key (appends under `#<seq>`); `null` otherwise. */
  rows: Map<string, CellRow> | null;
  /** A row was retracted since `accs` were last rebuilt from `rows`. */
  stale: boolean;
}

/** One live input row of a cell over an update stream. */
export interface CellRow {
  readonly value: unknown;
  readonly t: EpochMillis;
  readonly seq: number;
}

export interface Pane<Key> {
  readonly start: EpochMillis;
  /** By key text, in first-update order (kept across checkpoints: output order is deterministic). */
  readonly cells: Map<string, Cell<Key>>;
}

/** The state of one operator on one partition. Hot state lives here; `entries` writes it to the store at checkpoints. */
export class PanePartition<Key> {
  /** Event-time watermark, or in processing time the clock time up to which windows have fired (minus one). */
  watermark: EpochMillis = MIN_WATERMARK;
  /** Arrival sequence number: orders records of equal time for first/last. */
  seq = 0;
  /** Change counter stamped on cells. */
  version = 0;
  readonly panes = new Map<EpochMillis, Pane<Key>>();
  /** Fired windows updated by late records in the current batch: window start → key texts. */
  readonly pending = new Map<EpochMillis, Set<string>>();
  /** Open windows' early firings: window start → key text → version emitted. */
  readonly earlyVersions = new Map<EpochMillis, Map<string, number>>();
  /**
   * Fired windows that may still change (lateness): window start → key text → the row last
   * emitted downstream, retracted (`-U`/`-D`) when the row changes.
   */
  readonly emitted = new Map<EpochMillis, Map<string, StreamRecord<unknown>>>();
  earlyScheduled = false;

  constructor(
    readonly partition: number,
    readonly store: StateStore<PaneEntry>,
  ) {}
}

/** The checkpoint form of a partition: one meta entry, one entry per key and pane, one per early-fired key and window. */
export type PaneEntry =
  | { readonly t: 'meta'; readonly w: JsonValue; readonly seq: number; readonly ver: number }
  | {
      readonly t: 'cell';
      readonly p: number;
      /** Position among the pane's cells. */
      readonly o: number;
      readonly x: string;
      readonly k: JsonValue;
      readonly n: number;
      readonly v: number;
      readonly a: SlotStates;
      /** Over an update stream: the live rows, `[row key, value, time, seq]`. */
      readonly r?: readonly (readonly [string, JsonValue, number, number])[];
    }
  | { readonly t: 'early'; readonly s: number; readonly x: string; readonly v: number }
  /** A fired window's row as last emitted: window start, key text, record key, value, time, row key. */
  | { readonly t: 'row'; readonly s: number; readonly x: string; readonly y: string | null; readonly v: JsonValue; readonly e: number; readonly r: string };

export interface PanedConfig<In, Slots extends AggregateSlots<In>> {
  readonly nodeId: string;
  readonly geometry: PaneGeometry;
  readonly time: TimeDomain;
  /** How long past its firing a window keeps accepting (and re-emitting) updates. */
  readonly latenessMs: DurationMillis;
  readonly earlyFiringMs: DurationMillis | null;
  readonly aggregates: Slots;
  readonly changelogTopic: string;
  /** Added to a window's end for its processing-time timer (the final phase's grace). */
  readonly timerDelayMs: DurationMillis;
  /** The input is an update stream: keep rows, apply retractions. */
  readonly updates?: boolean;
}

const STORE_NAME = 'window-panes';

export abstract class PanedOperator<R, In, Key, Slots extends AggregateSlots<In>, Out> implements Processor<R, Out> {
  readonly nodeId: string;
  protected readonly geometry: PaneGeometry;
  protected readonly time: TimeDomain;
  protected readonly latenessMs: DurationMillis;
  protected readonly earlyFiringMs: DurationMillis | null;
  protected readonly timerDelayMs: DurationMillis;
  protected readonly slots: SlotSet<In, Slots>;
  protected readonly spec: StateStoreSpec;
  protected readonly states = new Map<number, PanePartition<Key>>();
  protected readonly updates: boolean;

  constructor(config: PanedConfig<In, Slots>) {
    this.nodeId = config.nodeId;
    this.updates = config.updates === true;
    this.geometry = config.geometry;
    this.time = config.time;
    this.latenessMs = Math.max(0, config.latenessMs);
    this.earlyFiringMs = config.earlyFiringMs !== null && config.earlyFiringMs > 0 ? config.earlyFiringMs : null;
    this.timerDelayMs = config.timerDelayMs;
    this.slots = new SlotSet<In, Slots>(config.aggregates, config.geometry.sizeMs);
    this.spec = storeSpec(config.changelogTopic, STORE_NAME);
  }

  // ───────────────────────────── what subclasses define ─────────────────────────────

  /** Folds one input batch into `ps`. */
  protected abstract ingest(ps: PanePartition<Key>, batch: RecordBatch<R>, context: OperatorContext<Out>): void;
  /** The watermark of `ps` moved to `watermark` (greater than before): fire, ship, purge. */
  protected abstract advanceTo(ps: PanePartition<Key>, watermark: EpochMillis, context: OperatorContext<Out>): void;
  /** After each batch (late updates are flushed here). */
  protected abstract afterBatch(ps: PanePartition<Key>, context: OperatorContext<Out>): void;
  /** The early-firing timer ticked. */
  protected abstract earlyTick(ps: PanePartition<Key>, context: OperatorContext<Out>): void;
  /** Processing time: registers the timers a new pane needs. */
  protected abstract registerPaneTimers(ps: PanePartition<Key>, paneStart: EpochMillis, context: OperatorContext<Out>): void;

  /** A record was added to a pane some window of which has already fired (event time). */
  protected markUpdated(_ps: PanePartition<Key>, _paneStart: EpochMillis, _keyText: string): void {}

  /** The partition whose state a batch of `partition` goes to (the final phase keeps one state). */
  protected partitionFor(partition: number): number {
    return partition;
  }

  /** The states a watermark applies to. */
  protected watermarkTargets(watermark: Watermark, _context: OperatorContext<Out>): PanePartition<Key>[] {
    if (watermark.partition === null) return [...this.states.values()];
    const ps = this.states.get(this.partitionFor(watermark.partition));
    return ps === undefined ? [] : [ps];
  }

  // ───────────────────────────── Processor ─────────────────────────────

  init(context: OperatorContext<Out>): void {
    for (const p of context.partitions()) this.stateOf(p, context);
  }

  processBatch(batch: RecordBatch<R>, context: OperatorContext<Out>): void {
    const ps = this.stateOf(batch.partition, context);
    context.metrics.recordsIn(batch.records.length);
    this.ingest(ps, batch, context);
    this.afterBatch(ps, context);
    this.scheduleEarly(ps, context);
  }

  onWatermark(watermark: Watermark, context: OperatorContext<Out>): void {
    // In processing time the input's watermark means nothing, except the end of a bounded input.
    if (this.time === 'processing' && watermark.timestamp !== MAX_WATERMARK) return;
    for (const ps of this.watermarkTargets(watermark, context)) {
      if (watermark.timestamp > ps.watermark) this.advanceTo(ps, watermark.timestamp, context);
    }
  }

  onTimer(timer: Timer, context: OperatorContext<Out>): void {
    const ps = this.states.get(timerPartition(timer));
    if (ps === undefined) return;
    if (timer.tag === TIMER_WINDOW_END) {
      if (this.time !== 'processing') return;
      const watermark = timer.at - this.timerDelayMs - 1;
      if (watermark > ps.watermark) this.advanceTo(ps, watermark, context);
      this.scheduleEarly(ps, context);
    } else if (timer.tag === TIMER_EARLY_FIRING) {
      ps.earlyScheduled = false;
      // In processing time, windows due by this instant fire first, whatever order the timers of one
      // instant come in (the window-end timer then finds nothing to do).
      if (this.time === 'processing') {
        const watermark = timer.at - this.timerDelayMs - 1;
        if (watermark > ps.watermark) this.advanceTo(ps, watermark, context);
      }
      this.earlyTick(ps, context);
      this.scheduleEarly(ps, context);
    }
  }

  snapshot(partition: number, context: OperatorContext<Out>): OperatorCheckpoint {
    const ps = this.stateOf(this.partitionFor(partition), context);
    rewriteStore(ps.store, this.entries(ps));
    return { nodeId: this.nodeId, partition, stores: [ps.store.snapshot()], watermark: ps.watermark };
  }

  restore(checkpoint: OperatorCheckpoint, context: OperatorContext<Out>): void {
    const p = this.partitionFor(checkpoint.partition);
    const store = context.state<PaneEntry>(this.spec, p);
    const snap = storeSnapshotOf<PaneEntry>(checkpoint, this.spec.name);
    if (snap !== undefined) store.restore(snap);
    const ps = this.load(p, store, context);
    // The checkpoint's watermark is the node's event-time watermark; in processing time ours is the clock's.
    if (this.time === 'event' && checkpoint.watermark > ps.watermark) ps.watermark = checkpoint.watermark;
  }

  release(partition: number): void {
    this.states.delete(this.partitionFor(partition));
  }

  close(): void {
    this.states.clear();
  }

  // ───────────────────────────── shared machinery ─────────────────────────────

  protected stateOf(partition: number, context: OperatorContext<Out>): PanePartition<Key> {
    const p = this.partitionFor(partition);
    const existing = this.states.get(p);
    if (existing !== undefined) return existing;
    return this.load(p, context.state<PaneEntry>(this.spec, p), context);
  }

  /** Builds the hot state of a partition from its store (empty, or restored). */
  private load(partition: number, store: StateStore<PaneEntry>, context: OperatorContext<Out>): PanePartition<Key> {
    const ps = new PanePartition<Key>(partition, store);
    const cells: Extract<PaneEntry, { t: 'cell' }>[] = [];
    for (const { value: e } of entriesOf(store)) {
      if (e === null || typeof e !== 'object') corrupt('entry');
      if (e.t === 'meta') {
        ps.watermark = decodeTime(e.w);
        ps.seq = e.seq;
        ps.version = e.ver;
      } else if (e.t === 'cell') {
        cells.push(e);
      } else if (e.t === 'early') {
        let m = ps.earlyVersions.get(e.s);
        if (m === undefined) ps.earlyVersions.set(e.s, (m = new Map()));
        m.set(e.x, e.v);
      } else if (e.t === 'row') {
        let m = ps.emitted.get(e.s);
        if (m === undefined) ps.emitted.set(e.s, (m = new Map()));
        m.set(e.x, { key: e.y, value: decodeValue(e.v, 'window row'), timestamp: e.e, partition, rowKey: e.r });
      } else {
        corrupt('entry kind');
      }
    }
    cells.sort((a, b) => a.p - b.p || a.o - b.o);
    for (const c of cells) {
      let pane = ps.panes.get(c.p);
      if (pane === undefined) ps.panes.set(c.p, (pane = { start: c.p, cells: new Map() }));
      let rows: Map<string, CellRow> | null = null;
      if (c.r !== undefined) {
        rows = new Map();
        for (const [rowKey, value, t, seq] of c.r) rows.set(rowKey, { value: decodeValue(value, 'window row'), t, seq });
      }
      pane.cells.set(c.x, { keyText: c.x, key: decodeKey<Key>(c.k), accs: this.slots.restore(c.a), n: c.n, version: c.v, rows, stale: false });
    }
    this.states.set(partition, ps);
    // Timers are not checkpointed: register again what the state needs.
    if (this.time === 'processing') for (const start of ps.panes.keys()) this.registerPaneTimers(ps, start, context);
    this.scheduleEarly(ps, context);
    return ps;
  }

  private *entries(ps: PanePartition<Key>): Generator<StateEntry<PaneEntry>> {
    yield { key: 'meta', value: { t: 'meta', w: encodeTime(ps.watermark), seq: ps.seq, ver: ps.version } };
    for (const pane of ps.panes.values()) {
      let o = 0;
      for (const cell of pane.cells.values()) {
        yield {
          key: `c|${pane.start}|${cell.keyText}`,
          value:
            cell.rows === null
              ? { t: 'cell', p: pane.start, o: o++, x: cell.keyText, k: encodeKey(cell.key), n: cell.n, v: cell.version, a: this.slots.snapshot(cell.accs) }
              : {
                  t: 'cell',
                  p: pane.start,
                  o: o++,
                  x: cell.keyText,
                  k: encodeKey(cell.key),
                  n: cell.n,
                  v: cell.version,
                  a: this.slots.snapshot(this.accsOf(cell)),
                  r: [...cell.rows].map(([rowKey, row]) => [rowKey, encodeValue(row.value), row.t, row.seq] as const),
                },
        };
      }
    }
    for (const [s, m] of ps.earlyVersions) {
      for (const [x, v] of m) yield { key: `e|${s}|${x}`, value: { t: 'early', s, x, v } };
    }
    for (const [s, m] of ps.emitted) {
      for (const [x, row] of m) {
        yield { key: `r|${s}|${x}`, value: { t: 'row', s, x, y: row.key, v: encodeValue(row.value), e: row.timestamp, r: row.rowKey ?? '' } };
      }
    }
  }

  /** A cell's accumulators, rebuilt from its live rows when a retraction made them stale. */
  protected accsOf(cell: Cell<Key>): SlotAccumulators {
    if (cell.stale) {
      cell.stale = false;
      this.slots.reset(cell.accs);
      for (const row of cell.rows!.values()) this.slots.add(cell.accs, row.value as In, row.t, row.seq);
    }
    return cell.accs;
  }

  protected paneFor(ps: PanePartition<Key>, start: EpochMillis, context: OperatorContext<Out>): Pane<Key> {
    let pane = ps.panes.get(start);
    if (pane === undefined) {
      pane = { start, cells: new Map() };
      ps.panes.set(start, pane);
      if (this.time === 'processing') this.registerPaneTimers(ps, start, context);
    }
    return pane;
  }

  protected setProcessingTimer(ps: PanePartition<Key>, at: EpochMillis, tag: string, context: OperatorContext<Out>): void {
    context.clock.setTimer({ domain: 'processing', at, key: String(ps.partition), tag });
  }

  private scheduleEarly(ps: PanePartition<Key>, context: OperatorContext<Out>): void {
    if (this.earlyFiringMs === null || ps.earlyScheduled || ps.panes.size === 0) return;
    ps.earlyScheduled = true;
    this.setProcessingTimer(ps, nextTick(context.clock.now(), this.earlyFiringMs), TIMER_EARLY_FIRING, context);
  }

  /**
   * Folds records in: assigns each to its pane by event time (or by the processing clock, read
   * once per batch), drops it to the late output when every window it falls in is past the allowed
   * lateness, and marks fired windows it updates.
   */
  protected ingestRecords(ps: PanePartition<Key>, batch: RecordBatch<In>, context: OperatorContext<Out>, groupKey: GroupKeySpec<In, Key> | null): void {
    const records = batch.records;
    const count = records.length;
    if (count === 0) return;
    const { paneMs, slideMs, sizeMs } = this.geometry;
    const lateness = this.latenessMs;
    const watermark = ps.watermark;
    const eventTime = this.time === 'event';
    const arrival = eventTime ? 0 : Math.max(context.clock.now(), watermark + 1);
    const slots = this.slots;
    let currentStart = NaN;
    let pane: Pane<Key> | null = null;
    let fired = false;
    let late = 0;
    let invalid = 0;
    const updates = this.updates;
    /** Over updates: the previous record was a late retraction, whose `+U` (or `+I`) is late with it. */
    let lateUpdate = false;
    for (let i = 0; i < count; i++) {
      const record = records[i]!;
      if (updates) {
        const retraction = isRetraction(record.change);
        if (lateUpdate && !retraction) {
          lateUpdate = false;
          context.emitLate(record);
          late++;
          continue;
        }
        lateUpdate = false;
        if (retraction) {
          // A retraction never opens a pane: it removes its row from the pane that holds it. In
          // event time that is the pane of its time; in processing time, whichever open pane the
          // row arrived in. No such pane: the window is past lateness, and the update is late.
          const keyText = groupKey === null ? '' : groupKey.text(record.value);
          const rowKey = record.rowKey ?? '';
          let start = NaN;
          if (eventTime) {
            const t = record.timestamp;
            start = t - (((t % paneMs) + paneMs) % paneMs);
            if (!Number.isFinite(start)) {
              invalid++;
              continue;
            }
            if (floorTo(start, slideMs) + sizeMs - 1 + lateness <= watermark) start = NaN;
          } else {
            for (const [at, open] of ps.panes) {
              if (open.cells.get(keyText)?.rows?.has(rowKey) === true) start = at;
            }
          }
          if (Number.isNaN(start)) {
            lateUpdate = true;
            context.emitLate(record);
            late++;
            continue;
          }
          const cell = ps.panes.get(start)?.cells.get(keyText);
          if (cell === undefined || cell.rows === null || !cell.rows.delete(rowKey)) continue;
          cell.stale = true;
          cell.n--;
          cell.version = ++ps.version;
          if (ceilTo(start + paneMs - sizeMs, slideMs) + sizeMs - 1 <= watermark) this.markUpdated(ps, start, keyText);
          continue;
        }
      }
      const t = eventTime ? record.timestamp : arrival;
      const start = t - (((t % paneMs) + paneMs) % paneMs);
      if (start !== currentStart) {
        if (!Number.isFinite(start)) {
          invalid++;
          continue;
        }
        currentStart = start;
        // The last window containing the pane; past it + lateness, the record has nowhere to go.
        if (floorTo(start, slideMs) + sizeMs - 1 + lateness <= watermark) {
          pane = null;
        } else {
          pane = this.paneFor(ps, start, context);
          fired = ceilTo(start + paneMs - sizeMs, slideMs) + sizeMs - 1 <= watermark;
        }
      }
      if (pane === null) {
        context.emitLate(record);
        late++;
        continue;
      }
      const value = record.value;
      const keyText = groupKey === null ? '' : groupKey.text(value);
      let cell = pane.cells.get(keyText);
      if (cell === undefined) {
        cell = { keyText, key: groupKey === null ? (null as Key) : groupKey.extract(value), accs: slots.create(), n: 0, version: 0, rows: updates ? new Map() : null, stale: false };
        pane.cells.set(keyText, cell);
      }
      const seq = ps.seq++;
      if (updates) {
        const rows = cell.rows!;
        const rowKey = record.rowKey ?? `#${seq}`;
        // An update whose `-U` was filtered out upstream replaces its row all the same.
        if (rows.delete(rowKey)) {
          cell.stale = true;
          cell.n--;
        }
        rows.set(rowKey, { value, t, seq });
      }
      if (!cell.stale) slots.add(cell.accs, value, t, seq);
      cell.n++;
      cell.version = ++ps.version;
      if (fired) this.markUpdated(ps, start, keyText);
    }
    if (late > 0) context.metrics.late(late);
    if (invalid > 0) context.metrics.dropped('invalid_time', invalid);
  }
}

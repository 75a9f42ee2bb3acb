// Session windows: per key, records at most `gap` apart form one session (the gap is inclusive,
// as in Flink's `TimeWindow.intersects` and ksqlDB); a record satisfying `until` closes its session
// at once. In event time or processing time.
//
// A session holds its first and last record times and one accumulator set. Its bounds are
// `[first, last + gap)`, or `[first, last]` written `{ start: first, end: last }` once closed by
// `until` (language.md §10: the closing record's time is the window end). A record at time t:
//
//   - joins every session it is within reach of: an open session `S` when
//     `S.first − gap <= t <= S.last + gap`, a closed one when `S.first − gap <= t <= S.last`; no
//     record crosses a closed session's end (a closed session is never extended past its end,
//     and a record after it starts a new session);
//   - when it reaches several sessions (an out-of-order record bridging a hole), they merge into
//     one (accumulators merge; the earliest session survives);
//   - when it reaches none, starts a new session;
//   - when it satisfies `until`, closes the session it ended up in, which is emitted at the end of
//     the batch. Sessions are never split: an `until` record arriving after later records of its
//     session closes the session at the latest of them.
//
// Event time (W = watermark, L = allowed lateness):
//   - late:   a record with `t + L <= W` goes to the late output (and `metrics.late`). The rule is
//             on the record's own time because its session is only known after merging; it is
//             what makes sessions independent of arrival order: a session is purged at
//             `maxTs + L <= W` (below), and any record that could still reach a purged session has
//             `t <= maxTs`, so it is late by this rule.
//   - fire:   an open session fires when `W >= last + gap` (`maxTs`: the last instant a record
//             can still join it at; one later than Flink's `end − 1`, so that no on-time record
//             changes a session after it fired).
//   - update: a record that changes a session which has fired (or is closed) re-emits it at the
//             end of the batch, as a change of the row `(key, start)` (records.ts `ChangeKind`):
//             `-U` old + `+U` new while its start stays; `-D` old + `+I` new when its start moved
//             earlier; a session merged into another is deleted (`-D`).
//   - purge:  a session is forgotten at `maxTs + L <= W`, `maxTs` being `last + gap` when
//             open and `last` when closed.
// Processing time: t is the processing clock (read once per batch), lateness is 0, and sessions
// fire on timers at `last + gap`.
// Early firings: on each tick, open sessions changed since their previous early firing are
// emitted in a batch marked `early`.
//
// Sessions due at the same time fire in creation order (a per-partition ordinal that checkpoints
// keep), so a restored operator emits exactly what the original would have.
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { Predicate } from '../../api/functions.ts';
import type { OperatorCheckpoint, OperatorContext, Processor } from '../../api/processor.ts';
import { sessionRowKey, type ChangeKind, type RecordBatch, type StreamRecord } from '../../api/records.ts';
import type { StateEntry, StateStore, StateStoreSpec } from '../../api/state.ts';
import { MAX_WATERMARK, MIN_WATERMARK, type DurationMillis, type EpochMillis, type TimeDomain, type Timer, type Watermark } from '../../api/time.ts';
import type { GroupKeySpec, WindowAggregateNode } from '../../api/topology.ts';
import type { WindowBounds } from '../../api/windows.ts';
import type { JsonValue } from '../../aggregates/index.ts';
import { decodeValue, encodeValue } from '../../aggregates/codec.ts';
import {
  TIMER_EARLY_FIRING,
  TIMER_SESSION_GAP,
  corrupt,
  decodeKey,
  decodeTime,
  encodeKey,
  encodeTime,
  entriesOf,
  nextTick,
  rewriteStore,
  storeSnapshotOf,
  storeSpec,
  timerPartition,
} from './common.ts';
import type { FinishFunction } from './firing.ts';
import { DeadlineHeap } from './heap.ts';
import { SlotSet, type SlotAccumulators, type SlotStates } from './slots.ts';

interface SessionKey<Key> {
  readonly keyText: string;
  readonly key: Key;
  /** Disjoint, by first record time. */
  readonly sessions: Session<Key>[];
}

interface Session<Key> {
  readonly owner: SessionKey<Key>;
  /** The row last emitted downstream (not early), retracted when the session changes; `null`: none. */
  shown: StreamRecord<unknown> | null;
  /** Creation order in the partition: breaks ties between equal deadlines. */
  readonly ordinal: number;
  start: EpochMillis;
  last: EpochMillis;
  closed: boolean;
  readonly accs: SlotAccumulators;
  n: number;
  version: number;
  /** Version at the last final or update emission; -1: never emitted. */
  firedVersion: number;
  /** Version at the last early firing; -1: never. */
  earlyVersion: number;
  removed: boolean;
  /** Queued for emission at the end of the batch. */
  pending: boolean;
  /** Changed since the last early tick (listed in `dirty`). */
  dirty: boolean;
  /** Its live heap entry (`entry.at` never exceeds its deadline). */
  entry: Deadline<Key> | null;
}

interface Deadline<Key> {
  at: EpochMillis;
  readonly ordinal: number;
  readonly session: Session<Key>;
}

class SessionPartition<Key> {
  watermark: EpochMillis = MIN_WATERMARK;
  seq = 0;
  version = 0;
  ordinal = 0;
  readonly keys = new Map<string, SessionKey<Key>>();
  readonly heap = new DeadlineHeap<Deadline<Key>>();
  readonly pending: Session<Key>[] = [];
  dirty: Session<Key>[] = [];
  earlyScheduled = false;
  /** Processing time: the earliest gap timer registered. */
  timerAt: EpochMillis = Number.POSITIVE_INFINITY;

  constructor(
    readonly partition: number,
    readonly store: StateStore<SessionEntry>,
  ) {}
}

export type SessionEntry =
  | { readonly t: 'meta'; readonly w: JsonValue; readonly seq: number; readonly ver: number; readonly ord: number }
  | {
      readonly t: 'session';
      readonly x: string;
      readonly k: JsonValue;
      readonly o: number;
      readonly s: number;
      readonly l: number;
      readonly c: boolean;
      readonly n: number;
      readonly v: number;
      readonly f: number;
      readonly e: number;
      readonly d: boolean;
      readonly a: SlotStates;
      /** The row last emitted downstream: record key, value, time, row key. */
      readonly r?: { readonly y: string | null; readonly v: JsonValue; readonly e: number; readonly k: string };
    };

const STORE_NAME = 'window-sessions';

/**
 * Session windows of a `WindowAggregateNode` with a session window. Keyed by the group key, or,
 * without `group by`, by the input records' key (`StreamRecord.key`; records without one share a
 * single session stream).
 */
export class SessionWindowProcessor<In, Key, Slots extends AggregateSlots<In>, Out> implements Processor<In, Out> {
  readonly nodeId: string;
  private readonly gapMs: DurationMillis;
  private readonly until: Predicate<In> | null;
  private readonly time: TimeDomain;
  private readonly latenessMs: DurationMillis;
  private readonly earlyFiringMs: DurationMillis | null;
  private readonly groupKey: GroupKeySpec<In, Key> | null;
  private readonly finish: FinishFunction<Slots, Key, Out>;
  private readonly slots: SlotSet<In, Slots>;
  private readonly spec: StateStoreSpec;
  private readonly states = new Map<number, SessionPartition<Key>>();
  private out: StreamRecord<Out>[] = [];
  private filtered = 0;

  constructor(node: WindowAggregateNode<In, Key, Slots, Out>) {
    const window = node.window;
    if (window.kind !== 'session') throw new TypeError(`${node.id}: SessionWindowProcessor needs a session window, got ${window.kind}`);
    if (!(Number.isSafeInteger(window.gapMs) && window.gapMs > 0)) throw new RangeError(`${node.id}: session gap must be a positive integer, got ${window.gapMs}`);
    this.nodeId = node.id;
    this.gapMs = window.gapMs;
    this.until = window.until;
    this.time = node.time;
    this.latenessMs = node.time === 'event' ? Math.max(0, node.latenessMs) : 0;
    this.earlyFiringMs = node.earlyFiringMs !== null && node.earlyFiringMs > 0 ? node.earlyFiringMs : null;
    this.groupKey = node.groupKey;
    this.finish = node.finish;
    this.slots = new SlotSet<In, Slots>(node.aggregates, null);
    this.spec = storeSpec(node.changelogTopic, STORE_NAME);
  }

  // ───────────────────────────── Processor ─────────────────────────────

  init(context: OperatorContext<Out>): void {
    for (const p of context.partitions()) this.stateOf(p, context);
  }

  processBatch(batch: RecordBatch<In>, context: OperatorContext<Out>): void {
    const ps = this.stateOf(batch.partition, context);
    context.metrics.recordsIn(batch.records.length);
    this.ingest(ps, batch, context);
    this.flushPending(ps);
    this.emitOut(ps, false, context);
    this.schedule(ps, context);
  }

  onWatermark(watermark: Watermark, context: OperatorContext<Out>): void {
    if (this.time === 'processing' && watermark.timestamp !== MAX_WATERMARK) return;
    const targets = watermark.partition === null ? [...this.states.values()] : [this.states.get(watermark.partition)];
    for (const ps of targets) {
      if (ps === undefined || !(watermark.timestamp > ps.watermark)) continue;
      this.advanceTo(ps, watermark.timestamp);
      this.emitOut(ps, false, context);
      this.schedule(ps, context);
    }
  }

  onTimer(timer: Timer, context: OperatorContext<Out>): void {
    const ps = this.states.get(timerPartition(timer));
    if (ps === undefined) return;
    if (timer.tag === TIMER_SESSION_GAP) {
      if (this.time !== 'processing') return;
      if (timer.at >= ps.timerAt) ps.timerAt = Number.POSITIVE_INFINITY;
      if (timer.at - 1 > ps.watermark) this.advanceTo(ps, timer.at - 1);
      this.emitOut(ps, false, context);
    } else if (timer.tag === TIMER_EARLY_FIRING) {
      ps.earlyScheduled = false;
      // Sessions due by this instant fire first, whatever order the timers of one instant come in.
      if (this.time === 'processing' && timer.at - 1 > ps.watermark) {
        this.advanceTo(ps, timer.at - 1);
        this.emitOut(ps, false, context);
      }
      this.earlyTick(ps);
      this.emitOut(ps, true, context);
    }
    this.schedule(ps, context);
  }

  snapshot(partition: number, context: OperatorContext<Out>): OperatorCheckpoint {
    const ps = this.stateOf(partition, context);
    rewriteStore(ps.store, this.entries(ps));
    return { nodeId: this.nodeId, partition, stores: [ps.store.snapshot()], watermark: ps.watermark };
  }

  restore(checkpoint: OperatorCheckpoint, context: OperatorContext<Out>): void {
    const store = context.state<SessionEntry>(this.spec, checkpoint.partition);
    const snap = storeSnapshotOf<SessionEntry>(checkpoint, this.spec.name);
    if (snap !== undefined) store.restore(snap);
    const ps = this.load(checkpoint.partition, store, context);
    // The checkpoint's watermark is the node's event-time watermark; in processing time ours is the clock's.
    if (this.time === 'event' && checkpoint.watermark > ps.watermark) ps.watermark = checkpoint.watermark;
  }

  release(partition: number): void {
    this.states.delete(partition);
  }

  close(): void {
    this.states.clear();
  }

  // ───────────────────────────── records ─────────────────────────────

  private ingest(ps: SessionPartition<Key>, batch: RecordBatch<In>, context: OperatorContext<Out>): void {
    const records = batch.records;
    if (records.length === 0) return;
    const eventTime = this.time === 'event';
    const watermark = ps.watermark;
    const lateBefore = watermark - this.latenessMs;
    const arrival = eventTime ? 0 : Math.max(context.clock.now(), watermark + 1);
    const groupKey = this.groupKey;
    const until = this.until;
    const early = this.earlyFiringMs !== null;
    let late = 0;
    let invalid = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const t = eventTime ? record.timestamp : arrival;
      if (!Number.isFinite(t)) {
        invalid++;
        continue;
      }
      if (t <= lateBefore) {
        context.emitLate(record);
        late++;
        continue;
      }
      const value = record.value;
      const keyText = groupKey === null ? (record.key ?? '') : groupKey.text(value);
      let owner = ps.keys.get(keyText);
      if (owner === undefined) {
        owner = { keyText, key: groupKey === null ? (null as Key) : groupKey.extract(value), sessions: [] };
        ps.keys.set(keyText, owner);
      }
      const session = this.place(ps, owner, t);
      this.slots.add(session.accs, value, t, ps.seq++);
      session.n++;
      session.version = ++ps.version;
      if (until !== null && until(value)) session.closed = true;
      if (session.closed || this.maxTs(session) <= watermark) {
        if (!session.pending) {
          session.pending = true;
          ps.pending.push(session);
        }
      }
      this.ensureDeadline(ps, session);
      if (early && !session.dirty) {
        session.dirty = true;
        ps.dirty.push(session);
      }
    }
    if (late > 0) context.metrics.late(late);
    if (invalid > 0) context.metrics.dropped('invalid_time', invalid);
  }

  /** The session a record at `t` belongs to, after merging the sessions it bridges. */
  private place(ps: SessionPartition<Key>, owner: SessionKey<Key>, t: EpochMillis): Session<Key> {
    const gap = this.gapMs;
    const list = owner.sessions;
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.start - gap > t) break;
      if (s.closed ? t <= s.last : t <= s.last + gap) {
        if (lo < 0) lo = i;
        hi = i;
      }
    }
    if (lo >= 0) {
      // A closed session's end is a cut: nothing merges across it.
      for (let i = lo; i <= hi; i++) {
        const s = list[i]!;
        if (s.closed && s.last < t) lo = i + 1;
      }
      for (let i = lo; i <= hi; i++) {
        if (list[i]!.closed) {
          hi = i;
          break;
        }
      }
    }
    if (lo < 0 || lo > hi) {
      const session: Session<Key> = {
        owner,
        shown: null,
        ordinal: ps.ordinal++,
        start: t,
        last: t,
        closed: false,
        accs: this.slots.create(),
        n: 0,
        version: 0,
        firedVersion: -1,
        earlyVersion: -1,
        removed: false,
        pending: false,
        dirty: false,
        entry: null,
      };
      let at = list.length;
      while (at > 0 && list[at - 1]!.start > t) at--;
      list.splice(at, 0, session);
      return session;
    }
    const target = list[lo]!;
    for (let i = lo + 1; i <= hi; i++) {
      const other = list[i]!;
      this.slots.merge(target.accs, other.accs);
      target.n += other.n;
      if (other.last > target.last) target.last = other.last;
      if (other.closed) target.closed = true;
      other.removed = true;
      other.entry = null;
      // Merged away: its row is gone.
      if (other.shown !== null) {
        this.out.push({ ...(other.shown as StreamRecord<Out>), change: '-D' });
        other.shown = null;
      }
    }
    if (hi > lo) list.splice(lo + 1, hi - lo);
    if (t < target.start) target.start = t;
    if (t > target.last) target.last = t;
    return target;
  }

  // ───────────────────────────── firing ─────────────────────────────

  private maxTs(s: Session<Key>): EpochMillis {
    return s.closed ? s.last : s.last + this.gapMs;
  }

  /** When the heap must next look at the session: its firing time if it has unemitted changes, else its purge time. */
  private deadline(s: Session<Key>): EpochMillis {
    const maxTs = this.maxTs(s);
    return !s.closed && s.firedVersion !== s.version ? maxTs : maxTs + this.latenessMs;
  }

  private ensureDeadline(ps: SessionPartition<Key>, s: Session<Key>): void {
    const at = this.deadline(s);
    if (s.entry !== null && s.entry.at <= at) return;
    s.entry = { at, ordinal: s.ordinal, session: s };
    ps.heap.push(s.entry);
  }

  private flushPending(ps: SessionPartition<Key>): void {
    if (ps.pending.length === 0) return;
    const watermark = ps.watermark;
    for (const s of ps.pending) {
      s.pending = false;
      if (s.removed) continue;
      if ((s.closed || this.maxTs(s) <= watermark) && s.firedVersion !== s.version) {
        this.emitSession(ps, s);
        s.firedVersion = s.version;
      }
      this.ensureDeadline(ps, s);
    }
    ps.pending.length = 0;
  }

  private advanceTo(ps: SessionPartition<Key>, watermark: EpochMillis): void {
    ps.watermark = watermark;
    const heap = ps.heap;
    for (let top = heap.peek(); top !== undefined && top.at <= watermark; top = heap.peek()) {
      heap.pop();
      const s = top.session;
      if (s.removed || s.entry !== top) continue;
      const due = this.deadline(s);
      if (top.at < due) {
        top.at = due;
        heap.push(top);
        continue;
      }
      if (!s.closed && s.firedVersion !== s.version) {
        this.emitSession(ps, s);
        s.firedVersion = s.version;
        top.at = this.deadline(s);
        heap.push(top);
        continue;
      }
      // Past its lateness: forget it.
      s.removed = true;
      s.entry = null;
      const list = s.owner.sessions;
      list.splice(list.indexOf(s), 1);
      if (list.length === 0) ps.keys.delete(s.owner.keyText);
    }
  }

  private earlyTick(ps: SessionPartition<Key>): void {
    const dirty = ps.dirty;
    if (dirty.length === 0) return;
    ps.dirty = [];
    dirty.sort((a, b) => a.ordinal - b.ordinal);
    for (const s of dirty) {
      s.dirty = false;
      if (s.removed || s.closed || this.maxTs(s) <= ps.watermark || s.earlyVersion === s.version) continue;
      this.emitEarlySession(ps, s, s.earlyVersion === -1 ? '+I' : '+U');
      s.earlyVersion = s.version;
    }
  }

  private rowOf(s: Session<Key>): { bounds: WindowBounds; row: Out | null; key: string | null } {
    const bounds: WindowBounds = { start: s.start, end: s.closed ? s.last : s.last + this.gapMs };
    const row = this.finish(this.slots.results(s.accs, bounds.end - bounds.start), bounds, s.owner.key);
    const keyText = s.owner.keyText;
    return { bounds, row, key: this.groupKey === null && keyText === '' ? null : keyText };
  }

  /**
   * Emits the session as a change of the row downstream operators last saw: `+I` the first time,
   * `-U` + `+U` while its start (part of the row key) stays, `-D` + `+I` when it moved, `-D` when
   * `having` now rejects it.
   */
  private emitSession(ps: SessionPartition<Key>, s: Session<Key>): void {
    const { bounds, row, key } = this.rowOf(s);
    const previous = s.shown as StreamRecord<Out> | null;
    if (row === null) {
      this.filtered++;
      if (previous !== null) {
        this.out.push({ ...previous, change: '-D' });
        s.shown = null;
      }
      return;
    }
    const rowKey = sessionRowKey(key, bounds.start);
    let change: ChangeKind = '+I';
    if (previous !== null) {
      if (previous.rowKey === rowKey) {
        this.out.push({ ...previous, change: '-U' });
        change = '+U';
      } else {
        this.out.push({ ...previous, change: '-D' });
      }
    }
    const record: StreamRecord<Out> = { key, value: row, timestamp: bounds.end, partition: ps.partition, change, rowKey };
    this.out.push(record);
    s.shown = record as StreamRecord<unknown>;
  }

  /** An early row of an open session (sinks only: `+I` the first time it is shown, `+U` after). */
  private emitEarlySession(ps: SessionPartition<Key>, s: Session<Key>, change: ChangeKind): void {
    const { bounds, row, key } = this.rowOf(s);
    if (row === null) {
      this.filtered++;
      return;
    }
    this.out.push({ key, value: row, timestamp: bounds.end, partition: ps.partition, change, rowKey: sessionRowKey(key, bounds.start) });
  }

  private emitOut(ps: SessionPartition<Key>, early: boolean, context: OperatorContext<Out>): void {
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

  /** Registers the timers the state needs: the earliest gap deadline (processing time), the next early tick. */
  private schedule(ps: SessionPartition<Key>, context: OperatorContext<Out>): void {
    const key = String(ps.partition);
    if (this.time === 'processing') {
      const top = ps.heap.peek();
      if (top !== undefined && top.at + 1 < ps.timerAt) {
        ps.timerAt = top.at + 1;
        context.clock.setTimer({ domain: 'processing', at: ps.timerAt, key, tag: TIMER_SESSION_GAP });
      }
    }
    if (this.earlyFiringMs !== null && !ps.earlyScheduled && ps.keys.size > 0) {
      ps.earlyScheduled = true;
      context.clock.setTimer({ domain: 'processing', at: nextTick(context.clock.now(), this.earlyFiringMs), key, tag: TIMER_EARLY_FIRING });
    }
  }

  // ───────────────────────────── state ─────────────────────────────

  private stateOf(partition: number, context: OperatorContext<Out>): SessionPartition<Key> {
    return this.states.get(partition) ?? this.load(partition, context.state<SessionEntry>(this.spec, partition), context);
  }

  private load(partition: number, store: StateStore<SessionEntry>, context: OperatorContext<Out>): SessionPartition<Key> {
    const ps = new SessionPartition<Key>(partition, store);
    const sessions: Extract<SessionEntry, { t: 'session' }>[] = [];
    for (const { value: e } of entriesOf(store)) {
      if (e === null || typeof e !== 'object') corrupt('entry');
      if (e.t === 'meta') {
        ps.watermark = decodeTime(e.w);
        ps.seq = e.seq;
        ps.version = e.ver;
        ps.ordinal = e.ord;
      } else if (e.t === 'session') {
        sessions.push(e);
      } else {
        corrupt('entry kind');
      }
    }
    sessions.sort((a, b) => a.s - b.s || a.o - b.o);
    const dirty: Session<Key>[] = [];
    for (const e of sessions) {
      let owner = ps.keys.get(e.x);
      if (owner === undefined) ps.keys.set(e.x, (owner = { keyText: e.x, key: decodeKey<Key>(e.k), sessions: [] }));
      const s: Session<Key> = {
        owner,
        shown: e.r === undefined ? null : { key: e.r.y, value: decodeValue(e.r.v, 'session row'), timestamp: e.r.e, partition, change: '+I', rowKey: e.r.k },
        ordinal: e.o,
        start: e.s,
        last: e.l,
        closed: e.c,
        accs: this.slots.restore(e.a),
        n: e.n,
        version: e.v,
        firedVersion: e.f,
        earlyVersion: e.e,
        removed: false,
        pending: false,
        dirty: e.d,
        entry: null,
      };
      owner.sessions.push(s);
      this.ensureDeadline(ps, s);
      if (s.dirty) dirty.push(s);
    }
    ps.dirty = dirty.sort((a, b) => a.ordinal - b.ordinal);
    this.states.set(partition, ps);
    this.schedule(ps, context);
    return ps;
  }

  private *entries(ps: SessionPartition<Key>): Generator<StateEntry<SessionEntry>> {
    yield { key: 'meta', value: { t: 'meta', w: encodeTime(ps.watermark), seq: ps.seq, ver: ps.version, ord: ps.ordinal } };
    for (const owner of ps.keys.values()) {
      for (const s of owner.sessions) {
        yield {
          key: `s|${owner.keyText}|${s.ordinal}`,
          value: {
            t: 'session',
            x: owner.keyText,
            k: encodeKey(owner.key),
            o: s.ordinal,
            s: s.start,
            l: s.last,
            c: s.closed,
            n: s.n,
            v: s.version,
            f: s.firedVersion,
            e: s.earlyVersion,
            d: s.dirty,
            a: this.slots.snapshot(s.accs),
            ...(s.shown === null ? {} : { r: { y: s.shown.key, v: encodeValue(s.shown.value), e: s.shown.timestamp, k: s.shown.rowKey ?? '' } }),
          },
        };
      }
    }
  }
}

// A stand-in for the engine, to drive one window processor directly: a manual clock with
// processing-time timers, in-memory state stores whose snapshots go through JSON (as a changelog
// would carry them), and a recording OperatorContext that keeps every emitted batch with its
// `early` flag and the op that produced it.
import {
  MIN_WATERMARK,
  type Clock,
  type DeadLetterRecord,
  type EpochMillis,
  type KeyRange,
  type OperatorCheckpoint,
  type OperatorContext,
  type OperatorMetrics,
  type Processor,
  type RecordBatch,
  type StateEntry,
  type StateSnapshot,
  type StateStore,
  type StateStoreSpec,
  type StreamRecord,
  type Timer,
  type TimerHandle,
} from '../../../src/index.ts';

/** A deep copy through JSON text; fails on values JSON would silently change. */
export function viaJson<T>(value: T): T {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number in state: ${v}`);
    return v;
  });
  return JSON.parse(text) as T;
}

export class TestStore<V> implements StateStore<V> {
  private entries = new Map<string, V>();

  constructor(
    readonly name: string,
    readonly partition: number,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  put(key: string, value: V): void {
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  *scan(range: KeyRange = {}): IterableIterator<StateEntry<V>> {
    for (const key of [...this.entries.keys()].sort()) {
      if (range.prefix !== undefined && !key.startsWith(range.prefix)) continue;
      if (range.from !== undefined && key < range.from) continue;
      if (range.to !== undefined && key >= range.to) continue;
      yield { key, value: this.entries.get(key) as V };
    }
  }

  get size(): number {
    return this.entries.size;
  }

  snapshot(): StateSnapshot<V> {
    return viaJson({ store: this.name, partition: this.partition, entries: [...this.scan()] });
  }

  restore(snapshot: StateSnapshot<V>): void {
    this.entries = new Map(viaJson(snapshot.entries).map((e) => [e.key, e.value] as const));
  }
}

interface PendingTimer {
  readonly timer: Timer;
  readonly seq: number;
}

export class TestClock implements Clock {
  private nowMs: EpochMillis;
  private watermarkMs: EpochMillis = MIN_WATERMARK;
  private seq = 0;
  private readonly timers = new Map<number, PendingTimer>();

  constructor(now: EpochMillis = 0) {
    this.nowMs = now;
  }

  now(): EpochMillis {
    return this.nowMs;
  }

  watermark(): EpochMillis {
    return this.watermarkMs;
  }

  setNow(now: EpochMillis): void {
    this.nowMs = now;
  }

  setWatermark(watermark: EpochMillis): void {
    if (watermark > this.watermarkMs) this.watermarkMs = watermark;
  }

  setTimer(timer: Timer): TimerHandle {
    for (const [id, p] of this.timers) {
      const t = p.timer;
      if (t.domain === timer.domain && t.key === timer.key && t.tag === timer.tag && t.at === timer.at) this.timers.delete(id);
    }
    const id = ++this.seq;
    this.timers.set(id, { timer, seq: id });
    return { id };
  }

  cancelTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Removes and returns the earliest processing-time timer due at or before `upTo`. */
  nextDue(upTo: EpochMillis): Timer | undefined {
    let best: [number, PendingTimer] | undefined;
    for (const [id, p] of this.timers) {
      if (p.timer.domain !== 'processing' || p.timer.at > upTo) continue;
      if (best === undefined || p.timer.at < best[1].timer.at || (p.timer.at === best[1].timer.at && p.seq < best[1].seq)) best = [id, p];
    }
    if (best === undefined) return undefined;
    this.timers.delete(best[0]);
    return best[1].timer;
  }
}

export class CountingMetrics implements OperatorMetrics {
  inCount = 0;
  outCount = 0;
  lateCount = 0;
  readonly droppedBy = new Map<string, number>();

  recordsIn(count: number): void {
    this.inCount += count;
  }
  recordsOut(count: number): void {
    this.outCount += count;
  }
  dropped(reason: string, count: number): void {
    this.droppedBy.set(reason, (this.droppedBy.get(reason) ?? 0) + count);
  }
  late(count: number): void {
    this.lateCount += count;
  }
  processingLatency(): void {}
}

/** One emitted record, with the batch flag and the index of the driver op that produced it. */
export interface Emission<Out> {
  readonly record: StreamRecord<Out>;
  readonly early: boolean;
  readonly op: number;
}

export class TestContext<Out> implements OperatorContext<Out> {
  readonly pipeline = 'test';
  readonly stores = new Map<string, TestStore<unknown>>();
  /** The rows emitted: inserts and updates (`+I`, `+U`), early rows included; retractions are in `changes` only. */
  readonly emissions: Emission<Out>[] = [];
  /** Every record emitted, retractions (`-U`, `-D`) included, in order. */
  readonly changes: Emission<Out>[] = [];
  readonly late: StreamRecord<unknown>[] = [];
  readonly metrics = new CountingMetrics();
  op = 0;

  constructor(
    readonly nodeId: string,
    private readonly owned: readonly number[],
    readonly clock: TestClock,
  ) {}

  partitions(): readonly number[] {
    return this.owned;
  }

  state<V>(spec: StateStoreSpec, partition: number): StateStore<V> {
    const id = `${spec.name}#${partition}`;
    let store = this.stores.get(id);
    if (store === undefined) this.stores.set(id, (store = new TestStore<unknown>(spec.name, partition)));
    return store as TestStore<V>;
  }

  emit(batch: RecordBatch<Out>): void {
    const early = batch.early === true;
    for (const record of batch.records) {
      const emission = { record, early, op: this.op };
      this.changes.push(emission);
      if (record.change !== '-U' && record.change !== '-D') this.emissions.push(emission);
    }
  }

  emitLate(record: StreamRecord<unknown>): void {
    this.late.push(record);
  }

  deadLetter(_record: DeadLetterRecord): void {
    throw new Error('window operators do not dead-letter');
  }
}

/** Drives one processor like an engine task: batches, watermarks, clock advances, checkpoints. */
export class Driver<In, Out> {
  readonly context: TestContext<Out>;

  constructor(
    readonly processor: Processor<In, Out>,
    options: { readonly partitions?: readonly number[]; readonly now?: EpochMillis; readonly nodeId?: string } = {},
  ) {
    this.context = new TestContext<Out>(options.nodeId ?? 'test.window', options.partitions ?? [0], new TestClock(options.now ?? 0));
    void this.processor.init(this.context);
  }

  get clock(): TestClock {
    return this.context.clock;
  }

  /** Marks emissions from now on with op index `op`. */
  setOp(op: number): void {
    this.context.op = op;
  }

  batch(partition: number, records: readonly StreamRecord<In>[]): void {
    this.processor.processBatch({ partition, records }, this.context);
  }

  watermark(timestamp: EpochMillis, partition: number | null = null): void {
    this.clock.setWatermark(timestamp);
    this.processor.onWatermark({ timestamp, partition, idle: false }, this.context);
  }

  /** Moves the clock to `now`, firing due processing-time timers one by one (the clock reads each timer's time while it fires). */
  advance(now: EpochMillis): void {
    for (let timer = this.clock.nextDue(now); timer !== undefined; timer = this.clock.nextDue(now)) {
      this.clock.setNow(Math.max(this.clock.now(), timer.at));
      this.processor.onTimer(timer, this.context);
    }
    if (now > this.clock.now()) this.clock.setNow(now);
  }

  /** Snapshots every owned partition; the stores go through JSON. */
  checkpoint(): OperatorCheckpoint[] {
    return this.context.partitions().map((p) => this.processor.snapshot(p, this.context));
  }

  restore(checkpoints: readonly OperatorCheckpoint[]): void {
    for (const cp of checkpoints) this.processor.restore(cp, this.context);
  }
}

/**
 * Applies a changelog (the non-early changes of an operator) to a table by row key, checking the
 * update model on the way (records.ts `ChangeKind`): `+I` of an absent row; `-U` of the present
 * row, with its current value and time, followed at once by the `+U` of the same row key; `-D` of
 * the present row, with its current value. Returns the final table.
 */
export function changelogTable<Out>(changes: readonly Emission<Out>[]): Map<string, StreamRecord<Out>> {
  const table = new Map<string, StreamRecord<Out>>();
  const list = changes.filter((x) => !x.early).map((x) => x.record);
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    const rowKey = r.rowKey;
    if (rowKey === undefined || r.change === undefined) throw new Error(`a result without a row key or change kind: ${JSON.stringify(r)}`);
    const current = table.get(rowKey);
    switch (r.change) {
      case '+I':
        if (current !== undefined) throw new Error(`+I of a present row ${rowKey}`);
        table.set(rowKey, r);
        break;
      case '-U': {
        const next = list[i + 1];
        if (current === undefined) throw new Error(`-U of an absent row ${rowKey}`);
        if (JSON.stringify(current.value) !== JSON.stringify(r.value) || current.timestamp !== r.timestamp) throw new Error(`-U of ${rowKey} does not carry its current row`);
        if (next?.change !== '+U' || next.rowKey !== rowKey) throw new Error(`-U of ${rowKey} not followed by its +U`);
        table.set(rowKey, next);
        i++;
        break;
      }
      case '+U':
        throw new Error(`+U of ${rowKey} without its -U`);
      case '-D':
        if (current === undefined) throw new Error(`-D of an absent row ${rowKey}`);
        if (JSON.stringify(current.value) !== JSON.stringify(r.value)) throw new Error(`-D of ${rowKey} does not carry its current row`);
        table.delete(rowKey);
        break;
    }
  }
  return table;
}

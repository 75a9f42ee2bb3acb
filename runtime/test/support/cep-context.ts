// A minimal engine stand-in for operator tests: an in-memory StateStore whose snapshots go through
// JSON (so state that would not survive a changelog fails the test), a manual clock with timers, a
// recording OperatorContext, and a harness that feeds batches and watermarks to a Processor and
// fires due timers before, after, or instead of never, the watermark call.
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
} from '../../src/index.ts';

/** A deep copy through JSON that refuses what JSON would silently change (NaN, ±Infinity, undefined). */
export function jsonCopy<T>(value: T): T {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number in state: ${v}`);
    if (v === undefined) throw new Error('undefined in state');
    return v;
  });
  return JSON.parse(text) as T;
}

export class MemoryStore<V> implements StateStore<V> {
  readonly name: string;
  readonly partition: number;
  #entries = new Map<string, V>();

  constructor(name: string, partition: number) {
    this.name = name;
    this.partition = partition;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  put(key: string, value: V): void {
    this.#entries.set(key, value);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  *scan(range: KeyRange = {}): IterableIterator<StateEntry<V>> {
    const keys = [...this.#entries.keys()].sort();
    for (const key of keys) {
      if (range.prefix !== undefined && !key.startsWith(range.prefix)) continue;
      if (range.from !== undefined && key < range.from) continue;
      if (range.to !== undefined && key >= range.to) continue;
      yield { key, value: this.#entries.get(key) as V };
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  snapshot(): StateSnapshot<V> {
    return jsonCopy({ store: this.name, partition: this.partition, entries: [...this.scan()] });
  }

  restore(snapshot: StateSnapshot<V>): void {
    this.#entries = new Map(jsonCopy(snapshot.entries).map((e) => [e.key, e.value] as const));
  }
}

export class ManualClock implements Clock {
  #now: EpochMillis;
  #watermark: EpochMillis = MIN_WATERMARK;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  readonly #byIdentity = new Map<string, number>();

  constructor(now: EpochMillis = 0) {
    this.#now = now;
  }

  now(): EpochMillis {
    return this.#now;
  }

  watermark(): EpochMillis {
    return this.#watermark;
  }

  setNow(now: EpochMillis): void {
    this.#now = now;
  }

  setWatermark(watermark: EpochMillis): void {
    this.#watermark = Math.max(this.#watermark, watermark);
  }

  setTimer(timer: Timer): TimerHandle {
    // Same domain, key, tag and time: replaces the earlier timer.
    const identity = `${timer.domain}\u0000${timer.key}\u0000${timer.tag}\u0000${timer.at}`;
    const earlier = this.#byIdentity.get(identity);
    if (earlier !== undefined) this.#timers.delete(earlier);
    const id = this.#nextId++;
    this.#timers.set(id, timer);
    this.#byIdentity.set(identity, id);
    return { id };
  }

  cancelTimer(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Removes and returns the timers of `domain` due at or before `upTo`, earliest first. */
  takeDue(domain: Timer['domain'], upTo: EpochMillis): Timer[] {
    const due: [number, Timer][] = [];
    for (const [id, t] of this.#timers) if (t.domain === domain && t.at <= upTo) due.push([id, t]);
    // As the engine's timer heap: by time, then key and tag, then the order set.
    due.sort((a, b) => a[1].at - b[1].at || compareText(a[1].key, b[1].key) || compareText(a[1].tag, b[1].tag) || a[0] - b[0]);
    for (const [id] of due) this.#timers.delete(id);
    return due.map(([, t]) => t);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }
}

export class RecordingMetrics implements OperatorMetrics {
  in = 0;
  out = 0;
  lateCount = 0;
  readonly droppedBy = new Map<string, number>();
  readonly latencies: number[] = [];

  recordsIn(count: number): void {
    this.in += count;
  }
  recordsOut(count: number): void {
    this.out += count;
  }
  dropped(reason: string, count: number): void {
    this.droppedBy.set(reason, (this.droppedBy.get(reason) ?? 0) + count);
  }
  late(count: number): void {
    this.lateCount += count;
  }
  processingLatency(millis: number): void {
    this.latencies.push(millis);
  }
}

export class FakeContext<Out> implements OperatorContext<Out> {
  readonly pipeline = 'test';
  readonly nodeId: string;
  readonly clock: ManualClock;
  readonly metrics = new RecordingMetrics();
  readonly emitted: StreamRecord<Out>[] = [];
  readonly late: StreamRecord<unknown>[] = [];
  readonly rejected: DeadLetterRecord[] = [];
  readonly stores = new Map<string, MemoryStore<unknown>>();
  #partitions: number[];

  constructor(nodeId: string, partitions: readonly number[], clock: ManualClock = new ManualClock()) {
    this.nodeId = nodeId;
    this.#partitions = [...partitions];
    this.clock = clock;
  }

  partitions(): readonly number[] {
    return this.#partitions;
  }

  state<V>(spec: StateStoreSpec, partition: number): StateStore<V> {
    const id = `${spec.name}#${partition}`;
    let store = this.stores.get(id);
    if (store === undefined) {
      store = new MemoryStore<unknown>(spec.name, partition);
      this.stores.set(id, store);
    }
    // One store per (spec, partition); the operator alone decides what it holds.
    return store as MemoryStore<V>;
  }

  emit(records: RecordBatch<Out>): void {
    this.emitted.push(...records.records);
  }

  emitLate(record: StreamRecord<unknown>): void {
    this.late.push(record);
  }

  deadLetter(record: DeadLetterRecord): void {
    this.rejected.push(record);
  }
}

/** When the harness fires due event-time timers relative to `onWatermark`. */
export type TimerOrder = 'before' | 'after' | 'never';

/** Drives one Processor instance like an engine task would. */
export class OperatorHarness<In, Out> {
  readonly processor: Processor<In, Out>;
  readonly context: FakeContext<Out>;
  readonly timerOrder: TimerOrder;

  constructor(processor: Processor<In, Out>, options: { nodeId?: string; partitions?: readonly number[]; timerOrder?: TimerOrder; now?: EpochMillis } = {}) {
    this.processor = processor;
    this.context = new FakeContext<Out>(options.nodeId ?? 'test.pattern', options.partitions ?? [0], new ManualClock(options.now ?? 0));
    this.timerOrder = options.timerOrder ?? 'after';
  }

  async init(): Promise<void> {
    await this.processor.init(this.context);
  }

  send(partition: number, records: readonly StreamRecord<In>[]): void {
    this.processor.processBatch({ partition, records }, this.context);
  }

  /** Advances the combined watermark (partition `null`) or one partition's. */
  watermark(timestamp: EpochMillis, partition: number | null = null): void {
    this.context.clock.setWatermark(timestamp);
    const fire = (): void => {
      for (const timer of this.context.clock.takeDue('event', timestamp)) this.processor.onTimer(timer, this.context);
    };
    if (this.timerOrder === 'before') fire();
    this.processor.onWatermark({ timestamp, partition, idle: false }, this.context);
    if (this.timerOrder === 'after') fire();
    if (this.timerOrder === 'never') this.context.clock.takeDue('event', timestamp);
  }

  /** Moves the processing clock and fires the processing-time timers due. */
  tick(now: EpochMillis): void {
    this.context.clock.setNow(now);
    for (const timer of this.context.clock.takeDue('processing', now)) this.processor.onTimer(timer, this.context);
  }

  /** Snapshots every owned partition, through JSON as a changelog would carry it. */
  checkpoint(): OperatorCheckpoint[] {
    return this.context.partitions().map((p) => {
      const cp = this.processor.snapshot(p, this.context);
      return { ...jsonCopy({ ...cp, watermark: 0 }), watermark: cp.watermark };
    });
  }

  restore(checkpoints: readonly OperatorCheckpoint[]): void {
    for (const cp of checkpoints) this.processor.restore(cp, this.context);
  }
}

/** A record on partition `partition` at `timestamp`. */
export function streamRecord<T>(value: T, timestamp: EpochMillis, key: string | null = null, partition = 0): StreamRecord<T> {
  return { key, value, timestamp, partition };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

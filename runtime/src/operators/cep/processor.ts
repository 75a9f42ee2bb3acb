// The pattern operator: one NFA run per key (nfa.ts), fed in event-time order.
//
// Event time: records are buffered per key until the watermark passes them, then processed in
// (timestamp, arrival) order, interleaved with the run's deadlines (absence confirmations, `within`
// expiries) so that everything at or before a deadline is processed before it. A record at or
// below the watermark on arrival is late: counted and sent to the late output. Processing time:
// records are processed on arrival, deadlines by processing-time timers.
//
// The hot per-key state is mutable (`LiveKey`, in a Map per partition); `snapshot` writes it to the
// partition's StateStore as plain-JSON `KeyState` values (state.ts) and `restore` reads them back,
// so checkpoints are exact: a restored processor fed the records after the checkpoint emits what
// the original would have. The wake-up index and the registered timers are derived from the keys.
import {
  MIN_WATERMARK,
  type EpochMillis,
  type OperatorCheckpoint,
  type OperatorContext,
  type PatternCompletion,
  type PatternNode,
  type PatternTimeout,
  type Processor,
  type RecordBatch,
  type StateSnapshot,
  type StateStore,
  type StateStoreSpec,
  type StreamRecord,
  type Timer,
  type TimerHandle,
  type Watermark,
} from '../../api/index.ts';
import { PatternMachine, type Outcome } from './nfa.ts';
import { compilePattern, type PatternProgram } from './program.ts';
import type { BufferedRecord, KeyState, RunState } from './state.ts';
import { Wakeups } from './wakeups.ts';

export interface PatternProcessorOptions<Match> {
  /** Sees every partial match a `within` discarded (each is also counted as `dropped('pattern_timeout')`). */
  readonly onTimeout?: (timeout: PatternTimeout<Match>) => void;
  /**
   * Branches kept per match in progress (default 1024). Past it the least preferred are dropped
   * and counted as `dropped('pattern_branch_limit')`; results are then no longer guaranteed exact.
   */
  readonly maxBranches?: number;
}

/** The tag of the timers the operator registers (one per key: its run's next deadline). */
export const PATTERN_TIMER_TAG = 'pattern-deadline';

/** The name of the operator's store. */
export const PATTERN_STORE = 'pattern-runs';

/** Event times are kept below this in state (a finite stand-in for "everything"). */
const TIME_CEILING = Number.MAX_SAFE_INTEGER;

/**
 * A key's live state: `KeyState` made mutable. Unprocessed records are `buffer[head..]`, in (time,
 * seq) order; processed ones before `head` are dropped lazily. `run` is the NFA's (immutable) run.
 */
interface LiveKey<In> {
  /** Where it is in `live` (the pattern key, `''` for `null`). */
  readonly stateKey: string;
  readonly key: string | null;
  nextSeq: number;
  horizon: EpochMillis | null;
  readonly buffer: BufferedRecord<In>[];
  head: number;
  run: RunState<In> | null;
  /** Its wake-up time (kept by `Wakeups`). */
  wakeAt: EpochMillis | null;
  /** The timer registered at the run's next deadline. */
  timer: { readonly at: EpochMillis; readonly handle: TimerHandle } | null;
}

interface PartitionState<In> {
  readonly partition: number;
  /** Written by `snapshot`, read by `restore` and when the partition opens; stale in between. */
  readonly store: StateStore<KeyState<In>>;
  /** Keys with something buffered or a match in progress. */
  readonly live: Map<string, LiveKey<In>>;
  watermark: EpochMillis;
  readonly wakeups: Wakeups<LiveKey<In>>;
}

export class PatternProcessor<In, Match, Out> implements Processor<In, Out> {
  readonly #node: PatternNode<In, Match, Out>;
  readonly #program: PatternProgram<In, Match>;
  readonly #machine: PatternMachine<In, Match>;
  readonly #spec: StateStoreSpec;
  readonly #onTimeout: ((timeout: PatternTimeout<Match>) => void) | null;
  readonly #partitions = new Map<number, PartitionState<In>>();
  /** Timeouts found during the current call, reported with its results. */
  readonly #timeouts: PatternTimeout<Match>[] = [];

  constructor(node: PatternNode<In, Match, Out>, options: PatternProcessorOptions<Match> = {}) {
    this.#node = node;
    this.#program = compilePattern(node.pattern);
    const maxBranches = options.maxBranches ?? 1024;
    if (!Number.isInteger(maxBranches) || maxBranches < 1) throw new RangeError(`maxBranches must be a positive integer, got ${maxBranches}`);
    this.#machine = new PatternMachine(this.#program, maxBranches);
    this.#spec = { name: PATTERN_STORE, changelogTopic: node.changelogTopic };
    this.#onTimeout = options.onTimeout ?? null;
  }

  init(context: OperatorContext<Out>): void {
    for (const partition of context.partitions()) this.#open(partition, context);
  }

  processBatch(batch: RecordBatch<In>, context: OperatorContext<Out>): void {
    const part = this.#open(batch.partition, context);
    const records = batch.records;
    context.metrics.recordsIn(records.length);
    const out: StreamRecord<Out>[] = [];
    const eventTime = this.#program.time === 'event';
    const keyOf = this.#node.key;
    const live = part.live;
    // Processing time does not move during a call.
    const arrivedAt = context.clock.now();
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as StreamRecord<In>;
      const key = keyOf !== null ? keyOf(record.value) : record.key;
      const stateKey = key ?? '';
      let state = live.get(stateKey);
      if (eventTime) {
        if (record.timestamp <= part.watermark || (state !== undefined && state.horizon !== null && record.timestamp <= state.horizon)) {
          context.metrics.late(1);
          context.emitLate(record);
          continue;
        }
        if (state === undefined) {
          state = newKey(stateKey, key);
          live.set(stateKey, state);
        }
        const buffered: BufferedRecord<In> = { seq: state.nextSeq++, time: record.timestamp, value: record.value, arrivedAt };
        // Only a new head moves the key's wake-up; the run (hence its deadline) is unchanged.
        if (insert(state, buffered)) this.#schedule(part, state, context);
      } else {
        // Arrival order; a record never goes back before what the key has already processed.
        const time = Math.max(record.timestamp, state?.horizon ?? MIN_WATERMARK);
        if (state === undefined) {
          state = newKey(stateKey, key);
          live.set(stateKey, state);
        }
        state.buffer.push({ seq: state.nextSeq++, time, value: record.value, arrivedAt });
        this.#advance(part, state, time, out, context);
        this.#save(part, state, context);
      }
    }
    this.#emit(part, out, context);
  }

  onWatermark(watermark: Watermark, context: OperatorContext<Out>): void {
    const partitions = watermark.partition === null ? [...this.#partitions.keys()] : [watermark.partition];
    for (const partition of partitions) {
      const part = this.#open(partition, context);
      if (watermark.timestamp > part.watermark) part.watermark = watermark.timestamp;
      const upTo = this.#program.time === 'event' ? part.watermark : context.clock.now();
      const out: StreamRecord<Out>[] = [];
      for (let state = part.wakeups.pop(upTo); state !== null; state = part.wakeups.pop(upTo)) {
        this.#advance(part, state, upTo, out, context);
        this.#save(part, state, context);
      }
      this.#emit(part, out, context);
    }
  }

  onTimer(timer: Timer, context: OperatorContext<Out>): void {
    if (timer.tag !== PATTERN_TIMER_TAG) return;
    for (const part of this.#partitions.values()) {
      const state = part.live.get(timer.key);
      if (state === undefined) continue;
      if (state.timer !== null && state.timer.at === timer.at) state.timer = null;
      // An event-time timer fires once the watermark reached `at`: every record up to it is in.
      const upTo = timer.domain === 'event' ? timer.at : Math.max(timer.at, context.clock.now());
      const out: StreamRecord<Out>[] = [];
      this.#advance(part, state, upTo, out, context);
      this.#save(part, state, context);
      this.#emit(part, out, context);
      return;
    }
  }

  snapshot(partition: number, context: OperatorContext<Out>): OperatorCheckpoint {
    const part = this.#open(partition, context);
    const store = part.store;
    const stale: string[] = [];
    for (const { key } of store.scan()) if (!part.live.has(key)) stale.push(key);
    for (const key of stale) store.delete(key);
    // Fresh plain-JSON values: later changes to the live state do not reach the snapshot.
    for (const [stateKey, state] of part.live) {
      store.put(stateKey, { key: state.key, nextSeq: state.nextSeq, horizon: state.horizon, buffer: state.buffer.slice(state.head), run: state.run });
    }
    return { nodeId: this.#node.id, partition, stores: [store.snapshot()], watermark: part.watermark };
  }

  restore(checkpoint: OperatorCheckpoint, context: OperatorContext<Out>): void {
    const part = this.#open(checkpoint.partition, context);
    const snapshot = checkpoint.stores.find((s) => s.store === this.#spec.name);
    // The store holds what snapshot() wrote: KeyState values.
    part.store.restore((snapshot as StateSnapshot<KeyState<In>> | undefined) ?? { store: this.#spec.name, partition: checkpoint.partition, entries: [] });
    part.watermark = checkpoint.watermark;
    this.#load(part, context);
  }

  release(partition: number, context: OperatorContext<Out>): void {
    const part = this.#partitions.get(partition);
    if (part === undefined) return;
    for (const state of part.live.values()) if (state.timer !== null) context.clock.cancelTimer(state.timer.handle);
    this.#partitions.delete(partition);
  }

  close(context: OperatorContext<Out>): void {
    for (const partition of [...this.#partitions.keys()]) this.release(partition, context);
  }

  #open(partition: number, context: OperatorContext<Out>): PartitionState<In> {
    const known = this.#partitions.get(partition);
    if (known !== undefined) return known;
    const part: PartitionState<In> = {
      partition,
      store: context.state<KeyState<In>>(this.#spec, partition),
      live: new Map(),
      watermark: MIN_WATERMARK,
      wakeups: new Wakeups(),
    };
    this.#partitions.set(partition, part);
    this.#load(part, context);
    return part;
  }

  /** Rebuilds a partition's live keys from its store, and their wake-ups and timers. */
  #load(part: PartitionState<In>, context: OperatorContext<Out>): void {
    part.wakeups.clear();
    for (const state of part.live.values()) if (state.timer !== null) context.clock.cancelTimer(state.timer.handle);
    part.live.clear();
    for (const { key, value } of part.store.scan()) {
      const state = newKey<In>(key, value.key);
      state.nextSeq = value.nextSeq;
      state.horizon = value.horizon;
      // The buffer is copied: the live one is mutated, the stored one may be shared with a snapshot.
      for (const record of value.buffer) state.buffer.push(record);
      state.run = value.run;
      part.live.set(key, state);
    }
    for (const state of part.live.values()) this.#schedule(part, state, context);
  }

  /**
   * Processes a key's timeline up to `upTo` (inclusive): buffered records in order, each deadline
   * after the records at its own time. Results go to `out`; `state` is updated in place.
   */
  #advance(part: PartitionState<In>, state: LiveKey<In>, upTo: EpochMillis, out: StreamRecord<Out>[], context: OperatorContext<Out>): void {
    const machine = this.#machine;
    const buffer = state.buffer;
    let run = state.run;
    let taken = state.head;
    for (;;) {
      const record = buffer[taken];
      const next = record !== undefined && record.time <= upTo ? record : null;
      const due = run === null ? null : machine.nextDeadline(run);
      const deadline = due !== null && due <= upTo ? due : null;
      let outcome: Outcome<In> | null;
      if (next !== null && (deadline === null || next.time <= deadline)) {
        taken++;
        const step = machine.onRecord(run, next);
        run = step.run;
        outcome = step.outcome;
        if (step.pruned > 0) context.metrics.dropped('pattern_branch_limit', step.pruned);
        if (outcome?.kind === 'match') context.metrics.processingLatency(context.clock.now() - next.arrivedAt);
      } else if (deadline !== null && run !== null) {
        const step = machine.onDeadline(run, deadline);
        run = step.run;
        outcome = step.outcome;
        if (step.pruned > 0) context.metrics.dropped('pattern_branch_limit', step.pruned);
      } else {
        break;
      }
      if (outcome !== null) this.#report(part, state.key, outcome, out);
    }
    const reached = Math.min(upTo, TIME_CEILING);
    state.horizon = state.horizon === null ? reached : Math.max(state.horizon, reached);
    state.run = run;
    if (taken >= buffer.length) {
      buffer.length = 0;
      state.head = 0;
    } else if (taken > 64 && taken * 2 > buffer.length) {
      buffer.splice(0, taken);
      state.head = 0;
    } else {
      state.head = taken;
    }
  }

  #report(part: PartitionState<In>, key: string | null, outcome: Outcome<In>, out: StreamRecord<Out>[]): void {
    switch (outcome.kind) {
      case 'match': {
        const completion: PatternCompletion = { key, startedAt: outcome.startedAt, completedAt: outcome.completedAt, kind: 'match' };
        // The bindings hold exactly the positive steps, as the generated Match interface does.
        const value = this.#node.complete(outcome.bindings as unknown as Match, completion);
        out.push({ key, value, timestamp: outcome.completedAt, partition: part.partition });
        return;
      }
      case 'timeout':
        this.#timeouts.push({
          kind: 'timeout',
          key,
          startedAt: outcome.startedAt,
          completedAt: outcome.completedAt,
          bound: outcome.bound,
          partial: outcome.bindings as unknown as PatternTimeout<Match>['partial'],
        });
        return;
      case 'abandoned':
        return;
    }
  }

  #emit(part: PartitionState<In>, out: StreamRecord<Out>[], context: OperatorContext<Out>): void {
    if (this.#timeouts.length > 0) {
      context.metrics.dropped('pattern_timeout', this.#timeouts.length);
      const timeouts = this.#timeouts.splice(0);
      if (this.#onTimeout !== null) for (const timeout of timeouts) this.#onTimeout(timeout);
    }
    if (out.length === 0) return;
    context.emit({ partition: part.partition, records: out });
    context.metrics.recordsOut(out.length);
  }

  /** After a key changed: forgets it when it holds nothing, else updates its wake-up and timer. */
  #save(part: PartitionState<In>, state: LiveKey<In>, context: OperatorContext<Out>): void {
    if (state.head >= state.buffer.length && state.run === null) {
      part.live.delete(state.stateKey);
      part.wakeups.set(state, null);
      if (state.timer !== null) {
        context.clock.cancelTimer(state.timer.handle);
        state.timer = null;
      }
      return;
    }
    this.#schedule(part, state, context);
  }

  #schedule(part: PartitionState<In>, state: LiveKey<In>, context: OperatorContext<Out>): void {
    const deadline = state.run === null ? null : this.#machine.nextDeadline(state.run);
    const head = state.buffer[state.head]?.time ?? null;
    part.wakeups.set(state, head === null ? deadline : deadline === null ? head : Math.min(head, deadline));
    const registered = state.timer;
    if (registered !== null && registered.at === deadline) return;
    if (registered !== null) {
      context.clock.cancelTimer(registered.handle);
      state.timer = null;
    }
    if (deadline === null) return;
    const handle = context.clock.setTimer({ domain: this.#program.time, at: deadline, key: state.stateKey, tag: PATTERN_TIMER_TAG });
    state.timer = { at: deadline, handle };
  }
}

function newKey<In>(stateKey: string, key: string | null): LiveKey<In> {
  return { stateKey, key, nextSeq: 0, horizon: null, buffer: [], head: 0, run: null, wakeAt: null, timer: null };
}

/** Builds the operator of a topology's pattern node. */
export function createPatternProcessor<In, Match, Out>(
  node: PatternNode<In, Match, Out>,
  options: PatternProcessorOptions<Match> = {},
): PatternProcessor<In, Match, Out> {
  return new PatternProcessor(node, options);
}

/**
 * Inserts a record into a key's unprocessed records after every one with a time at or before its
 * own (arrival order breaks ties): an append when records come in order. True when it became the head.
 */
function insert<In>(state: LiveKey<In>, record: BufferedRecord<In>): boolean {
  const buffer = state.buffer;
  const head = state.head;
  let at = buffer.length;
  while (at > head && (buffer[at - 1] as BufferedRecord<In>).time > record.time) at--;
  if (at === buffer.length) buffer.push(record);
  else buffer.splice(at, 0, record);
  return at === head;
}

// The pattern operator: one NFA run per key (nfa.ts), fed in event-time order.
//
// Event time: records are buffered per key until the watermark passes them, then processed in
// (timestamp, arrival) order, interleaved with the run's deadlines (absence confirmations, `within`
// expiries) so that everything at or before a deadline is processed before it. A record at or
// below the watermark on arrival is late: counted and sent to the late output. Processing time:
// records are processed on arrival, deadlines by processing-time timers.
//
// All state lives in one StateStore per partition (key → KeyState), so `snapshot`/`restore` are
// exact: a restored processor fed the records after the checkpoint emits what the original would
// have. The wake-up index and the registered timers are derived from the store.
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
import type { BufferedRecord, KeyState } from './state.ts';
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

interface PartitionState<In> {
  readonly partition: number;
  readonly store: StateStore<KeyState<In>>;
  watermark: EpochMillis;
  readonly wakeups: Wakeups;
  readonly timers: Map<string, { readonly at: EpochMillis; readonly handle: TimerHandle }>;
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
    context.metrics.recordsIn(batch.records.length);
    const out: StreamRecord<Out>[] = [];
    const eventTime = this.#program.time === 'event';
    for (const record of batch.records) {
      const key = this.#node.key !== null ? this.#node.key(record.value) : record.key;
      const stateKey = key ?? '';
      const state = part.store.get(stateKey) ?? { key, nextSeq: 0, horizon: null, buffer: [], run: null };
      const arrivedAt = context.clock.now();
      if (eventTime) {
        if (record.timestamp <= part.watermark || (state.horizon !== null && record.timestamp <= state.horizon)) {
          context.metrics.late(1);
          context.emitLate(record);
          continue;
        }
        const buffered: BufferedRecord<In> = { seq: state.nextSeq, time: record.timestamp, value: record.value, arrivedAt };
        this.#save(part, stateKey, { ...state, nextSeq: state.nextSeq + 1, buffer: insert(state.buffer, buffered) }, context);
      } else {
        // Arrival order; a record never goes back before what the key has already processed.
        const time = Math.max(record.timestamp, state.horizon ?? MIN_WATERMARK);
        const buffered: BufferedRecord<In> = { seq: state.nextSeq, time, value: record.value, arrivedAt };
        const next = this.#advance(part, { ...state, nextSeq: state.nextSeq + 1, buffer: [buffered] }, time, out, context);
        this.#save(part, stateKey, next, context);
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
      for (let key = part.wakeups.pop(upTo); key !== null; key = part.wakeups.pop(upTo)) {
        const state = part.store.get(key);
        if (state !== undefined) this.#save(part, key, this.#advance(part, state, upTo, out, context), context);
      }
      this.#emit(part, out, context);
    }
  }

  onTimer(timer: Timer, context: OperatorContext<Out>): void {
    if (timer.tag !== PATTERN_TIMER_TAG) return;
    for (const part of this.#partitions.values()) {
      const registered = part.timers.get(timer.key);
      if (registered !== undefined && registered.at === timer.at) part.timers.delete(timer.key);
      const state = part.store.get(timer.key);
      if (state === undefined) continue;
      // An event-time timer fires once the watermark reached `at`: every record up to it is in.
      const upTo = timer.domain === 'event' ? timer.at : Math.max(timer.at, context.clock.now());
      const out: StreamRecord<Out>[] = [];
      this.#save(part, timer.key, this.#advance(part, state, upTo, out, context), context);
      this.#emit(part, out, context);
      return;
    }
  }

  snapshot(partition: number, context: OperatorContext<Out>): OperatorCheckpoint {
    const part = this.#open(partition, context);
    return { nodeId: this.#node.id, partition, stores: [part.store.snapshot()], watermark: part.watermark };
  }

  restore(checkpoint: OperatorCheckpoint, context: OperatorContext<Out>): void {
    const part = this.#open(checkpoint.partition, context);
    const snapshot = checkpoint.stores.find((s) => s.store === this.#spec.name);
    // The store holds what snapshot() wrote: KeyState values.
    part.store.restore((snapshot as StateSnapshot<KeyState<In>> | undefined) ?? { store: this.#spec.name, partition: checkpoint.partition, entries: [] });
    part.watermark = checkpoint.watermark;
    this.#reindex(part, context);
  }

  release(partition: number, context: OperatorContext<Out>): void {
    const part = this.#partitions.get(partition);
    if (part === undefined) return;
    for (const { handle } of part.timers.values()) context.clock.cancelTimer(handle);
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
      watermark: MIN_WATERMARK,
      wakeups: new Wakeups(),
      timers: new Map(),
    };
    this.#partitions.set(partition, part);
    this.#reindex(part, context);
    return part;
  }

  /** Rebuilds the wake-ups and timers of a partition from its store. */
  #reindex(part: PartitionState<In>, context: OperatorContext<Out>): void {
    part.wakeups.clear();
    for (const { handle } of part.timers.values()) context.clock.cancelTimer(handle);
    part.timers.clear();
    const entries = [...part.store.scan()];
    for (const { key, value } of entries) this.#schedule(part, key, value, context);
  }

  /**
   * Processes a key's timeline up to `upTo` (inclusive): buffered records in order, each deadline
   * after the records at its own time. Results go to `out`.
   */
  #advance(part: PartitionState<In>, state: KeyState<In>, upTo: EpochMillis, out: StreamRecord<Out>[], context: OperatorContext<Out>): KeyState<In> {
    const machine = this.#machine;
    const buffer = state.buffer;
    let run = state.run;
    let taken = 0;
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
    return {
      key: state.key,
      nextSeq: state.nextSeq,
      horizon: state.horizon === null ? reached : Math.max(state.horizon, reached),
      buffer: taken === 0 ? buffer : buffer.slice(taken),
      run,
    };
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

  /** Stores a key's new state (or deletes it when it holds nothing) and updates its wake-up and timer. */
  #save(part: PartitionState<In>, stateKey: string, state: KeyState<In>, context: OperatorContext<Out>): void {
    if (state.buffer.length === 0 && state.run === null) {
      part.store.delete(stateKey);
      part.wakeups.set(stateKey, null);
      const timer = part.timers.get(stateKey);
      if (timer !== undefined) {
        context.clock.cancelTimer(timer.handle);
        part.timers.delete(stateKey);
      }
      return;
    }
    part.store.put(stateKey, state);
    this.#schedule(part, stateKey, state, context);
  }

  #schedule(part: PartitionState<In>, stateKey: string, state: KeyState<In>, context: OperatorContext<Out>): void {
    const deadline = state.run === null ? null : this.#machine.nextDeadline(state.run);
    const head = state.buffer[0]?.time ?? null;
    part.wakeups.set(stateKey, head === null ? deadline : deadline === null ? head : Math.min(head, deadline));
    const registered = part.timers.get(stateKey);
    if (registered !== undefined && registered.at === deadline) return;
    if (registered !== undefined) {
      context.clock.cancelTimer(registered.handle);
      part.timers.delete(stateKey);
    }
    if (deadline === null) return;
    const handle = context.clock.setTimer({ domain: this.#program.time, at: deadline, key: stateKey, tag: PATTERN_TIMER_TAG });
    part.timers.set(stateKey, { at: deadline, handle });
  }
}

/** Builds the operator of a topology's pattern node. */
export function createPatternProcessor<In, Match, Out>(
  node: PatternNode<In, Match, Out>,
  options: PatternProcessorOptions<Match> = {},
): PatternProcessor<In, Match, Out> {
  return new PatternProcessor(node, options);
}

/** Inserts a record after every buffered record with a time at or before its own (arrival order breaks ties). */
function insert<In>(buffer: readonly BufferedRecord<In>[], record: BufferedRecord<In>): BufferedRecord<In>[] {
  let at = buffer.length;
  while (at > 0 && (buffer[at - 1] as BufferedRecord<In>).time > record.time) at--;
  const next = buffer.slice(0, at);
  next.push(record);
  for (let i = at; i < buffer.length; i++) next.push(buffer[i] as BufferedRecord<In>);
  return next;
}

// The aggregate slots of a window operator, compiled once into parallel arrays: per slot its
// accumulator descriptor, value projection and `where` filter. Window state is then an array of
// accumulators (one per slot) that this class creates, folds records into, merges, evaluates,
// snapshots and restores. The per-record loop reads the arrays by index: no closure, no allocation;
// the most common accumulators are called through a per-slot kind code, so that each call site sees
// one class (V8 inlines them) instead of one megamorphic `add` for every kind.
import type { AggregateDescriptor, AggregateResults, AggregateSlots } from '../../api/aggregates.ts';
import type { Predicate, Projection } from '../../api/functions.ts';
import {
  CountAccumulator,
  CountDistinctAccumulator,
  FirstAccumulator,
  LastAccumulator,
  RateAccumulator,
  createAccumulator,
  restoreAccumulator,
  type AccumulatorDescriptor,
  type AnyAccumulator,
  type JsonValue,
} from '../../aggregates/index.ts';

/** How `add` calls a slot's accumulator (one of the `ADD_*` codes). */
type AddKind = 0 | 1 | 2 | 3 | 4;
/** `count()` / `count(where …)`: no value, just a count. */
const ADD_COUNT = 0;
const ADD_FIRST = 1;
const ADD_LAST = 2;
const ADD_COUNT_DISTINCT = 3;
/** Through the `Accumulator` interface. */
const ADD_OTHER = 4;

/** The accumulators of one key in one window, pane or session, in slot order. */
export type SlotAccumulators = AnyAccumulator[];

/** Slot name → accumulator snapshot: what a partial aggregate ships and a checkpoint stores. */
export type SlotStates = { readonly [slot: string]: JsonValue };

export class SlotSet<In, Slots extends AggregateSlots<In>> {
  readonly names: readonly string[];
  readonly size: number;
  private readonly descriptors: readonly AccumulatorDescriptor[];
  private readonly values: readonly (Projection<In, unknown> | null)[];
  private readonly filters: readonly (Predicate<In> | null)[];
  /** Per slot: a `rate()` whose window length is only known at evaluation (sessions). */
  private readonly sessionRates: readonly boolean[];
  private readonly addKinds: readonly AddKind[];

  /**
   * `windowMs`: the length of every window these accumulators evaluate (tumbling and sliding
   * windows: the size, which `rate()` divides by); `null` for sessions, whose length is passed to
   * `results`.
   */
  constructor(slots: Slots, readonly windowMs: number | null) {
    const names = Object.keys(slots);
    const descriptors: AccumulatorDescriptor[] = [];
    const values: (Projection<In, unknown> | null)[] = [];
    const filters: (Predicate<In> | null)[] = [];
    const sessionRates: boolean[] = [];
    names.forEach((name) => {
      const d = slots[name] as AggregateDescriptor<In>;
      filters.push(d.filter);
      if (d.kind === 'rate') {
        values.push(null);
        descriptors.push(windowMs === null ? { kind: 'rate', perMs: d.perMs } : { kind: 'rate', perMs: d.perMs, windowMs });
        sessionRates.push(windowMs === null);
      } else {
        sessionRates.push(false);
        values.push(d.value);
        descriptors.push(d);
      }
    });
    this.names = names;
    this.size = names.length;
    this.descriptors = descriptors;
    this.values = values;
    this.filters = filters;
    this.sessionRates = sessionRates;
    // createAccumulator/restoreAccumulator build these classes for these kinds.
    this.addKinds = descriptors.map((d, i): AddKind =>
      d.kind === 'count' && values[i] === null
        ? ADD_COUNT
        : d.kind === 'first'
          ? ADD_FIRST
          : d.kind === 'last'
            ? ADD_LAST
            : d.kind === 'count_distinct'
              ? ADD_COUNT_DISTINCT
              : ADD_OTHER,
    );
  }

  /** Fresh (empty) accumulators, one per slot. */
  create(): SlotAccumulators {
    const accs: SlotAccumulators = new Array<AnyAccumulator>(this.size);
    for (let i = 0; i < this.size; i++) accs[i] = createAccumulator(this.descriptors[i]!) as AnyAccumulator;
    return accs;
  }

  /** Folds one record in: per slot its filter, then its projection (`count()`/`rate()` read none). */
  add(accs: SlotAccumulators, record: In, time: number, seq: number): void {
    const filters = this.filters;
    const values = this.values;
    const kinds = this.addKinds;
    for (let i = 0; i < accs.length; i++) {
      const filter = filters[i]!;
      if (filter !== null && !filter(record)) continue;
      const value = values[i]!;
      switch (kinds[i]) {
        case ADD_COUNT:
          (accs[i] as CountAccumulator).n++;
          break;
        case ADD_FIRST:
          (accs[i] as FirstAccumulator).add((value as Projection<In, unknown>)(record), time, seq);
          break;
        case ADD_LAST:
          (accs[i] as LastAccumulator).add((value as Projection<In, unknown>)(record), time, seq);
          break;
        case ADD_COUNT_DISTINCT:
          (accs[i] as CountDistinctAccumulator).add((value as Projection<In, never>)(record));
          break;
        default:
          accs[i]!.add(value === null ? undefined : value(record), time, seq);
      }
    }
  }

  /** `into[i].merge(from[i])` for every slot; `from` is left unchanged. */
  merge(into: SlotAccumulators, from: SlotAccumulators): void {
    for (let i = 0; i < into.length; i++) into[i]!.merge(from[i]!);
  }

  reset(accs: SlotAccumulators): void {
    for (let i = 0; i < accs.length; i++) accs[i]!.reset();
  }

  /**
   * The slot values `finish` receives. `windowMs` is the evaluated window's length (a session's
   * `end − start`); a session of length 0 (one record closing its own session with `until`) counts
   * as 1 ms for `rate()`, so that the rate stays finite.
   */
  results(accs: SlotAccumulators, windowMs: number): AggregateResults<Slots> {
    const values: Record<string, unknown> = {};
    const sessionRates = this.sessionRates;
    for (let i = 0; i < accs.length; i++) {
      const acc = accs[i]!;
      values[this.names[i]!] = sessionRates[i] === true && acc instanceof RateAccumulator ? acc.result(Math.max(windowMs, 1)) : acc.result();
    }
    return values as AggregateResults<Slots>;
  }

  /** One JSON snapshot per slot, by slot name. */
  snapshot(accs: SlotAccumulators): SlotStates {
    const states: Record<string, JsonValue> = {};
    for (let i = 0; i < accs.length; i++) states[this.names[i]!] = accs[i]!.snapshot();
    return states;
  }

  /** Accumulators from `snapshot` output; throws when a slot is missing or its configuration changed. */
  restore(states: SlotStates): SlotAccumulators {
    const accs: SlotAccumulators = new Array<AnyAccumulator>(this.size);
    for (let i = 0; i < this.size; i++) {
      const name = this.names[i]!;
      const state = states[name];
      if (state === undefined) throw new Error(`window state has no snapshot for aggregate slot ${name}`);
      accs[i] = restoreAccumulator(this.descriptors[i]!, state) as AnyAccumulator;
    }
    return accs;
  }

  /** Merges snapshots (a partial aggregate) into live accumulators. */
  mergeStates(into: SlotAccumulators, states: SlotStates): void {
    for (let i = 0; i < this.size; i++) {
      const name = this.names[i]!;
      const state = states[name];
      if (state === undefined) throw new Error(`partial aggregate has no state for slot ${name}`);
      into[i]!.merge(restoreAccumulator(this.descriptors[i]!, state) as AnyAccumulator);
    }
  }
}

// Aggregate-state descriptors. Each aggregate call of an `aggregate` block (deduplicated by the
// planner into slots `a0`, `a1`, …) becomes one descriptor: its kind, the function reading its
// input from a record, and its `where` filter. All kinds are mergeable, which is what panes of
// sliding windows and the partial → final phases of global aggregates rely on.
//
// Generated code builds descriptors with the constructors below; `AggregateResults` gives the type
// of each slot's value when a window fires, so measure expressions are type-checked.
import type { Predicate, Projection } from './functions.ts';

/** Values `count_distinct`, `approx_count_distinct` and `top_k` can count. */
export type DistinctValue = string | number | boolean;

/** Values `min` and `max` can order. */
export type OrderedValue = number | string;

interface AggregateBase<In> {
  /** `count(where cond)`: only records satisfying it are aggregated; `null`: all records. */
  readonly filter: Predicate<In> | null;
}

/** `count()`, or `count(x)`: records where `x` is not null. */
export interface CountAggregate<In> extends AggregateBase<In> {
  readonly kind: 'count';
  /** `null`: every record counts. */
  readonly value: Projection<In, unknown> | null;
}

/** `sum(x)`; null inputs are skipped; 0 when nothing was summed. Durations sum as milliseconds. */
export interface SumAggregate<In> extends AggregateBase<In> {
  readonly kind: 'sum';
  readonly value: Projection<In, number | null | undefined>;
}

/** `avg(x)`; null inputs are skipped. State: sum and count. */
export interface AvgAggregate<In> extends AggregateBase<In> {
  readonly kind: 'avg';
  readonly value: Projection<In, number | null | undefined>;
}

/** `min(x)`; null inputs are skipped. */
export interface MinAggregate<In, T extends OrderedValue> extends AggregateBase<In> {
  readonly kind: 'min';
  readonly value: Projection<In, T | null | undefined>;
}

/** `max(x)`; null inputs are skipped. */
export interface MaxAggregate<In, T extends OrderedValue> extends AggregateBase<In> {
  readonly kind: 'max';
  readonly value: Projection<In, T | null | undefined>;
}

/** `count_distinct(x)`: exact (a set per window or pane). */
export interface CountDistinctAggregate<In> extends AggregateBase<In> {
  readonly kind: 'count_distinct';
  readonly value: Projection<In, DistinctValue | null | undefined>;
}

/** `approx_count_distinct(x)`: a HyperLogLog sketch with `2^precision` registers. */
export interface ApproxCountDistinctAggregate<In> extends AggregateBase<In> {
  readonly kind: 'approx_count_distinct';
  readonly value: Projection<In, DistinctValue | null | undefined>;
  readonly precision: number;
}

/** `percentile(x, 0.95)`: a mergeable quantile sketch (relative accuracy `relativeAccuracy`). */
export interface PercentileAggregate<In> extends AggregateBase<In> {
  readonly kind: 'percentile';
  readonly value: Projection<In, number | null | undefined>;
  /** In `[0, 1]`. */
  readonly quantile: number;
  readonly relativeAccuracy: number;
}

/** `top_k(x, 10)`: the `k` most frequent values with their counts. */
export interface TopKAggregate<In, T extends DistinctValue> extends AggregateBase<In> {
  readonly kind: 'top_k';
  readonly value: Projection<In, T | null | undefined>;
  readonly k: number;
}

/** `first(x)`: the value of the earliest record (by event time, then arrival); nulls are skipped. */
export interface FirstAggregate<In, T> extends AggregateBase<In> {
  readonly kind: 'first';
  readonly value: Projection<In, T | null | undefined>;
}

/** `last(x)`: the value of the latest record; nulls are skipped. */
export interface LastAggregate<In, T> extends AggregateBase<In> {
  readonly kind: 'last';
  readonly value: Projection<In, T | null | undefined>;
}

/** `rate()`: records per `perMs` over the window's size (a session's length), per second by default. */
export interface RateAggregate<In> extends AggregateBase<In> {
  readonly kind: 'rate';
  readonly perMs: number;
}

export type AggregateDescriptor<In> =
  | CountAggregate<In>
  | SumAggregate<In>
  | AvgAggregate<In>
  | MinAggregate<In, OrderedValue>
  | MaxAggregate<In, OrderedValue>
  | CountDistinctAggregate<In>
  | ApproxCountDistinctAggregate<In>
  | PercentileAggregate<In>
  | TopKAggregate<In, DistinctValue>
  | FirstAggregate<In, unknown>
  | LastAggregate<In, unknown>
  | RateAggregate<In>;

export type AggregateKind = AggregateDescriptor<unknown>['kind'];

/** The aggregates of one `aggregate` block, by slot name. */
export type AggregateSlots<In> = Readonly<Record<string, AggregateDescriptor<In>>>;

/** One entry of a `top_k` result. */
export interface TopKEntry<T> {
  readonly value: T;
  readonly count: number;
}

/** Marks a descriptor built without a filter: its window is never empty, so its result is never null. */
export interface Unfiltered {
  readonly filter: null;
}

/** Whether `T` admits `null` or `undefined`. */
type HasNull<T> = [Extract<T, null | undefined>] extends [never] ? false : true;

/**
 * The value of a slot when its window fires. Counting kinds are numbers (`avg` and `percentile`
 * too, whatever number literals their inputs are). Kinds that need at least one value (`avg`,
 * `min`, `max`, `percentile`, `first`, `last`) are `null` when a filter or null inputs left them
 * without one; unfiltered ones over non-null inputs are never null, since a window fires only
 * once it holds a record.
 */
export type AggregateResult<D> = D extends { readonly kind: 'count' | 'sum' | 'count_distinct' | 'approx_count_distinct' | 'rate' }
  ? number
  : D extends { readonly kind: 'top_k'; readonly value: (value: never) => infer T }
    ? readonly TopKEntry<NonNullable<T>>[]
    : D extends { readonly kind: 'avg' | 'percentile'; readonly value: (value: never) => infer T }
      ? D extends Unfiltered
        ? HasNull<T> extends true
          ? number | null
          : number
        : number | null
      : D extends { readonly kind: 'min' | 'max' | 'first' | 'last'; readonly value: (value: never) => infer T }
        ? D extends Unfiltered
          ? HasNull<T> extends true
            ? NonNullable<T> | null
            : T
          : NonNullable<T> | null
        : never;

/** Slot name → value, the first argument of an aggregate's `finish` function. */
export type AggregateResults<Slots> = { readonly [S in keyof Slots]: AggregateResult<Slots[S]> };

// ───────────────────────────── constructors ─────────────────────────────

export function count<In>(): CountAggregate<In> & Unfiltered;
export function count<In>(filter: Predicate<In>): CountAggregate<In>;
export function count<In>(filter: Predicate<In> | null = null): CountAggregate<In> {
  return { kind: 'count', value: null, filter };
}

/** `count(x)`: records where `x` is not null. */
export function countNonNull<In>(value: Projection<In, unknown>, filter: Predicate<In> | null = null): CountAggregate<In> {
  return { kind: 'count', value, filter };
}

export function sum<In>(value: Projection<In, number | null | undefined>, filter: Predicate<In> | null = null): SumAggregate<In> {
  return { kind: 'sum', value, filter };
}

export function avg<In, T extends number | null | undefined>(value: Projection<In, T>): AvgAggregate<In> & Unfiltered & { readonly value: Projection<In, T> };
export function avg<In>(value: Projection<In, number | null | undefined>, filter: Predicate<In>): AvgAggregate<In>;
export function avg<In>(value: Projection<In, number | null | undefined>, filter: Predicate<In> | null = null): AvgAggregate<In> {
  return { kind: 'avg', value, filter };
}

export function min<In, T extends OrderedValue | null | undefined>(value: Projection<In, T>): MinAggregate<In, NonNullable<T>> & Unfiltered & { readonly value: Projection<In, T> };
export function min<In, T extends OrderedValue>(value: Projection<In, T | null | undefined>, filter: Predicate<In>): MinAggregate<In, T>;
export function min<In, T extends OrderedValue>(value: Projection<In, T | null | undefined>, filter: Predicate<In> | null = null): MinAggregate<In, T> {
  return { kind: 'min', value, filter };
}

export function max<In, T extends OrderedValue | null | undefined>(value: Projection<In, T>): MaxAggregate<In, NonNullable<T>> & Unfiltered & { readonly value: Projection<In, T> };
export function max<In, T extends OrderedValue>(value: Projection<In, T | null | undefined>, filter: Predicate<In>): MaxAggregate<In, T>;
export function max<In, T extends OrderedValue>(value: Projection<In, T | null | undefined>, filter: Predicate<In> | null = null): MaxAggregate<In, T> {
  return { kind: 'max', value, filter };
}

export function countDistinct<In>(value: Projection<In, DistinctValue | null | undefined>, filter: Predicate<In> | null = null): CountDistinctAggregate<In> {
  return { kind: 'count_distinct', value, filter };
}

/** HyperLogLog precision used when none is given: 2^12 registers, about 1.6 % standard error (the planner estimates state with the same figure). */
export const DEFAULT_HLL_PRECISION = 12;

export function approxCountDistinct<In>(
  value: Projection<In, DistinctValue | null | undefined>,
  filter: Predicate<In> | null = null,
  precision: number = DEFAULT_HLL_PRECISION,
): ApproxCountDistinctAggregate<In> {
  return { kind: 'approx_count_distinct', value, filter, precision };
}

/** Relative accuracy of the percentile sketch when none is given: 1 %. */
export const DEFAULT_PERCENTILE_ACCURACY = 0.01;

export function percentile<In, T extends number | null | undefined>(value: Projection<In, T>, quantile: number): PercentileAggregate<In> & Unfiltered & { readonly value: Projection<In, T> };
export function percentile<In>(value: Projection<In, number | null | undefined>, quantile: number, filter: Predicate<In>): PercentileAggregate<In>;
export function percentile<In>(value: Projection<In, number | null | undefined>, quantile: number, filter: Predicate<In> | null = null): PercentileAggregate<In> {
  return { kind: 'percentile', value, quantile, relativeAccuracy: DEFAULT_PERCENTILE_ACCURACY, filter };
}

export function topK<In, T extends DistinctValue>(value: Projection<In, T | null | undefined>, k: number, filter: Predicate<In> | null = null): TopKAggregate<In, T> {
  return { kind: 'top_k', value, k, filter };
}

export function first<In, T>(value: Projection<In, T>): FirstAggregate<In, T> & Unfiltered & { readonly value: Projection<In, T> };
export function first<In, T>(value: Projection<In, T | null | undefined>, filter: Predicate<In>): FirstAggregate<In, T>;
export function first<In, T>(value: Projection<In, T | null | undefined>, filter: Predicate<In> | null = null): FirstAggregate<In, T> {
  return { kind: 'first', value, filter };
}

export function last<In, T>(value: Projection<In, T>): LastAggregate<In, T> & Unfiltered & { readonly value: Projection<In, T> };
export function last<In, T>(value: Projection<In, T | null | undefined>, filter: Predicate<In>): LastAggregate<In, T>;
export function last<In, T>(value: Projection<In, T | null | undefined>, filter: Predicate<In> | null = null): LastAggregate<In, T> {
  return { kind: 'last', value, filter };
}

/** Records per second (or per `perMs`) over the window's size. */
export function rate<In>(filter: Predicate<In> | null = null, perMs: number = 1000): RateAggregate<In> {
  return { kind: 'rate', filter, perMs };
}

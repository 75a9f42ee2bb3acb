// One entry point from a descriptor to an accumulator, and back from a snapshot. Configuration a
// descriptor leaves out takes the classes' defaults.
import type { DistinctValue, OrderedValue } from '../api/aggregates.ts';
import { SnapshotError, type JsonValue } from './accumulator.ts';
import { ApproxCountDistinctAccumulator } from './approx-count-distinct.ts';
import { AvgAccumulator } from './avg.ts';
import { CountDistinctAccumulator } from './count-distinct.ts';
import { CountAccumulator } from './count.ts';
import type { AccumulatorDescriptor } from './descriptor.ts';
import { FirstAccumulator } from './first.ts';
import { LastAccumulator } from './last.ts';
import { MaxAccumulator } from './max.ts';
import { MinAccumulator } from './min.ts';
import { PercentileAccumulator } from './percentile.ts';
import { RateAccumulator } from './rate.ts';
import { SpaceSavingAccumulator } from './space-saving.ts';
import { SumAccumulator } from './sum.ts';
import { TopKAccumulator } from './top-k.ts';

/** The accumulator class `createAccumulator` returns for a descriptor type. */
export type AccumulatorFor<D extends AccumulatorDescriptor> = D extends { readonly kind: 'count' }
  ? CountAccumulator
  : D extends { readonly kind: 'sum' }
    ? SumAccumulator
    : D extends { readonly kind: 'avg' }
      ? AvgAccumulator
      : D extends { readonly kind: 'min' }
        ? MinAccumulator<OrderedValue>
        : D extends { readonly kind: 'max' }
          ? MaxAccumulator<OrderedValue>
          : D extends { readonly kind: 'count_distinct' }
            ? CountDistinctAccumulator<DistinctValue>
            : D extends { readonly kind: 'approx_count_distinct' }
              ? ApproxCountDistinctAccumulator<DistinctValue>
              : D extends { readonly kind: 'percentile' }
                ? PercentileAccumulator
                : D extends { readonly kind: 'top_k'; readonly capacity: number }
                  ? SpaceSavingAccumulator<DistinctValue>
                  : D extends { readonly kind: 'top_k' }
                    ? TopKAccumulator<DistinctValue> | SpaceSavingAccumulator<DistinctValue>
                    : D extends { readonly kind: 'first' }
                      ? FirstAccumulator<unknown>
                      : D extends { readonly kind: 'last' }
                        ? LastAccumulator<unknown>
                        : D extends { readonly kind: 'rate' }
                          ? RateAccumulator
                          : never;



/** Every accumulator class. */
export type SomeAccumulator = AccumulatorFor<AccumulatorDescriptor>;

export function createAccumulator<D extends AccumulatorDescriptor>(d: D): AccumulatorFor<D>;
export function createAccumulator(d: AccumulatorDescriptor): SomeAccumulator {
  switch (d.kind) {
    case 'count':
      return new CountAccumulator(d.value !== undefined && d.value !== null);
    case 'sum':
      return new SumAccumulator();
    case 'avg':
      return new AvgAccumulator();
    case 'min':
      return new MinAccumulator<OrderedValue>();
    case 'max':
      return new MaxAccumulator<OrderedValue>();
    case 'count_distinct':
      return new CountDistinctAccumulator<DistinctValue>();
    case 'approx_count_distinct':
      return new ApproxCountDistinctAccumulator<DistinctValue>(d.precision);
    case 'percentile':
      return new PercentileAccumulator(d.quantile, d.relativeAccuracy, d.maxBuckets);
    case 'top_k':
      return d.capacity === undefined ? new TopKAccumulator<DistinctValue>(d.k) : new SpaceSavingAccumulator<DistinctValue>(d.k, d.capacity);
    case 'first':
      return new FirstAccumulator<unknown>();
    case 'last':
      return new LastAccumulator<unknown>();
    case 'rate':
      return new RateAccumulator(d.windowMs, d.perMs);
  }
}

/**
 * The accumulator a snapshot of `d`'s accumulator restores to. Throws a `SnapshotError` when the
 * snapshot's configuration (precision, accuracy, k, capacity) is not the descriptor's: a sketch
 * restored under a changed configuration could not merge with fresh ones.
 */
export function restoreAccumulator<D extends AccumulatorDescriptor>(d: D, snapshot: JsonValue): AccumulatorFor<D>;
export function restoreAccumulator(d: AccumulatorDescriptor, snapshot: JsonValue): SomeAccumulator {
  const fresh = createAccumulator(d);
  const restored = restoreOf(d, snapshot);
  if (configOf(restored) !== configOf(fresh)) {
    throw new SnapshotError(d.kind, `configuration ${configOf(restored)} differs from the descriptor's ${configOf(fresh)}`);
  }
  return restored;
}

function restoreOf(d: AccumulatorDescriptor, snapshot: JsonValue): SomeAccumulator {
  switch (d.kind) {
    case 'count':
      return CountAccumulator.restore(snapshot, d.value !== undefined && d.value !== null);
    case 'sum':
      return SumAccumulator.restore(snapshot);
    case 'avg':
      return AvgAccumulator.restore(snapshot);
    case 'min':
      return MinAccumulator.restore<OrderedValue>(snapshot);
    case 'max':
      return MaxAccumulator.restore<OrderedValue>(snapshot);
    case 'count_distinct':
      return CountDistinctAccumulator.restore<DistinctValue>(snapshot);
    case 'approx_count_distinct':
      return ApproxCountDistinctAccumulator.restore<DistinctValue>(snapshot);
    case 'percentile':
      return PercentileAccumulator.restore(snapshot);
    case 'top_k':
      return d.capacity === undefined ? TopKAccumulator.restore<DistinctValue>(snapshot) : SpaceSavingAccumulator.restore<DistinctValue>(snapshot);
    case 'first':
      return FirstAccumulator.restore<unknown>(snapshot);
    case 'last':
      return LastAccumulator.restore<unknown>(snapshot);
    case 'rate':
      return RateAccumulator.restore(snapshot);
  }
}

/** The configuration that must match for two accumulators of one kind to merge. */
function configOf(acc: SomeAccumulator): string {
  switch (acc.kind) {
    case 'approx_count_distinct':
      return `precision ${acc.precision}`;
    case 'percentile':
      return `accuracy ${acc.relativeAccuracy}, ${acc.maxBuckets} buckets, quantile ${acc.quantile}`;
    case 'top_k':
      return acc instanceof SpaceSavingAccumulator ? `k ${acc.k}, capacity ${acc.capacity}` : `k ${acc.k}`;
    case 'rate':
      return `window ${acc.windowMs} ms, per ${acc.perMs} ms`;
    default:
      return acc.kind;
  }
}

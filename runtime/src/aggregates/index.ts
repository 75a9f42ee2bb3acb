// Mergeable aggregate states: one accumulator class per aggregate kind, a factory from descriptors,
// and the snapshot/restore pair checkpoints use. See README.md.
export { type Accumulator, type AnyAccumulator, type JsonValue, SnapshotError } from './accumulator.ts';
export type { AccumulatorDescriptor } from './descriptor.ts';
export { createAccumulator, restoreAccumulator, type AccumulatorFor, type SomeAccumulator } from './factory.ts';
export { compareValues } from './codec.ts';

export { CountAccumulator } from './count.ts';
export { SumAccumulator } from './sum.ts';
export { AvgAccumulator } from './avg.ts';
export { MinAccumulator } from './min.ts';
export { MaxAccumulator } from './max.ts';
export { CountDistinctAccumulator } from './count-distinct.ts';
// (The default HLL precision is not re-exported: the runtime API has its own DEFAULT_HLL_PRECISION,
// see README.md.)
export { ApproxCountDistinctAccumulator, MAX_HLL_PRECISION, MIN_HLL_PRECISION, hllStandardError } from './approx-count-distinct.ts';
export { PercentileAccumulator, DEFAULT_MAX_BUCKETS, quantileRank } from './percentile.ts';
export { TopKAccumulator } from './top-k.ts';
export { SpaceSavingAccumulator, SPACE_SAVING_COUNTERS_PER_K, type SpaceSavingCounter } from './space-saving.ts';
export { FirstAccumulator } from './first.ts';
export { LastAccumulator } from './last.ts';
export { RateAccumulator } from './rate.ts';

// The shapes of the functions generated code hands to the runtime.
//
// They are declared through a method signature on purpose: TypeScript checks method parameters
// bivariantly, so a `Predicate<AnalyticsEvent>` is assignable to `Predicate<unknown>`. That is what
// lets a typed node (`FilterNode<PageViewsRecord>`) sit in the one heterogeneous `Topology.nodes`
// list without `any` or casts. Where a node is declared, its functions are still checked strictly
// against the record types the emitter wrote.

/** `where cond`, `having cond`, a pattern step, `until cond`. */
export type Predicate<T> = { check(value: T): boolean }['check'];

/** `derive`, a group key, a measure row: one value from another. */
export type Projection<In, Out> = { project(value: In): Out }['project'];

/** A partition or state key, encoded as a string (composite keys as a JSON array). */
export type KeyExtractor<T> = { key(value: T): string }['key'];

/** The event time of a record, in epoch milliseconds. */
export type TimestampExtractor<T> = { timestamp(value: T): number }['timestamp'];

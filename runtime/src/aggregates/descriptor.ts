// What `createAccumulator` needs to know about an aggregate: its kind and configuration. This is the
// runtime API's `AggregateDescriptor` (runtime/src/api/aggregates.ts) without the parts the caller
// handles (the projection reading the input and the `where` filter), with defaults for the
// configuration fields and a few runtime-only extras. A full API descriptor is accepted as is.
import type {
  AggregateDescriptor,
  AggregateKind,
  ApproxCountDistinctAggregate,
  PercentileAggregate,
  RateAggregate,
  TopKAggregate,
  DistinctValue,
} from '../api/aggregates.ts';

type Config<D> = Omit<D, 'value' | 'filter'>;
type Loose<D, K extends keyof D> = Omit<D, K> & { readonly [P in K]?: D[P] };
type OfKind<K extends AggregateKind> = Config<Extract<AggregateDescriptor<never>, { readonly kind: K }>>;

export type AccumulatorDescriptor =
  /** `value`: present and non-null for `count(x)`, which skips null inputs. */
  | (OfKind<'count'> & { readonly value?: unknown })
  | OfKind<'sum'>
  | OfKind<'avg'>
  | OfKind<'min'>
  | OfKind<'max'>
  | OfKind<'count_distinct'>
  /** `precision` defaults to 12. */
  | Loose<Config<ApproxCountDistinctAggregate<never>>, 'precision'>
  /** `relativeAccuracy` defaults to 1 %; `maxBuckets` (per sign) to 2048. */
  | (Loose<Config<PercentileAggregate<never>>, 'relativeAccuracy'> & { readonly maxBuckets?: number })
  /** With `capacity`: the bounded Space-Saving summary with that many counters; without: exact. */
  | (Config<TopKAggregate<never, DistinctValue>> & { readonly capacity?: number })
  | OfKind<'first'>
  | OfKind<'last'>
  /** `perMs` defaults to 1000 (per second); `windowMs` may instead be given to `result()`. */
  | (Loose<Config<RateAggregate<never>>, 'perMs'> & { readonly windowMs?: number });

// How the records of a stream are spread over partitions at some point of the plan, and when a
// keyed operator can consume them as they are.
//
// Keys are compared by their canonical rendering (render-expr.ts) in the namespace of the record
// at that point: `userId` after a source keyed by `userId`, `country` after an aggregate grouped
// `… as country`.

export type Partitioning =
  /** Records with equal values of `keys` are in the same partition. */
  | {
      readonly kind: 'hash';
      readonly keys: readonly string[];
      /** The field names the keys read (`sessionData` for `sessionData?.country ?? "??"`). */
      readonly roots: readonly string[];
    }
  /** Spread in some way the planner cannot use (unkeyed source, key field overwritten, mixed union). */
  | { readonly kind: 'arbitrary' }
  /** Everything in one partition (the output of a global `final` stage). */
  | { readonly kind: 'single' };

export const ARBITRARY: Partitioning = { kind: 'arbitrary' };
export const SINGLE: Partitioning = { kind: 'single' };

export function hashed(keys: readonly string[], roots: readonly string[]): Partitioning {
  return { kind: 'hash', keys, roots };
}

/**
 * Whether records partitioned by `current` can feed an operator that needs all records of each
 * `required` key tuple in one place. Hash partitioning by a subset of the group keys is enough:
 * records equal on every group key are equal on the subset, so they already share a partition
 * (`group by userId, country` on a stream keyed by `userId` needs no shuffle). One partition
 * holding everything satisfies any requirement.
 */
export function satisfies(current: Partitioning, required: readonly string[]): boolean {
  if (current.kind === 'single') return true;
  if (current.kind === 'arbitrary' || current.keys.length === 0) return false;
  return current.keys.every((k) => required.includes(k));
}

/** After `derive a = …`: a partitioning on a key that reads an overwritten field no longer describes the records. */
export function afterDerive(current: Partitioning, derived: ReadonlySet<string>): Partitioning {
  if (current.kind !== 'hash') return current;
  return current.roots.some((root) => derived.has(root)) ? ARBITRARY : current;
}

/** A union keeps the partitioning its inputs share (same keys, same partition count), else none. */
export function ofUnion(inputs: readonly { readonly partitioning: Partitioning; readonly partitions: number | null }[]): Partitioning {
  const [first, ...rest] = inputs;
  if (first === undefined) return ARBITRARY;
  const same = rest.every((i) => samePartitioning(i.partitioning, first.partitioning) && i.partitions === first.partitions);
  return same ? first.partitioning : ARBITRARY;
}

export function samePartitioning(a: Partitioning, b: Partitioning): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind !== 'hash' || b.kind !== 'hash') return true;
  return a.keys.length === b.keys.length && a.keys.every((k, i) => k === b.keys[i]);
}

export function describePartitioning(p: Partitioning): string {
  switch (p.kind) {
    case 'hash':
      return `by ${p.keys.join(', ')}`;
    case 'arbitrary':
      return 'without a usable key';
    case 'single':
      return 'into one partition';
  }
}

// Small helpers shared by the window operators: time arithmetic, timer naming, watermark routing,
// state-store plumbing and the options every window processor takes.
import type { JsonValue } from '../../aggregates/index.ts';
import { decodeNumber, decodeValue, encodeNumber, encodeValue, type EncodedNumber } from '../../aggregates/codec.ts';
import type { OperatorCheckpoint } from '../../api/processor.ts';
import type { StateEntry, StateKey, StateSnapshot, StateStore, StateStoreSpec } from '../../api/state.ts';
import type { DurationMillis, EpochMillis, Timer, Watermark } from '../../api/time.ts';

/** Options of the window processors; everything has a default. */
export interface WindowProcessorOptions {
  /**
   * Final phase in processing time only: how long after a window's end the final waits for the
   * partials of all partitions before it fires (partials ship when their own clock passes the
   * window's end). Default 1000 ms.
   */
  readonly processingGraceMs?: DurationMillis;
  /**
   * Final phase in processing time only: how long a fired window is kept so that a partial arriving
   * after the firing still updates it (the row is emitted again with the same bounds). Default: the
   * window's size.
   */
  readonly processingRetentionMs?: DurationMillis;
}

/** Timer tags (`Timer.tag`); a timer's `key` is the partition number as text. */
export const TIMER_WINDOW_END = 'window-end';
export const TIMER_EARLY_FIRING = 'early-firing';
export const TIMER_SESSION_GAP = 'session-gap';

/** The largest multiple of `unit` that is `<= t` (`unit > 0`, `t` finite). */
export function floorTo(t: number, unit: number): number {
  return t - (((t % unit) + unit) % unit);
}

/** The smallest multiple of `unit` that is `>= t`. */
export function ceilTo(t: number, unit: number): number {
  const f = floorTo(t, unit);
  return f === t ? t : f + unit;
}

/** The next early-firing tick strictly after `now`: ticks are aligned to the epoch, so a restored operator ticks when the original would have. */
export function nextTick(now: EpochMillis, intervalMs: DurationMillis): EpochMillis {
  return floorTo(now, intervalMs) + intervalMs;
}

export function timerPartition(timer: Timer): number {
  return Number(timer.key);
}

/**
 * The owned partitions a watermark applies to: its own partition, or all of them for a combined
 * watermark (`partition === null`).
 */
export function watermarkTargets<S>(watermark: Watermark, states: ReadonlyMap<number, S>): S[] {
  if (watermark.partition === null) return [...states.values()];
  const s = states.get(watermark.partition);
  return s === undefined ? [] : [s];
}

export function storeSpec(changelogTopic: string, name: string): StateStoreSpec {
  return { name, changelogTopic };
}

/** The snapshot of store `name` in a checkpoint, if it has one. */
export function storeSnapshotOf<V>(checkpoint: OperatorCheckpoint, name: string): StateSnapshot<V> | undefined {
  const found = checkpoint.stores.find((s) => s.store === name);
  return found as StateSnapshot<V> | undefined;
}

/** Replaces the content of a store with `entries` (hot state written out for a checkpoint). */
export function rewriteStore<V>(store: StateStore<V>, entries: Iterable<StateEntry<V>>): void {
  const stale: StateKey[] = [];
  for (const e of store.scan()) stale.push(e.key);
  for (const key of stale) store.delete(key);
  for (const e of entries) store.put(e.key, e.value);
}

/** Entries of a store in key order, copied out (so the caller may modify the store meanwhile). */
export function entriesOf<V>(store: StateStore<V>): StateEntry<V>[] {
  return [...store.scan()];
}

/** Numbers that may be ±Infinity (watermarks), JSON-safe. */
export function encodeTime(t: number): EncodedNumber {
  return encodeNumber(t);
}

export function decodeTime(j: JsonValue | undefined): number {
  return decodeNumber(j, 'window state', 'time');
}

/** Group-key records (scalars, records of scalars), JSON-safe and lossless. */
export function encodeKey(key: unknown): JsonValue {
  return encodeValue(key);
}

export function decodeKey<Key>(j: JsonValue): Key {
  return decodeValue(j, 'window state') as Key;
}

/** Throws on a malformed stored entry: a checkpoint that does not belong to this operator. */
export function corrupt(what: string): never {
  throw new Error(`window state: malformed ${what}`);
}

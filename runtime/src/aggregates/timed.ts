// What first and last share: the kept record (value, event time, arrival seq) and its snapshot.
import type { JsonValue } from './accumulator.ts';
import { decodeNumber, decodeValue, encodeNumber, encodeValue, expectObject } from './codec.ts';

/** Shared by first and last: the kept record, or `has = false`. */
export interface TimedValue<T> {
  value: T | undefined;
  time: number;
  seq: number;
  has: boolean;
}

/** `null` when empty, else `{ v: value, t: time, s: seq }` (the value through `encodeValue`). */
export function snapshotTimed<T>(state: TimedValue<T>): JsonValue {
  return state.has ? { v: encodeValue(state.value), t: encodeNumber(state.time), s: encodeNumber(state.seq) } : null;
}

export function restoreTimed<T>(state: TimedValue<T>, snapshot: JsonValue, kind: string): void {
  if (snapshot === null) return;
  const o = expectObject(snapshot, kind);
  state.value = decodeValue(o.v ?? null, kind) as T;
  state.time = decodeNumber(o.t, kind, 'time');
  state.seq = decodeNumber(o.s, kind, 'seq');
  state.has = true;
}

export function copyTimed<T>(from: TimedValue<T>, to: TimedValue<T>): void {
  to.value = from.value;
  to.time = from.time;
  to.seq = from.seq;
  to.has = from.has;
}

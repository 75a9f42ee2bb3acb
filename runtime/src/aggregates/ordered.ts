// What min and max share: the state shape (a number and a string side by side, so numeric columns
// never box into a polymorphic field) and its snapshot. Numbers order before strings; a column is
// one type in practice, the order only makes a mixed one deterministic.
import type { JsonValue } from './accumulator.ts';
import { decodeNumber, encodeNumber, expectObject, expectString } from './codec.ts';

export interface OrderedState {
  num: number;
  hasNum: boolean;
  str: string;
  hasStr: boolean;
}

/** `null` when empty, else `{ n?: number, s?: string }`. */
export function snapshotOrdered(state: OrderedState): JsonValue {
  if (!state.hasNum && !state.hasStr) return null;
  const out: Record<string, JsonValue> = {};
  if (state.hasNum) out.n = encodeNumber(state.num);
  if (state.hasStr) out.s = state.str;
  return out;
}

export function restoreOrdered(state: OrderedState, snapshot: JsonValue, kind: string): void {
  if (snapshot === null) return;
  const o = expectObject(snapshot, kind);
  if (o.n !== undefined) {
    state.num = decodeNumber(o.n, kind, 'number');
    state.hasNum = true;
  }
  if (o.s !== undefined) {
    state.str = expectString(o.s, kind, 'string');
    state.hasStr = true;
  }
}

export function copyOrdered(from: OrderedState, to: OrderedState): void {
  to.num = from.num;
  to.hasNum = from.hasNum;
  to.str = from.str;
  to.hasStr = from.hasStr;
}

export const ORDERED_FIELDS = 4;

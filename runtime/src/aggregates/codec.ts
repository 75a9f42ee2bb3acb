// Snapshot encoding helpers shared by the accumulators, and the one total order on values that
// makes ties deterministic (top-k ordering, first/last exact ties).
//
// JSON loses some numbers: `JSON.stringify` writes NaN and ±Infinity as `null` and -0 as `0`.
// Fields known to hold a number use `encodeNumber` (those four as strings); values of any type use
// `encodeValue`, which tags them as `{ "$n": "NaN" }` and wraps plain objects as `{ "$o": … }` so a
// tag can never be confused with a user's object.
import { SnapshotError, type JsonValue } from './accumulator.ts';

export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

export function encodeNumber(x: number): EncodedNumber {
  if (Number.isFinite(x)) return x === 0 && 1 / x < 0 ? '-0' : x;
  if (Number.isNaN(x)) return 'NaN';
  return x > 0 ? 'Infinity' : '-Infinity';
}

export function decodeNumber(j: JsonValue | undefined, kind: string, what: string): number {
  if (typeof j === 'number') return j;
  switch (j) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
  }
  throw new SnapshotError(kind, `${what} is not a number`);
}

/** Encodes any value a projection may produce (scalars, lists, records) losslessly as JSON. */
export function encodeValue(v: unknown): JsonValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) && !(v === 0 && 1 / v < 0) ? v : { $n: encodeNumber(v) };
    case 'undefined':
      return { $u: true };
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(encodeValue);
      const fields: Record<string, JsonValue> = {};
      for (const [key, field] of Object.entries(v)) fields[key] = encodeValue(field);
      return { $o: fields };
    }
    default:
      throw new TypeError(`cannot snapshot a ${typeof v} value`);
  }
}

export function decodeValue(j: JsonValue, kind: string): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map((item: JsonValue) => decodeValue(item, kind));
  const tagged = j as { readonly [key: string]: JsonValue };
  if ('$n' in tagged) return decodeNumber(tagged.$n, kind, 'value');
  if ('$u' in tagged) return undefined;
  const fields = tagged.$o;
  if (fields !== undefined && fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields as { readonly [key: string]: JsonValue })) out[key] = decodeValue(field, kind);
    return out;
  }
  throw new SnapshotError(kind, 'unknown value tag');
}

// Type ranks of the order below (plain constants, not an enum: the runtime stays erasable TypeScript).
const NULLISH = 0;
const BOOLEAN = 1;
const NUMBER = 2;
const STRING = 3;
const OTHER = 4;

function rankOf(v: unknown): number {
  switch (typeof v) {
    case 'boolean':
      return BOOLEAN;
    case 'number':
      return NUMBER;
    case 'string':
      return STRING;
    case 'undefined':
      return NULLISH;
    default:
      return v === null ? NULLISH : OTHER;
  }
}

/**
 * A total order on values: null/undefined < false < true < numbers (ascending, -0 equal to 0 as in
 * a `Set`, NaN last) < strings (by UTF-16 code units) < anything else (by its encoded JSON text).
 */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case NULLISH:
      return 0;
    case BOOLEAN:
      return a === b ? 0 : a ? 1 : -1;
    case NUMBER: {
      const x = a as number;
      const y = b as number;
      if (x < y) return -1;
      if (x > y) return 1;
      if (x === y) return 0;
      return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    }
    case STRING:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    default: {
      const ta = JSON.stringify(encodeValue(a));
      const tb = JSON.stringify(encodeValue(b));
      return ta === tb ? 0 : ta < tb ? -1 : 1;
    }
  }
}

// ───────────────────────────── snapshot reading ─────────────────────────────

export function expectObject(j: JsonValue | undefined, kind: string): { readonly [key: string]: JsonValue } {
  if (j === null || j === undefined || typeof j !== 'object' || Array.isArray(j)) throw new SnapshotError(kind, 'expected an object');
  return j as { readonly [key: string]: JsonValue };
}

export function expectArray(j: JsonValue | undefined, kind: string, what: string): readonly JsonValue[] {
  if (!Array.isArray(j)) throw new SnapshotError(kind, `${what} is not an array`);
  return j as readonly JsonValue[];
}

/** A non-negative count: an integer below 2^53. */
export function expectCount(j: JsonValue | undefined, kind: string, what: string): number {
  if (typeof j !== 'number' || !Number.isSafeInteger(j) || j < 0) throw new SnapshotError(kind, `${what} is not a count`);
  return j;
}

export function expectString(j: JsonValue | undefined, kind: string, what: string): string {
  if (typeof j !== 'string') throw new SnapshotError(kind, `${what} is not a string`);
  return j;
}

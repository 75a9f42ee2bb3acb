// Plan-time estimates of operator state, for capacity planning and `flowc explain`.
//
// These are orders of magnitude resting on stated assumptions (ASSUMPTIONS below), not
// measurements. Every estimate carries the formula it was computed with and the assumptions it
// used, so a reader can redo it with their own numbers.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { RecordType, Type } from '../2-analyze/types.ts';
import { formatBytes, formatCount } from './format.ts';
import type { AggregateKind, StateEstimate } from './plan.ts';
import { numericArg } from './aggregates.ts';

export const ASSUMPTIONS = {
  /** Live keys of a keyed operator whose key space is unbounded (a string or number key). */
  keyedKeys: 1_000_000,
  /** Average in-memory size of a string value (V8 string header plus ~16 one-byte characters). */
  stringBytes: 40,
  /** A number, timestamp, duration, boolean or enum member. */
  scalarBytes: 8,
  /** Elements assumed in a list value. */
  listElements: 4,
  /** Per window (or pane) bookkeeping: its start/end. */
  windowOverheadBytes: 16,
  /** Exact distinct: one hash-set entry per distinct value. */
  distinctEntryBytes: 40,
  /** Distinct values of an unbounded field inside one window of a global aggregate. */
  distinctValuesGlobal: 1_000_000,
  /** Distinct values of an unbounded field inside one window of one key of a keyed aggregate. */
  distinctValuesPerKey: 100,
  /** HyperLogLog precision: 2^12 one-byte registers = 4 KiB, standard error 1.04/√4096 ≈ 1.6 %. */
  hllPrecision: 12,
  /**
   * A mergeable quantile sketch (DDSketch-like, 1 % relative accuracy): ~1,024 buckets of 8 B
   * cover eight orders of magnitude of values.
   */
  quantileSketchBytes: 8192,
  /** top-k keeps a space-saving summary of this many counters per requested k. */
  topKCountersPerK: 10,
  /** Per counter bookkeeping of top-k (count and error bound). */
  topKCounterBytes: 16,
  /** Events a pattern step with an unbounded quantifier (`+`, `*`, `{n,}`) is assumed to collect. */
  unboundedStepEvents: 100,
  /** Per partial match bookkeeping of the NFA: state index, start time, timer. */
  patternRunOverheadBytes: 32,
} as const;

export type TypeOf = (expr: ast.Expr) => Type | undefined;

/** In-memory size of one value of `type` (unknown types count as strings: the larger guess). */
export function valueBytes(type: Type | undefined): number {
  if (type === undefined) return ASSUMPTIONS.stringBytes;
  switch (type.kind) {
    case 'primitive':
      return type.name === 'string' ? ASSUMPTIONS.stringBytes : ASSUMPTIONS.scalarBytes;
    case 'enum':
    case 'null':
      return ASSUMPTIONS.scalarBytes;
    case 'record':
      return recordBytes(type);
    case 'list':
      return ASSUMPTIONS.listElements * valueBytes(type.element);
    case 'error':
      return ASSUMPTIONS.stringBytes;
  }
}

export function recordBytes(record: RecordType): number {
  return record.fields.reduce((sum, f) => sum + valueBytes(f.type), 0);
}

/** How many distinct values a type can take, or `null` when unbounded. */
export function domainSize(type: Type | undefined): number | null {
  if (type === undefined) return null;
  if (type.kind === 'enum') return type.members.length;
  if (type.kind === 'primitive' && type.name === 'bool') return 2;
  if (type.kind === 'null') return 1;
  return null;
}

export interface AccumulatorSize {
  readonly bytes: number;
  /** How the number was reached: `count 8 B`, `count_distinct 40 B × 1,000,000 values`. */
  readonly formula: string;
}

/**
 * The accumulator of one aggregate call for one window (or pane) of one key. `valueShare` > 1 when
 * a partial stage's input is partitioned by the very value counted distinct: each partition then
 * sees only its share of the values.
 */
export function accumulatorSize(kind: AggregateKind, call: ast.CallExpr, typeOf: TypeOf, keyed: boolean, valueShare = 1): AccumulatorSize {
  const arg = call.args[0];
  const argType = arg === undefined ? undefined : typeOf(arg);
  const fixed = (bytes: number): AccumulatorSize => ({ bytes, formula: `${kind} ${formatBytes(bytes)}` });
  switch (kind) {
    case 'count':
    case 'rate':
    case 'sum':
      return fixed(8);
    case 'avg':
      return fixed(16);
    case 'min':
    case 'max':
      return fixed(valueBytes(argType));
    case 'first':
    case 'last':
      return fixed(valueBytes(argType) + ASSUMPTIONS.scalarBytes); // the value and its timestamp
    case 'approx_count_distinct':
      return fixed(2 ** ASSUMPTIONS.hllPrecision);
    case 'percentile':
      return fixed(ASSUMPTIONS.quantileSketchBytes);
    case 'count_distinct': {
      const values = Math.ceil(distinctValues(argType, keyed) / Math.max(1, valueShare));
      const bytes = values * ASSUMPTIONS.distinctEntryBytes;
      const share = valueShare > 1 ? ` (1/${valueShare} of them per partition)` : '';
      return { bytes, formula: `count_distinct ${ASSUMPTIONS.distinctEntryBytes} B × ${formatCount(values)} values${share}` };
    }
    case 'top_k': {
      const k = Math.max(1, Math.round(numericArg(call, 1, 10)));
      const counters = k * ASSUMPTIONS.topKCountersPerK;
      const per = valueBytes(argType) + ASSUMPTIONS.topKCounterBytes;
      return { bytes: counters * per, formula: `top_k ${formatCount(counters)} counters × ${per} B` };
    }
  }
}

/** Distinct values expected in one window of one key (bounded by the type's domain). */
export function distinctValues(type: Type | undefined, keyed: boolean): number {
  const assumed = keyed ? ASSUMPTIONS.distinctValuesPerKey : ASSUMPTIONS.distinctValuesGlobal;
  const domain = domainSize(type);
  return domain === null ? assumed : Math.min(domain, assumed);
}

/** Live keys for group keys of these types: the product of bounded domains, else the default. */
export function expectedKeys(keyTypes: readonly (Type | undefined)[]): { keys: number; assumed: boolean } {
  let product = 1;
  for (const type of keyTypes) {
    const domain = domainSize(type);
    if (domain === null) return { keys: ASSUMPTIONS.keyedKeys, assumed: true };
    product *= domain;
  }
  return { keys: Math.min(product, ASSUMPTIONS.keyedKeys), assumed: false };
}

export interface WindowStateInput {
  readonly accumulators: readonly AccumulatorSize[];
  /** Windows (or panes) held per key at once. */
  readonly instances: number;
  /** What one of `instances` is: `open window`, `retained pane`, `open session` (pluralised here). */
  readonly instanceLabel: string;
  readonly keyBytes: number;
  readonly keys: number;
  readonly keysLabel: string;
  readonly assumptions: readonly string[];
}

export function windowStateEstimate(input: WindowStateInput): StateEstimate {
  const perInstance = input.accumulators.reduce((s, a) => s + a.bytes, 0) + ASSUMPTIONS.windowOverheadBytes;
  const bytesPerKey = perInstance * input.instances + input.keyBytes;
  const totalBytes = bytesPerKey * input.keys;
  const parts = [...input.accumulators.map((a) => a.formula), `window ${ASSUMPTIONS.windowOverheadBytes} B`];
  const formula =
    `(${parts.join(' + ')}) = ${formatBytes(perInstance)} × ${countOf(input.instances, input.instanceLabel)}` +
    (input.keyBytes > 0 ? ` + key ${formatBytes(input.keyBytes)}` : '') +
    ` = ${formatBytes(bytesPerKey)}/key × ${countOf(input.keys, input.keysLabel)} = ${formatBytes(totalBytes)}`;
  return { bytesPerKey, expectedKeys: input.keys, totalBytes, formula, assumptions: input.assumptions };
}

/** `1 open window`, `7 retained panes`, `12 partitions`, `1 key (global)`: the label is singular. */
export function countOf(n: number, singular: string): string {
  if (n === 1) return `1 ${singular}`;
  const [word = '', ...rest] = singular.split(' (');
  const words = word.split(' ');
  const last = words.pop() ?? '';
  const plural = [...words, last.endsWith('s') ? last : `${last}s`].join(' ');
  return `${formatCount(n)} ${plural}${rest.length > 0 ? ` (${rest.join(' (')}` : ''}`;
}

export interface PatternStateInput {
  /** Per non-negated step: events it may hold. */
  readonly steps: readonly { readonly name: string; readonly events: number }[];
  readonly eventBytes: number;
  readonly keyBytes: number;
  readonly keys: number;
  readonly keysLabel: string;
  readonly assumptions: readonly string[];
}

/** One partial match per key (a new match for a key starts once the previous one ends or expires). */
export function patternStateEstimate(input: PatternStateInput): StateEstimate {
  const events = input.steps.reduce((s, step) => s + step.events, 0);
  const perRun = events * input.eventBytes + ASSUMPTIONS.patternRunOverheadBytes;
  const bytesPerKey = perRun + input.keyBytes;
  const totalBytes = bytesPerKey * input.keys;
  const stepText = input.steps.map((s) => `${s.name} ${formatCount(s.events)}`).join(' + ') || '0';
  const formula =
    `(${stepText}) events × ${formatBytes(input.eventBytes)} + run ${ASSUMPTIONS.patternRunOverheadBytes} B` +
    ` + key ${formatBytes(input.keyBytes)} = ${formatBytes(bytesPerKey)}/key × ${countOf(input.keys, input.keysLabel)}` +
    ` = ${formatBytes(totalBytes)}`;
  return { bytesPerKey, expectedKeys: input.keys, totalBytes, formula, assumptions: input.assumptions };
}

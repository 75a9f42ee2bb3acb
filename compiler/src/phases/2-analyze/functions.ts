// The builtin functions: scalar functions (usable in any expression) and aggregate functions
// (only in aggregate measures and `having`). The emitter implements exactly these.
import { isScalar, isPrimitive } from './typeops.ts';
import { DURATION, ERROR, FLOAT, INT, STRING, TIMESTAMP, isNumeric, type Type } from './types.ts';

export interface Param {
  readonly name: string;
  /** For messages: "a string", "a number". */
  readonly expected: string;
  readonly accepts: (type: Type) => boolean;
}

export interface ScalarFunction {
  readonly name: string;
  readonly signature: string;
  readonly description: string;
  /** Required parameters come first; `optionalFrom` is the index of the first optional one. */
  readonly params: readonly Param[];
  readonly optionalFrom?: number;
  /** The last parameter repeats. */
  readonly variadic?: boolean;
  /** The result type from the (well-typed, non-error) argument types. */
  readonly result: (args: readonly Type[]) => Type;
}

const numberParam = (name: string): Param => ({ name, expected: 'a number (int or float)', accepts: isNumeric });
const stringParam = (name: string): Param => ({ name, expected: 'a string', accepts: (t) => isPrimitive(t, 'string') });
const intParam = (name: string): Param => ({ name, expected: 'an int', accepts: (t) => isPrimitive(t, 'int') });
const timestampParam = (name: string): Param => ({ name, expected: 'a timestamp', accepts: (t) => isPrimitive(t, 'timestamp') });
const durationParam = (name: string): Param => ({ name, expected: 'a duration', accepts: (t) => isPrimitive(t, 'duration') });
const scalarParam = (name: string): Param => ({ name, expected: 'a scalar value', accepts: (t) => isScalar(t) });

const sameAsFirst = (args: readonly Type[]): Type => args[0] ?? ERROR;
const always =
  (type: Type) =>
  (): Type =>
    type;

const scalarList: readonly ScalarFunction[] = [
  {
    name: 'if',
    signature: 'if(cond: bool, then: T, else: T) → T',
    description: '`then` when `cond` holds, else `else`; the branches share one type (int and float unify to float).',
    params: [
      { name: 'cond', expected: 'a bool', accepts: (t) => isPrimitive(t, 'bool') },
      { name: 'then', expected: 'a value', accepts: (t) => t.kind !== 'null' },
      { name: 'else', expected: 'a value', accepts: () => true },
    ],
    result: (args) => args[1] ?? ERROR,
  },
  { name: 'lower', signature: 'lower(s: string) → string', description: 'Lower-cased string.', params: [stringParam('s')], result: always(STRING) },
  { name: 'upper', signature: 'upper(s: string) → string', description: 'Upper-cased string.', params: [stringParam('s')], result: always(STRING) },
  { name: 'trim', signature: 'trim(s: string) → string', description: 'String without leading and trailing whitespace.', params: [stringParam('s')], result: always(STRING) },
  {
    name: 'length',
    signature: 'length(x: string | T[]) → int',
    description: 'Length of a string (UTF-16 units) or a list.',
    params: [{ name: 'x', expected: 'a string or a list', accepts: (t) => isPrimitive(t, 'string') || t.kind === 'list' }],
    result: always(INT),
  },
  {
    name: 'concat',
    signature: 'concat(s: string, ...) → string',
    description: 'The strings joined together.',
    params: [stringParam('s')],
    variadic: true,
    result: always(STRING),
  },
  {
    name: 'substring',
    signature: 'substring(s: string, start: int, length?: int) → string',
    description: 'The part of `s` from index `start` (0-based), `length` characters long or to the end.',
    params: [stringParam('s'), intParam('start'), intParam('length')],
    optionalFrom: 2,
    result: always(STRING),
  },
  { name: 'abs', signature: 'abs(x: number) → number', description: 'Absolute value (int stays int).', params: [numberParam('x')], result: sameAsFirst },
  { name: 'round', signature: 'round(x: number) → int', description: 'Nearest integer (halves away from zero).', params: [numberParam('x')], result: always(INT) },
  { name: 'floor', signature: 'floor(x: number) → int', description: 'Largest integer not above `x`.', params: [numberParam('x')], result: always(INT) },
  { name: 'ceil', signature: 'ceil(x: number) → int', description: 'Smallest integer not below `x`.', params: [numberParam('x')], result: always(INT) },
  { name: 'sqrt', signature: 'sqrt(x: number) → float', description: 'Square root.', params: [numberParam('x')], result: always(FLOAT) },
  { name: 'pow', signature: 'pow(x: number, y: number) → float', description: '`x` to the power `y`.', params: [numberParam('x'), numberParam('y')], result: always(FLOAT) },
  {
    name: 'to_string',
    signature: 'to_string(x: scalar) → string',
    description: 'Text form of a value: numbers in JavaScript notation, timestamps in ISO 8601, durations as written (`5s`), enum members by name.',
    params: [scalarParam('x')],
    result: always(STRING),
  },
  { name: 'to_int', signature: 'to_int(x: number) → int', description: 'Truncates toward zero.', params: [numberParam('x')], result: always(INT) },
  { name: 'to_float', signature: 'to_float(x: number) → float', description: 'The number as a float.', params: [numberParam('x')], result: always(FLOAT) },
  { name: 'now', signature: 'now() → timestamp', description: 'The current processing time.', params: [], result: always(TIMESTAMP) },
  {
    name: 'millis',
    signature: 'millis(x: timestamp | duration) → int',
    description: 'Epoch milliseconds of a timestamp, or the length of a duration in milliseconds.',
    params: [{ name: 'x', expected: 'a timestamp or a duration', accepts: (t) => isPrimitive(t, 'timestamp', 'duration') }],
    result: always(INT),
  },
  { name: 'seconds', signature: 'seconds(d: duration) → float', description: 'Length of a duration in seconds.', params: [durationParam('d')], result: always(FLOAT) },
  { name: 'from_millis', signature: 'from_millis(ms: int) → timestamp', description: 'The timestamp `ms` milliseconds after the epoch.', params: [intParam('ms')], result: always(TIMESTAMP) },
  { name: 'hour_of_day', signature: 'hour_of_day(t: timestamp) → int', description: 'Hour 0–23 of a timestamp, in UTC.', params: [timestampParam('t')], result: always(INT) },
  { name: 'day_of_week', signature: 'day_of_week(t: timestamp) → int', description: 'Day 1 (Monday) – 7 (Sunday) of a timestamp, in UTC.', params: [timestampParam('t')], result: always(INT) },
];

export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunction> = new Map(scalarList.map((f) => [f.name, f]));

// ───────────────────────────── aggregate functions ─────────────────────────────

/** A literal second argument: `percentile(x, 0.95)`, `top_k(x, 10)`. */
export type AggregateParameter = 'fraction' | 'count';

export interface AggregateFunction {
  readonly name: string;
  readonly signature: string;
  readonly description: string;
  /** The aggregated value (argument 1); `null` when the function takes none (`rate()`). Nulls are skipped. */
  readonly value: Param | null;
  /** Whether the value argument may be left out (`count()`). */
  readonly valueOptional?: boolean;
  readonly parameter?: AggregateParameter;
  readonly result: (value: Type | null) => Type;
  /**
   * Whether the result is null when nothing was aggregated. A window holds at least one event, so
   * this matters only with a `where` filter or a nullable value.
   */
  readonly nullWhenEmpty: boolean;
}

const numericOrDuration: Param = {
  name: 'x',
  expected: 'a number or a duration',
  accepts: (t) => isNumeric(t) || isPrimitive(t, 'duration'),
};
const orderedValue: Param = {
  name: 'x',
  expected: 'a number, a timestamp or a duration',
  accepts: (t) => isNumeric(t) || isPrimitive(t, 'timestamp', 'duration'),
};
const anyValue: Param = { name: 'x', expected: 'a value', accepts: (t) => t.kind !== 'null' };
const scalarValue: Param = { name: 'x', expected: 'a scalar value (not a record or list)', accepts: isScalar };

/** avg and percentile: numbers average to float, durations to duration. */
const meanType = (value: Type | null): Type => (value !== null && isPrimitive(value, 'duration') ? DURATION : FLOAT);

export const TOP_K_ENTRY_FIELDS = ['value', 'count'] as const;

const aggregateList: readonly AggregateFunction[] = [
  {
    name: 'count',
    signature: 'count([x] [where cond]) → int',
    description: 'Number of events (with `x`: events where `x` is not null).',
    value: anyValue,
    valueOptional: true,
    result: () => INT,
    nullWhenEmpty: false,
  },
  {
    name: 'sum',
    signature: 'sum(x [where cond]) → type of x',
    description: 'Sum of a number or duration; 0 when nothing matched.',
    value: numericOrDuration,
    result: (value) => value ?? ERROR,
    nullWhenEmpty: false,
  },
  {
    name: 'avg',
    signature: 'avg(x [where cond]) → float | duration',
    description: 'Mean of a number (float) or a duration (duration).',
    value: numericOrDuration,
    result: meanType,
    nullWhenEmpty: true,
  },
  {
    name: 'min',
    signature: 'min(x [where cond]) → type of x',
    description: 'Smallest number, timestamp or duration.',
    value: orderedValue,
    result: (value) => value ?? ERROR,
    nullWhenEmpty: true,
  },
  {
    name: 'max',
    signature: 'max(x [where cond]) → type of x',
    description: 'Largest number, timestamp or duration.',
    value: orderedValue,
    result: (value) => value ?? ERROR,
    nullWhenEmpty: true,
  },
  {
    name: 'count_distinct',
    signature: 'count_distinct(x [where cond]) → int',
    description: 'Exact number of distinct non-null values.',
    value: scalarValue,
    result: () => INT,
    nullWhenEmpty: false,
  },
  {
    name: 'approx_count_distinct',
    signature: 'approx_count_distinct(x [where cond]) → int',
    description: 'Estimated number of distinct non-null values (HyperLogLog, about 1% error).',
    value: scalarValue,
    result: () => INT,
    nullWhenEmpty: false,
  },
  {
    name: 'percentile',
    signature: 'percentile(x, p [where cond]) → float | duration',
    description: 'The `p`-quantile (0 < p < 1, a literal) of a number (float) or a duration (duration).',
    value: numericOrDuration,
    parameter: 'fraction',
    result: meanType,
    nullWhenEmpty: true,
  },
  {
    name: 'top_k',
    signature: 'top_k(x, k [where cond]) → { value, count }[]',
    description: 'The `k` (an integer literal) most frequent values with their counts, most frequent first.',
    value: scalarValue,
    parameter: 'count',
    result: (value) => ({
      kind: 'list',
      element: {
        kind: 'record',
        name: null,
        fields: [
          { name: 'value', type: value ?? ERROR, optional: false },
          { name: 'count', type: INT, optional: false },
        ],
      },
    }),
    nullWhenEmpty: false,
  },
  {
    name: 'first',
    signature: 'first(x [where cond]) → type of x',
    description: 'The value of the earliest event (by event time in event-time windows, else by arrival).',
    value: anyValue,
    result: (value) => value ?? ERROR,
    nullWhenEmpty: true,
  },
  {
    name: 'last',
    signature: 'last(x [where cond]) → type of x',
    description: 'The value of the latest event (by event time in event-time windows, else by arrival).',
    value: anyValue,
    result: (value) => value ?? ERROR,
    nullWhenEmpty: true,
  },
  {
    name: 'rate',
    signature: 'rate([where cond]) → float',
    description: 'Events per second: the count divided by the window size in seconds (sessions: by their length).',
    value: null,
    result: () => FLOAT,
    nullWhenEmpty: false,
  },
];

export const AGGREGATE_FUNCTIONS: ReadonlyMap<string, AggregateFunction> = new Map(aggregateList.map((f) => [f.name, f]));

export function isAggregateFunction(name: string): boolean {
  return AGGREGATE_FUNCTIONS.has(name);
}

export const FUNCTION_NAMES: readonly string[] = [...SCALAR_FUNCTIONS.keys(), ...AGGREGATE_FUNCTIONS.keys()];


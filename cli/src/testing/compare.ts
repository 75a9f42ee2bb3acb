// Compares what a pipeline emitted with what a test case expects, row by row.
//
// Rows are matched as a multiset (emission order does not matter; a re-emitted window is a second
// row). An expected row lists only the columns it cares about. Matching is a maximum bipartite
// matching, so a loosely written row never steals the only partner of a stricter one. Rows left
// over are then paired by identity (stream, alert type, window, group key): such a pair is a
// "changed" row, reported column by column; what stays unpaired is missing or unexpected.
import type { Expectation, ExpectedRow, FieldMatcher, Matcher, Tolerance } from './format.ts';
import type { Loc } from './json.ts';
import { formatDuration, formatTime } from './time.ts';

/** One emitted record as the comparison sees it: its columns plus `key`/`stream` when the value has none. */
export type ActualRow = Readonly<Record<string, unknown>>;

export interface FieldDiff {
  /** The column (`pages`), or a path into it (`pageViewData.url`, `top_pages[0].count`). */
  readonly name: string;
  readonly expected: string;
  readonly actual: string;
  /** `off by 0.5, tolerance 0.01` */
  readonly note: string | null;
}

export interface ChangedRow {
  /** Where the row is expected in the test file. */
  readonly loc: Loc;
  /** `window 12:00:00–12:00:05, key sessionId=s1` */
  readonly identity: string;
  readonly fields: readonly FieldDiff[];
}

export interface MissingRow {
  readonly loc: Loc;
  readonly text: string;
}

export interface ExpectationDiff {
  readonly expectation: Expectation;
  readonly changed: readonly ChangedRow[];
  readonly missing: readonly MissingRow[];
  readonly unexpected: readonly string[];
  /** Rows compared (after `final`). */
  readonly actualCount: number;
}

export interface CompareContext {
  readonly base: number;
  /** Group-key columns of the stream, in `group by` order (empty for sinks, global aggregates, plain streams). */
  readonly groupBy: readonly string[];
  /** Columns that identify a row beyond the usual ones (dead letters: source, offset). */
  readonly identity?: readonly string[];
  /** Whether the rows belong to several streams (a sink): their `stream` is shown. */
  readonly showStream: boolean;
}

const TIME_COLUMNS = new Set(['window_start', 'window_end', 'time', 'rejectedAt']);

/** The differences between `expectation` and `rows`, or `null` when they agree. */
export function compareRows(expectation: Expectation, rows: readonly ActualRow[], context: CompareContext): ExpectationDiff | null {
  const actual = expectation.final ? finalRows(rows) : [...rows];
  const expected = expectation.rows;
  const tolerance = expectation.tolerance;

  // 1. Maximum matching of expected rows onto actual rows that satisfy them.
  const candidates = expected.map((row) => actual.flatMap((a, j) => (rowMatches(row, a, tolerance) ? [j] : [])));
  const ownerOf = new Array<number>(actual.length).fill(-1);
  const assign = (i: number, seen: boolean[]): boolean => {
    for (const j of candidates[i] as number[]) {
      if (seen[j] === true) continue;
      seen[j] = true;
      const owner = ownerOf[j] as number;
      if (owner === -1 || assign(owner, seen)) {
        ownerOf[j] = i;
        return true;
      }
    }
    return false;
  };
  const matched = new Array<boolean>(expected.length).fill(false);
  expected.forEach((_, i) => {
    matched[i] = assign(i, new Array<boolean>(actual.length).fill(false));
  });
  const used = ownerOf.map((owner) => owner !== -1);

  // 2. Pair what is left by identity; the closest candidate wins.
  const identityNames = ['stream', 'alert_type', ...context.groupBy, ...(context.identity ?? []), 'window_start', 'window_end'];
  const changed: ChangedRow[] = [];
  const missing: MissingRow[] = [];
  expected.forEach((row, i) => {
    if (matched[i] === true) return;
    const identity = row.fields.filter((f) => identityNames.includes(f.name) || (f.name === 'key' && context.groupBy.length === 0));
    let best = -1;
    let bestDiffs: FieldDiff[] = [];
    actual.forEach((a, j) => {
      if (used[j] === true) return;
      if (!identity.every((f) => fieldMatches(f, a, tolerance))) return;
      const diffs = rowDiffs(row.fields, a, tolerance, context.base);
      if (best === -1 || diffs.length < bestDiffs.length) {
        best = j;
        bestDiffs = diffs;
      }
    });
    if (best === -1 || (identity.length === 0 && bestDiffs.length >= row.fields.length && row.fields.length > 0)) {
      missing.push({ loc: row.loc, text: describeExpected(row, context) });
      return;
    }
    used[best] = true;
    changed.push({ loc: row.loc, identity: identityOf(actual[best] as ActualRow, context), fields: bestDiffs });
  });
  const unexpected = expectation.others === 'fail' ? actual.flatMap((a, j) => (used[j] === true ? [] : [describeActual(a, context)])) : [];
  if (changed.length === 0 && missing.length === 0 && unexpected.length === 0) return null;
  return { expectation, changed, missing, unexpected, actualCount: actual.length };
}

/**
 * The last row per window and key (per key and time for rows without a window), in first-seen
 * order; a row whose last change is a delete (`-D`: a session merged away, or moved) is gone.
 */
function finalRows(rows: readonly ActualRow[]): ActualRow[] {
  const latest = new Map<string, ActualRow>();
  for (const row of rows) {
    const id = JSON.stringify('window_start' in row ? [row.stream, row.key, row.window_start, row.window_end] : [row.stream, row.key, row.time ?? row.timestamp]);
    if (row.change === '-D') latest.delete(id);
    else latest.set(id, row);
  }
  return [...latest.values()];
}

// ───────────────────────────── matching ─────────────────────────────

function rowMatches(row: ExpectedRow, actual: ActualRow, tolerance: number): boolean {
  return row.fields.every((f) => fieldMatches(f, actual, tolerance));
}

/** A listed field matches when present and matching; `null` also matches an absent field. */
function fieldMatches(field: FieldMatcher, actual: Readonly<Record<string, unknown>>, tolerance: number): boolean {
  return field.name in actual ? valueMatches(field.matcher, actual[field.name], tolerance) : field.matcher.kind === 'null';
}

export function valueMatches(matcher: Matcher, actual: unknown, tolerance: number): boolean {
  switch (matcher.kind) {
    case 'number':
      return typeof actual === 'number' && numberMatches(matcher.value, actual, matcher.within ?? { kind: 'absolute', value: tolerance });
    case 'string':
      if (typeof actual === 'string') return actual === matcher.value;
      if (typeof actual === 'number') return actual === matcher.time || actual === matcher.duration;
      return false;
    case 'boolean':
      return actual === matcher.value;
    case 'null':
      return actual === null || actual === undefined;
    case 'text':
      if (typeof actual !== 'string') return false;
      if (matcher.op === 'contains') return actual.includes(matcher.value);
      if (matcher.op === 'startsWith') return actual.startsWith(matcher.value);
      return (matcher.regex as RegExp).test(actual);
    case 'record':
      return isRecord(actual) && matcher.fields.every((f) => fieldMatches(f, actual, tolerance));
    case 'list':
      return Array.isArray(actual) && actual.length === matcher.items.length && matcher.items.every((m, i) => valueMatches(m, actual[i], tolerance));
  }
}

function numberMatches(expected: number, actual: number, within: Tolerance): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return expected === actual;
  const allowed = within.kind === 'absolute' ? within.value : within.value * Math.abs(expected);
  return Math.abs(actual - expected) <= allowed;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ───────────────────────────── differences ─────────────────────────────

function rowDiffs(fields: readonly FieldMatcher[], actual: Readonly<Record<string, unknown>>, tolerance: number, base: number, prefix = ''): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const field of fields) out.push(...fieldDiffs(`${prefix}${field.name}`, field.matcher, field.name in actual ? actual[field.name] : MISSING, tolerance, base, field.name));
  return out;
}

const MISSING = Symbol('missing');

function fieldDiffs(name: string, matcher: Matcher, actual: unknown, tolerance: number, base: number, column: string): FieldDiff[] {
  if (actual === MISSING ? matcher.kind === 'null' : valueMatches(matcher, actual, tolerance)) return [];
  if (matcher.kind === 'record' && isRecord(actual)) return rowDiffs(matcher.fields, actual, tolerance, base, `${name}.`);
  if (matcher.kind === 'list' && Array.isArray(actual) && actual.length === matcher.items.length) {
    return matcher.items.flatMap((item, i) => fieldDiffs(`${name}[${i}]`, item, actual[i], tolerance, base, column));
  }
  const asTime = (matcher.kind === 'number' && matcher.isTime) || (matcher.kind === 'string' && matcher.time !== null && typeof actual === 'number') || TIME_COLUMNS.has(column);
  const asDuration = matcher.kind === 'string' && matcher.time === null && matcher.duration !== null && typeof actual === 'number';
  return [
    {
      name,
      expected: showMatcher(matcher, base, asTime),
      actual: actual === MISSING ? '(no such column)' : asDuration && typeof actual === 'number' ? formatDuration(actual) : showValue(actual, base, asTime),
      note: numberNote(matcher, actual, tolerance, base, asTime),
    },
  ];
}

function numberNote(matcher: Matcher, actual: unknown, tolerance: number, base: number, asTime: boolean): string | null {
  if (typeof actual !== 'number' || !Number.isFinite(actual)) return null;
  let expected: number | null = null;
  if (matcher.kind === 'number' && Number.isFinite(matcher.value)) expected = matcher.value;
  else if (matcher.kind === 'string' && matcher.time !== null && asTime) expected = matcher.time;
  if (expected === null) return null;
  const off = actual - expected;
  if (asTime) return `${off > 0 ? 'later' : 'earlier'} by ${formatDuration(Math.abs(off))}${Number.isInteger(actual) ? `; epoch ms ${actual}` : ''}`;
  if (matcher.kind !== 'number') return null;
  const within = matcher.within ?? { kind: 'absolute', value: tolerance };
  return `off by ${showNumber(off)}, tolerance ${within.kind === 'absolute' ? showNumber(within.value) : `${showNumber(within.value * 100)}%`}`;
}

// ───────────────────────────── rendering rows and values ─────────────────────────────

/** `stream business, alert X, window 12:00:00–12:00:05, key sessionId=s1, time 12:30:10` */
export function identityOf(row: ActualRow, context: CompareContext): string {
  const parts: string[] = [];
  if (context.showStream && typeof row.stream === 'string') parts.push(`stream ${row.stream}`);
  if (typeof row.alert_type === 'string') parts.push(`alert ${row.alert_type}`);
  if (typeof row.window_start === 'number' && typeof row.window_end === 'number') parts.push(`window ${formatTime(row.window_start, context.base)}–${formatTime(row.window_end, context.base)}`);
  const groupKeys = context.groupBy.filter((k) => k in row);
  if (groupKeys.length > 0) parts.push(`key ${groupKeys.map((k) => `${k}=${showValue(row[k], context.base, false, false)}`).join(', ')}`);
  else if (row.key !== null && row.key !== undefined && row.key !== '') parts.push(`key ${showValue(row.key, context.base, false, false)}`);
  for (const name of context.identity ?? []) if (name in row && name !== 'key') parts.push(`${name} ${showValue(row[name], context.base, false, false)}`);
  if (typeof row.time === 'number') parts.push(`time ${formatTime(row.time, context.base)}`);
  return parts.join(', ');
}

const SHOWN_IDENTITY = new Set(['stream', 'alert_type', 'window_start', 'window_end', 'key', 'time']);

function describeActual(row: ActualRow, context: CompareContext): string {
  const identity = identityOf(row, context);
  const hidden = new Set([...SHOWN_IDENTITY, ...context.groupBy, ...(context.identity ?? [])]);
  const rest = Object.entries(row)
    .filter(([name]) => !hidden.has(name))
    .map(([name, value]) => `${name}: ${showValue(value, context.base, TIME_COLUMNS.has(name))}`);
  return joinRow(identity, rest);
}

function describeExpected(row: ExpectedRow, context: CompareContext): string {
  const identityFields: Record<string, unknown> = {};
  const rest: string[] = [];
  for (const field of row.fields) {
    const m = field.matcher;
    const plainValue = m.kind === 'number' ? m.value : m.kind === 'string' ? (m.time ?? m.value) : m.kind === 'boolean' ? m.value : undefined;
    const isIdentity = SHOWN_IDENTITY.has(field.name) || context.groupBy.includes(field.name) || (context.identity ?? []).includes(field.name);
    if (isIdentity && plainValue !== undefined) identityFields[field.name] = plainValue;
    else rest.push(`${field.name}: ${showMatcher(m, context.base, TIME_COLUMNS.has(field.name))}`);
  }
  return joinRow(identityOf(identityFields, context), rest);
}

/** `window 12:00:00–12:00:05 {pages: 2}`; no braces when there is nothing but the identity. */
function joinRow(identity: string, rest: readonly string[]): string {
  if (rest.length === 0) return identity === '' ? '{}' : identity;
  return truncate(`${identity}${identity === '' ? '' : ' '}{${rest.join(', ')}}`);
}

function showMatcher(matcher: Matcher, base: number, asTime: boolean): string {
  switch (matcher.kind) {
    case 'number':
      if (asTime) return formatTime(matcher.value, base);
      if (matcher.within !== null && matcher.within.value > 0) {
        return `${showNumber(matcher.value)} ± ${matcher.within.kind === 'absolute' ? showNumber(matcher.within.value) : `${showNumber(matcher.within.value * 100)}%`}`;
      }
      return showNumber(matcher.value);
    case 'string':
      return asTime && matcher.time !== null ? formatTime(matcher.time, base) : matcher.time !== null || matcher.duration !== null ? matcher.value : JSON.stringify(matcher.value);
    case 'boolean':
      return String(matcher.value);
    case 'null':
      return 'null';
    case 'text':
      return matcher.op === 'matches' ? `matching /${matcher.value}/` : `${matcher.op === 'contains' ? 'containing' : 'starting with'} ${JSON.stringify(matcher.value)}`;
    case 'record':
      return `{${matcher.fields.map((f) => `${f.name}: ${showMatcher(f.matcher, base, TIME_COLUMNS.has(f.name))}`).join(', ')}}`;
    case 'list':
      return `[${matcher.items.map((m) => showMatcher(m, base, false)).join(', ')}]`;
  }
}

export function showValue(value: unknown, base: number, asTime: boolean, quote = true): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'number') return asTime ? formatTime(value, base) : showNumber(value);
  if (typeof value === 'string') return quote ? JSON.stringify(value) : value;
  if (value === null || typeof value === 'boolean') return String(value);
  return truncate(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

function showNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const short = Number(n.toPrecision(12));
  return String(short);
}

function truncate(text: string, max = 240): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

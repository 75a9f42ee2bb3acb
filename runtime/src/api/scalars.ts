// Scalar helpers the generated expressions call where a JavaScript one-liner would be wrong or
// unclear (rounding, calendar fields, text forms). Pure, allocation-free except for text.
import type { DurationMillis, EpochMillis } from './time.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** `round(x)`: nearest integer, halves away from zero (`Math.round` rounds -2.5 to -2). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** `hour_of_day(t)`: 0–23, UTC. */
export function hourOfDay(t: EpochMillis): number {
  return Math.floor((((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** `day_of_week(t)`: 1 (Monday) – 7 (Sunday), UTC. 1970-01-01 was a Thursday. */
export function dayOfWeek(t: EpochMillis): number {
  const day = Math.floor(t / DAY_MS);
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** `to_string(t)` of a timestamp: ISO 8601 in UTC. */
export function timestampText(t: EpochMillis): string {
  return new Date(t).toISOString();
}

const UNITS: readonly (readonly [string, number])[] = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', 60_000],
  ['s', 1000],
];

/** `to_string(d)` of a duration, as `.flow` writes it: `5s`, `30m`, `1500ms`. */
export function durationText(d: DurationMillis): string {
  for (const [unit, ms] of UNITS) {
    if (d !== 0 && d % ms === 0) return `${d / ms}${unit}`;
  }
  return `${d}ms`;
}

/** `substring(s, start, length?)` */
export function substring(s: string, start: number, length?: number): string {
  return length === undefined ? s.slice(start) : s.slice(start, start + length);
}

/** `x in list` where `x` may be null: false for null. */
export function isOneOf<T>(value: T | null | undefined, list: readonly T[]): boolean {
  return value !== null && value !== undefined && list.includes(value);
}

/** `s starts with prefix` where `s` may be null: false for null. */
export function startsWith(s: string | null | undefined, prefix: string): boolean {
  return s !== null && s !== undefined && s.startsWith(prefix);
}

/** `x contains y` (a substring, or a list element) where `x` may be null: false for null. */
export function contains<T>(haystack: string | readonly T[] | null | undefined, needle: T): boolean {
  if (haystack === null || haystack === undefined) return false;
  if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
  return haystack.includes(needle);
}

/** The text of a key column: strings as they are, numbers and booleans as written, null as `\u0000`. */
export function keyText(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? '\u0000' : String(value);
}

/** The state key of a composite key: its columns as a JSON array. */
export function compositeKey(columns: readonly (string | number | boolean | null | undefined)[]): string {
  return JSON.stringify(columns.map((c) => (c === undefined ? null : c)));
}

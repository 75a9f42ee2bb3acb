// Decoding: every schema gets a generated, specialised decoder (straight-line field checks, no
// generic validator at run time). A failure is a value, never an exception: its reason and path
// go to the dead-letter output with the raw record.
import type { EpochMillis } from './time.ts';

export type DecodeResult<T> = DecodeSuccess<T> | DecodeFailure;

export interface DecodeSuccess<T> {
  readonly ok: true;
  readonly value: T;
}

export interface DecodeFailure {
  readonly ok: false;
  /** Human-readable: `expected string, got number`, `missing required field`, `not valid JSON: …`. */
  readonly reason: string;
  /** Where in the record: `$.pageViewData.url`, `$.items[3]`; `$` for the whole record. */
  readonly path: string;
}

/** A decoder of an already parsed JSON value. */
export type Decoder<T> = (raw: unknown) => DecodeResult<T>;

/** A decoder straight from JSON text (parses, then decodes). */
export type JsonTextDecoder<T> = (text: string) => DecodeResult<T>;

/** A record that failed to decode, as written to the dead-letter output. */
export interface DeadLetterRecord {
  /** The source it was read from. */
  readonly source: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The payload as text (bytes are decoded as UTF-8). */
  readonly raw: string;
  readonly reason: string;
  readonly path: string;
  readonly rejectedAt: EpochMillis;
}

export function decoded<T>(value: T): DecodeSuccess<T> {
  return { ok: true, value };
}

export function decodeFailed(reason: string, path: string): DecodeFailure {
  return { ok: false, reason, path };
}

/** The JSON type of a value, for reasons: `null`, `array`, `object`, `string`, `number`, `boolean`. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The failure for a value that is not `what`: `expected string, got number 42`, or, when the
 * field is absent, `missing required field (expected string)`.
 */
export function expected(what: string, path: string, got: unknown): DecodeFailure {
  const reason = got === undefined ? `missing required field (expected ${what})` : `expected ${what}, got ${describeJsonValue(got)}`;
  return { ok: false, reason, path };
}

/** A short description of a JSON value for reasons: `string "PAGE_VIEWS"`, `number 1.5`, `object`. */
export function describeJsonValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    default:
      return jsonTypeOf(value);
  }
}

/** `JSON.parse` without throwing. */
export function parseJson(text: string): DecodeResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, path: '$' };
  }
}

/**
 * A `timestamp` field: epoch milliseconds, or an ISO-8601 string. Returns `null` when the value is
 * neither (the decoder then reports it).
 */
export function toEpochMillis(value: unknown): EpochMillis | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const millis = Date.parse(value);
    return Number.isNaN(millis) ? null : millis;
  }
  return null;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

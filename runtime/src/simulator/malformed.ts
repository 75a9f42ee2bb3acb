// Damaged records, as broken producers send them. Each kind fails a schema-checking decoder of
// AnalyticsEvent (the absurd timestamps parse as numbers: they fail a plausibility check, not a
// type check). Built from the wire text of a good event, so they look like the real traffic.
import type { Xoshiro128 } from './prng.ts';

export const MALFORMED_KINDS = ['invalid-json', 'wrong-type', 'missing-field', 'unknown-enum', 'absurd-timestamp'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface DamagedRecord {
  readonly value: string;
  /** The producer's key: the userId, or the sessionId when the userId is gone (the reference producer's fallback). */
  readonly key: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function pick<T>(rng: Xoshiro128, values: readonly T[]): T {
  return values[rng.int(values.length)] as T;
}

function nested(event: JsonObject, field: string): JsonObject | undefined {
  const value = event[field];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** Strings that neither `Number` nor `Date.parse` read as a time. */
const NOT_A_TIME = ['yesterday', 'N/A', '', 'not-a-timestamp', 'NaN', 'TODO', 'undefined'];
const UNKNOWN_EVENT_TYPES = ['PAGE_VIEWS', 'CLICK', 'page_view', 'SESSION_RESUME', 'PURCHASE', ''];
const UNKNOWN_DEVICE_TYPES = ['SMART_TV', 'WATCH', 'desktop', 'CONSOLE', 'UNKNOWN'];

/** Text that is not JSON: cut short, single-quoted, a trailing comma, unquoted keys, two records glued together. */
function invalidJson(rng: Xoshiro128, text: string): string {
  switch (rng.int(5)) {
    case 0:
      return text.slice(0, 1 + rng.int(text.length - 2)); // a proper prefix of an object is never JSON
    case 1:
      return text.replaceAll('"', "'");
    case 2:
      return `${text.slice(0, -1)},}`;
    case 3:
      return text.replace(/"(eventId|timestamp|eventType)":/g, '$1:');
    default:
      return text + text;
  }
}

function wrongType(rng: Xoshiro128, event: JsonObject): void {
  const pageView = nested(event, 'pageViewData');
  const conversion = nested(event, 'conversionData');
  const session = nested(event, 'sessionData');
  const variant = rng.int(8);
  if (variant < 4) {
    event['timestamp'] = pick(rng, NOT_A_TIME); // the common one: a time as a non-numeric string
  } else if (variant === 4) {
    event['userId'] = Number(String(event['userId']).replace(/\D/g, '')) || 0;
  } else if (variant === 5 && pageView !== undefined && typeof pageView['pageLoadTime'] === 'number') {
    pageView['pageLoadTime'] = `${pageView['pageLoadTime']}ms`;
  } else if (variant === 5 && conversion !== undefined) {
    conversion['revenue'] = `$${String(conversion['revenue'])}`;
  } else if (variant === 6 && session !== undefined) {
    event['sessionData'] = JSON.stringify(session); // a nested record sent as a string
  } else {
    event['eventId'] = { id: event['eventId'] ?? null };
  }
}

function missingField(rng: Xoshiro128, event: JsonObject): void {
  const pageView = nested(event, 'pageViewData');
  const conversion = nested(event, 'conversionData');
  const session = nested(event, 'sessionData');
  const variant = rng.int(8);
  if (variant < 3) delete event['userId'];
  else if (variant === 3) delete event['sessionId'];
  else if (variant === 4) delete event['eventType'];
  else if (variant === 5) delete event['timestamp'];
  else if (variant === 6 && pageView !== undefined) delete pageView['url'];
  else if (variant === 6 && conversion !== undefined) delete conversion[rng.chance(0.5) ? 'orderId' : 'revenue'];
  else if (variant === 7 && session !== undefined) delete session[rng.chance(0.5) ? 'country' : 'deviceType'];
  else delete event['eventId'];
}

function unknownEnum(rng: Xoshiro128, event: JsonObject): void {
  const session = nested(event, 'sessionData');
  if (session !== undefined && rng.chance(0.3)) session['deviceType'] = pick(rng, UNKNOWN_DEVICE_TYPES);
  else event['eventType'] = pick(rng, UNKNOWN_EVENT_TYPES);
}

/** Seconds instead of milliseconds (January 1970), zero, microseconds (year ~55,000), or year 2999. */
function absurdTimestamp(rng: Xoshiro128, event: JsonObject, eventTime: number): void {
  const variant = rng.int(4);
  event['timestamp'] =
    variant === 0 ? Math.floor(eventTime / 1000) : variant === 1 ? 0 : variant === 2 ? eventTime * 1000 : Date.UTC(2999, rng.int(12), 1 + rng.int(28));
}

/**
 * The wire text of `kind` of damage done to a good event's text. `key` is the good record's key
 * (its userId).
 */
export function damage(rng: Xoshiro128, kind: MalformedKind, goodText: string, key: string, eventTime: number): DamagedRecord {
  if (kind === 'invalid-json') return { value: invalidJson(rng, goodText), key };
  const event = JSON.parse(goodText) as JsonObject;
  switch (kind) {
    case 'wrong-type':
      wrongType(rng, event);
      break;
    case 'missing-field':
      missingField(rng, event);
      break;
    case 'unknown-enum':
      unknownEnum(rng, event);
      break;
    case 'absurd-timestamp':
      absurdTimestamp(rng, event, eventTime);
      break;
  }
  const userId = event['userId'];
  return { value: JSON.stringify(event), key: typeof userId === 'string' ? userId : String(event['sessionId'] ?? key) };
}

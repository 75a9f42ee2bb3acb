// WebsiteEventSimulator: an endless, reproducible stream of AnalyticsEvent records (the schema of
// pipelines/website-analytics.flow), as JSON text keyed by userId, with optional out-of-order,
// late and malformed records. A pull API: the runtime asks for records (`next`, `nextBatch`) and
// asks `pace` how many are due at a wall-clock time; nothing here reads a clock or sets a timer.
//
// How it works: sessions arrive as a Poisson process; each is planned in full by the behaviour
// model (model.ts), kept as a row of numbers in a flat table (sessions.ts) and waits in a heap
// keyed by the event time of its next step. `next` takes the earliest step of all open sessions,
// so the base stream is in event-time order; thousands of sessions overlap. Each record's JSON is
// written as bytes into one buffer (writer.ts), from fragments encoded once and the session's
// numbers, and decoded once. Disorder is applied afterwards by holding
// some records back, and malformed records are damaged copies added to the stream (the good
// records stay the same with or without them: every concern draws from its own PRNG stream).
import { AGENTS, COUNTRIES, DEVICE_TYPES, DEVICE_WEIGHTS, EXTERNAL_REFERRERS, PAGES, PAGE_LOAD_MEDIAN_MS, SITE_ORIGIN } from './catalogue.ts';
import { TimeHeap } from './heap.ts';
import { MALFORMED_KINDS, damage, type MalformedKind } from './malformed.ts';
import { CONVERSION, EVENT_TYPE_OF_KIND, MODEL_PARAMETERS, PAGE_VIEW, START, SessionPlanner, gapBefore, isCheckoutStep, type EventType } from './model.ts';
import { Xoshiro128, deriveSeed } from './prng.ts';
import { AliasSampler, LogNormalTable, PowerLawRanks, exponential, zipfWeights } from './samplers.ts';
import { AGENT, ASCII, DEVICE, IP, LANDING_REFERRER, NEXT_STEP, PLACE, PREVIOUS_PAGE, SESSION_RANDOM, SESSION_SEQ, STEP_COUNT, STRIDE, SessionTable, USER } from './sessions.ts';
import { ByteWriter, asciiWords, isAscii, utf8 } from './writer.ts';

export const DEFAULT_SEED = 42;
export const DEFAULT_RATE_PER_SECOND = 200;
/**
 * 2024-01-01T00:00:00Z. Not 0: event times in January 1970 are what the `absurd-timestamp` damage
 * produces (seconds sent as milliseconds), and good records must not look like that.
 */
export const DEFAULT_START_TIME = Date.UTC(2024, 0, 1);
export const DEFAULT_USERS = 10_000;

export interface SimulatorOptions {
  /** Same seed and options → the same records, byte for byte. Default 42. */
  readonly seed?: number;
  /** Records per second of wall-clock time, for `pace`. Default 200; `Infinity`: as fast as pulled. */
  readonly ratePerSecond?: number;
  /**
   * Events per second of event time in the simulated world (it sets how many sessions start per
   * second). Default: `ratePerSecond` when finite, else 200. Keeping it equal to `ratePerSecond`
   * makes event time advance like the wall clock.
   */
  readonly eventRatePerSecond?: number;
  /** Event time of the first session start, epoch ms (≥ 0). Default DEFAULT_START_TIME (2024-01-01). */
  readonly startTime?: number;
  /** Size of the user population: `user_0000` … `user_9999` for the default 10 000. */
  readonly users?: number;
  /** Which events carry `sessionData`: every event (default, like the reference's example) or only SESSION_START. */
  readonly sessionDataOn?: 'all' | 'start';
  /** This fraction of the good records is held back by 1…maxDelayMs of event time. */
  readonly outOfOrder?: { readonly fraction: number; readonly maxDelayMs: number };
  /** This fraction of the good records is held back until the stream is `delayMs` further on. */
  readonly late?: { readonly fraction: number; readonly delayMs: number };
  /** This fraction of all records emitted are damaged copies of good ones (five kinds, equally often). */
  readonly malformed?: { readonly fraction: number };
}

export type Disorder = false | 'out-of-order' | 'late';

export interface SimulatedRecord {
  /** The event's event time (for a malformed record: that of the good event it was made from). */
  readonly timestamp: number;
  /** The partition key: the userId (a malformed record without a userId: its sessionId). */
  readonly key: string;
  /** The JSON text as it arrives on the wire. */
  readonly value: string;
  /** The kind of damage injected, `false` for a good record. */
  readonly malformed: false | MalformedKind;
  /** How the record was held back, `false` when it arrives in event-time order. */
  readonly delayed: Disorder;
}

/** Counts since construction (ground truth for tests of the pipeline). */
export interface SimulatorStats {
  /** Records returned by `next`. */
  readonly records: number;
  /** Good records returned, by eventType. */
  readonly events: Readonly<Record<EventType, number>>;
  readonly malformed: Readonly<Record<MalformedKind, number>>;
  readonly outOfOrder: number;
  readonly late: number;
  /** Sessions planned so far, and how their plans came out (sessions still open included). */
  readonly sessions: number;
  readonly bounces: number;
  readonly reachedCheckout: number;
  readonly converted: number;
  /** Sessions with steps still to come. */
  readonly openSessions: number;
  /** Records held back for disorder, not yet returned. */
  readonly heldBack: number;
}

interface HeldBack {
  readonly record: SimulatedRecord;
  readonly kind: number;
  /** Late records: once the stream has reached this event time, the record comes out. */
  readonly release: number;
}

// JSON fragments, escaped and encoded once.
const q = (s: string): string => JSON.stringify(s);
const OPEN = asciiWords('{"eventId":"');
/** `,"eventType":"…","userId":"user_` per step kind. */
const KIND_USER_OPEN = EVENT_TYPE_OF_KIND.map((type) => utf8(`,"eventType":${q(type)},"userId":"user_`));
const SESSION_OPEN = utf8('","sessionId":"session_');
const PAGE_BYTES = PAGES.map((p) => utf8(`,"pageViewData":{"url":${q(p.url)},"title":${q(p.title)}`));
const REFERRER_BYTES = PAGES.map((p) => utf8(`,"referrer":${q(SITE_ORIGIN + p.url)}`));
const LANDING_REFERRER_BYTES = EXTERNAL_REFERRERS.map(([url]) => (url === null ? new Uint8Array(0) : utf8(`,"referrer":${q(url)}`)));
const LANDING_REFERRER_CHOICE = new AliasSampler(EXTERNAL_REFERRERS.map(([, w]) => w));
const LOAD_TIME_KEY = asciiWords(',"pageLoadTime":');
const REVENUE_KEY = asciiWords('","revenue":');
const IP_KEY = utf8('","ipAddress":"');

/** User agents, all devices in one list: `,"sessionData":{"userAgent":"…` (open) and `,"deviceType":…}` (rest). */
const AGENT_LIST: readonly { readonly open: Uint8Array; readonly rest: Uint8Array }[] = AGENTS.flatMap((list, device) =>
  list.map(([a]) => ({
    open: utf8(`,"sessionData":{"userAgent":${q(a.userAgent).slice(0, -1)}`),
    rest: utf8(`,"deviceType":${q(DEVICE_TYPES[device] as string)},"browser":${q(a.browser)},"os":${q(a.os)}}`),
  })),
);
/** AGENT_LIST index of each device's agents. */
const AGENT_INDEX: readonly (readonly number[])[] = AGENTS.map((list, device) => list.map((_, k) => AGENTS.slice(0, device).reduce((n, l) => n + l.length, 0) + k));
const AGENT_CHOICE = AGENTS.map((list) => new AliasSampler(list.map(([, w]) => w)));
const DEVICE_CHOICE = new AliasSampler(DEVICE_WEIGHTS);
const COUNTRY_CHOICE = new AliasSampler(zipfWeights(COUNTRIES.length, 1.1));
const CITY_CHOICE = COUNTRIES.map(([, cities]) => new AliasSampler(zipfWeights(cities.length, 1.0)));
/** Places, all countries in one list: `","country":"…","city":"…"` (the quote closes the ipAddress), and whether it is ASCII. */
const PLACE_LIST: { readonly bytes: Uint8Array; readonly ascii: boolean }[] = [];
/** PLACE_LIST index per country: for each city, then without a city. */
const PLACE_INDEX: readonly { readonly cities: readonly number[]; readonly withoutCity: number }[] = COUNTRIES.map(([country, cities]) => {
  const add = (text: string): number => {
    const bytes = utf8(text);
    PLACE_LIST.push({ bytes, ascii: isAscii(bytes) });
    return PLACE_LIST.length - 1;
  };
  return { cities: cities.map((city) => add(`","country":${q(country)},"city":${q(city)}`)), withoutCity: add(`","country":${q(country)}`) };
});
/** Share of users whose city the geo lookup does not know (`city` is optional). */
const UNKNOWN_CITY = 0.03;
/** Share of sessions on another device (and network) than the user's usual one. */
const OTHER_DEVICE = 0.2;
/** Public-looking first octets for made-up IPv4 addresses (no private, loopback or reserved ranges). */
const FIRST_OCTETS = [2, 5, 23, 24, 31, 37, 46, 50, 62, 66, 68, 71, 73, 77, 81, 86, 90, 98, 104, 109, 121, 138, 151, 177, 185, 187, 201, 212, 217];
/** Page load times: log-normal around the device's median, sigma 0.45. */
const LOAD_TIME = new LogNormalTable(0.45);
// Records decode as Latin-1 (faster) when their place is ASCII, so every other fragment must be.
for (const fragment of [...KIND_USER_OPEN, ...PAGE_BYTES, ...REFERRER_BYTES, ...LANDING_REFERRER_BYTES, ...AGENT_LIST.flatMap((a) => [a.open, a.rest])]) {
  if (!isAscii(fragment)) throw new Error(`simulator catalogue: non-ASCII text in ${new TextDecoder().decode(fragment)}`);
}
const DASH = 0x2d;
const QUOTE = 0x22;
const CLOSE = 0x7d;
const DOT = 0x2e;

function requireFraction(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  return value;
}

function requireNonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
  return value;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class WebsiteEventSimulator {
  readonly seed: number;
  readonly ratePerSecond: number;
  readonly eventRatePerSecond: number;
  readonly startTime: number;
  readonly users: number;

  private readonly planner = new SessionPlanner();
  /** Behaviour: session plans, think times, page load times, revenues, devices of the session. */
  private readonly model: Xoshiro128;
  /** Session arrivals and the choice of user. */
  private readonly arrivals: Xoshiro128;
  /** eventIds, sessionIds. */
  private readonly ids: Xoshiro128;
  private readonly disorder: Xoshiro128;
  private readonly damage: Xoshiro128;
  /** Re-seeded per session from the user's number: a user's usual place and device. */
  private readonly profile = new Xoshiro128(0);
  private readonly profileSeed: number;

  private readonly sessionDataOnAll: boolean;
  private readonly meanInterArrivalMs: number;
  private readonly userActivity: PowerLawRanks;
  private readonly userStride: number;
  private readonly userIdWidth: number;
  private readonly busy: Uint32Array;
  /** Writes each record's bytes. */
  private readonly writer = new ByteWriter();
  private readonly table = new SessionTable();
  /** userId strings by user number, made on first use (for populations up to a million). */
  private readonly userIds: (string | undefined)[] | undefined;
  /** Slots of the open sessions, by the event time of their next step. */
  private readonly due = new TimeHeap<number>();
  private readonly scratchSteps: number[] = [];
  private nextArrival: number;
  private sessionSeq = 0;
  private orderSeq = 0;
  private readonly conversionOpen: Uint8Array;
  private timestampSecond = Number.NaN;
  private timestampPrefix: Uint8Array = new Uint8Array(0);

  private readonly outOfOrderFraction: number;
  private readonly maxDelayMs: number;
  private readonly lateFraction: number;
  private readonly lateDelayMs: number;
  private readonly malformedFraction: number;
  private readonly heldOutOfOrder = new TimeHeap<HeldBack>();
  private heldLate: (HeldBack | undefined)[] = [];
  private heldLateHead = 0;

  /** The last good record generated (malformed records are made from it). */
  private lastText = '';
  private lastKey = '';
  private lastTime = 0;
  private lastKind = -1;
  /** The largest event time of the good records returned so far. */
  private maxEmittedTime = Number.NEGATIVE_INFINITY;

  private emitted = 0;
  private paceOrigin: number | undefined;
  private paceEmittedAtOrigin = 0;

  private readonly eventCounts = [0, 0, 0, 0];
  private readonly malformedCounts = MALFORMED_KINDS.map(() => 0);
  private outOfOrderCount = 0;
  private lateCount = 0;
  private plannedSessions = 0;
  private bounces = 0;
  private reachedCheckout = 0;
  private converted = 0;

  constructor(options: SimulatorOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SEED;
    this.ratePerSecond = options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
    if (!(this.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0 (Infinity: unpaced), got ${this.ratePerSecond}`);
    this.eventRatePerSecond = options.eventRatePerSecond ?? (Number.isFinite(this.ratePerSecond) ? this.ratePerSecond : DEFAULT_RATE_PER_SECOND);
    if (!(this.eventRatePerSecond > 0) || !Number.isFinite(this.eventRatePerSecond)) {
      throw new RangeError(`eventRatePerSecond must be a finite number > 0, got ${this.eventRatePerSecond}`);
    }
    this.startTime = Math.floor(requireNonNegative('startTime', options.startTime ?? DEFAULT_START_TIME));
    this.users = options.users ?? DEFAULT_USERS;
    if (!Number.isInteger(this.users) || this.users < 1 || this.users > 10_000_000) throw new RangeError(`users must be an integer in 1…10^7, got ${this.users}`);
    this.sessionDataOnAll = (options.sessionDataOn ?? 'all') === 'all';

    this.outOfOrderFraction = requireFraction('outOfOrder.fraction', options.outOfOrder?.fraction ?? 0);
    this.maxDelayMs = Math.floor(requireNonNegative('outOfOrder.maxDelayMs', options.outOfOrder?.maxDelayMs ?? 0));
    if (this.outOfOrderFraction > 0 && this.maxDelayMs < 1) throw new RangeError('outOfOrder.maxDelayMs must be ≥ 1 ms');
    this.lateFraction = requireFraction('late.fraction', options.late?.fraction ?? 0);
    this.lateDelayMs = requireNonNegative('late.delayMs', options.late?.delayMs ?? 0);
    if (this.outOfOrderFraction + this.lateFraction > 1 || (this.lateFraction > 0 && this.outOfOrderFraction + this.lateFraction >= 1)) {
      // Late records are released by the records in order moving the stream on: some must be.
      throw new RangeError('outOfOrder.fraction + late.fraction must be below 1 (at most 1 without late records)');
    }
    this.malformedFraction = requireFraction('malformed.fraction', options.malformed?.fraction ?? 0);
    if (this.malformedFraction === 1) throw new RangeError('malformed.fraction must be below 1 (malformed records are copies of good ones)');

    const s = this.seed;
    this.model = new Xoshiro128(deriveSeed(s, 1));
    this.arrivals = new Xoshiro128(deriveSeed(s, 2));
    this.ids = new Xoshiro128(deriveSeed(s, 3));
    this.disorder = new Xoshiro128(deriveSeed(s, 4));
    this.damage = new Xoshiro128(deriveSeed(s, 5));
    this.profileSeed = deriveSeed(s, 6);
    const orderPrefix = (deriveSeed(s, 7) & 0xffff).toString(16).padStart(4, '0').toUpperCase();
    this.conversionOpen = utf8(`,"conversionData":{"orderId":"ORD-${orderPrefix}-`);

    this.meanInterArrivalMs = (1000 * MODEL_PARAMETERS.eventsPerSession) / this.eventRatePerSecond;
    this.nextArrival = this.startTime;
    // User activity is skewed (a few heavy users, a long tail); ranks are spread over the ids by a stride.
    this.userActivity = new PowerLawRanks(this.users, 0.6);
    let stride = Math.max(1, Math.floor(this.users * 0.618034)) | 1;
    while (gcd(stride, this.users) !== 1) stride++;
    this.userStride = stride;
    this.userIdWidth = Math.max(4, String(this.users - 1).length);
    this.busy = new Uint32Array(this.users);
    this.userIds = this.users <= 1_000_000 ? new Array<string | undefined>(this.users).fill(undefined) : undefined;
  }

  /** The next record in emission order. */
  next(): SimulatedRecord {
    const record = this.produce();
    this.emitted++;
    return record;
  }

  nextBatch(n: number): SimulatedRecord[] {
    const batch: SimulatedRecord[] = [];
    for (let i = 0; i < n; i++) batch.push(this.next());
    return batch;
  }

  /**
   * How many records are due at wall-clock time `nowMs` for the rate knob: the first call starts
   * the clock (one record is due at once), then one more every 1000 / ratePerSecond ms, less those
   * already taken with `next`. Never negative; at most `limit` (with ratePerSecond Infinity it is
   * always `limit`, so pass one). A runtime that falls behind gets the backlog, capped by `limit`.
   */
  pace(nowMs: number, limit = Number.POSITIVE_INFINITY): number {
    if (this.paceOrigin === undefined) {
      this.paceOrigin = nowMs;
      this.paceEmittedAtOrigin = this.emitted;
    }
    if (!Number.isFinite(this.ratePerSecond)) return limit;
    const due = Math.floor(((nowMs - this.paceOrigin) * this.ratePerSecond) / 1000) + 1 - (this.emitted - this.paceEmittedAtOrigin);
    return Math.max(0, Math.min(limit, due));
  }

  /** The wall-clock time at which `pace` reports the next record due (−Infinity: due now, or unpaced). */
  nextDueAt(): number {
    if (this.paceOrigin === undefined || !Number.isFinite(this.ratePerSecond)) return Number.NEGATIVE_INFINITY;
    return this.paceOrigin + Math.ceil(((this.emitted - this.paceEmittedAtOrigin) * 1000) / this.ratePerSecond);
  }

  stats(): SimulatorStats {
    const events = {} as Record<EventType, number>;
    EVENT_TYPE_OF_KIND.forEach((type, kind) => (events[type] = this.eventCounts[kind] as number));
    const malformed = {} as Record<MalformedKind, number>;
    MALFORMED_KINDS.forEach((kind, i) => (malformed[kind] = this.malformedCounts[i] as number));
    return {
      records: this.emitted,
      events,
      malformed,
      outOfOrder: this.outOfOrderCount,
      late: this.lateCount,
      sessions: this.plannedSessions,
      bounces: this.bounces,
      reachedCheckout: this.reachedCheckout,
      converted: this.converted,
      openSessions: this.table.size,
      heldBack: this.heldOutOfOrder.size + this.heldLate.length - this.heldLateHead,
    };
  }

  // ───────────────────────────── emission: disorder and damage ─────────────────────────────

  private produce(): SimulatedRecord {
    if (this.malformedFraction > 0 && this.lastKind >= 0 && this.damage.next() < this.malformedFraction) return this.malformedRecord();
    for (;;) {
      // A late record comes out once the stream has moved delayMs past it (so it is that late). Only
      // records in order move the stream on: the others are behind it.
      const late = this.heldLate[this.heldLateHead];
      if (late !== undefined && this.maxEmittedTime >= late.release) {
        this.heldLate[this.heldLateHead++] = undefined;
        if (this.heldLateHead > 4096 && this.heldLateHead * 2 > this.heldLate.length) {
          this.heldLate = this.heldLate.slice(this.heldLateHead);
          this.heldLateHead = 0;
        }
        this.lateCount++;
        this.eventCounts[late.kind] = (this.eventCounts[late.kind] ?? 0) + 1;
        return late.record;
      }
      // An out-of-order record comes out just before the first record more than its delay after it.
      if (this.heldOutOfOrder.size > 0 && this.nextBaseTime() > this.heldOutOfOrder.peekKey()) {
        const held = this.heldOutOfOrder.pop() as HeldBack;
        if (held.record.timestamp > this.maxEmittedTime) this.maxEmittedTime = held.record.timestamp;
        this.outOfOrderCount++;
        this.eventCounts[held.kind] = (this.eventCounts[held.kind] ?? 0) + 1;
        return held.record;
      }
      this.generate();
      const kind = this.lastKind;
      if (this.outOfOrderFraction > 0 || this.lateFraction > 0) {
        const u = this.disorder.next();
        if (u < this.lateFraction) {
          const record = this.record('late');
          this.heldLate.push({ record, kind, release: record.timestamp + this.lateDelayMs });
          continue;
        }
        if (u < this.lateFraction + this.outOfOrderFraction) {
          const record = this.record('out-of-order');
          this.heldOutOfOrder.push(record.timestamp + 1 + this.disorder.int(this.maxDelayMs), { record, kind, release: 0 });
          continue;
        }
      }
      this.eventCounts[kind] = (this.eventCounts[kind] ?? 0) + 1;
      if (this.lastTime > this.maxEmittedTime) this.maxEmittedTime = this.lastTime;
      return this.record(false);
    }
  }

  private record(delayed: Disorder): SimulatedRecord {
    return { timestamp: this.lastTime, key: this.lastKey, value: this.lastText, malformed: false, delayed };
  }

  private malformedRecord(): SimulatedRecord {
    const index = this.damage.int(MALFORMED_KINDS.length);
    const kind = MALFORMED_KINDS[index] as MalformedKind;
    this.malformedCounts[index] = (this.malformedCounts[index] ?? 0) + 1;
    const damaged = damage(this.damage, kind, this.lastText, this.lastKey, this.lastTime);
    return { timestamp: this.lastTime, key: damaged.key, value: damaged.value, malformed: kind, delayed: false };
  }

  // ───────────────────────────── the base stream, in event-time order ─────────────────────────────

  /** Event time of the next base record: admits the sessions that arrive before it. */
  private nextBaseTime(): number {
    for (;;) {
      const t = this.due.peekKey(); // +Infinity when no session is open
      if (t < Math.floor(this.nextArrival)) return t;
      this.admitSession();
    }
  }

  /** Generates the next base record into lastText / lastKey / lastTime / lastKind. */
  private generate(): void {
    const t = this.nextBaseTime();
    const table = this.table;
    const slot = this.due.peek() as number;
    const fields = table.fields;
    const row = slot * STRIDE;
    const step = table.step(slot);
    const kind = step & 3;
    const w = this.writer;
    w.reset();
    // eventId: a random (version 4) UUID, xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
    const ids = this.ids;
    const a = ids.nextUint32();
    const b = ids.nextUint32();
    const c = ids.nextUint32();
    w.words(OPEN);
    w.hex32(a);
    w.byte(DASH);
    w.hex16(b >>> 16);
    w.byte(DASH);
    w.hex16((b & 0x0fff) | 0x4000);
    w.byte(DASH);
    w.hex16(((c >>> 16) & 0x3fff) | 0x8000);
    w.byte(DASH);
    w.hex16(c & 0xffff);
    w.hex32(ids.nextUint32());
    // `","timestamp":` and the digits of t: the whole seconds are written once per second.
    const millis = t % 1000;
    const second = (t - millis) / 1000;
    if (second !== this.timestampSecond) {
      this.timestampSecond = second;
      this.timestampPrefix = utf8(`","timestamp":${second}`);
    }
    w.bytes(this.timestampPrefix);
    w.uint(millis, 3);
    // `,"eventType":"…","userId":"user_0042","sessionId":"session_00002sa1b2c3"`
    const user = fields[row + USER] as number;
    w.bytes(KIND_USER_OPEN[kind] as Uint8Array);
    w.uint(user, this.userIdWidth);
    w.bytes(SESSION_OPEN);
    w.base36(fields[row + SESSION_SEQ] as number, 6);
    w.hexDigits(fields[row + SESSION_RANDOM] as number, 6);
    w.byte(QUOTE);
    if (kind === PAGE_VIEW) {
      const page = step >> 3;
      const previous = fields[row + PREVIOUS_PAGE] as number;
      w.bytes(PAGE_BYTES[page] as Uint8Array);
      w.bytes((previous < 0 ? LANDING_REFERRER_BYTES[fields[row + LANDING_REFERRER] as number] : REFERRER_BYTES[previous]) as Uint8Array);
      const median = (PAGE_LOAD_MEDIAN_MS[fields[row + DEVICE] as number] as number) * (isCheckoutStep(page) ? 1.3 : 1);
      w.words(LOAD_TIME_KEY);
      w.uint(Math.min(30_000, Math.max(60, Math.round(LOAD_TIME.sample(this.model, median)))));
      w.byte(CLOSE);
      if (this.sessionDataOnAll) this.writeSessionData(row);
      fields[row + PREVIOUS_PAGE] = page;
    } else if (kind === CONVERSION) {
      if (this.sessionDataOnAll) this.writeSessionData(row);
      const cents = this.planner.revenueCents(this.model, step);
      w.bytes(this.conversionOpen);
      w.uint(++this.orderSeq, 7);
      w.words(REVENUE_KEY);
      w.uint(Math.floor(cents / 100));
      w.byte(DOT);
      w.uint(cents % 100, 2);
      w.byte(CLOSE);
    } else if (kind === START || this.sessionDataOnAll) {
      this.writeSessionData(row);
    }
    w.byte(CLOSE);
    this.lastText = w.text(fields[row + ASCII] === 1);
    this.lastKey = this.userId(user);
    this.lastTime = t;
    this.lastKind = kind;

    const next = (fields[row + NEXT_STEP] as number) + 1;
    if (next < (fields[row + STEP_COUNT] as number)) {
      fields[row + NEXT_STEP] = next;
      this.due.replaceTopKey(t + gapBefore(this.model, table.step(slot), kind));
    } else {
      this.due.pop();
      this.busy[user] = (this.busy[user] ?? 1) - 1;
      table.release(slot);
    }
  }

  /** `,"sessionData":{…}` of the session in `row`. */
  private writeSessionData(row: number): void {
    const fields = this.table.fields;
    const w = this.writer;
    const agent = AGENT_LIST[fields[row + AGENT] as number] as { open: Uint8Array; rest: Uint8Array };
    const ip = (fields[row + IP] as number) >>> 0;
    w.bytes(agent.open);
    w.bytes(IP_KEY);
    w.uint(ip >>> 24);
    w.byte(DOT);
    w.uint((ip >>> 16) & 0xff);
    w.byte(DOT);
    w.uint((ip >>> 8) & 0xff);
    w.byte(DOT);
    w.uint(ip & 0xff);
    w.bytes((PLACE_LIST[fields[row + PLACE] as number] as { bytes: Uint8Array }).bytes);
    w.bytes(agent.rest);
  }

  /** Starts the session arriving at `nextArrival` and draws the next arrival. */
  private admitSession(): void {
    const t = Math.floor(this.nextArrival);
    this.nextArrival += exponential(this.arrivals, this.meanInterArrivalMs);
    const user = this.pickUser();
    this.busy[user] = (this.busy[user] ?? 0) + 1;
    const steps = this.scratchSteps;
    steps.length = 0;
    const plan = this.planner.plan(this.model, steps);
    this.plannedSessions++;
    if (plan.bounce) this.bounces++;
    if (plan.reachedCheckout) this.reachedCheckout++;
    if (plan.converted) this.converted++;

    // Where and on what: the user's usual place and device, or another device (and network) for this session.
    const profile = this.profile;
    profile.reseed(deriveSeed(this.profileSeed, user));
    const country = COUNTRY_CHOICE.sample(profile);
    const places = PLACE_INDEX[country] as { cities: number[]; withoutCity: number };
    const city = (CITY_CHOICE[country] as AliasSampler).sample(profile);
    const place = profile.next() < UNKNOWN_CITY ? places.withoutCity : (places.cities[city] as number);
    const source = this.model.next() < OTHER_DEVICE ? this.model : profile;
    const device = DEVICE_CHOICE.sample(source);
    const agent = (AGENT_INDEX[device] as number[])[(AGENT_CHOICE[device] as AliasSampler).sample(source)] as number;
    const ip = ((FIRST_OCTETS[source.int(FIRST_OCTETS.length)] as number) << 24) | (source.int(256) << 16) | (source.int(256) << 8) | (1 + source.int(254));

    const table = this.table;
    const slot = table.allocate(steps);
    const fields = table.fields;
    const row = slot * STRIDE;
    fields[row + USER] = user;
    fields[row + DEVICE] = device;
    fields[row + AGENT] = agent;
    fields[row + PLACE] = place;
    fields[row + IP] = ip;
    fields[row + SESSION_SEQ] = this.sessionSeq++;
    fields[row + SESSION_RANDOM] = this.ids.nextUint32() >>> 8;
    fields[row + ASCII] = (PLACE_LIST[place] as { ascii: boolean }).ascii ? 1 : 0;
    fields[row + LANDING_REFERRER] = LANDING_REFERRER_CHOICE.sample(this.model);
    this.due.push(t, slot);
  }

  private userId(user: number): string {
    const cached = this.userIds?.[user];
    if (cached !== undefined) return cached;
    const id = `user_${String(user).padStart(this.userIdWidth, '0')}`;
    if (this.userIds !== undefined) this.userIds[user] = id;
    return id;
  }

  /** A user by activity, preferring one not already in a session (after 8 tries, a second session on another tab or device). */
  private pickUser(): number {
    let user = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      user = (this.userActivity.sample(this.arrivals) * this.userStride) % this.users;
      if (this.busy[user] === 0) break;
    }
    return user;
  }
}

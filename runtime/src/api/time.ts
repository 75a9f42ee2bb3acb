// Time: event time, processing time, watermarks and timers.
//
// All instants are milliseconds since the Unix epoch (UTC) and all durations are milliseconds, as
// plain numbers: the generated code does arithmetic on them without conversions.

/** An instant, in milliseconds since 1970-01-01T00:00:00Z. */
export type EpochMillis = number;

/** A length of time in milliseconds. */
export type DurationMillis = number;

/** `event`: time carried by the records (their event-time field); `processing`: the wall clock of the processor. */
export type TimeDomain = 'event' | 'processing';

/** The watermark before any record has been seen: every event time is later than it. */
export const MIN_WATERMARK: EpochMillis = Number.NEGATIVE_INFINITY;

/** The watermark of a finished (bounded) input: every window can close. */
export const MAX_WATERMARK: EpochMillis = Number.POSITIVE_INFINITY;

/**
 * A promise that no record with an event time `<= timestamp` is still to come on this input (late
 * records can still arrive; operators route them by their allowed lateness).
 */
export interface Watermark {
  readonly timestamp: EpochMillis;
  /** The partition it was computed for; `null` once combined over all the partitions of an operator. */
  readonly partition: number | null;
  /** Set when the partition has been idle past its timeout and no longer holds the combined watermark back. */
  readonly idle: boolean;
}

/**
 * How a source derives watermarks from the event times it reads (`event time ts watermark 5s idle 1m`).
 * `processingTime`: the source has no event time; windows run on the processing clock.
 */
export type WatermarkStrategy = BoundedOutOfOrdernessWatermarks | ProcessingTimeWatermarks;

export interface BoundedOutOfOrdernessWatermarks {
  readonly kind: 'boundedOutOfOrderness';
  /** The watermark trails the largest event time seen on a partition by this much. */
  readonly maxOutOfOrdernessMs: DurationMillis;
  /** A partition with no records for this long is marked idle; `null`: partitions never go idle. */
  readonly idleTimeoutMs: DurationMillis | null;
}

export interface ProcessingTimeWatermarks {
  readonly kind: 'processingTime';
}

/** The watermark of one partition after it has seen `maxEventTime`. */
export function boundedWatermark(maxEventTime: EpochMillis, strategy: BoundedOutOfOrdernessWatermarks): EpochMillis {
  return maxEventTime - strategy.maxOutOfOrdernessMs - 1;
}

/**
 * The watermark of an operator reading several partitions: the smallest of the active ones. Idle
 * partitions are ignored; when every partition is idle the largest watermark wins (time moves on).
 */
export function combineWatermarks(watermarks: readonly Watermark[]): EpochMillis {
  let active = MAX_WATERMARK;
  let idle = MIN_WATERMARK;
  let anyActive = false;
  for (const w of watermarks) {
    if (w.idle) {
      idle = Math.max(idle, w.timestamp);
    } else {
      anyActive = true;
      active = Math.min(active, w.timestamp);
    }
  }
  if (anyActive) return active;
  return watermarks.length === 0 ? MIN_WATERMARK : idle;
}

/** A timer registered by an operator for one key. */
export interface Timer {
  readonly domain: TimeDomain;
  /** Fires when the watermark (event time) or the clock (processing time) reaches it. */
  readonly at: EpochMillis;
  /** The state key the timer belongs to (a window's group key, a pattern's partition key). */
  readonly key: string;
  /** What the timer is for, chosen by the operator: `window-end`, `session-gap`, `pattern-within`, … */
  readonly tag: string;
}

/** An opaque handle to cancel a timer. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Time as an operator sees it. Embedded runs and tests use a manual clock, deployed processors the
 * system clock; operators never read `Date.now()` themselves.
 */
export interface Clock {
  /** Processing time: the clock of this process. */
  now(): EpochMillis;
  /** Event time: the operator's current (combined) watermark. */
  watermark(): EpochMillis;
  /** Registers a timer; a timer with the same domain, key, tag and time replaces the earlier one. */
  setTimer(timer: Timer): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
}

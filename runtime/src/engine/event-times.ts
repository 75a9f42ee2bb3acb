// Implausible event times. A record whose event time decodes but cannot be right (seconds sent as
// milliseconds, 0, microseconds, the year 2999 — the simulator's `absurd-timestamp` damage) would
// drag its partition's watermark to 1970 or push it centuries ahead, closing every window and
// making every later record late. The decode step turns such records into dead letters (reason
// category `invalid_timestamp`) before they can touch the watermark.
//
// Plausible (the defaults): not before 2000-01-01T00:00:00Z, and at most one day ahead of
// max(processing time now, the newest accepted event time of the record's partition) — a replay
// that runs ahead of the clock still passes, as long as it moves forward in steps of less than the
// horizon. `horizonFrom: 'events'` leaves the clock out (the TopologyTestDriver's virtual clock says
// nothing about the event times a test pipes): the first record of a partition is then only held
// to the lower bound.
import type { DurationMillis, EpochMillis } from '../api/index.ts';

/** 2000-01-01T00:00:00Z. */
export const EARLIEST_EVENT_TIME: EpochMillis = Date.UTC(2000, 0, 1);
/** One day. */
export const MAX_AHEAD_MS: DurationMillis = 24 * 60 * 60 * 1000;

export interface EventTimeBounds {
  /** Event times before this are implausible. Default 2000-01-01T00:00:00Z; `null`: no lower bound. */
  readonly earliest?: EpochMillis | null;
  /** How far past the reference an event time may be. Default one day; `null`: no upper bound. */
  readonly maxAheadMs?: DurationMillis | null;
  /**
   * The reference of the horizon: `clock` (default) max(processing time, newest accepted event
   * time of the partition); `events` the newest accepted event time only (none yet: no upper bound).
   */
  readonly horizonFrom?: 'clock' | 'events';
  /**
   * The "now" the horizon reads, with `horizonFrom: 'clock'`. Default: the engine's processing
   * clock. A replay, whose processing clock is the event time being read (one step per poll),
   * passes the wall clock, so that whether a record is plausible does not depend on where the
   * polls end; `flowc test` does the same, so both paths agree.
   */
  readonly horizonClock?: () => EpochMillis;
}

export const DEFAULT_EVENT_TIME_BOUNDS: Required<Omit<EventTimeBounds, 'horizonClock'>> = { earliest: EARLIEST_EVENT_TIME, maxAheadMs: MAX_AHEAD_MS, horizonFrom: 'clock' };

/** Starts every reason `implausibleEventTime` gives (the dead letter's reason category is read from it). */
export const IMPLAUSIBLE_EVENT_TIME = /^event time \S+ is implausible/;

/** Checks event times against `bounds` (`null`: every time is plausible). */
export class EventTimeCheck {
  private readonly earliest: EpochMillis | null;
  private readonly maxAheadMs: DurationMillis | null;
  private readonly useClock: boolean;
  private readonly horizonClock: (() => EpochMillis) | null;

  constructor(bounds: EventTimeBounds | null = DEFAULT_EVENT_TIME_BOUNDS) {
    this.earliest = bounds === null ? null : bounds.earliest === undefined ? EARLIEST_EVENT_TIME : bounds.earliest;
    this.maxAheadMs = bounds === null ? null : bounds.maxAheadMs === undefined ? MAX_AHEAD_MS : bounds.maxAheadMs;
    this.useClock = bounds !== null && (bounds.horizonFrom ?? 'clock') === 'clock';
    this.horizonClock = bounds?.horizonClock ?? null;
  }

  /** The "now" to pass to `implausible` when the processing clock reads `processingNow` (read it once per batch). */
  now(processingNow: EpochMillis): EpochMillis {
    return this.horizonClock === null ? processingNow : this.horizonClock();
  }

  /** Whether any time can be rejected. */
  get enabled(): boolean {
    return this.earliest !== null || this.maxAheadMs !== null;
  }

  /**
   * `null` when `t` is plausible at processing time `now` with `newest` the newest accepted event
   * time of the partition (`-Infinity`: none); else the dead letter's reason.
   */
  implausible(t: EpochMillis, now: EpochMillis, newest: EpochMillis): string | null {
    if (!this.enabled) return null;
    if (!Number.isFinite(t)) return `event time ${String(t)} is implausible (not a finite number of milliseconds)`;
    if (this.earliest !== null && t < this.earliest) return `event time ${describe(t)} is implausible (before ${describe(this.earliest)})`;
    if (this.maxAheadMs !== null) {
      const reference = this.useClock ? Math.max(now, newest) : newest;
      if (Number.isFinite(reference) && t > reference + this.maxAheadMs) {
        const what = this.useClock && now >= newest ? 'the processing time' : "the partition's newest event time";
        return `event time ${describe(t)} is implausible (more than ${formatDuration(this.maxAheadMs)} ahead of ${describe(reference)}, ${what})`;
      }
    }
    return null;
  }
}

/**
 * The newest plausible event time seen by one reader (all partitions together), for code outside
 * the engine that must not follow an implausible time (the replay clock of `flowc run --from`).
 */
export class PlausibleTimes {
  private newest = Number.NEGATIVE_INFINITY;
  private readonly check: EventTimeCheck;

  constructor(
    private readonly now: () => EpochMillis = Date.now,
    bounds: EventTimeBounds | null = DEFAULT_EVENT_TIME_BOUNDS,
  ) {
    this.check = new EventTimeCheck(bounds);
  }

  /** Whether `t` is plausible; remembers it when it is. */
  accept(t: EpochMillis): boolean {
    if (this.check.implausible(t, this.now(), this.newest) !== null) return false;
    if (t > this.newest) this.newest = t;
    return true;
  }
}

function describe(t: EpochMillis): string {
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? String(t) : date.toISOString();
}

function formatDuration(ms: DurationMillis): string {
  const units: readonly [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms === size ? '' : 's'}`;
  }
  return `${ms} ms`;
}

// The producer of embedded runs: the website event simulator appending to a topic of the
// in-process partitioned log, paced by its rate knob, as a Kafka producer would feed the topic the
// pipeline reads. Records are keyed by userId, so they land on the partition Kafka's partitioner
// would pick.
//
// Event time follows the wall clock: the simulated world moves at `eventRate` events per second,
// and starts a few minutes before now (or just after the last event of the previous run on the same
// state dir), fast-forwarded to now, so that the first records already come from a site in full
// swing (sessions under way) rather than from an empty one filling up. A live record is appended
// when its event time comes (the next one is held until the clock reaches it), not one every
// 1000/rate ms: counting would let the simulator's random arrivals wander from the clock, and would
// start late (after warm-up, engine start and backfill, while event time started at construction).
// So the input trails the clock by the feed interval only, and `--rate` holds on average (the world
// makes `rate` events per second of event time). On a fresh state dir the
// last `backfillMs` of that simulated past is not skipped but appended at once (ahead of the live
// records), like a topic that already holds the last minutes of traffic: event-time windows over it
// close at once, so the dashboard and the stores have history from the first second. Each run on
// a state dir is a new generation of the simulator (the seed is derived from `--seed` and the
// generation), so a resumed run continues the topic with fresh events instead of replaying the
// previous run's. `simulator.json` in the state dir keeps the generation and the last event time.
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecodeResult } from '../../../runtime/src/index.ts';
import type { PartitionedLog } from '../../../runtime/src/adapters/embedded/index.ts';
import { deriveSeed, MALFORMED_KINDS, WebsiteEventSimulator, type MalformedKind, type SimulatedRecord } from '../../../runtime/src/simulator/index.ts';

export interface FeederSettings {
  readonly seed: number;
  /** Records per second of wall-clock time; `Infinity`: as fast as the pipeline takes them. */
  readonly rate: number;
  readonly malformed: number;
  readonly late: { readonly fraction: number; readonly delayMs: number };
  readonly outOfOrder: { readonly fraction: number; readonly maxDelayMs: number };
  /** Event time before now appended at once on a fresh state dir (0: none; default 0). */
  readonly backfillMs?: number;
}

export interface FeederState {
  readonly seed: number;
  /** Runs of the simulator on this state dir so far. */
  readonly generation: number;
  /** The largest event time appended so far. */
  readonly lastEventTime: number | null;
}

export interface FeederCounts {
  readonly records: number;
  readonly malformed: number;
  readonly malformedByKind: Readonly<Record<MalformedKind, number>>;
  readonly late: number;
  readonly outOfOrder: number;
}

/** Event-time rate of the simulated world when the wall-clock rate is `max`. */
const UNPACED_EVENT_RATE = 200;
/** Event time simulated before now, and skipped, so that sessions are under way at the start. */
const WARM_UP_MS = 5 * 60_000;
/** At most this many records are generated and skipped to warm up. */
const WARM_UP_RECORDS = 1_000_000;
/** At most this many records are backfilled (a fast `--rate` shortens the backfilled time). */
const BACKFILL_RECORDS = 300_000;
/**
 * The backfill is appended one slice of event time at a time, each once the consumers have read
 * the one before: partitions are read by record count, so a large backlog lets them drift apart in
 * event time, and with them the processing time of the catch-up (see CatchUpTime).
 */
const BACKFILL_SLICE_MS = 1000;

export class SimulatorFeeder {
  readonly simulator: WebsiteEventSimulator;
  readonly generation: number;
  private lastEventTime: number | null;
  private stopped = false;
  /** The next record to append, taken from the simulator ahead (the first one at or after now, after warm-up). */
  private pending: SimulatedRecord | null = null;
  /** Whether live records are appended when their event time comes (a finite rate) or as fast as taken. */
  private readonly paced: boolean;
  /**
   * Event time − wall clock of the live records: 0, unless a previous run's events went past now
   * (`--rate max` runs ahead of the clock), when the world continues after them and is paced from
   * there.
   */
  private readonly eventTimeOffset: number;
  /** Backfilled records not yet appended, oldest first, and the next one to append. */
  private readonly backfill: SimulatedRecord[] = [];
  private backfillNext = 0;
  /**
   * Event time from which records are live: the wall-clock time the feeder was made at. Live records
   * are appended once the clock reaches their event time, so those from here to the first live feed
   * (warm-up, engine start and backfill take seconds) come at once then, and the rest as they fall due.
   */
  readonly liveFrom: number;
  /** Event time of the first backfilled record; `null` without a backfill. */
  readonly backfillFrom: number | null;
  private records = 0;
  private late = 0;
  private outOfOrder = 0;
  private readonly malformedByKind = Object.fromEntries(MALFORMED_KINDS.map((k) => [k, 0])) as Record<MalformedKind, number>;

  constructor(
    private readonly log: PartitionedLog,
    readonly topic: string,
    readonly settings: FeederSettings,
    previous: FeederState | null,
    now: number,
  ) {
    this.generation = previous === null ? 0 : previous.generation + 1;
    this.lastEventTime = previous?.lastEventTime ?? null;
    const eventRate = Number.isFinite(settings.rate) ? settings.rate : UNPACED_EVENT_RATE;
    const warmUpMs = Math.min(WARM_UP_MS, (WARM_UP_RECORDS / eventRate) * 1000);
    const backfillMs = previous === null ? Math.min(settings.backfillMs ?? 0, (BACKFILL_RECORDS / eventRate) * 1000) : 0;
    const backfillFrom = now - backfillMs;
    const startTime = Math.max(Math.floor(backfillFrom - warmUpMs), (previous?.lastEventTime ?? 0) + 1);
    this.simulator = new WebsiteEventSimulator({
      seed: this.generation === 0 ? settings.seed : deriveSeed(settings.seed, 1000 + this.generation),
      ratePerSecond: settings.rate,
      eventRatePerSecond: eventRate,
      startTime,
      malformed: settings.malformed > 0 ? { fraction: settings.malformed } : undefined,
      late: settings.late.fraction > 0 ? settings.late : undefined,
      outOfOrder: settings.outOfOrder.fraction > 0 ? settings.outOfOrder : undefined,
    });
    // Warm-up and backfill: both bounded, so is their sum (a record past it is due at once).
    const maxRecords = WARM_UP_RECORDS + (backfillMs > 0 ? BACKFILL_RECORDS : 0);
    for (let i = 0; i < maxRecords + 1; i++) {
      const record = this.simulator.next();
      if (record.timestamp >= now || i === maxRecords) {
        this.pending = record;
        break;
      }
      if (backfillMs > 0 && record.timestamp >= backfillFrom) this.backfill.push(record);
    }
    this.liveFrom = now;
    this.paced = Number.isFinite(settings.rate);
    this.eventTimeOffset = Math.max(0, startTime - now);
    this.backfillFrom = this.backfill.length > 0 ? (this.backfill[0] as SimulatedRecord).timestamp : null;
  }

  /**
   * Appends the records due at wall-clock `now` (those whose event time is `now` or before, the
   * backfill first), at most `limit` (the room left in the consumer's backlog); `backlog` is what the
   * consumers have not read yet. With `--rate max`, `limit` records. Returns how many.
   */
  feed(now: number, limit: number, backlog = 0): number {
    if (this.stopped || limit <= 0) return 0;
    if (this.backfillNext < this.backfill.length) {
      // The backfill goes first, a slice of event time at a time, as fast as the consumers read it;
      // the paced records follow.
      if (backlog > 0) return 0;
      const sliceEnd = (this.backfill[this.backfillNext] as SimulatedRecord).timestamp + BACKFILL_SLICE_MS;
      let end = this.backfillNext;
      const max = Math.min(this.backfill.length, this.backfillNext + limit);
      while (end < max && (this.backfill[end] as SimulatedRecord).timestamp < sliceEnd) end++;
      for (let i = this.backfillNext; i < end; i++) this.append(this.backfill[i] as SimulatedRecord);
      const appended = end - this.backfillNext;
      if (end === this.backfill.length) {
        this.backfill.length = 0;
        this.backfillNext = 0;
      } else {
        this.backfillNext = end;
      }
      return appended;
    }
    // Live: every record whose event time has come, in emission order. A held-back (out-of-order,
    // late) record comes out with an earlier event time, so it is due as soon as it is next.
    let appended = 0;
    while (appended < limit) {
      const record = (this.pending ??= this.simulator.next());
      if (this.paced && record.timestamp - this.eventTimeOffset > now) break;
      this.pending = null;
      this.append(record);
      appended++;
    }
    return appended;
  }

  /** Records still to backfill. */
  get backfillPending(): number {
    return this.backfill.length - this.backfillNext;
  }

  private append(record: SimulatedRecord): void {
    this.log.append(this.topic, record.key, record.value);
    this.records++;
    if (record.malformed !== false) this.malformedByKind[record.malformed]++;
    else if (this.lastEventTime === null || record.timestamp > this.lastEventTime) this.lastEventTime = record.timestamp;
    if (record.delayed === 'late') this.late++;
    else if (record.delayed === 'out-of-order') this.outOfOrder++;
  }

  /**
   * When the next record is due (wall clock: its event time, unless a previous run went past now);
   * `-Infinity` while backfilling or when the rate is `max`.
   */
  nextDueAt(): number {
    if (this.backfillPending > 0 || !this.paced) return Number.NEGATIVE_INFINITY;
    const record = (this.pending ??= this.simulator.next());
    return record.timestamp - this.eventTimeOffset;
  }

  stop(): void {
    this.stopped = true;
  }

  state(): FeederState {
    return { seed: this.settings.seed, generation: this.generation, lastEventTime: this.lastEventTime };
  }

  /** What this run appended, backfill included (the warm-up records skipped are not counted). */
  counts(): FeederCounts {
    let malformed = 0;
    for (const kind of MALFORMED_KINDS) malformed += this.malformedByKind[kind];
    return { records: this.records, malformed, malformedByKind: { ...this.malformedByKind }, late: this.late, outOfOrder: this.outOfOrder };
  }
}

/**
 * Whether the simulator's records fit a source's schema: a few hundred good records must all
 * decode. Returns the first failure otherwise.
 */
export function simulatorFits(decodeText: (text: string) => DecodeResult<unknown>): { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly path: string } {
  const simulator = new WebsiteEventSimulator({ seed: 1, ratePerSecond: Number.POSITIVE_INFINITY, startTime: Date.now() });
  for (let i = 0; i < 300; i++) {
    const result = decodeText(simulator.next().value);
    if (!result.ok) return { ok: false, reason: result.reason, path: result.path };
  }
  return { ok: true };
}

// ───────────────────────────── simulator.json ─────────────────────────────

interface StoredStates {
  readonly version: 1;
  readonly topics: Readonly<Record<string, FeederState>>;
}

export function feederStatePath(stateDir: string): string {
  return join(stateDir, 'simulator.json');
}

/** The feeders' states kept in the state dir (by topic); empty when there are none. */
export function loadFeederStates(stateDir: string): Map<string, FeederState> {
  let text: string;
  try {
    text = readFileSync(feederStatePath(stateDir), 'utf8');
  } catch {
    return new Map();
  }
  try {
    const stored = JSON.parse(text) as Partial<StoredStates>;
    if (stored.version !== 1 || typeof stored.topics !== 'object' || stored.topics === null) return new Map();
    return new Map(Object.entries(stored.topics));
  } catch {
    return new Map();
  }
}

export async function saveFeederStates(stateDir: string, feeders: readonly SimulatorFeeder[]): Promise<void> {
  if (feeders.length === 0) return;
  const stored: StoredStates = { version: 1, topics: Object.fromEntries(feeders.map((f) => [f.topic, f.state()])) };
  const path = feederStatePath(stateDir);
  await writeFile(`${path}.tmp`, `${JSON.stringify(stored)}\n`);
  await rename(`${path}.tmp`, path);
}

// Clocks: processing time, the operator's watermark, and timers in both time domains.
//
// `ManualClock` is the clock of tests and deterministic replays: time moves only when told
// (`advance`, `advanceTo`, `advanceWatermark`), and due timers fire in order inside that call.
// `SystemClock` is the clock of a running processor: processing time is `Date.now()`,
// processing-time timers fire from one re-armed `setTimeout`, event-time timers fire when the
// engine advances the watermark. Both fire through `timerCallback` (the engine routes the timer to
// its operator's `onTimer`) and also return the timers an advance fired.
//
// Timer identity follows the API: a timer with the same domain, key, tag and time as a pending
// one replaces it (there is still one timer, and the earlier handle still cancels it). Timers due at
// the same instant fire in registration order.
import { MIN_WATERMARK, type Clock, type EpochMillis, type TimeDomain, type Timer, type TimerHandle } from '../../api/index.ts';

export type TimerCallback = (timer: Timer) => void;

interface TimerEntry {
  readonly id: number;
  readonly seq: number;
  readonly identity: string;
  timer: Timer;
  cancelled: boolean;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.timer.at < b.timer.at || (a.timer.at === b.timer.at && a.seq < b.seq);
}

/** Pending timers of one domain, earliest first (a binary heap; cancelled entries are dropped lazily). */
class TimerHeap {
  private readonly heap: TimerEntry[] = [];
  private live = 0;

  get size(): number {
    return this.live;
  }

  push(entry: TimerEntry): void {
    const heap = this.heap;
    heap.push(entry);
    this.live++;
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as TimerEntry;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  markCancelled(): void {
    this.live--;
  }

  peek(): TimerEntry | undefined {
    this.dropCancelled();
    return this.heap[0];
  }

  pop(): TimerEntry | undefined {
    this.dropCancelled();
    const top = this.heap[0];
    if (top !== undefined) {
      this.removeTop();
      this.live--;
    }
    return top;
  }

  entries(): TimerEntry[] {
    return this.heap.filter((e) => !e.cancelled).sort((a, b) => (before(a, b) ? -1 : 1));
  }

  clear(): void {
    this.heap.length = 0;
    this.live = 0;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && (this.heap[0] as TimerEntry).cancelled) this.removeTop();
  }

  private removeTop(): void {
    const heap = this.heap;
    const last = heap.pop() as TimerEntry;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r] as TimerEntry, heap[l] as TimerEntry) ? r : l;
      const c = heap[child] as TimerEntry;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

/** Timers of both domains with the API's replace-on-same-identity rule. */
class TimerRegistry {
  private readonly byIdentity = new Map<string, TimerEntry>();
  private readonly byId = new Map<number, TimerEntry>();
  readonly event = new TimerHeap();
  readonly processing = new TimerHeap();
  private nextId = 1;
  private nextSeq = 0;

  add(timer: Timer): TimerEntry {
    if (Number.isNaN(timer.at)) throw new RangeError('a timer needs a time, got NaN');
    const identity = `${timer.domain}\u0000${timer.at}\u0000${timer.tag}\u0000${timer.key}`;
    const existing = this.byIdentity.get(identity);
    if (existing !== undefined) {
      existing.timer = timer;
      return existing;
    }
    const entry: TimerEntry = { id: this.nextId++, seq: this.nextSeq++, identity, timer, cancelled: false };
    this.byIdentity.set(identity, entry);
    this.byId.set(entry.id, entry);
    this.heapOf(timer.domain).push(entry);
    return entry;
  }

  cancel(handle: TimerHandle): void {
    const entry = this.byId.get(handle.id);
    if (entry === undefined) return;
    entry.cancelled = true;
    this.forget(entry);
    this.heapOf(entry.timer.domain).markCancelled();
  }

  /** Removes and returns the earliest timer of `domain` due at or before `limit`. */
  popDue(domain: TimeDomain, limit: EpochMillis): Timer | undefined {
    const heap = this.heapOf(domain);
    const top = heap.peek();
    if (top === undefined || top.timer.at > limit) return undefined;
    heap.pop();
    this.forget(top);
    return top.timer;
  }

  peekTime(domain: TimeDomain): EpochMillis | undefined {
    return this.heapOf(domain).peek()?.timer.at;
  }

  pending(domain?: TimeDomain): Timer[] {
    const heaps = domain === undefined ? [this.event, this.processing] : [this.heapOf(domain)];
    return heaps.flatMap((h) => h.entries().map((e) => e.timer));
  }

  clear(): void {
    this.byIdentity.clear();
    this.byId.clear();
    this.event.clear();
    this.processing.clear();
  }

  private heapOf(domain: TimeDomain): TimerHeap {
    return domain === 'event' ? this.event : this.processing;
  }

  private forget(entry: TimerEntry): void {
    this.byIdentity.delete(entry.identity);
    this.byId.delete(entry.id);
  }
}

export interface ManualClockOptions {
  /** Processing time at the start; 0 by default. */
  readonly start?: EpochMillis;
  /** The starting watermark; `MIN_WATERMARK` by default. */
  readonly watermark?: EpochMillis;
  readonly onTimer?: TimerCallback;
}

/**
 * A clock that moves only when told. `advance(ms)` fires the processing-time timers due by the new
 * time, earliest first, with `now()` set to each timer's time while its callback runs; timers a
 * callback registers inside the advanced span fire in the same call. `advanceWatermark(t)` does the
 * same for event-time timers.
 */
export class ManualClock implements Clock {
  timerCallback: TimerCallback | null;
  private time: EpochMillis;
  private mark: EpochMillis;
  private readonly timers = new TimerRegistry();
  private firing = false;

  constructor(options: ManualClockOptions = {}) {
    this.time = options.start ?? 0;
    this.mark = options.watermark ?? MIN_WATERMARK;
    this.timerCallback = options.onTimer ?? null;
  }

  now(): EpochMillis {
    return this.time;
  }

  watermark(): EpochMillis {
    return this.mark;
  }

  setTimer(timer: Timer): TimerHandle {
    return { id: this.timers.add(timer).id };
  }

  cancelTimer(handle: TimerHandle): void {
    this.timers.cancel(handle);
  }

  /** Moves processing time forward by `ms` (≥ 0) and fires the due processing-time timers; returns them in firing order. */
  advance(ms: number): Timer[] {
    if (!(ms >= 0)) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    return this.advanceTo(this.time + ms);
  }

  /** Moves processing time to `time` (not backwards) and fires the due processing-time timers. */
  advanceTo(time: EpochMillis): Timer[] {
    if (time < this.time) throw new RangeError(`cannot move the clock back from ${this.time} to ${time}`);
    return this.fire('processing', time, (at) => {
      if (at > this.time) this.time = at;
    }, () => {
      this.time = time;
    });
  }

  /** Raises the watermark to `watermark` (a lower value is ignored) and fires the due event-time timers. */
  advanceWatermark(watermark: EpochMillis): Timer[] {
    if (watermark <= this.mark) return this.fire('event', this.mark, () => undefined, () => undefined);
    return this.fire('event', watermark, (at) => {
      if (at > this.mark) this.mark = at;
    }, () => {
      this.mark = watermark;
    });
  }

  /** Pending timers, earliest first (of one domain, or processing then event). */
  pendingTimers(domain?: TimeDomain): Timer[] {
    return domain === undefined ? [...this.timers.pending('processing'), ...this.timers.pending('event')] : this.timers.pending(domain);
  }

  private fire(domain: TimeDomain, limit: EpochMillis, moveTo: (at: EpochMillis) => void, finish: () => void): Timer[] {
    if (this.firing) throw new Error('the clock cannot be advanced from inside a timer callback');
    this.firing = true;
    const fired: Timer[] = [];
    try {
      for (let timer = this.timers.popDue(domain, limit); timer !== undefined; timer = this.timers.popDue(domain, limit)) {
        moveTo(timer.at);
        fired.push(timer);
        this.timerCallback?.(timer);
      }
      finish();
    } finally {
      this.firing = false;
    }
    return fired;
  }
}

export interface SystemClockOptions {
  readonly onTimer?: TimerCallback;
  /** Processing time; `Date.now` by default. */
  readonly now?: () => EpochMillis;
  /** Where a throwing timer callback's error goes (processing-time timers fire outside any caller); rethrown by default. */
  readonly onError?: (error: unknown) => void;
}

/** setTimeout's largest delay (about 24.8 days); longer waits re-arm. */
const MAX_DELAY = 0x7fffffff;

/**
 * The clock of a running processor. Processing-time timers fire from one `setTimeout` armed for the
 * earliest of them; event-time timers fire in `advanceWatermark`, called by the engine when the
 * operator's combined watermark moves. `close()` cancels the OS timer and drops every pending timer.
 */
export class SystemClock implements Clock {
  timerCallback: TimerCallback | null;
  private readonly nowFn: () => EpochMillis;
  private readonly onError: ((error: unknown) => void) | null;
  private mark: EpochMillis = MIN_WATERMARK;
  private readonly timers = new TimerRegistry();
  private armed: ReturnType<typeof setTimeout> | null = null;
  private armedAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(options: SystemClockOptions = {}) {
    this.timerCallback = options.onTimer ?? null;
    this.nowFn = options.now ?? Date.now;
    this.onError = options.onError ?? null;
  }

  now(): EpochMillis {
    return this.nowFn();
  }

  watermark(): EpochMillis {
    return this.mark;
  }

  setTimer(timer: Timer): TimerHandle {
    const entry = this.timers.add(timer);
    if (timer.domain === 'processing') this.arm();
    return { id: entry.id };
  }

  cancelTimer(handle: TimerHandle): void {
    this.timers.cancel(handle);
  }

  /** Raises the watermark (a lower value is ignored) and fires the event-time timers it passed, in order. */
  advanceWatermark(watermark: EpochMillis): Timer[] {
    if (watermark > this.mark) this.mark = watermark;
    const fired: Timer[] = [];
    for (let timer = this.timers.popDue('event', this.mark); timer !== undefined; timer = this.timers.popDue('event', this.mark)) {
      fired.push(timer);
      this.timerCallback?.(timer);
    }
    return fired;
  }

  pendingTimers(domain?: TimeDomain): Timer[] {
    return domain === undefined ? [...this.timers.pending('processing'), ...this.timers.pending('event')] : this.timers.pending(domain);
  }

  close(): void {
    this.closed = true;
    this.disarm();
    this.timers.clear();
  }

  private disarm(): void {
    if (this.armed !== null) clearTimeout(this.armed);
    this.armed = null;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    if (this.closed) return;
    const next = this.timers.peekTime('processing');
    if (next === undefined) {
      this.disarm();
      return;
    }
    if (this.armed !== null && this.armedAt <= next) return;
    this.disarm();
    const delay = Math.min(MAX_DELAY, Math.max(0, next - this.nowFn()));
    this.armedAt = next;
    this.armed = setTimeout(() => this.onAlarm(), delay);
  }

  private onAlarm(): void {
    this.armed = null;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.nowFn();
    try {
      for (let timer = this.timers.popDue('processing', now); timer !== undefined; timer = this.timers.popDue('processing', now)) {
        try {
          this.timerCallback?.(timer);
        } catch (error) {
          if (this.onError === null) throw error;
          this.onError(error);
        }
        if (this.closed) return;
      }
    } finally {
      this.arm();
    }
  }
}

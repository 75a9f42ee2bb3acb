// Timers of the operators. Each operator instance registers timers through its own Clock (the
// OperatorContext's `clock`); the engine keeps them here and fires them:
//
// - event-time timers of a node when that node's watermark reaches them (before `onWatermark`);
// - processing-time timers of every node from one heap shared by the whole engine, in the order
//   (time, topological position of the node, registration), so that at the same instant an upstream
//   operator (a partial aggregate) fires before its downstream peer (the final merge).
//
// A timer with the same domain, key, tag and time as a pending one of the same node replaces it
// (the API's rule); its handle stays valid. Cancelled entries are dropped lazily from the heaps.
// Timers are not checkpointed: an operator re-registers the timers of the state it restores.
import type { EpochMillis, TimeDomain, Timer, TimerHandle } from '../api/index.ts';

/** Whoever receives a timer when it fires (a node of the graph). */
export interface TimerTarget {
  /** The node's position in topological order: ties between nodes at one instant fire upstream first. */
  readonly order: number;
  /** `entry` left the heap because it is due. */
  fireTimer(entry: TimerEntry): void;
}

export interface TimerEntry {
  readonly id: number;
  readonly seq: number;
  readonly identity: string;
  readonly owner: TimerTarget;
  timer: Timer;
  cancelled: boolean;
}

/**
 * Firing order: by time; at one instant upstream nodes first, then by key and tag, then in the
 * order set. Key and tag before the order set: a restored operator sets its timers again in its own
 * order (its state's), so that order must not decide which of two keys' timers of one instant fires
 * first, or a restored run could emit in another order than the uninterrupted one.
 */
function before(a: TimerEntry, b: TimerEntry): boolean {
  const at = a.timer.at;
  const bt = b.timer.at;
  if (at !== bt) return at < bt;
  if (a.owner.order !== b.owner.order) return a.owner.order < b.owner.order;
  const ak = a.timer.key;
  const bk = b.timer.key;
  if (ak !== bk) return ak < bk;
  const atag = a.timer.tag;
  const btag = b.timer.tag;
  if (atag !== btag) return atag < btag;
  return a.seq < b.seq;
}

/** A binary min-heap of timer entries. */
export class TimerHeap {
  private readonly heap: TimerEntry[] = [];

  get length(): number {
    return this.heap.length;
  }

  push(entry: TimerEntry): void {
    const heap = this.heap;
    heap.push(entry);
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

  /** The earliest live entry. */
  peek(): TimerEntry | undefined {
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as TimerEntry).cancelled) this.removeTop();
    return heap[0];
  }

  /** Removes and returns the earliest live entry due at or before `limit`. */
  popDue(limit: EpochMillis): TimerEntry | undefined {
    const top = this.peek();
    if (top === undefined || top.timer.at > limit) return undefined;
    this.removeTop();
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private removeTop(): void {
    const heap = this.heap;
    const last = heap.pop() as TimerEntry;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
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

let nextTimerId = 1;
let nextTimerSeq = 0;

/** The pending timers of one node: identity and handle maps; the entries sit in the heaps. */
export class NodeTimers {
  private readonly byIdentity = new Map<string, TimerEntry>();
  private readonly byId = new Map<number, TimerEntry>();
  /** This node's event-time timers. */
  readonly event = new TimerHeap();

  constructor(
    private readonly owner: TimerTarget,
    /** The engine-wide heap of processing-time timers. */
    private readonly processing: TimerHeap,
  ) {}

  get pending(): number {
    return this.byId.size;
  }

  set(timer: Timer): TimerHandle {
    if (Number.isNaN(timer.at)) throw new RangeError(`a timer needs a time, got NaN (${timer.tag} of ${timer.key})`);
    const identity = `${timer.domain}\u0000${timer.at}\u0000${timer.tag}\u0000${timer.key}`;
    const existing = this.byIdentity.get(identity);
    if (existing !== undefined) {
      existing.timer = timer;
      return { id: existing.id };
    }
    const entry: TimerEntry = { id: nextTimerId++, seq: nextTimerSeq++, identity, owner: this.owner, timer, cancelled: false };
    this.byIdentity.set(identity, entry);
    this.byId.set(entry.id, entry);
    this.heapOf(timer.domain).push(entry);
    return { id: entry.id };
  }

  cancel(handle: TimerHandle): void {
    const entry = this.byId.get(handle.id);
    if (entry === undefined) return;
    entry.cancelled = true;
    this.forget(entry);
  }

  /** Called when an entry left its heap to fire. */
  forget(entry: TimerEntry): void {
    this.byIdentity.delete(entry.identity);
    this.byId.delete(entry.id);
  }

  /** Drops every pending timer of this node (the processor is closed or reset). */
  clear(): void {
    for (const entry of this.byId.values()) entry.cancelled = true;
    this.byIdentity.clear();
    this.byId.clear();
    this.event.clear();
  }

  private heapOf(domain: TimeDomain): TimerHeap {
    return domain === 'event' ? this.event : this.processing;
  }
}

// Which keys of a partition have something to do at or before a given time (a buffered record, a
// deadline): each key's state carries its own wake-up time (`wakeAt`), and a binary min-heap of
// (time, key state) entries with lazy deletion finds the due ones, so a watermark visits only the
// keys that are due and setting a wake-up costs no map lookup. Derived from the keys' state
// (rebuilt on restore), never checkpointed itself.
import type { EpochMillis } from '../../api/index.ts';

/** What the heap orders: a key's state, with the time it next needs attention. */
export interface Wakeable {
  /** The state key: breaks ties between equal times. */
  readonly stateKey: string;
  /** When the key next needs attention; `null`: never (or it is not in the heap). Owned by `Wakeups`. */
  wakeAt: EpochMillis | null;
}

interface Entry<T extends Wakeable> {
  readonly at: EpochMillis;
  readonly item: T;
}

export class Wakeups<T extends Wakeable> {
  #heap: Entry<T>[] = [];
  /** Items with a wake-up time. */
  #live = 0;

  /** Sets (or, with `null`, clears) when `item` next needs attention. */
  set(item: T, at: EpochMillis | null): void {
    const current = item.wakeAt;
    if (at === null) {
      if (current !== null) {
        item.wakeAt = null;
        this.#live--;
      }
      return;
    }
    if (current === at) return;
    if (current === null) this.#live++;
    item.wakeAt = at;
    this.#push({ at, item });
    // Stale entries outnumbering live ones: rebuild so the heap stays proportional to the keys.
    if (this.#heap.length > 64 && this.#heap.length > 4 * this.#live) this.#rebuild();
  }

  /** Removes and returns an item due at or before `time` (earliest first, then by key), or `null`. */
  pop(time: EpochMillis): T | null {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.at > time) return null;
      this.#popTop();
      if (top.item.wakeAt === top.at) {
        top.item.wakeAt = null;
        this.#live--;
        return top.item;
      }
    }
  }

  clear(): void {
    for (const { item } of this.#heap) item.wakeAt = null;
    this.#heap.length = 0;
    this.#live = 0;
  }

  get size(): number {
    return this.#live;
  }

  #rebuild(): void {
    const old = this.#heap;
    this.#heap = [];
    const seen = new Set<T>();
    for (const entry of old) {
      if (entry.item.wakeAt !== entry.at || seen.has(entry.item)) continue;
      seen.add(entry.item);
      this.#push(entry);
    }
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry<T>;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #popTop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry<T>, heap[left] as Entry<T>) ? right : left;
      const c = heap[child] as Entry<T>;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

function before<T extends Wakeable>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.item.stateKey < b.item.stateKey);
}

// Which keys of a partition have something to do at or before a given time (a buffered record, a
// deadline): a map key → time plus a binary min-heap with lazy deletion, so a watermark visits only
// the keys that are due. Derived from the stores (rebuilt on restore), never checkpointed itself.
import type { EpochMillis } from '../../api/index.ts';

interface Entry {
  readonly at: EpochMillis;
  readonly key: string;
}

export class Wakeups {
  readonly #due = new Map<string, EpochMillis>();
  readonly #heap: Entry[] = [];

  /** Sets (or, with `null`, clears) when `key` next needs attention. */
  set(key: string, at: EpochMillis | null): void {
    if (at === null) {
      this.#due.delete(key);
      return;
    }
    if (this.#due.get(key) === at) return;
    this.#due.set(key, at);
    this.#push({ at, key });
    // Stale entries outnumbering live ones: rebuild so the heap stays proportional to the keys.
    if (this.#heap.length > 64 && this.#heap.length > 4 * this.#due.size) this.#rebuild();
  }

  /** Removes and returns a key due at or before `time` (earliest first), or `null`. */
  pop(time: EpochMillis): string | null {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.at > time) return null;
      this.#popTop();
      if (this.#due.get(top.key) === top.at) {
        this.#due.delete(top.key);
        return top.key;
      }
    }
  }

  clear(): void {
    this.#due.clear();
    this.#heap.length = 0;
  }

  get size(): number {
    return this.#due.size;
  }

  #rebuild(): void {
    this.#heap.length = 0;
    for (const [key, at] of this.#due) this.#push({ at, key });
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
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
      const child = right < heap.length && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
      const c = heap[child] as Entry;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.key < b.key);
}

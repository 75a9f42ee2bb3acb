// A binary min-heap of items keyed by time. The keys live in a Float64Array beside the items, so
// sifting compares numbers in one flat array instead of loading objects (the simulator keeps a
// few thousand open sessions here and touches the top once per event). Equal keys come out in an
// order fixed by the operations done, so runs are reproducible.

export class TimeHeap<T> {
  private keys = new Float64Array(1024);
  private items: (T | undefined)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The earliest item, or undefined when empty. */
  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** The earliest key (+Infinity when empty). */
  peekKey(): number {
    return this.n > 0 ? (this.keys[0] as number) : Number.POSITIVE_INFINITY;
  }

  push(key: number, item: T): void {
    if (this.n === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    const items = this.items;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent] as number;
      if (pk <= key) break;
      keys[i] = pk;
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
  }

  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const top = this.items[0];
    const last = --this.n;
    if (last > 0) this.siftDown(this.keys[last] as number, this.items[last] as T);
    this.items[last] = undefined;
    return top;
  }

  /** Gives the top item a new, later key (cheaper than pop + push). */
  replaceTopKey(key: number): void {
    if (this.n > 0) this.siftDown(key, this.items[0] as T);
  }

  /** Places `item` with `key` at the root and sifts it down. */
  private siftDown(key: number, item: T): void {
    const keys = this.keys;
    const items = this.items;
    const n = this.n;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = keys[child] as number;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right] as number;
        if (rk < ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck >= key) break;
      keys[i] = ck;
      items[i] = items[child];
      i = child;
    }
    keys[i] = key;
    items[i] = item;
  }
}

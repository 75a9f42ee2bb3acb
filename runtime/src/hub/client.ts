// One connected WebSocket client: the streams it subscribed to, the live messages waiting behind
// a subscription's snapshot, its liveness, and a bounded send.
//
// A subscription is `pending` from `subscribe` until its snapshot is sent: the live messages of
// its stream queue up meanwhile (with the identities and row keys of their rows — and of the
// `-U`s, which are not sent — so the snapshot can leave those rows out) and follow the snapshot in order. So a client sees each stream as snapshot, then
// every live message after it, none twice and none missing, however long the history read takes.
//
// Bounded: a message is only sent while the socket's unsent data (`bufferedAmount`) is at most
// `maxBufferedBytes`; a client past it — or whose queued messages exceed it — is reported to the
// hub (`onOverflow`), which terminates and counts it. Nothing else waits for a slow client.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

/** A stream one client is subscribed to. */
export class Subscription {
  /** Live messages waiting for the snapshot; `null` once live. */
  queue: Buffer[] | null;
  /** Row identities and row keys the queued updates touched (`MergeOptions.exclude`). */
  readonly identities = new Set<string>();

  constructor(
    readonly stream: string,
    pending: boolean,
  ) {
    this.queue = pending ? [] : null;
  }

  get pending(): boolean {
    return this.queue !== null;
  }
}

export interface HubClientOptions {
  readonly maxBufferedBytes: number;
  /** The client fell too far behind: the hub terminates and counts it. Called once. */
  readonly onOverflow: (client: HubClient) => void;
}

export class HubClient {
  /** Answered the last ping (or none sent yet). */
  alive = true;
  private readonly subscriptions = new Map<string, Subscription>();
  private queuedBytes = 0;
  private overflowed = false;
  private corked = false;

  constructor(
    readonly ws: WebSocket,
    private readonly options: HubClientOptions,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN && !this.overflowed;
  }

  /** Dropped for falling behind. */
  get dropped(): boolean {
    return this.overflowed;
  }

  /** The streams subscribed to (pending ones included). */
  streams(): string[] {
    return [...this.subscriptions.keys()];
  }

  isSubscribed(stream: string): boolean {
    return this.subscriptions.has(stream);
  }

  /** Whether `subscription` is still this client's subscription of its stream (not unsubscribed or replaced). */
  isCurrent(subscription: Subscription): boolean {
    return this.subscriptions.get(subscription.stream) === subscription && this.open;
  }

  /** Subscribes to `stream`; a pending subscription queues live messages until `release`. */
  subscribe(stream: string, pending: boolean): Subscription {
    this.unsubscribe(stream);
    const subscription = new Subscription(stream, pending);
    this.subscriptions.set(stream, subscription);
    return subscription;
  }

  /** Ends the subscription of `stream` (dropping what queued behind its snapshot); false when there was none. */
  unsubscribe(stream: string): boolean {
    const subscription = this.subscriptions.get(stream);
    if (subscription === undefined) return false;
    this.subscriptions.delete(stream);
    for (const data of subscription.queue ?? []) this.queuedBytes -= data.length;
    subscription.queue = null;
    return true;
  }

  /**
   * A live frame of `stream`: sent now, queued behind a pending snapshot, or ignored when not
   * subscribed. `identities`: the rows it touched, which a pending snapshot leaves out; `data`
   * null: nothing to send (a row's `-U`), only rows to leave out.
   */
  deliver(stream: string, data: Buffer | null, identities: readonly string[]): void {
    const subscription = this.subscriptions.get(stream);
    if (subscription === undefined) return;
    const queue = subscription.queue;
    if (queue === null) {
      if (data !== null) this.send(data);
      return;
    }
    for (const identity of identities) subscription.identities.add(identity);
    if (data === null) return;
    queue.push(data);
    this.queuedBytes += data.length;
    if (this.queuedBytes > this.options.maxBufferedBytes) this.overflow();
  }

  /** Sends the snapshot of a pending subscription (if any), then what queued behind it; the subscription goes live. */
  release(subscription: Subscription, snapshot: Buffer | null): void {
    if (!this.isCurrent(subscription)) return;
    const queue = subscription.queue ?? [];
    subscription.queue = null;
    subscription.identities.clear();
    for (const data of queue) this.queuedBytes -= data.length;
    if (snapshot !== null && !this.send(snapshot)) return;
    for (const data of queue) if (!this.send(data)) return;
  }

  /** Sends one text frame; false when the client is closed or has just been found too slow. */
  send(data: Buffer): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > this.options.maxBufferedBytes) {
      this.overflow();
      return false;
    }
    this.ws.send(data, { binary: false });
    return true;
  }

  /**
   * Holds this client's frames in its socket until `uncork`, so that the frames of one publish
   * leave in one write instead of one system call each. `ws` has no API for it: this reaches its
   * socket, and does nothing if the socket is not there.
   */
  cork(): void {
    if (this.corked || !this.open) return;
    const socket = (this.ws as unknown as { readonly _socket?: Duplex })._socket;
    if (socket === undefined || typeof socket.cork !== 'function') return;
    socket.cork();
    this.corked = true;
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    (this.ws as unknown as { readonly _socket?: Duplex })._socket?.uncork();
  }

  /** Closes the connection at once. */
  terminate(): void {
    this.subscriptions.clear();
    this.queuedBytes = 0;
    this.ws.terminate();
  }

  private overflow(): void {
    if (this.overflowed) return;
    this.overflowed = true;
    this.options.onOverflow(this);
  }
}

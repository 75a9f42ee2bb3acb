// The WebSocket connection to the hub: connect, say `subscribe` once `hello` arrives, hand every
// message on, notice a dead connection, reconnect with backoff. Plain TypeScript with the socket
// and the clock injected, so it is unit-tested without a browser.
//
// States: connecting (socket opening, waiting for `hello`) → live → reconnecting (a timer runs;
// attempt n waits backoffDelay(n)) → connecting … ; offline when the browser says it is offline or
// `stop()` was called. A connection is dead when it closes, errors, sends no `hello` within
// `helloTimeoutMs`, or sends nothing for 3 health intervals (at least 5 s).
import { backoffDelay, silenceLimitMs } from './backoff.ts';
import { parseFrame, VERSION, type ServerMessage, type SubscribeMessage } from './protocol.ts';

export type ConnectionStatus =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'live'; readonly since: number }
  | { readonly state: 'reconnecting'; readonly attempt: number; readonly retryAt: number; readonly reason: string }
  | { readonly state: 'offline'; readonly reason: string };

export type ConnectionState = ConnectionStatus['state'];

/** What the connection needs of a socket; `browserSocket` adapts the browser's WebSocket. */
export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  close(code: number, reason: string): void;
  error(): void;
}

export interface SocketHandle {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A problem worth telling the user about (shown as a toast). */
export interface ConnectionProblem {
  readonly code: string;
  readonly message: string;
}

export interface ConnectionOptions {
  readonly url: string;
  readonly socket?: SocketFactory;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** What to subscribe to once `hello` arrives; every stream by default. */
  readonly subscribe?: SubscribeMessage;
  /** A socket that opens but sends no `hello` within this is dropped; 10 s by default. */
  readonly helloTimeoutMs?: number;
  /** Whether the browser is online now; `navigator.onLine` by default. */
  readonly online?: () => boolean;
  readonly onMessage: (message: ServerMessage) => void;
  readonly onStatus?: (status: ConnectionStatus) => void;
  readonly onProblem?: (problem: ConnectionProblem) => void;
}

export const SUBSCRIBE_ALL: SubscribeMessage = { v: VERSION, type: 'subscribe', streams: '*' };

/** The hub's WebSocket URL for a page: `/ws` next to the page (`?hub=` overrides), `?token=` copied over. */
export function hubSocketUrl(pageUrl: string): string {
  const page = new URL(pageUrl);
  const override = page.searchParams.get('hub');
  const url = override !== null && override !== '' ? new URL(override, page) : new URL('ws', page);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  const token = page.searchParams.get('token');
  if (token !== null && !url.searchParams.has('token')) url.searchParams.set('token', token);
  url.hash = '';
  return url.toString();
}

export function browserSocket(url: string, handlers: SocketHandlers): SocketHandle {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.open();
  ws.onmessage = (event: MessageEvent) => handlers.message(event.data);
  ws.onclose = (event: CloseEvent) => handlers.close(event.code, event.reason);
  ws.onerror = () => handlers.error();
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(code, reason);
    },
  };
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

export class Connection {
  private readonly options: ConnectionOptions;
  private readonly clock: Clock;
  private socket: SocketHandle | null = null;
  /** Bumped per socket, so events of a replaced socket are ignored. */
  private generation = 0;
  private attempt = 0;
  private retryTimer: unknown = null;
  private watchdog: unknown = null;
  private silenceMs: number | null = null;
  private stopped = true;
  private current: ConnectionStatus = { state: 'offline', reason: 'not started' };
  private versionWarned = false;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  /** Failures since the last successful `hello`. */
  get attempts(): number {
    return this.attempt;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and stays offline until `start()`. */
  stop(reason = 'stopped'): void {
    this.stopped = true;
    this.dropSocket();
    this.clearTimers();
    this.setStatus({ state: 'offline', reason });
  }

  /** Skips the wait of a pending reconnect. */
  retryNow(): void {
    if (this.stopped || this.current.state !== 'reconnecting') return;
    this.clearTimers();
    this.connect();
  }

  /** The browser went offline: drop the socket and wait for `goOnline`. */
  goOffline(): void {
    if (this.stopped) return;
    this.dropSocket();
    this.clearTimers();
    this.setStatus({ state: 'offline', reason: 'the browser is offline' });
  }

  /** The browser is back online: connect now, backoff reset. */
  goOnline(): void {
    if (this.stopped || this.current.state === 'live' || this.current.state === 'connecting') return;
    this.attempt = 0;
    this.clearTimers();
    this.connect();
  }

  private connect(): void {
    this.dropSocket();
    const generation = ++this.generation;
    this.silenceMs = null;
    this.setStatus({ state: 'connecting', attempt: this.attempt });
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        if (generation === this.generation && !this.stopped) fn(...args);
      };
    this.arm(this.options.helloTimeoutMs ?? 10_000, 'the hub sent no hello');
    try {
      this.socket = (this.options.socket ?? browserSocket)(this.options.url, {
        open: guard(() => {}),
        message: guard((data: unknown) => this.received(data)),
        close: guard((code: number, reason: string) => this.fail(reason !== '' ? `closed: ${reason}` : `closed (${code})`)),
        error: guard(() => this.fail('connection error')),
      });
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private received(data: unknown): void {
    if (typeof data !== 'string') return;
    for (const parsed of parseFrame(data)) {
      if (!parsed.ok) {
        if (parsed.reason === 'version' && !this.versionWarned) {
          this.versionWarned = true;
          this.options.onProblem?.({ code: 'unsupported_version', message: `the hub speaks protocol v${String(parsed.version)}; this dashboard speaks v${VERSION}` });
        }
        continue;
      }
      const message = parsed.message;
      if (message.type === 'hello') {
        this.attempt = 0;
        this.silenceMs = silenceLimitMs(message.healthIntervalMs);
        this.setStatus({ state: 'live', since: this.clock.now() });
        this.options.onMessage(message);
        this.socket?.send(JSON.stringify(this.options.subscribe ?? SUBSCRIBE_ALL));
      } else {
        this.options.onMessage(message);
      }
    }
    this.rearm();
  }

  /** Restarts the silence watchdog after a message. */
  private rearm(): void {
    if (this.current.state !== 'live') return; // before hello the hello timeout runs
    if (this.silenceMs === null) {
      this.clearWatchdog();
      return;
    }
    this.arm(this.silenceMs, `no message for ${Math.round(this.silenceMs / 1000)} s`);
  }

  private arm(ms: number, reason: string): void {
    this.clearWatchdog();
    const generation = this.generation;
    this.watchdog = this.clock.setTimeout(() => {
      this.watchdog = null;
      if (generation === this.generation && !this.stopped) this.fail(reason);
    }, ms);
  }

  private fail(reason: string): void {
    if (this.stopped) return;
    this.dropSocket();
    this.clearTimers();
    if (this.options.online !== undefined ? !this.options.online() : typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.setStatus({ state: 'offline', reason: 'the browser is offline' });
      return;
    }
    const delay = backoffDelay(this.attempt, this.options.random ?? Math.random);
    const attempt = this.attempt;
    this.attempt++;
    this.setStatus({ state: 'reconnecting', attempt, retryAt: this.clock.now() + delay, reason });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private dropSocket(): void {
    this.generation++;
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      try {
        socket.close(1000, 'reconnecting');
      } catch {
        // already closed
      }
    }
  }

  private clearWatchdog(): void {
    if (this.watchdog !== null) this.clock.clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private clearTimers(): void {
    this.clearWatchdog();
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.options.onStatus?.(status);
  }
}

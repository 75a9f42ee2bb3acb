// The reactive side: one Connection feeding one DashboardModel, with rune state the components
// read. The model's data stays plain (fast to merge); components depend on a per-stream version
// counter that is bumped whenever that stream changes.
import { Connection, hubSocketUrl, type ConnectionStatus, type SocketFactory } from './connection.ts';
import { DashboardModel, type PipelineClock } from './model.ts';
import { derivePanels, type Panel } from './panels.ts';
import type { HealthStatus, HelloMessage, ServerMessage } from './protocol.ts';

export interface Toast {
  readonly id: number;
  readonly level: 'error' | 'warning' | 'info';
  readonly title: string;
  readonly message: string;
}

const TOAST_MS = 8000;
const HEALTH_HISTORY = 90;

export class Live {
  readonly model = new DashboardModel();
  status: ConnectionStatus = $state({ state: 'connecting', attempt: 0 });
  hello: HelloMessage | null = $state.raw(null);
  health: HealthStatus | null = $state.raw(null);
  /** Recent input rates (events/s), oldest first, for the health sparkline. */
  rates: readonly number[] = $state.raw([]);
  /** Bumped per stream on every change of it. */
  versions: Record<string, number> = $state({});
  alertsVersion = $state(0);
  toasts: Toast[] = $state([]);
  /** A ticking clock (1 s) for ages and countdowns. */
  now = $state(Date.now());
  /** Hub clock minus ours, from `hello`. */
  skewMs = $state(0);
  readonly panels: Panel[] = $derived(this.hello === null ? [] : derivePanels(this.hello.manifest));
  private connection: Connection | null = null;
  /** Changes not yet shown: a burst of messages (a snapshot, a window closing for every group) renders once per frame. */
  private readonly dirtyStreams = new Set<string>();
  private dirtyAlerts = false;
  private flushScheduled = false;
  private nextToast = 1;
  private ticker: ReturnType<typeof setInterval> | null = null;

  /** Hub time now (our clock corrected by the skew seen at `hello`). */
  get hubNow(): number {
    return this.now + this.skewMs;
  }

  /** The sources' watermark as of the last health message (its time minus the watermark lag); null while unknown. */
  get watermark(): number | null {
    const health = this.health;
    const time = this.model.healthTime;
    return health === null || time === null || health.watermarkLagMs === null ? null : time - health.watermarkLagMs;
  }

  /** Where the pipeline's time stands, for `settledUntil`. */
  get clock(): PipelineClock {
    return { now: this.hubNow, watermark: this.watermark };
  }

  start(pageUrl: string, socket?: SocketFactory): void {
    this.connection = new Connection({
      url: hubSocketUrl(pageUrl),
      socket,
      onMessage: (message) => this.receive(message),
      onStatus: (status) => this.statusChanged(status),
      onProblem: (problem) => this.toast('warning', problem.code, problem.message),
    });
    this.ticker = setInterval(() => (this.now = Date.now()), 1000);
    window.addEventListener('offline', () => this.connection?.goOffline());
    window.addEventListener('online', () => this.connection?.goOnline());
    this.connection.start();
  }

  stop(): void {
    this.connection?.stop();
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  retryNow(): void {
    this.connection?.retryNow();
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  toast(level: Toast['level'], title: string, message: string): void {
    const id = this.nextToast++;
    this.toasts = [...this.toasts.slice(-4), { id, level, title, message }];
    setTimeout(() => this.dismiss(id), TOAST_MS);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const flush = (): void => this.flush();
    // A hidden tab gets no animation frames: fall back to a timer so it catches up when shown.
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else setTimeout(flush, 250);
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const stream of this.dirtyStreams) this.versions[stream] = (this.versions[stream] ?? 0) + 1;
    this.dirtyStreams.clear();
    if (this.dirtyAlerts) this.alertsVersion++;
    this.dirtyAlerts = false;
  }

  private statusChanged(status: ConnectionStatus): void {
    const previous = this.status.state;
    this.status = status;
    this.now = Date.now();
    document.documentElement.dataset.connection = status.state;
    if (status.state === 'reconnecting' && previous === 'live') this.toast('error', 'Connection lost', `${status.reason}; reconnecting`);
  }

  private receive(message: ServerMessage): void {
    const change = this.model.apply(message);
    switch (change.kind) {
      case 'hello':
        this.skewMs = this.model.hello === null ? 0 : this.model.hello.serverTime - Date.now();
        this.hello = this.model.hello;
        if (change.reset) {
          this.versions = {};
          this.alertsVersion++;
          this.rates = [];
        }
        break;
      case 'metric':
        this.dirtyStreams.add(change.stream);
        this.scheduleFlush();
        break;
      case 'alerts':
        this.dirtyAlerts = true;
        this.scheduleFlush();
        break;
      case 'health':
        this.health = this.model.health;
        if (this.model.health !== null) this.rates = [...this.rates.slice(-(HEALTH_HISTORY - 1)), this.model.health.eventsPerSecond];
        break;
      case 'error':
        this.toast('error', `Hub refused a message (${change.code})`, change.message);
        break;
      case 'none':
        break;
    }
  }
}

export const live = new Live();

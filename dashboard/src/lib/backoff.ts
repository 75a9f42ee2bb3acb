// Reconnect delays: exponential from 1 s, capped at 30 s, with ±20 % jitter so a hub restart is
// not met by every dashboard at the same instant. `attempt` counts failures since the last
// successful connection (a `hello`), from 0.
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly capMs?: number;
  /** Fraction of the delay drawn at random either side, 0.2 by default. */
  readonly jitter?: number;
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;

/** The delay before reconnect `attempt` (0, 1, 2, …); `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number = Math.random, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? BACKOFF_BASE_MS;
  const cap = options.capMs ?? BACKOFF_CAP_MS;
  const jitter = options.jitter ?? 0.2;
  const nominal = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  const factor = 1 - jitter + 2 * jitter * random();
  return Math.round(Math.min(cap, Math.max(0, nominal * factor)));
}

/** The nominal (no jitter) schedule, for display and tests: 1 s, 2 s, 4 s, …, 30 s. */
export function backoffSchedule(attempts: number, options: BackoffOptions = {}): number[] {
  return Array.from({ length: attempts }, (_, attempt) => backoffDelay(attempt, () => 0.5, options));
}

/**
 * How long without any message before a connection counts as dead: 3 health intervals, at least
 * 5 s. `null` when the hub sends no health messages (a browser cannot see WebSocket pings, so
 * silence then proves nothing).
 */
export function silenceLimitMs(healthIntervalMs: number | null): number | null {
  if (healthIntervalMs === null || !(healthIntervalMs > 0)) return null;
  return Math.max(5000, 3 * healthIntervalMs);
}

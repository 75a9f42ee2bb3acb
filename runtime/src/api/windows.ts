// Window descriptors. A window operator assigns each record to windows by its time (event or
// processing), keeps one accumulator per key and window (or per pane, for sliding windows) and
// fires when the watermark or the clock passes the window's end.
import type { Predicate } from './functions.ts';
import type { DurationMillis, EpochMillis } from './time.ts';

/** A window's extent: `[start, end)`. A window result's time is its `end`. */
export interface WindowBounds {
  readonly start: EpochMillis;
  readonly end: EpochMillis;
}

/** `window tumbling 5s`: back-to-back windows aligned to the epoch. */
export interface TumblingWindow {
  readonly kind: 'tumbling';
  readonly sizeMs: DurationMillis;
}

/**
 * `window sliding 1m every 10s`: windows of `sizeMs` starting every `slideMs`. They are evaluated
 * over panes so that a record updates exactly one pane, not every window it falls in.
 */
export interface SlidingWindow {
  readonly kind: 'sliding';
  readonly sizeMs: DurationMillis;
  readonly slideMs: DurationMillis;
  readonly panes: PaneLayout;
}

/**
 * Time cut into panes of `paneMs = gcd(size, slide)`, aligned to the epoch. Window `k` covers
 * `[k·slide, k·slide + size)` and merges the `panesPerWindow` panes that tile it.
 */
export interface PaneLayout {
  readonly paneMs: DurationMillis;
  /** `size / paneMs` */
  readonly panesPerWindow: number;
  /** `slide / paneMs` */
  readonly panesPerSlide: number;
  /** How many windows one pane belongs to. */
  readonly windowsPerPane: number;
  /** Panes kept per key: one window's worth plus those still open for allowed lateness. */
  readonly retainedPanes: number;
}

/**
 * `window session gap 30m until cond`: a key's session lasts while its records are less than
 * `gapMs` apart; a record satisfying `until` closes it at once (it belongs to the session it closes).
 */
export interface SessionWindow<In> {
  readonly kind: 'session';
  readonly gapMs: DurationMillis;
  readonly until: Predicate<In> | null;
}

export type WindowDescriptor<In> = TumblingWindow | SlidingWindow | SessionWindow<In>;
export type WindowKind = WindowDescriptor<unknown>['kind'];

/** The tumbling window of size `sizeMs` that `time` falls in. */
export function tumblingWindowOf(time: EpochMillis, sizeMs: DurationMillis): WindowBounds {
  const start = time - modulo(time, sizeMs);
  return { start, end: start + sizeMs };
}

/** The start of the pane `time` falls in. */
export function paneStartOf(time: EpochMillis, paneMs: DurationMillis): EpochMillis {
  return time - modulo(time, paneMs);
}

/** The sliding windows a pane contributes to, earliest first. */
export function windowsOfPane(paneStart: EpochMillis, window: SlidingWindow): WindowBounds[] {
  const windows: WindowBounds[] = [];
  const lastStart = paneStart - modulo(paneStart, window.slideMs);
  for (let start = lastStart; start > paneStart - window.sizeMs; start -= window.slideMs) {
    windows.unshift({ start, end: start + window.sizeMs });
  }
  return windows;
}

/** The pane layout of a sliding window (what the planner computes, for adapters and tests). */
export function paneLayoutOf(sizeMs: DurationMillis, slideMs: DurationMillis, latenessMs: DurationMillis = 0): PaneLayout {
  const paneMs = gcd(sizeMs, slideMs);
  const panesPerWindow = sizeMs / paneMs;
  return {
    paneMs,
    panesPerWindow,
    panesPerSlide: slideMs / paneMs,
    windowsPerPane: Math.ceil(sizeMs / slideMs),
    retainedPanes: panesPerWindow + Math.ceil(latenessMs / paneMs),
  };
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

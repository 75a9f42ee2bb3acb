// Small display helpers shared by the panels.
import { formatClock, formatRelative } from './format.ts';

type Shown = { readonly time: number; readonly early?: boolean } | null;

/** Whether a shown row is of a window still open: an early firing, or one past the settled time (see `settledUntil`). */
export function isOpenWindow(point: Shown, until: number | null): boolean {
  return point !== null && (point.early === true || (until !== null && point.time > until));
}

/** "window ending 13:20:05 · 4 s ago", "open window ending 13:21:00 · in 45 s", or a waiting note. */
export function describeWindowEnd(point: Shown, now: number, until: number | null = null): string {
  if (point === null) return 'no window yet';
  const what = `${isOpenWindow(point, until) ? 'open window ending' : 'window ending'} ${formatClock(point.time)}`;
  // Event time may run ahead of the wall clock (a replay, a simulator): only past ends get an age.
  return point.time <= now ? `${what} · ${formatRelative(point.time, now)}` : what;
}

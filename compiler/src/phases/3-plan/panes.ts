// Pane (slice) layout of sliding windows.
//
// Time is cut into panes of `gcd(size, slide)` milliseconds aligned to the epoch. Window `k` covers
// `[k·slide, k·slide + size)`, which is exactly the panes `k·slide/pane … (k·slide + size)/pane − 1`.
// An event updates the one pane its timestamp falls in; a window's result is the merge of its
// panes. So the per-event cost is one accumulator update instead of `size/slide`, and the state is
// one accumulator per pane instead of one per overlapping window.
import type { PaneLayout } from './plan.ts';

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * The pane layout of `sliding size every slide`. `retentionMs` is how long after a window's end
 * its panes must still be kept (watermark delay plus allowed lateness in event time, 0 in
 * processing time).
 */
export function paneLayout(sizeMs: number, slideMs: number, retentionMs = 0): PaneLayout {
  if (!(sizeMs > 0 && slideMs > 0 && Number.isInteger(sizeMs) && Number.isInteger(slideMs))) {
    throw new RangeError(`sliding window needs positive integer size and slide, got ${sizeMs} and ${slideMs}`);
  }
  const paneMs = gcd(sizeMs, slideMs);
  const panesPerWindow = sizeMs / paneMs;
  return {
    paneMs,
    panesPerWindow,
    panesPerSlide: slideMs / paneMs,
    windowsPerPane: sizeMs >= paneMs ? Math.floor((sizeMs - paneMs) / slideMs) + 1 : 0,
    retainedPanes: panesPerWindow + Math.ceil(Math.max(0, retentionMs) / paneMs),
  };
}

/** The index of the pane `timestampMs` falls in. */
export function paneOf(timestampMs: number, layout: PaneLayout): number {
  return Math.floor(timestampMs / layout.paneMs);
}

/** The pane indices window `k` merges. */
export function panesOfWindow(k: number, layout: PaneLayout): number[] {
  const first = k * layout.panesPerSlide;
  return Array.from({ length: layout.panesPerWindow }, (_, i) => first + i);
}

/** The windows whose results pane `pane` contributes to, in increasing order. */
export function windowsOfPane(pane: number, layout: PaneLayout): number[] {
  // Window k contains pane p ⇔ k·s ≤ p ≤ k·s + w − 1 (s = panes per slide, w = panes per window).
  const s = layout.panesPerSlide;
  const first = Math.ceil((pane - layout.panesPerWindow + 1) / s);
  const last = Math.floor(pane / s);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(k === 0 ? 0 : k); // no -0 from Math.ceil
  return out;
}

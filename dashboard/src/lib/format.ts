// Number, duration, time and window formatting. Fixed to en-US so a figure reads the same on every
// machine (and in tests); tabular numerals come from CSS.
import type { MetricManifest, ValueKind, WindowManifest } from './protocol.ts';

const DASH = '—';

/** A number in compact form: 0.42, 7.25, 41.2, 318, 1.2k, 12k, 123k, 4.5M, 2.1B. */
export function compactNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '−∞' : DASH;
  const abs = Math.abs(value);
  const sign = value < 0 ? '−' : '';
  if (abs >= 1e3) {
    const [scaled, suffix] = abs >= 1e12 ? [abs / 1e12, 'T'] : abs >= 1e9 ? [abs / 1e9, 'B'] : abs >= 1e6 ? [abs / 1e6, 'M'] : [abs / 1e3, 'k'];
    // 999.96k rounds to "1000k": step up to the next suffix instead.
    const digits = scaled < 10 ? 2 : scaled < 100 ? 1 : 0;
    const text = trimZeros(scaled.toFixed(digits));
    if (Number(text) >= 1000 && suffix !== 'T') return compactNumber(value < 0 ? -Number(text) * unitOf(suffix) : Number(text) * unitOf(suffix));
    return `${sign}${text}${suffix}`;
  }
  if (Number.isInteger(value)) return `${sign}${abs}`;
  const digits = abs < 10 ? 2 : abs < 100 ? 1 : 0;
  const text = trimZeros(abs.toFixed(digits));
  return text === '0' ? '0' : `${sign}${text}`;
}

function unitOf(suffix: string): number {
  return suffix === 'k' ? 1e3 : suffix === 'M' ? 1e6 : suffix === 'B' ? 1e9 : 1e12;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A duration given in seconds: 450 ms, 12.3 s, 4 min 12 s, 1 h 02 min. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return DASH;
  return formatDurationMs(seconds * 1000);
}

/** A duration in milliseconds: 0 ms, 450 ms, 12.3 s, 4 min 12 s, 1 h 02 min, 3 d 04 h. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return DASH;
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) {
    const s = abs / 1000;
    return `${sign}${trimZeros(s.toFixed(s < 10 ? 2 : 1))} s`;
  }
  const totalSeconds = Math.floor(abs / 1000);
  if (abs < 3_600_000) return `${sign}${Math.floor(totalSeconds / 60)} min ${pad2(totalSeconds % 60)} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (abs < 86_400_000) return `${sign}${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} min`;
  const totalHours = Math.floor(totalMinutes / 60);
  return `${sign}${Math.floor(totalHours / 24)} d ${pad2(totalHours % 24)} h`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A window or interval length as written in `.flow`: 5 s, 1 min, 30 min, 1 h, 1 min 30 s, 250 ms. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms < 60_000 || ms % 1000 !== 0) return `${trimZeros((ms / 1000).toFixed(3))} s`;
  return `${Math.floor(ms / 60_000)} min ${(ms % 60_000) / 1000} s`;
}

/** "5 s tumbling", "1 min sliding every 10 s", "session, gap 30 min". */
export function describeWindow(window: WindowManifest): string {
  switch (window.kind) {
    case 'tumbling':
      return `${formatSpan(window.sizeMs)} tumbling`;
    case 'sliding':
      return `${formatSpan(window.sizeMs)} sliding every ${formatSpan(window.slideMs)}`;
    case 'session':
      return `session, gap ${formatSpan(window.gapMs)}`;
  }
}

/** The window plus its time domain and early firing: "1 min sliding every 10 s · event time · early every 2 s". */
export function describeMetricWindow(metric: Pick<MetricManifest, 'window' | 'time' | 'earlyFiringMs'>): string {
  const parts = [describeWindow(metric.window), `${metric.time} time`];
  if (metric.earlyFiringMs !== null && metric.earlyFiringMs > 0) parts.push(`early every ${formatSpan(metric.earlyFiringMs)}`);
  return parts.join(' · ');
}

/** A measure value with its unit, as shown in figures, tables and tooltips. */
export function formatValue(value: unknown, unit: string | null, valueKind: ValueKind = 'float'): string {
  if (value === null || value === undefined) return DASH;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return valueKind === 'timestamp' ? formatClock(Date.parse(value)) : value;
  if (typeof value !== 'number') return Array.isArray(value) ? `${value.length} items` : DASH;
  if (Number.isNaN(value)) return DASH;
  if (valueKind === 'timestamp') return formatClock(value);
  if (valueKind === 'duration') return formatDurationMs(value);
  switch (unit) {
    case null:
    case '':
      return compactNumber(value);
    case '%':
      return `${percentNumber(value)}%`;
    case 's':
      return formatSeconds(value);
    case 'ms':
      return formatDurationMs(value);
    case 'USD':
      return usd(value);
    default:
      return `${compactNumber(value)} ${unit}`;
  }
}

/** An axis tick: the value with a short unit, no spaces wasted. */
export function formatTick(value: number, unit: string | null): string {
  if (unit === '%') return `${percentNumber(value)}%`;
  if (unit === 'USD') return usd(value);
  if (unit === 's') {
    const abs = Math.abs(value);
    if (abs >= 3600 && abs % 3600 === 0) return `${value / 3600}h`;
    if (abs >= 60) return abs % 60 === 0 ? `${value / 60}m` : `${Math.trunc(value / 60)}m${Math.round(abs % 60)}s`;
    return `${compactNumber(value)}s`;
  }
  return compactNumber(value);
}

const SECOND_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** Ticks of an axis in seconds: whole minutes or hours once the range passes 2 min (≤ 5 ticks); null below. */
export function secondsTicks(max: number): number[] | null {
  if (!(max >= 120) || !Number.isFinite(max)) return null;
  const step = SECOND_STEPS.find((s) => max / s <= 4) ?? Math.ceil(max / 4 / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return ticks;
}

function percentNumber(value: number): string {
  if (!Number.isFinite(value)) return compactNumber(value);
  const abs = Math.abs(value);
  const text = trimZeros(value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2));
  return text === '-0' ? '0' : text.replace('-', '−');
}

function usd(value: number): string {
  if (!Number.isFinite(value)) return compactNumber(value);
  const sign = value < 0 ? '−' : '';
  const abs = Math.abs(value);
  return abs >= 1000 ? `${sign}$${compactNumber(abs)}` : `${sign}$${abs.toFixed(2)}`;
}

/** A whole count with thousands separators: 1,234,567. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return Math.round(value).toLocaleString('en-US');
}

/** Wall-clock time of day, 24 h: 13:20:05. */
export function formatClock(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return DASH;
  const d = new Date(epochMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A time-axis tick: 13:25 on whole minutes, else 13:25:30. */
export function formatTimeTick(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return DASH;
  const d = new Date(epochMs);
  return d.getSeconds() === 0 && d.getMilliseconds() === 0 ? `${pad2(d.getHours())}:${pad2(d.getMinutes())}` : formatClock(epochMs);
}

/** Date and time for hover titles: 2026-11-26 13:20:05. */
export function formatAbsolute(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return DASH;
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(epochMs)}`;
}

/** How long ago: just now, 12 s ago, 5 min ago, 2 h ago, 3 d ago (or "in 4 s" for future times). */
export function formatRelative(epochMs: number, now: number): string {
  const delta = now - epochMs;
  if (!Number.isFinite(delta)) return DASH;
  const abs = Math.abs(delta);
  if (abs < 1500) return 'just now';
  const text = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.floor(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.floor(abs / 3_600_000)} h` : `${Math.floor(abs / 86_400_000)} d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** A metric or measure name for people: `page_views_per_second` → "page views per second". */
export function humanize(name: string): string {
  return name.replace(/_/g, ' ');
}

const CELL_UNITS: ReadonlySet<string> = new Set(['%', 's', 'ms', 'USD']);

/** A table cell: like `formatValue`, but plain units (users, pages) go to the column header and whole numbers keep every digit (1,234). */
export function formatCell(value: unknown, unit: string | null, valueKind: ValueKind = 'float'): string {
  if (typeof value === 'number' && Number.isFinite(value) && (unit === null || !CELL_UNITS.has(unit)) && valueKind !== 'timestamp' && valueKind !== 'duration') {
    return Number.isInteger(value) && Math.abs(value) < 1e9 ? formatCount(value) : compactNumber(value);
  }
  return formatValue(value, unit, valueKind);
}

/** A unit worth printing in a column header (plain units; %, s and USD are in the cells). */
export function headerUnit(unit: string | null): string | null {
  return unit === null || unit === '' || CELL_UNITS.has(unit) ? null : unit;
}

// Times and durations in test files (docs/testing.md, "Times").
//
//   durations  "5s", "1m30s", "250ms", "2h", "1d" (units may be combined, largest first), or a
//              number of milliseconds
//   times      "+5s", "+1m30s", "-2s"         the base plus (or minus) a duration
//              "12:00:05", "12:00:05.250"     a time of day (UTC) on the base's date
//              "2024-01-01T12:00:05Z"         ISO 8601 with a date
//              1704110405000                  epoch milliseconds

const UNITS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const UNIT_ORDER = ['d', 'h', 'm', 's', 'ms'];
const DAY = 86_400_000;

/** Milliseconds of a duration text, or `null` when it is not one. */
export function parseDurationText(text: string): number | null {
  if (text === '0') return 0;
  const parts = /^(?:\d+(?:d|h|ms|m|s))+$/.test(text) ? text.match(/\d+(?:d|h|ms|m|s)/g) : null;
  if (parts === null) return null;
  let total = 0;
  let last = -1;
  for (const part of parts) {
    const unit = /ms|d|h|m|s/.exec(part.replace(/^\d+/, ''))?.[0] ?? '';
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= last) return null; // "5s1m", "1m1m": units must go from largest to smallest, once each
    last = rank;
    total += Number.parseInt(part, 10) * (UNITS[unit] ?? 0);
  }
  return total;
}

/** Epoch milliseconds of a time text relative to `base`, or `null` when it is not a time. */
export function parseTimeText(text: string, base: number): number | null {
  const relative = /^([+-])(.+)$/.exec(text);
  if (relative !== null) {
    const ms = parseDurationText(relative[2] ?? '');
    if (ms === null) return null;
    return relative[1] === '-' ? base - ms : base + ms;
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
  if (clock !== null) {
    const [h, m, s, frac] = [clock[1], clock[2], clock[3] ?? '0', (clock[4] ?? '0').padEnd(3, '0')].map(Number) as [number, number, number, number];
    if (h > 23 || m > 59 || s > 59) return null;
    return Math.floor(base / DAY) * DAY + ((h * 60 + m) * 60 + s) * 1000 + frac;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** A readable form of a duration: `1m30s`, `250ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const unit of UNIT_ORDER) {
    const size = UNITS[unit] as number;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return sign + out;
}

/**
 * A time as people read it in a diff: `12:00:05` (with `.250` when there are milliseconds) on the
 * base's date, else the full ISO form; `±∞` for unbounded watermarks.
 */
export function formatTime(ms: number, base: number): string {
  if (ms === Number.POSITIVE_INFINITY) return '+∞';
  if (ms === Number.NEGATIVE_INFINITY) return '-∞';
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms);
  const iso = new Date(ms).toISOString();
  const sameDay = Math.floor(ms / DAY) === Math.floor(base / DAY);
  if (!sameDay) return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  const clock = iso.slice(11, 23);
  return clock.endsWith('.000') ? clock.slice(0, 8) : clock;
}

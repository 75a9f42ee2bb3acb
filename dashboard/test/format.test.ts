import { describe, expect, it } from 'vitest';
import { compactNumber, describeMetricWindow, describeWindow, formatCell, formatDurationMs, formatRelative, formatSpan, formatTick, formatValue, secondsTicks } from '../src/lib/format.ts';
import { metric } from './fixtures.ts';

describe('compactNumber', () => {
  it('uses k/M/B suffixes and a few significant digits', () => {
    expect(compactNumber(0)).toBe('0');
    expect(compactNumber(318)).toBe('318');
    expect(compactNumber(41.234)).toBe('41.2');
    expect(compactNumber(7.256)).toBe('7.26');
    expect(compactNumber(0.5)).toBe('0.5');
    expect(compactNumber(1234)).toBe('1.23k');
    expect(compactNumber(12_345)).toBe('12.3k');
    expect(compactNumber(123_456)).toBe('123k');
    expect(compactNumber(4_500_000)).toBe('4.5M');
    expect(compactNumber(2_100_000_000)).toBe('2.1B');
    expect(compactNumber(-1500)).toBe('−1.5k');
  });

  it('rolls 999.99k over to 1M instead of printing 1000k', () => {
    expect(compactNumber(999_999)).toBe('1M');
  });
});

describe('formatValue', () => {
  it('formats by unit', () => {
    expect(formatValue(12.345, '%')).toBe('12.3%');
    expect(formatValue(100, '%')).toBe('100%');
    expect(formatValue(3.5, 'USD')).toBe('$3.50');
    expect(formatValue(12_500, 'USD')).toBe('$12.5k');
    expect(formatValue(41.23, 'views/s')).toBe('41.2 views/s');
    expect(formatValue(318, 'users')).toBe('318 users');
    expect(formatValue(12.34, 's')).toBe('12.3 s');
    expect(formatValue(252, 's')).toBe('4 min 12 s');
    expect(formatValue(0.45, 's')).toBe('450 ms');
    expect(formatValue(1500, null)).toBe('1.5k');
  });

  it('shows missing values as a dash and booleans as yes/no', () => {
    expect(formatValue(null, '%')).toBe('—');
    expect(formatValue(undefined, null)).toBe('—');
    expect(formatValue(Number.NaN, null)).toBe('—');
    expect(formatValue(true, null, 'bool')).toBe('yes');
    expect(formatValue('u_42', null, 'string')).toBe('u_42');
  });

  it('table cells keep every digit of whole numbers and leave plain units to the header', () => {
    expect(formatCell(1234, 'users', 'int')).toBe('1,234');
    expect(formatCell(12.5, '%', 'float')).toBe('12.5%');
  });

  it('axis ticks are short', () => {
    expect(formatTick(50, '%')).toBe('50%');
    expect(formatTick(2000, null)).toBe('2k');
    expect(formatTick(90, 's')).toBe('1m30s');
  });
});

describe('durations and windows', () => {
  it('formats durations', () => {
    expect(formatDurationMs(0)).toBe('0 ms');
    expect(formatDurationMs(1200)).toBe('1.2 s');
    expect(formatDurationMs(3_723_000)).toBe('1 h 02 min');
    expect(formatDurationMs(90_061_000)).toBe('1 d 01 h');
  });

  it('writes spans as in .flow', () => {
    expect(formatSpan(5000)).toBe('5 s');
    expect(formatSpan(60_000)).toBe('1 min');
    expect(formatSpan(1_800_000)).toBe('30 min');
    expect(formatSpan(3_600_000)).toBe('1 h');
    expect(formatSpan(90_000)).toBe('1 min 30 s');
    expect(formatSpan(250)).toBe('250 ms');
  });

  it('describes the windows of the website-analytics metrics', () => {
    expect(describeWindow(metric('realtime').window)).toBe('5 s tumbling');
    expect(describeWindow(metric('business').window)).toBe('1 min sliding every 10 s');
    expect(describeWindow(metric('sessions').window)).toBe('session, gap 30 min');
    expect(describeMetricWindow(metric('popular_pages'))).toBe('1 min sliding every 10 s · event time · early every 2 s');
    expect(describeMetricWindow(metric('realtime'))).toBe('5 s tumbling · processing time');
  });

  it('says how long ago', () => {
    const now = 1_000_000_000;
    expect(formatRelative(now - 500, now)).toBe('just now');
    expect(formatRelative(now - 12_000, now)).toBe('12 s ago');
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatRelative(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(formatRelative(now + 4000, now)).toBe('in 4 s');
  });
});

describe('seconds axis', () => {
  it('ticks whole minutes past 2 min and labels them short', () => {
    expect(secondsTicks(100)).toBeNull();
    expect(secondsTicks(300)).toEqual([0, 120, 240]);
    expect(secondsTicks(1000)).toEqual([0, 300, 600, 900]);
    expect(formatTick(300, 's')).toBe('5m');
    expect(formatTick(7200, 's')).toBe('2h');
    expect(formatTick(45, 's')).toBe('45s');
  });
});

import { describe, expect, it } from 'vitest';
import { DashboardModel, latestPoint, mergePoint, seriesId, settledPoints, settledUntil, tableRows, topKEntries, type Point } from '../src/lib/model.ts';
import { alert, health, hello, manifest, metric, snapshot, update } from './fixtures.ts';

const T = 1_767_225_600_000;

function times(points: readonly Point[]): number[] {
  return points.map((p) => p.time);
}

describe('mergePoint', () => {
  it('keeps points in time order and replaces a point with the same time', () => {
    const points: Point[] = [];
    mergePoint(points, { time: 20, row: { a: 1 }, early: false }, 10);
    mergePoint(points, { time: 10, row: { a: 2 }, early: false }, 10);
    mergePoint(points, { time: 30, row: { a: 3 }, early: true }, 10);
    mergePoint(points, { time: 30, row: { a: 4 }, early: false }, 10);
    expect(times(points)).toEqual([10, 20, 30]);
    expect(points[2]).toEqual({ time: 30, row: { a: 4 }, early: false });
  });

  it('keeps the newest max points and ignores a point older than all of a full series', () => {
    const points: Point[] = [];
    for (let t = 1; t <= 5; t++) mergePoint(points, { time: t * 10, row: {}, early: false }, 3);
    expect(times(points)).toEqual([30, 40, 50]);
    expect(mergePoint(points, { time: 5, row: {}, early: false }, 3)).toBe(false);
    expect(times(points)).toEqual([30, 40, 50]);
  });
});

describe('seriesId', () => {
  it('names a series by its group-by columns', () => {
    expect(seriesId(['country'], { country: 'DE', users: 3 })).toBe('country=DE');
    expect(seriesId(['country', 'device'], { country: 'DE', device: 'MOBILE' })).toBe('country=DE,device=MOBILE');
    expect(seriesId([], { users: 3 })).toBe('');
    expect(seriesId(['country'], {})).toBe('country=null');
  });
});

describe('DashboardModel', () => {
  it('merges a snapshot and then live updates into one series per stream', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(
      snapshot('realtime', [
        { time: T + 5000, row: { page_views_per_second: 40, active_users: 300 } },
        { time: T + 10_000, row: { page_views_per_second: 41, active_users: 310 } },
      ]),
    );
    const change = model.apply(update('realtime', T + 15_000, { page_views_per_second: 42, active_users: 320 }));
    expect(change).toEqual({ kind: 'metric', stream: 'realtime' });
    const state = model.stream('realtime');
    expect(state?.series.size).toBe(1);
    expect(times(state?.series.get('')?.points ?? [])).toEqual([T + 5000, T + 10_000, T + 15_000]);
    expect(latestPoint(state)?.row.active_users).toBe(320);
    expect(state?.latestTime).toBe(T + 15_000);
  });

  it('replaces a re-emitted window (early firing, then the final row) instead of adding a point', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('popular_pages', T + 10_000, { top_pages: [{ value: '/a', count: 1 }] }, { early: true }));
    model.apply(update('popular_pages', T + 10_000, { top_pages: [{ value: '/a', count: 5 }] }));
    const points = model.stream('popular_pages')?.series.get('')?.points ?? [];
    expect(points).toHaveLength(1);
    expect(points[0]?.early).toBe(false);
    expect(topKEntries(points[0]?.row.top_pages)).toEqual([{ value: '/a', count: 5 }]);
  });

  it('a snapshot after a reconnect replaces rows it already has instead of doubling them', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('realtime', T, { active_users: 1 }));
    model.apply(hello());
    model.apply(snapshot('realtime', [{ time: T, row: { active_users: 2 } }]));
    expect(model.stream('realtime')?.series.get('')?.points.map((p) => p.row.active_users)).toEqual([2]);
  });

  it('names series by the group-by columns, not by the message key', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('geography', T, { country: 'DE', users: 5, events: 9 }, { key: 'whatever-1' }));
    model.apply(update('geography', T, { country: 'FR', users: 7, events: 11 }, { key: 'whatever-1' }));
    model.apply(update('geography', T, { country: 'DE', users: 6, events: 10 }, { key: 'another-key' }));
    const state = model.stream('geography');
    expect([...(state?.series.keys() ?? [])].sort()).toEqual(['country=DE', 'country=FR']);
    expect(state?.series.get('country=DE')?.points.map((p) => p.row.users)).toEqual([6]);
    expect(state?.series.get('country=DE')?.tags).toEqual([['country', 'DE']]);
  });

  it('caps every series at maxPoints, keeping the newest', () => {
    const model = new DashboardModel({ maxPoints: 4 });
    model.apply(hello());
    for (let i = 0; i < 10; i++) model.apply(update('realtime', T + i * 5000, { active_users: i }));
    expect(model.stream('realtime')?.series.get('')?.points.map((p) => p.row.active_users)).toEqual([6, 7, 8, 9]);
  });

  it('caps the series of a stream, dropping the least recently updated', () => {
    const model = new DashboardModel({ maxSeries: 2 });
    model.apply(hello());
    model.apply(update('geography', T, { country: 'A', users: 1 }));
    model.apply(update('geography', T, { country: 'B', users: 1 }));
    model.apply(update('geography', T + 1, { country: 'A', users: 2 }));
    model.apply(update('geography', T + 1, { country: 'C', users: 1 }));
    expect([...(model.stream('geography')?.series.keys() ?? [])]).toEqual(['A', 'C'].map((c) => `country=${c}`));
  });

  it('keeps alerts newest first, without duplicates, capped', () => {
    const model = new DashboardModel({ maxAlerts: 3 });
    model.apply(hello());
    model.apply(alert('bounces', T + 1000, { key: 'u1' }));
    model.apply(alert('bounces', T + 3000, { key: 'u3' }));
    model.apply(alert('bounces', T + 2000, { key: 'u2' }));
    model.apply(alert('bounces', T + 3000, { key: 'u3' })); // the same alert again (snapshot after reconnect)
    expect(model.alerts.map((a) => a.key)).toEqual(['u3', 'u2', 'u1']);
    model.apply(alert('checkout_abandoned', T + 4000, { alert_type: 'CHECKOUT_ABANDONED', severity: 'high', title: 'CHECKOUT_ABANDONED', key: 's9' }));
    expect(model.alerts.map((a) => a.key)).toEqual(['s9', 'u3', 'u2']);
    expect(model.alerts[0]?.severity).toBe('high');
  });

  it('takes alert snapshots and falls back to the manifest for a missing severity', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply({ v: 2, type: 'snapshot', stream: 'checkout_abandoned', kind: 'alert', alerts: [{ time: T, alert: { alert_type: 'CHECKOUT_ABANDONED', message: 'm', key: 's1' } }] });
    expect(model.alerts).toHaveLength(1);
    expect(model.alerts[0]).toMatchObject({ severity: 'high', title: 'CHECKOUT_ABANDONED', key: 's1', stream: 'checkout_abandoned' });
  });

  it('keeps the latest health figures and reports hub errors', () => {
    const model = new DashboardModel();
    model.apply(health(T, 10));
    model.apply(health(T + 1000, 20));
    expect(model.health?.eventsIn).toBe(20);
    expect(model.healthTime).toBe(T + 1000);
    expect(model.apply({ v: 2, type: 'error', code: 'unknown_stream', message: 'no stream x' })).toEqual({ kind: 'error', code: 'unknown_stream', message: 'no stream x' });
  });

  it('starts over when the hub runs another build of the pipeline', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('realtime', T, { active_users: 1 }));
    expect(model.apply(hello())).toEqual({ kind: 'hello', reset: false });
    expect(model.stream('realtime')).toBeDefined();
    const rebuilt = { ...manifest, source: { ...manifest.source, sha256: '0000000000000000' } };
    expect(model.apply(hello({ manifest: rebuilt }))).toEqual({ kind: 'hello', reset: true });
    expect(model.stream('realtime')).toBeUndefined();
  });
});

describe('tableRows', () => {
  it('takes the groups of the latest window, sorted by the given measure', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('geography', T, { country: 'DE', users: 50 }));
    model.apply(update('geography', T, { country: 'GONE', users: 99 }));
    model.apply(update('geography', T + 10_000, { country: 'DE', users: 5 }));
    model.apply(update('geography', T + 10_000, { country: 'US', users: 9 }));
    model.apply(update('geography', T + 10_000, { country: 'FR', users: 7 }));
    const rows = tableRows(model.stream('geography'), 'users');
    expect(rows.map((r) => r.series.id)).toEqual(['country=US', 'country=FR', 'country=DE']);
    expect(rows.every((r) => r.point.time === T + 10_000)).toBe(true);
  });

  it('for session windows takes each group’s newest row', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('sessions', T, { sessionId: 's1', pages: 3 }));
    model.apply(update('sessions', T + 7, { sessionId: 's2', pages: 1 }));
    expect(tableRows(model.stream('sessions'), 'pages', { sessionWindows: true }).map((r) => r.series.id)).toEqual(['sessionId=s1', 'sessionId=s2']);
    expect(tableRows(model.stream('sessions'), 'pages').map((r) => r.series.id)).toEqual(['sessionId=s2']);
  });

  it('skips windows past `until` (still open) when closed ones exist', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(update('geography', T, { country: 'DE', users: 50 }));
    model.apply(update('geography', T, { country: 'FR', users: 40 }));
    model.apply(update('geography', T + 10_000, { country: 'DE', users: 2 }));
    expect(tableRows(model.stream('geography'), 'users', { until: T + 5000 }).map((r) => [r.series.id, r.point.time])).toEqual([
      ['country=DE', T],
      ['country=FR', T],
    ]);
    expect(tableRows(model.stream('geography'), 'users').map((r) => r.series.id)).toEqual(['country=DE']);
  });
});

describe('topKEntries', () => {
  it('reads [{value, count}] best first and skips malformed entries', () => {
    expect(topKEntries([{ value: '/b', count: 2 }, { value: '/a', count: 9 }, { value: '/x' }, null, { value: 7, count: 1 }])).toEqual([
      { value: '/a', count: 9 },
      { value: '/b', count: 2 },
      { value: '7', count: 1 },
    ]);
    expect(topKEntries(null)).toEqual([]);
    expect(topKEntries({ value: 'a', count: 1 })).toEqual([]);
  });
});

describe('early firings', () => {
  it('only metrics with early firings have open windows: event time up to the watermark, processing time up to now', () => {
    const clock = { now: 1000, watermark: 600 };
    expect(settledUntil(metric('popular_pages'), clock)).toBe(600);
    expect(settledUntil({ earlyFiringMs: 1000, time: 'processing' }, clock)).toBe(1000);
    expect(settledUntil(metric('business'), clock)).toBeNull();
    expect(settledUntil(metric('popular_pages'), { now: 1000, watermark: null })).toBeNull();
  });

  it('shows the closed windows, or all while none is closed', () => {
    const points: Point[] = [
      { time: 500, row: { n: 60 }, early: false },
      { time: 600, row: { n: 55 }, early: false },
      { time: 700, row: { n: 9 }, early: false },
      { time: 800, row: { n: 1 }, early: true },
    ];
    expect(times(settledPoints(points, 650) as Point[])).toEqual([500, 600]);
    expect(times(settledPoints(points, null) as Point[])).toEqual([500, 600, 700, 800]);
    expect(times(settledPoints(points, 100) as Point[])).toEqual([500, 600, 700, 800]);
  });
});

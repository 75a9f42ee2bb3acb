import { describe, expect, it } from 'vitest';
import { DashboardModel, latestPoint, mergePoint, removeRow, sameRow, seriesId, settledPoints, settledUntil, tableRows, topKEntries, type Point } from '../src/lib/model.ts';
import { funnelBars, plottedPoints, totals } from '../src/lib/views.ts';
import { derivePanels, type MetricPanel } from '../src/lib/panels.ts';
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

describe('keyed points', () => {
  const p = (time: number, n: number, rowKey?: string): Point => (rowKey === undefined ? { time, row: { n }, early: false } : { time, row: { n }, early: false, rowKey });

  it('a point replaces the point of its row key wherever it was; without row keys, the point of its time', () => {
    expect(sameRow(p(1, 0, 'a'), p(2, 0, 'a'))).toBe(true);
    expect(sameRow(p(1, 0, 'a'), p(1, 0, 'b'))).toBe(false);
    expect(sameRow(p(1, 0), p(1, 0, 'b'))).toBe(true);
    const points: Point[] = [];
    mergePoint(points, p(10, 1, 'a'), 10);
    mergePoint(points, p(10, 2, 'b'), 10);
    mergePoint(points, p(20, 3, 'c'), 10);
    // a's end moved from 10 to 30: one point of a, at 30.
    mergePoint(points, p(30, 4, 'a'), 10, 10);
    expect(points.map((x) => [x.time, x.rowKey])).toEqual([
      [10, 'b'],
      [20, 'c'],
      [30, 'a'],
    ]);
    // A point without a row key (read back from the store) is replaced by the row that moved from its time.
    const stored: Point[] = [p(10, 1), p(20, 2)];
    mergePoint(stored, p(25, 3, 'x'), 10, 20);
    expect(stored.map((x) => [x.time, x.rowKey])).toEqual([
      [10, undefined],
      [25, 'x'],
    ]);
    expect(removeRow(points, p(20, 0, 'c'))).toBe(true);
    expect(removeRow(points, p(20, 0, 'c'))).toBe(false);
    expect(points.map((x) => x.rowKey)).toEqual(['b', 'a']);
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
    model.apply({ v: 3, type: 'snapshot', stream: 'checkout_abandoned', kind: 'alert', alerts: [{ time: T, alert: { alert_type: 'CHECKOUT_ABANDONED', message: 'm', key: 's1' } }] });
    expect(model.alerts).toHaveLength(1);
    expect(model.alerts[0]).toMatchObject({ severity: 'high', title: 'CHECKOUT_ABANDONED', key: 's1', stream: 'checkout_abandoned' });
  });

  it('keeps the latest health figures and reports hub errors', () => {
    const model = new DashboardModel();
    model.apply(health(T, 10));
    model.apply(health(T + 1000, 20));
    expect(model.health?.eventsIn).toBe(20);
    expect(model.healthTime).toBe(T + 1000);
    expect(model.apply({ v: 3, type: 'error', code: 'unknown_stream', message: 'no stream x' })).toEqual({ kind: 'error', code: 'unknown_stream', message: 'no stream x' });
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

describe('DashboardModel: keyed updates', () => {
  const session = (change: '+I' | '+U' | '-D', id: string, start: number, end: number, pages: number, extra: Record<string, unknown> = {}) =>
    update('sessions', end, { sessionId: id, window_start: start, pages }, { key: id, change, rowKey: JSON.stringify([id, start]), ...extra });

  it('+I, then +U with another window end (a session), then -D: the model holds exactly the final rows', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(session('+I', 's1', T, T + 10_000, 1));
    model.apply(session('+I', 's2', T + 5000, T + 12_000, 2));
    model.apply(session('+U', 's1', T, T + 25_000, 3, { previousTime: T + 10_000 }));
    model.apply(session('-D', 's2', T + 5000, T + 12_000, 2));
    const state = model.stream('sessions');
    expect([...(state?.series.keys() ?? [])]).toEqual(['sessionId=s1']);
    expect(state?.series.get('sessionId=s1')?.points).toEqual([{ time: T + 25_000, row: { window_start: T, window_end: T + 25_000, sessionId: 's1', pages: 3 }, early: false, rowKey: JSON.stringify(['s1', T]) }]);
    expect(state?.latestTime).toBe(T + 25_000);
    // The table: one row per session, no double.
    expect(tableRows(state, 'pages', { sessionWindows: true }).map((r) => [r.series.id, r.point.time, r.point.row.pages])).toEqual([['sessionId=s1', T + 25_000, 3]]);
    // The newest row deleted: latestTime goes back.
    model.apply(session('-D', 's1', T, T + 25_000, 3));
    expect(model.stream('sessions')?.series.size).toBe(0);
    expect(model.stream('sessions')?.latestTime).toBe(-Infinity);
  });

  it('a +U replaces a snapshot row without a row key (read back from the store) at its previous time', () => {
    const model = new DashboardModel();
    model.apply(hello());
    model.apply(snapshot('sessions', [{ time: T + 10_000, row: { sessionId: 's1', pages: 1 } }]));
    model.apply(session('+U', 's1', T, T + 25_000, 3, { previousTime: T + 10_000 }));
    expect(model.stream('sessions')?.series.get('sessionId=s1')?.points.map((x) => [x.time, x.row.pages])).toEqual([[T + 25_000, 3]]);
    // A -D of a row held without a row key removes the row of its time.
    model.apply(snapshot('geography', [{ time: T, row: { country: 'DE', users: 5 } }]));
    model.apply(update('geography', T, { country: 'DE', users: 5 }, { change: '-D', rowKey: JSON.stringify(['DE', T - 60_000, T]) }));
    expect(model.stream('geography')?.series.size).toBe(0);
  });

  it('a snapshot after a reconnect drops what was deleted or superseded meanwhile, from its oldest row of each series on', () => {
    const model = new DashboardModel();
    model.apply(hello());
    const key = (end: number): string => JSON.stringify([null, end - 60_000, end]);
    for (const end of [T - 60_000, T, T + 60_000, T + 120_000]) model.apply(update('funnel', end, { sessions_started: 4 }, { change: '+I', rowKey: key(end) }));
    model.apply(session('+I', 's1', T, T + 10_000, 1));
    // Reconnected: the T + 60 s funnel window was deleted meanwhile, s1's end moved.
    model.apply(hello());
    model.apply(
      snapshot('funnel', [
        { time: T, row: { sessions_started: 4 } },
        { time: T + 120_000, row: { sessions_started: 5 }, rowKey: key(T + 120_000) },
      ]),
    );
    model.apply(snapshot('sessions', [{ time: T + 25_000, row: { sessionId: 's1', window_start: T, pages: 3 }, rowKey: JSON.stringify(['s1', T]) }]));
    // T − 60 s stays (older than anything the snapshot has), T is the snapshot's, T + 60 s goes, T + 120 s is replaced.
    expect(latestPointsOf(model, 'funnel')).toEqual([
      [T - 60_000, 4],
      [T, 4],
      [T + 120_000, 5],
    ]);
    expect(model.stream('funnel')?.series.get('')?.points[1]?.rowKey).toBeUndefined();
    expect(model.stream('sessions')?.series.get('sessionId=s1')?.points.map((x) => x.time)).toEqual([T + 25_000]);
  });

  it('panels do not double count an updated row: time series points, funnel bars, table totals', () => {
    const model = new DashboardModel();
    model.apply(hello());
    const panels = derivePanels(manifest);
    const funnel = panels.find((x): x is MetricPanel => x.kind === 'timeseries' && x.stream === 'funnel');
    const geography = panels.find((x): x is MetricPanel => x.kind === 'table' && x.stream === 'geography');
    if (funnel === undefined || geography === undefined) throw new Error('no funnel or geography panel');
    const key = (end: number): string => JSON.stringify([null, end - 60_000, end]);
    // A funnel window, updated twice as sessions land in it (the same row key and time), and one whose sessions all moved out.
    model.apply(update('funnel', T, { sessions_started: 1, reached_checkout: 0, converted: 0 }, { change: '+I', rowKey: key(T) }));
    model.apply(update('funnel', T, { sessions_started: 2, reached_checkout: 1, converted: 0 }, { change: '+U', rowKey: key(T) }));
    model.apply(update('funnel', T, { sessions_started: 3, reached_checkout: 2, converted: 1 }, { change: '+U', rowKey: key(T) }));
    model.apply(update('funnel', T + 60_000, { sessions_started: 1, reached_checkout: 1, converted: 0 }, { change: '+I', rowKey: key(T + 60_000) }));
    model.apply(update('funnel', T + 60_000, { sessions_started: 1, reached_checkout: 1, converted: 0 }, { change: '-D', rowKey: key(T + 60_000) }));
    const points = model.stream('funnel')?.series.get('')?.points ?? [];
    expect(points.map((x) => x.time)).toEqual([T]);
    expect(plottedPoints(points, funnel.numeric)).toBe(funnel.numeric.filter((m) => ['sessions_started', 'reached_checkout', 'converted'].includes(m.name)).length);
    expect(funnelBars(latestPoint(model.stream('funnel'))?.row ?? null, funnel.funnel ?? []).map((b) => b.value)).toEqual([3, 2, 1]);

    const geo = (change: '+I' | '+U' | '-D', country: string, users: number): ReturnType<typeof update> =>
      update('geography', T, { country, users, events: users * 2 }, { key: country, change, rowKey: JSON.stringify([country, T - 60_000, T]) });
    model.apply(geo('+I', 'US', 5));
    model.apply(geo('+I', 'DE', 3));
    model.apply(geo('+U', 'US', 6));
    model.apply(geo('+I', 'FR', 1));
    model.apply(geo('-D', 'FR', 1));
    const rows = tableRows(model.stream('geography'), 'users');
    expect(rows.map((r) => [r.series.id, r.point.row.users])).toEqual([
      ['country=US', 6],
      ['country=DE', 3],
    ]);
    expect(totals(rows, geography.measures)).toEqual({ users: 9, events: 18 });
  });
});

function latestPointsOf(model: DashboardModel, stream: string): [number, unknown][] {
  return (model.stream(stream)?.series.get('')?.points ?? []).map((x) => [x.time, x.row.sessions_started]);
}

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

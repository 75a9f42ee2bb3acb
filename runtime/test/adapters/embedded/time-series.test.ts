import { describe, expect, it } from 'vitest';
import { EmbeddedTimeSeriesStore, TimeSeriesSink } from '../../../src/adapters/embedded/index.ts';
import type { SinkInputLayout, SinkRecord } from '../../../src/api/index.ts';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

describe('EmbeddedTimeSeriesStore', () => {
  it('overwrites a point re-written at the same series and time (idempotent writes)', () => {
    const store = new EmbeddedTimeSeriesStore();
    const series = { measurement: 'website_metrics', tags: { country: 'US' }, field: 'users' };
    store.write(series, T0, 5);
    store.write(series, T0 + MIN, 7);
    store.write(series, T0, 6); // the window re-emitted (late update, replay after restart)
    store.write(series, T0 + MIN, 7);
    const [result] = store.query({ field: 'users' });
    expect(result?.points).toEqual([
      { time: T0, value: 6 },
      { time: T0 + MIN, value: 7 },
    ]);
    expect(store.pointCount).toBe(2);
  });

  it('keeps points time-ordered when they arrive out of order', () => {
    const store = new EmbeddedTimeSeriesStore();
    const series = { measurement: 'm', tags: {}, field: 'f' };
    for (const minute of [3, 1, 4, 0, 2]) store.write(series, T0 + minute * MIN, minute);
    expect(store.query()[0]?.points.map((p) => p.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it('selects series by measurement, field, stream and tags, and points by time range', () => {
    const store = new EmbeddedTimeSeriesStore();
    for (let minute = 0; minute < 10; minute++) {
      const time = T0 + minute * MIN;
      store.writeRow({ measurement: 'website_metrics', tags: { country: 'US' }, fields: { users: minute, events: 10 * minute }, time, stream: 'geography' });
      store.writeRow({ measurement: 'website_metrics', tags: { country: 'DE' }, fields: { users: 100 + minute, events: null }, time, stream: 'geography' });
      store.writeRow({ measurement: 'website_metrics', fields: { page_views_per_second: minute / 2 }, time, stream: 'realtime' });
    }
    expect(store.seriesCount).toBe(4);
    expect(store.series({ stream: 'geography' }).map((s) => `${s.field}:${s.tags.country ?? '-'}`)).toEqual(['users:DE', 'events:US', 'users:US']); // by key: measurement, tags, field
    const us = store.query({ measurement: 'website_metrics', field: 'users', tags: { country: 'US' }, from: T0 + 2 * MIN, to: T0 + 5 * MIN });
    expect(us).toHaveLength(1);
    expect(us[0]?.points.map((p) => p.value)).toEqual([2, 3, 4]);
    expect(store.query({ field: 'users', tags: { country: ['US', 'DE'] }, limit: 2 }).map((s) => s.points.map((p) => p.value))).toEqual([
      [108, 109],
      [8, 9],
    ]);
    expect(store.query({ tags: { country: 'FR' } })).toEqual([]);
    expect(store.latest({ stream: 'realtime' })).toEqual([
      expect.objectContaining({ measurement: 'website_metrics', field: 'page_views_per_second', stream: 'realtime', time: T0 + 9 * MIN, value: 4.5 }),
    ]);
  });

  it('bounds each series by point count and by age behind the newest point', () => {
    const byCount = new EmbeddedTimeSeriesStore({ maxPointsPerSeries: 5 });
    const series = { measurement: 'm', tags: {}, field: 'f' };
    for (let i = 0; i < 12; i++) byCount.write(series, T0 + i * 1000, i);
    expect(byCount.query()[0]?.points.map((p) => p.value)).toEqual([7, 8, 9, 10, 11]);
    byCount.write(series, T0, -1); // older than the whole ring: dropped at once
    expect(byCount.query()[0]?.points).toHaveLength(5);
    expect(byCount.query()[0]?.points[0]?.value).toBe(7);

    const byAge = new EmbeddedTimeSeriesStore({ maxAgeMs: 10 * MIN });
    const stale = { measurement: 'm', tags: { k: 'old' }, field: 'f' };
    byAge.write(stale, T0, 1);
    for (let minute = 0; minute <= 30; minute++) byAge.write(series, T0 + minute * MIN, minute);
    expect(byAge.query({ tags: {} })[0]?.points.map((p) => p.value)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    // The series that stopped was swept away with its last point.
    expect(byAge.series({ tags: { k: 'old' } })).toEqual([]);
    byAge.write(series, T0, 0); // too old to keep
    expect(byAge.query({ from: T0, to: T0 + MIN })).toEqual([]);
  });

  it('refuses new series beyond maxSeries and counts the rejected points', () => {
    const store = new EmbeddedTimeSeriesStore({ maxSeries: 2 });
    for (const country of ['US', 'DE', 'FR']) store.write({ measurement: 'm', tags: { country }, field: 'f' }, T0, 1);
    expect(store.seriesCount).toBe(2);
    expect(store.rejectedPoints).toBe(1);
  });
});

describe('TimeSeriesSink', () => {
  const layouts: SinkInputLayout[] = [
    { stream: 'geography', node: 'geography.window', tags: ['country'], fields: ['users', 'events'], time: 'window_end' },
    { stream: 'popular_pages', node: 'popular_pages.window', tags: [], fields: ['top_pages'], time: null },
  ];

  it('writes window results as rows by their stream layout; a replayed window overwrites', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const sink = new TimeSeriesSink(store, { name: 'influx.website_metrics', measurement: 'website_metrics', inputs: layouts, tags: ['region'] });
    await sink.open();
    const row = (users: number, end: number): SinkRecord<unknown> => ({
      stream: 'geography',
      key: 'US',
      value: { window_start: end - MIN, window_end: end, country: 'US', region: null, users, events: users * 3 },
      timestamp: end,
    });
    sink.write([row(5, T0 + MIN), row(8, T0 + 2 * MIN)]);
    sink.write([row(6, T0 + MIN)]);
    sink.write([{ stream: 'popular_pages', key: null, value: { top_pages: [{ value: '/home', count: 3 }] }, timestamp: T0 + 2 * MIN }]);
    await sink.flush();
    expect(store.query({ field: 'users' })).toEqual([
      expect.objectContaining({ measurement: 'website_metrics', tags: { country: 'US' }, stream: 'geography', points: [
        { time: T0 + MIN, value: 6 },
        { time: T0 + 2 * MIN, value: 8 },
      ] }),
    ]);
    expect(store.latest({ field: 'top_pages' })[0]?.value).toEqual([{ value: '/home', count: 3 }]);
    expect(sink.rowsWritten).toBe(4);
    expect(() => sink.write([{ stream: 'unknown', key: null, value: {}, timestamp: 0 }])).toThrow(/no layout for stream unknown/);
    await sink.close();
  });

  it('reads ISO-8601 window times and falls back to the record timestamp', () => {
    const store = new EmbeddedTimeSeriesStore();
    const sink = new TimeSeriesSink(store, { name: 's', measurement: 'm', inputs: [layouts[0] as SinkInputLayout] });
    sink.write([
      { stream: 'geography', key: null, value: { window_end: new Date(T0).toISOString(), country: 'DE', users: 1, events: 1 }, timestamp: 0 },
      { stream: 'geography', key: null, value: { window_end: null, country: 'DE', users: 2, events: 2 }, timestamp: T0 + MIN },
    ]);
    expect(store.query({ field: 'users' })[0]?.points.map((p) => p.time)).toEqual([T0, T0 + MIN]);
  });
});

describe('TimeSeriesSink: keyed updates', () => {
  const layout: SinkInputLayout = { stream: 'sessions', node: 'sessions.window', tags: ['sessionId'], fields: ['pages'], time: 'window_end' };
  const session = (change: SinkRecord<unknown>['change'], end: number, pages: number): SinkRecord<unknown> => ({
    stream: 'sessions',
    key: 's1',
    value: { sessionId: 's1', window_start: T0, window_end: end, pages },
    timestamp: end,
    change,
    rowKey: JSON.stringify(['s1', T0]),
  });

  it('an update whose time moved leaves one point, at the new time; a delete leaves none', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const sink = new TimeSeriesSink(store, { name: 'influx.sessions', measurement: 'sessions', inputs: [layout] });
    sink.write([session('+I', T0 + MIN, 1)]);
    // The session grew: its end (the point's time) moved from T0 + 1 min to T0 + 2 min.
    sink.write([session('-U', T0 + MIN, 1), session('+U', T0 + 2 * MIN, 2)]);
    expect(store.query({ field: 'pages' })[0]?.points).toEqual([{ time: T0 + 2 * MIN, value: 2 }]);
    // Updated in place (same time): overwritten.
    sink.write([session('-U', T0 + 2 * MIN, 2), session('+U', T0 + 2 * MIN, 3)]);
    expect(store.query({ field: 'pages' })[0]?.points).toEqual([{ time: T0 + 2 * MIN, value: 3 }]);
    sink.write([session('-D', T0 + 2 * MIN, 3)]);
    expect(store.pointCount).toBe(0);
    expect(sink.rowsWritten).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { dashboardStreams, derivePanels, isSingleCall, metricPanel, type MetricPanel } from '../src/lib/panels.ts';
import type { PipelineManifest } from '../src/lib/protocol.ts';
import { chartRows, funnelBars, plottedPoints, totals } from '../src/lib/views.ts';
import { manifest, metric } from './fixtures.ts';

function metricPanels(m: PipelineManifest): MetricPanel[] {
  return derivePanels(m).filter((p): p is MetricPanel => p.kind === 'timeseries' || p.kind === 'table' || p.kind === 'topk');
}

describe('panels of website-analytics', () => {
  const panels = derivePanels(manifest);

  it('has one panel per dashboard metric, the alert feed and the health strip', () => {
    expect(panels.map((p) => [p.stream, p.kind])).toEqual([
      ['health', 'health'],
      ['realtime', 'timeseries'],
      ['session_health', 'timeseries'],
      ['business', 'timeseries'],
      ['popular_pages', 'topk'],
      ['geography', 'table'],
      ['funnel', 'timeseries'],
      ['alerts', 'alerts'],
    ]);
  });

  it('leaves out metrics not sent to the dashboard, and alert streams go to the feed', () => {
    const streams = panels.map((p) => p.stream);
    expect(streams).not.toContain('sessions');
    expect(streams).not.toContain('bounces');
    const alerts = panels.find((p) => p.kind === 'alerts');
    expect(alerts?.kind === 'alerts' && alerts.streams).toEqual(['bounces', 'checkout_abandoned']);
  });

  it('splits charts by unit and shows where each metric is defined', () => {
    const byStream = new Map(metricPanels(manifest).map((p) => [p.stream, p]));
    expect(byStream.get('realtime')?.charts.map((c) => c.unit)).toEqual(['views/s', 'users']);
    expect(byStream.get('session_health')?.charts.map((c) => [c.unit, c.measures.map((m) => m.name)])).toEqual([
      ['%', ['bounce_rate']],
      ['s', ['avg_session_duration', 'p95_session_duration']],
    ]);
    expect(byStream.get('realtime')?.location).toBe('website-analytics.flow:59:1');
    expect(byStream.get('business')?.windowText).toBe('1 min sliding every 10 s · event time');
  });

  it('reads the funnel counts as proportional bars, and the rates are not counts', () => {
    const funnel = metricPanel(metric('funnel'));
    expect(funnel.funnel?.map((m) => m.name)).toEqual(['sessions_started', 'reached_checkout', 'converted']);
    expect(metricPanel(metric('realtime')).funnel).toBeNull();
    const bars = funnelBars({ sessions_started: 200, reached_checkout: 50, converted: 10 }, funnel.funnel ?? []);
    expect(bars.map((b) => [b.name, b.ratio, b.share])).toEqual([
      ['sessions_started', 1, 1],
      ['reached_checkout', 0.25, 0.25],
      ['converted', 0.05, 0.05],
    ]);
  });

  it('sorts the geography table by users and totals the counts', () => {
    const geography = metricPanel(metric('geography'));
    expect(geography.kind).toBe('table');
    expect(geography.sortBy?.name).toBe('users');
    expect(geography.measures.map((m) => m.summable)).toEqual([true, true]);
    const row = (country: string, users: number, events: number) => ({ series: { id: `country=${country}`, tags: [['country', country] as const], points: [] }, point: { time: 1, row: { country, users, events }, early: false } });
    expect(totals([row('DE', 3, 10), row('FR', 4, 12)], geography.measures)).toEqual({ users: 7, events: 22 });
  });
});

describe('panel rules', () => {
  it('a new aggregate sent to the dashboard becomes a new panel', () => {
    const extra = { ...metric('realtime'), name: 'checkout_latency', location: 'x.flow:1:1', measures: [{ name: 'p99', unit: 'ms', valueKind: 'float' as const, expression: 'percentile(latency, 0.99)' }] };
    const sinks = manifest.sinks.map((s) => (s.connector.connector === 'dashboard' ? { ...s, streams: [...s.streams, 'checkout_latency'] } : s));
    const panels = derivePanels({ ...manifest, metrics: [...manifest.metrics, extra], sinks });
    expect(panels.find((p) => p.stream === 'checkout_latency')?.kind).toBe('timeseries');
  });

  it('without a dashboard sink every metric is shown', () => {
    const noDashboard = { ...manifest, sinks: manifest.sinks.filter((s) => s.connector.connector !== 'dashboard') };
    expect(dashboardStreams(noDashboard)).toBeNull();
    const panels = derivePanels(noDashboard);
    expect(panels.find((p) => p.stream === 'sessions')?.kind).toBe('table');
    expect(panels.find((p) => p.stream === 'bounces')).toBeUndefined();
    expect(panels.filter((p) => p.kind !== 'health' && p.kind !== 'alerts')).toHaveLength(7);
  });

  it('recognises single calls only', () => {
    expect(isSingleCall('count()', ['count'])).toBe(true);
    expect(isSingleCall('count(where eventType == PAGE_VIEW)', ['count'])).toBe(true);
    expect(isSingleCall('count(where a) / count(where b) * 100', ['count'])).toBe(false);
    expect(isSingleCall('count(where url starts with ")")', ['count'])).toBe(true);
    expect(isSingleCall('sum(x) + 1', ['sum'])).toBe(false);
    expect(isSingleCall('count_distinct(userId)', ['count'])).toBe(false);
  });
});

describe('chart data', () => {
  it('counts the plotted points across lines and skips non-numbers', () => {
    const points = [
      { time: 1, row: { a: 1, b: 2 }, early: false },
      { time: 2, row: { a: 3, b: null }, early: false },
    ];
    expect(plottedPoints(points, [{ name: 'a' }, { name: 'b' }])).toBe(3);
    expect(chartRows(points, [{ name: 'a' }, { name: 'b' }])).toEqual([
      { t: 1, a: 1, b: 2 },
      { t: 2, a: 3, b: null },
    ]);
  });
});

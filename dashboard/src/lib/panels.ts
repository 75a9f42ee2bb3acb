// Panels from the manifest: nothing here knows a metric by name. A new `aggregate` in a .flow file
// (sent to `dashboard()`) becomes a new panel by these rules:
//
//   - which streams: those of the sinks whose connector is `dashboard`; every metric and alert
//     stream when the pipeline has no dashboard sink;
//   - an alert stream (a pattern, or an aggregate with `alert`) feeds the alert panel, not a metric panel;
//   - a metric with `group by` → `table` (latest window per group, sorted by the first numeric
//     measure, with totals of the summable measures);
//   - a global metric with a numeric measure → `timeseries` (one small chart per unit, one line per
//     measure, the latest value of each measure shown big; a row of proportional bars when two or
//     more measures are counts of the same input);
//   - a global metric whose measures are all `top_k` → `topk` (a ranked bar list of the latest window);
//   - plus one `alerts` panel (when there are alert streams) and one `health` panel.
import { describeMetricWindow } from './format.ts';
import type { AlertManifest, MeasureManifest, MetricManifest, PipelineManifest } from './protocol.ts';

export type PanelKind = 'timeseries' | 'table' | 'topk' | 'alerts' | 'health';

export interface MeasureView extends MeasureManifest {
  /** Plotted and summed as a number (int, float, duration). */
  readonly numeric: boolean;
  readonly topK: boolean;
  /** `count()` or `count(where …)`: bars of these read as a funnel. */
  readonly count: boolean;
  /** Adding it across groups means something (count, sum, count_distinct). */
  readonly summable: boolean;
}

/** Measures drawn on one chart: they share a unit. */
export interface ChartGroup {
  readonly unit: string | null;
  readonly measures: readonly MeasureView[];
}

export interface MetricPanel {
  readonly kind: 'timeseries' | 'table' | 'topk';
  /** The stream (the aggregate's name): `data-panel`. */
  readonly stream: string;
  readonly metric: MetricManifest;
  readonly title: string;
  /** "1 min sliding every 10 s · event time". */
  readonly windowText: string;
  readonly location: string;
  readonly groupBy: readonly string[];
  readonly measures: readonly MeasureView[];
  /** Numeric measures. */
  readonly numeric: readonly MeasureView[];
  readonly topK: readonly MeasureView[];
  /** Neither numeric nor top-k (strings, booleans, timestamps): shown as text. */
  readonly other: readonly MeasureView[];
  /** Timeseries: one chart per unit, in declaration order. */
  readonly charts: readonly ChartGroup[];
  /** Timeseries: two or more count measures, drawn as proportional bars (funnel-like); else null. */
  readonly funnel: readonly MeasureView[] | null;
  /** Table: rows sorted by this measure, largest first (the first numeric measure). */
  readonly sortBy: MeasureView | null;
}

export interface AlertsPanel {
  readonly kind: 'alerts';
  readonly stream: 'alerts';
  readonly title: string;
  /** The alert streams shown, in manifest order. */
  readonly streams: readonly string[];
  readonly alerts: readonly AlertManifest[];
}

export interface HealthPanel {
  readonly kind: 'health';
  readonly stream: 'health';
  readonly title: string;
}

export type Panel = MetricPanel | AlertsPanel | HealthPanel;

const NUMERIC_KINDS: ReadonlySet<string> = new Set(['int', 'float', 'duration']);
const SUMMABLE_CALLS = ['count', 'sum', 'count_distinct', 'approx_count_distinct'];

/**
 * Whether `expression` is exactly one call of one of `names`: `count(where a)` is, `count(where a) /
 * count()` and `count() * 100` are not. Parentheses inside string literals are skipped.
 */
export function isSingleCall(expression: string, names: readonly string[]): boolean {
  const text = expression.trim();
  const open = text.indexOf('(');
  if (open <= 0 || !names.includes(text.slice(0, open).trim())) return false;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i === text.length - 1;
    }
  }
  return false;
}

export function measureView(measure: MeasureManifest): MeasureView {
  const numeric = NUMERIC_KINDS.has(measure.valueKind);
  return {
    ...measure,
    numeric,
    topK: measure.valueKind === 'top_k',
    count: numeric && isSingleCall(measure.expression, ['count']),
    summable: numeric && isSingleCall(measure.expression, SUMMABLE_CALLS),
  };
}

/** The streams the pipeline sends to `dashboard()` sinks, in order; `null` when it has no such sink. */
export function dashboardStreams(manifest: PipelineManifest): readonly string[] | null {
  const sinks = manifest.sinks.filter((sink) => sink.connector.connector === 'dashboard');
  if (sinks.length === 0) return null;
  const streams: string[] = [];
  for (const sink of sinks) for (const stream of sink.streams) if (!streams.includes(stream)) streams.push(stream);
  return streams;
}

/** The streams that carry alerts (they feed the alert panel). */
export function alertStreams(manifest: PipelineManifest): ReadonlySet<string> {
  return new Set(manifest.alerts.map((alert) => alert.stream));
}

/** The panel of one metric. */
export function metricPanel(metric: MetricManifest): MetricPanel {
  const measures = metric.measures.map(measureView);
  const numeric = measures.filter((m) => m.numeric);
  const topK = measures.filter((m) => m.topK);
  const other = measures.filter((m) => !m.numeric && !m.topK);
  const kind: MetricPanel['kind'] = metric.groupBy.length > 0 ? 'table' : numeric.length > 0 ? 'timeseries' : topK.length > 0 ? 'topk' : 'table';
  const charts: ChartGroup[] = [];
  for (const measure of numeric) {
    const group = charts.find((g) => g.unit === measure.unit);
    if (group) (group.measures as MeasureView[]).push(measure);
    else charts.push({ unit: measure.unit, measures: [measure] });
  }
  const counts = numeric.filter((m) => m.count);
  return {
    kind,
    stream: metric.name,
    metric,
    title: metric.name,
    windowText: describeMetricWindow(metric),
    location: metric.location,
    groupBy: metric.groupBy,
    measures,
    numeric,
    topK,
    other,
    charts: kind === 'timeseries' ? charts : [],
    funnel: kind === 'timeseries' && counts.length >= 2 ? counts : null,
    sortBy: numeric[0] ?? null,
  };
}

/** Every panel of the dashboard, in the order the pipeline sends its streams to it. */
export function derivePanels(manifest: PipelineManifest): Panel[] {
  const shown = dashboardStreams(manifest);
  const alerting = alertStreams(manifest);
  const metricsByName = new Map(manifest.metrics.map((m) => [m.name, m]));
  const order = shown ?? [...manifest.metrics.map((m) => m.name), ...manifest.alerts.map((a) => a.stream)];
  const panels: Panel[] = [];
  const alertNames: string[] = [];
  for (const stream of order) {
    if (alerting.has(stream)) {
      if (!alertNames.includes(stream)) alertNames.push(stream);
      continue;
    }
    const metric = metricsByName.get(stream);
    if (metric) panels.push(metricPanel(metric));
  }
  if (alertNames.length > 0) {
    panels.push({ kind: 'alerts', stream: 'alerts', title: 'Alerts', streams: alertNames, alerts: manifest.alerts.filter((a) => alertNames.includes(a.stream)) });
  }
  panels.unshift({ kind: 'health', stream: 'health', title: 'Pipeline health' });
  return panels;
}

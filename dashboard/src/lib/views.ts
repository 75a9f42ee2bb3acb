// What the panels draw, computed from the model's series (pure functions, unit-tested).
import { numberOf, type Point, type TableRow } from './model.ts';
import type { MeasureView } from './panels.ts';

export type Datum = Record<string, number | null>;

/** Chart rows: `t` (the window end) and each measure's value, null where not a finite number. */
export function chartRows(points: readonly Point[], measures: readonly Pick<MeasureView, 'name'>[]): Datum[] {
  return points.map((point) => {
    const datum: Datum = { t: point.time };
    for (const measure of measures) datum[measure.name] = numberOf(point.row[measure.name]);
    return datum;
  });
}

/** Points plotted across the lines of `measures` (the `data-points` of a timeseries panel). */
export function plottedPoints(points: readonly Point[], measures: readonly Pick<MeasureView, 'name'>[]): number {
  let n = 0;
  for (const point of points) for (const measure of measures) if (numberOf(point.row[measure.name]) !== null) n++;
  return n;
}

/** Totals of the summable measures over table rows (null for the others). */
export function totals(rows: readonly TableRow[], measures: readonly MeasureView[]): Record<string, number | null> {
  const result: Record<string, number | null> = {};
  for (const measure of measures) {
    if (!measure.summable) {
      result[measure.name] = null;
      continue;
    }
    let sum = 0;
    for (const row of rows) sum += numberOf(row.point.row[measure.name]) ?? 0;
    result[measure.name] = sum;
  }
  return result;
}

export interface Bar {
  readonly name: string;
  readonly value: number | null;
  /** Width: the value over the largest value (0–1). */
  readonly ratio: number;
  /** The value over the first measure's (the funnel's top), or null. */
  readonly share: number | null;
}

/** Proportional bars of count measures (a funnel when they narrow step by step). */
export function funnelBars(row: Readonly<Record<string, unknown>> | null, measures: readonly Pick<MeasureView, 'name'>[]): Bar[] {
  const values = measures.map((m) => (row === null ? null : numberOf(row[m.name])));
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const first = values[0] ?? null;
  return measures.map((m, i) => {
    const value = values[i] ?? null;
    return {
      name: m.name,
      value,
      ratio: value === null || max <= 0 ? 0 : Math.max(0, value) / max,
      share: value === null || first === null || first <= 0 ? null : value / first,
    };
  });
}

/** The largest value of `field` over table rows (for the inline bars), 0 when none. */
export function maxOf(rows: readonly TableRow[], field: string): number {
  let max = 0;
  for (const row of rows) max = Math.max(max, numberOf(row.point.row[field]) ?? 0);
  return max;
}

/** A series colour: the theme's palette, in measure order. */
export function seriesColor(index: number): string {
  return `var(--s${(index % 6) + 1})`;
}

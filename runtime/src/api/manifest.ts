// The pipeline manifest: what a compiled pipeline offers to the outside (the dashboard builds its
// panels from it, the CLI prints it) — metrics with units and windows, alert streams, sinks.
// Plus the source map: node id → `.flow` position, for errors and the dashboard's "defined at".
import type { AlertSeverity } from './alerts.ts';
import type { SinkConfig } from './sink.ts';
import type { SourceConfig } from './source.ts';
import type { DurationMillis, TimeDomain } from './time.ts';

/** The value type of a column, for display and charting. */
export type ValueKind = 'int' | 'float' | 'string' | 'bool' | 'timestamp' | 'duration' | 'enum' | 'list' | 'record' | 'top_k';

export type WindowManifest =
  | { readonly kind: 'tumbling'; readonly sizeMs: DurationMillis }
  | { readonly kind: 'sliding'; readonly sizeMs: DurationMillis; readonly slideMs: DurationMillis }
  | { readonly kind: 'session'; readonly gapMs: DurationMillis };

export interface MeasureManifest {
  readonly name: string;
  readonly unit: string | null;
  readonly valueKind: ValueKind;
  /** The measure as written in `.flow`. */
  readonly expression: string;
}

/** One `aggregate` declaration: a family of time series. */
export interface MetricManifest {
  readonly name: string;
  /** The stream it aggregates. */
  readonly input: string;
  readonly window: WindowManifest;
  readonly time: TimeDomain;
  /** Group-by columns (series tags); empty for a global aggregate. */
  readonly groupBy: readonly string[];
  readonly measures: readonly MeasureManifest[];
  readonly latenessMs: DurationMillis;
  readonly earlyFiringMs: DurationMillis | null;
  /** Where it is declared: `website-analytics.flow:49:1`. */
  readonly location: string;
}

export interface AlertManifest {
  /** The aggregate or pattern that raises it. */
  readonly stream: string;
  readonly from: 'aggregate' | 'pattern';
  readonly alertType: string;
  readonly severity: AlertSeverity;
  readonly title: string | null;
  /** The message template as written: `User {userId} viewed only one page`. */
  readonly messageTemplate: string | null;
  readonly location: string;
}

export interface SinkManifest {
  /** The plan node id. */
  readonly id: string;
  readonly role: 'emit' | 'late';
  readonly connector: SinkConfig;
  readonly streams: readonly string[];
  readonly location: string;
}

export interface SourceManifest {
  readonly name: string;
  readonly schema: string;
  readonly connector: SourceConfig;
  readonly eventTime: boolean;
  readonly watermarkMs: DurationMillis | null;
  readonly idleMs: DurationMillis | null;
  readonly location: string;
}

export interface PipelineManifest {
  readonly pipeline: string;
  readonly compilerVersion: string;
  /** The `.flow` file and the first 16 hex digits of its SHA-256. */
  readonly source: { readonly path: string; readonly sha256: string };
  readonly sources: readonly SourceManifest[];
  readonly metrics: readonly MetricManifest[];
  readonly alerts: readonly AlertManifest[];
  readonly sinks: readonly SinkManifest[];
}

/** Where a plan node comes from in the `.flow` file (1-based lines and columns; `end` is exclusive). */
export interface SourceMapEntry {
  readonly nodeId: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** `file:line:col` of a source-map entry. */
export function formatLocation(entry: SourceMapEntry): string {
  return `${entry.file}:${entry.line}:${entry.column}`;
}

/** The entry of `nodeId`, or `undefined`. */
export function locateNode(sourceMap: readonly SourceMapEntry[], nodeId: string): SourceMapEntry | undefined {
  return sourceMap.find((entry) => entry.nodeId === nodeId);
}

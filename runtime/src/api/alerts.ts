// Alerts: what `alert TYPE severity … message "…"` produces. An aggregate with an alert emits one
// alert record per row that passes its `having` (the row's columns follow the alert fields); a
// pattern emits one per completed match. Field names are those of the `.flow` record, so `.flow`
// code reading an alert stream and TypeScript code see the same columns.
import type { EpochMillis } from './time.ts';

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];

/** The fields every alert record starts with. */
export interface AlertRecord {
  /** `HIGH_BOUNCE_RATE`, `CHECKOUT_ABANDONED`, … */
  readonly alert_type: string;
  readonly severity: AlertSeverity;
  /** The `title` template rendered; the alert type when the alert has no title. */
  readonly title: string;
  readonly message: string;
  /** The group keys (aggregates) or the pattern key as text; `""` when global. */
  readonly key: string;
  /** The window end (aggregates); the completing event's time or the absence deadline (patterns). */
  readonly time: EpochMillis;
}

/** What a node's alert is, for metrics and the manifest (the records themselves are built by generated code). */
export interface AlertDescriptor {
  readonly alertType: string;
  readonly severity: AlertSeverity;
}

/** Renders a template hole: `null`/`undefined` as an empty string, numbers and booleans as written. */
export function templateText(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

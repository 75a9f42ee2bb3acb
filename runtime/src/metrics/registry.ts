// Prometheus metrics of the flowc runtime (prom-client), on a registry of their own (never the
// global default registry, so several engines, tests and the dashboard server can coexist).
//
// Names are `flowc_*`; labels are `pipeline`, `operator` (the plan node id, `sessions.window`) and
// `reason` (why records were dropped or dead-lettered). Durations are in seconds, as Prometheus
// expects.
//
// Counting is off the hot path: operators add to plain numbers in their `OperatorMetrics`
// (`recordsIn(n)` is one addition), and the counters read the totals when Prometheus scrapes
// (`collect`). Histograms are observed directly: the engine observes them once per batch, per
// checkpoint, or per window result, never per input record.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperatorMetrics } from '../api/index.ts';

type OperatorLabels = 'pipeline' | 'operator';
type ReasonLabels = 'pipeline' | 'operator' | 'reason';

/** Buckets of the per-batch processing latency (seconds): 50 µs … 5 s. */
export const PROCESSING_LATENCY_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Buckets of the event-to-emit latency (seconds): 10 ms … 30 min (sessions close after their gap). */
export const EVENT_TO_EMIT_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Buckets of checkpoint durations (seconds): 1 ms … 60 s. */
export const CHECKPOINT_DURATION_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface LabeledObserver {
  observe(value: number): void;
}

/** A running total and what the Prometheus counter has already been given of it. */
class Tally {
  total = 0;
  reported = 0;
}

/**
 * The counters of one operator instance (one plan node in one engine). Implements the API's
 * `OperatorMetrics`; the engine adds window, alert and dead-letter counts through the extra methods.
 */
export class OperatorCounters implements OperatorMetrics {
  readonly in = new Tally();
  readonly out = new Tally();
  readonly lateRecords = new Tally();
  readonly windows = new Tally();
  readonly alerts = new Tally();
  readonly droppedBy = new Map<string, Tally>();
  readonly deadLettersBy = new Map<string, Tally>();

  private readonly latency: LabeledObserver;
  private readonly eventToEmit: LabeledObserver;

  constructor(
    readonly pipeline: string,
    readonly operator: string,
    latency: Histogram<OperatorLabels>,
    eventToEmit: Histogram<OperatorLabels>,
  ) {
    // Children bound to this operator's labels once, so an observation does not hash labels.
    this.latency = latency.labels({ pipeline, operator });
    this.eventToEmit = eventToEmit.labels({ pipeline, operator });
  }

  recordsIn(count: number): void {
    this.in.total += count;
  }

  recordsOut(count: number): void {
    this.out.total += count;
  }

  dropped(reason: string, count: number): void {
    tallyOf(this.droppedBy, reason).total += count;
  }

  late(count: number): void {
    this.lateRecords.total += count;
  }

  processingLatency(millis: number): void {
    this.latency.observe(millis / 1000);
  }

  windowsEmitted(count: number): void {
    this.windows.total += count;
  }

  alertsRaised(count: number): void {
    this.alerts.total += count;
  }

  deadLetters(reason: string, count: number): void {
    tallyOf(this.deadLettersBy, reason).total += count;
  }

  /** Time from an event (a window's end, a match's completion) to its result leaving the operator. */
  eventToEmitLatency(millis: number): void {
    this.eventToEmit.observe(Math.max(0, millis) / 1000);
  }
}

/**
 * The `OperatorMetrics` handed to a processor whose batches the engine counts itself: every batch
 * in and out of every node passes through the engine, so the processor's own `recordsIn` and
 * `recordsOut` calls would count them twice and are ignored; the rest goes to the counters.
 */
export class ProcessorMetrics implements OperatorMetrics {
  constructor(private readonly counters: OperatorCounters) {}

  recordsIn(_count: number): void {}

  recordsOut(_count: number): void {}

  dropped(reason: string, count: number): void {
    this.counters.dropped(reason, count);
  }

  late(count: number): void {
    this.counters.late(count);
  }

  processingLatency(millis: number): void {
    this.counters.processingLatency(millis);
  }
}

function tallyOf(map: Map<string, Tally>, reason: string): Tally {
  let tally = map.get(reason);
  if (tally === undefined) {
    tally = new Tally();
    map.set(reason, tally);
  }
  return tally;
}

/** The metrics of one pipeline: its operators, its watermark lag, its checkpoints. */
export class PipelineMetrics {
  private readonly operators = new Map<string, OperatorCounters>();

  constructor(
    readonly pipeline: string,
    private readonly owner: FlowcMetrics,
  ) {}

  /** The counters of `nodeId` (created on first use, then shared: a restarted engine continues them). */
  operator(nodeId: string): OperatorCounters {
    let counters = this.operators.get(nodeId);
    if (counters === undefined) {
      counters = new OperatorCounters(this.pipeline, nodeId, this.owner.processingLatency, this.owner.eventToEmitLatency);
      this.operators.set(nodeId, counters);
    }
    return counters;
  }

  allOperators(): IterableIterator<OperatorCounters> {
    return this.operators.values();
  }

  /** How far event time (the watermark of source `nodeId`) trails processing time. */
  watermarkLag(nodeId: string, millis: number): void {
    this.owner.watermarkLag.set({ pipeline: this.pipeline, operator: nodeId }, millis / 1000);
  }

  checkpointCompleted(durationMillis: number): void {
    this.owner.checkpointDuration.observe({ pipeline: this.pipeline }, durationMillis / 1000);
    this.owner.checkpoints.inc({ pipeline: this.pipeline });
  }

  checkpointFailed(): void {
    this.owner.checkpointFailures.inc({ pipeline: this.pipeline });
  }
}

export interface FlowcMetricsOptions {
  /** The registry to register on; a new one by default (never prom-client's global registry). */
  readonly registry?: Registry;
  /** Labels added to every series (`instance`, `processor`, …). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

/** Every flowc metric, on one registry. One instance per process is enough; pipelines are a label. */
export class FlowcMetrics {
  readonly registry: Registry;
  readonly eventsIn: Counter<OperatorLabels>;
  readonly eventsOut: Counter<OperatorLabels>;
  readonly dropped: Counter<ReasonLabels>;
  readonly deadLetters: Counter<ReasonLabels>;
  readonly lateEvents: Counter<OperatorLabels>;
  readonly windowsEmitted: Counter<OperatorLabels>;
  readonly alerts: Counter<OperatorLabels>;
  readonly processingLatency: Histogram<OperatorLabels>;
  readonly eventToEmitLatency: Histogram<OperatorLabels>;
  readonly watermarkLag: Gauge<OperatorLabels>;
  readonly checkpointDuration: Histogram<'pipeline'>;
  readonly checkpoints: Counter<'pipeline'>;
  readonly checkpointFailures: Counter<'pipeline'>;
  private readonly pipelines = new Map<string, PipelineMetrics>();

  constructor(options: FlowcMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    if (options.defaultLabels !== undefined) registry.setDefaultLabels({ ...options.defaultLabels });
    const registers = [registry];
    const operatorLabels: OperatorLabels[] = ['pipeline', 'operator'];
    const reasonLabels: ReasonLabels[] = ['pipeline', 'operator', 'reason'];

    const eventsIn: Counter<OperatorLabels> = new Counter({
      name: 'flowc_events_in_total',
      help: 'Records received by each operator (for a source: records read, decodable or not).',
      labelNames: operatorLabels,
      registers,
      collect: () => this.sync(eventsIn, (c) => c.in),
    });
    const eventsOut: Counter<OperatorLabels> = new Counter({
      name: 'flowc_events_out_total',
      help: 'Records emitted by each operator on its main output.',
      labelNames: operatorLabels,
      registers,
      collect: () => this.sync(eventsOut, (c) => c.out),
    });
    const dropped: Counter<ReasonLabels> = new Counter({
      name: 'flowc_events_dropped_total',
      help: 'Records an operator dropped on purpose, by reason (filtered, late, decode_error, having, …).',
      labelNames: reasonLabels,
      registers,
      collect: () => this.syncByReason(dropped, (c) => c.droppedBy),
    });
    const deadLetters: Counter<ReasonLabels> = new Counter({
      name: 'flowc_dead_letters_total',
      help: 'Records that failed to decode and went to the dead-letter output, by reason.',
      labelNames: reasonLabels,
      registers,
      collect: () => this.syncByReason(deadLetters, (c) => c.deadLettersBy),
    });
    const lateEvents: Counter<OperatorLabels> = new Counter({
      name: 'flowc_late_events_total',
      help: 'Records that arrived behind the watermark (within or past the allowed lateness).',
      labelNames: operatorLabels,
      registers,
      collect: () => this.sync(lateEvents, (c) => c.lateRecords),
    });
    const windowsEmitted: Counter<OperatorLabels> = new Counter({
      name: 'flowc_windows_emitted_total',
      help: 'Window results emitted by each aggregate (final and early firings, re-emissions included).',
      labelNames: operatorLabels,
      registers,
      collect: () => this.sync(windowsEmitted, (c) => c.windows),
    });
    const alerts: Counter<OperatorLabels> = new Counter({
      name: 'flowc_alerts_total',
      help: 'Alert records raised by each aggregate or pattern.',
      labelNames: operatorLabels,
      registers,
      collect: () => this.sync(alerts, (c) => c.alerts),
    });
    this.eventsIn = eventsIn;
    this.eventsOut = eventsOut;
    this.dropped = dropped;
    this.deadLetters = deadLetters;
    this.lateEvents = lateEvents;
    this.windowsEmitted = windowsEmitted;
    this.alerts = alerts;
    this.processingLatency = new Histogram({
      name: 'flowc_processing_latency_seconds',
      help: 'Time to carry one batch through the operators, from ingestion to the last result leaving them.',
      labelNames: operatorLabels,
      buckets: [...PROCESSING_LATENCY_BUCKETS],
      registers,
    });
    this.eventToEmitLatency = new Histogram({
      name: 'flowc_event_to_emit_latency_seconds',
      help: 'Processing time at emission minus the event time of the result (window end, match completion).',
      labelNames: operatorLabels,
      buckets: [...EVENT_TO_EMIT_BUCKETS],
      registers,
    });
    this.watermarkLag = new Gauge({
      name: 'flowc_watermark_lag_seconds',
      help: 'Processing time minus the watermark of each source (event-time sources only).',
      labelNames: operatorLabels,
      registers,
    });
    this.checkpointDuration = new Histogram({
      name: 'flowc_checkpoint_duration_seconds',
      help: 'Duration of checkpoints: snapshot, sink flush, durable write and offset commit.',
      labelNames: ['pipeline'],
      buckets: [...CHECKPOINT_DURATION_BUCKETS],
      registers,
    });
    this.checkpoints = new Counter({
      name: 'flowc_checkpoints_total',
      help: 'Completed checkpoints (state durable, sinks flushed, offsets committed).',
      labelNames: ['pipeline'],
      registers,
    });
    this.checkpointFailures = new Counter({
      name: 'flowc_checkpoint_failures_total',
      help: 'Checkpoints that failed (nothing committed; the next one retries).',
      labelNames: ['pipeline'],
      registers,
    });
  }

  /** The metrics of `pipeline` (created on first use). */
  pipeline(pipeline: string): PipelineMetrics {
    let metrics = this.pipelines.get(pipeline);
    if (metrics === undefined) {
      metrics = new PipelineMetrics(pipeline, this);
      this.pipelines.set(pipeline, metrics);
    }
    return metrics;
  }

  /** The exposition text for `/metrics`. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private sync(counter: Counter<OperatorLabels>, tallyOf: (c: OperatorCounters) => Tally): void {
    for (const pipeline of this.pipelines.values()) {
      for (const operator of pipeline.allOperators()) {
        const tally = tallyOf(operator);
        const delta = tally.total - tally.reported;
        if (delta > 0) {
          counter.inc({ pipeline: operator.pipeline, operator: operator.operator }, delta);
          tally.reported = tally.total;
        }
      }
    }
  }

  private syncByReason(counter: Counter<ReasonLabels>, tallies: (c: OperatorCounters) => Map<string, Tally>): void {
    for (const pipeline of this.pipelines.values()) {
      for (const operator of pipeline.allOperators()) {
        for (const [reason, tally] of tallies(operator)) {
          const delta = tally.total - tally.reported;
          if (delta > 0) {
            counter.inc({ pipeline: operator.pipeline, operator: operator.operator, reason }, delta);
            tally.reported = tally.total;
          }
        }
      }
    }
  }
}

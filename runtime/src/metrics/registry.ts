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
// checkpoint, or per window result, never per input record. The source lags are computed when
// Prometheus scrapes, from the engine's clock and watermarks (`PipelineMetrics.sourceTimes`).
//
// Series whose label values are known from the topology start at 0 (`PipelineMetrics.declare`):
// Prometheus' `rate()` and `increase()` need a sample before the first increment, or they miss it
// (a counter that appears at 1 has no increase). Process and Node.js metrics (`process_*`,
// `nodejs_*`) are added by `collectProcessMetrics` (process.ts) on the registry `/metrics` serves.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EpochMillis, OperatorMetrics, Topology, TopologyNode } from '../api/index.ts';

type OperatorLabels = 'pipeline' | 'operator';
type ReasonLabels = 'pipeline' | 'operator' | 'reason';

/** Buckets of the per-batch processing latency (seconds): 50 µs … 5 s. */
export const PROCESSING_LATENCY_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** The R20 preferred numbers (ISO 3): 20 per decade, consecutive ones at most 14.3 % apart. */
const R20 = [1, 1.12, 1.25, 1.4, 1.6, 1.8, 2, 2.24, 2.5, 2.8, 3.15, 3.55, 4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9];

/**
 * Buckets of the event-to-emit latency (seconds), 92 of them. What the latency of a result is made
 * of decides the resolution:
 * - below 100 ms, 1-2.5-5 per decade: processing-time windows, emitted by a timer at their end;
 * - above 100 ms up to 10 min, the R20 series (steps of 11–14.3 %): event-time windows, emitted when the
 *   watermark passes their end, that is after the bounded out-of-orderness plus how far the input
 *   trails the clock (seconds to minutes). `histogram_quantile` interpolates inside the bucket that
 *   holds the true quantile, so any quantile in this range (p50, p99 of a 1 min window) reads
 *   within one step, less than 15 %, of the true value;
 * - 10 min … 1 h, steps of 2–10 min: session windows (closed after their gap, 30 min in the
 *   website pipeline) and long windows.
 */
export const EVENT_TO_EMIT_BUCKETS: readonly number[] = [
  ...[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
  ...[0.1, 1, 10, 100].flatMap((decade) => R20.map((m) => Number((m * decade).toPrecision(3)))).filter((b) => b < 600),
  ...[600, 720, 900, 1200, 1500, 1800, 2100, 2400, 3000, 3600],
];
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

/**
 * Where a source stands in time, read when Prometheus scrapes (event-time sources only):
 * - `watermark`: the source's watermark, the minimum over its active partitions (idle ones left
 *   out; all idle: the largest), each partition's being its largest event time minus the bounded
 *   out-of-orderness (`MIN_WATERMARK` before any record, `MAX_WATERMARK` once a bounded source ended);
 * - `newestEventTime`: the same combination of the partitions' largest event times, that is the
 *   newest event time read on the partition furthest behind.
 * `watermark = newestEventTime − bound − 1 ms` while records set it (`advanceWatermark` may raise it).
 */
export interface SourceTime {
  /** The source's plan node id (`events.source`), the `operator` label. */
  readonly nodeId: string;
  /** Processing time (the engine's clock). */
  readonly now: EpochMillis;
  readonly watermark: EpochMillis;
  readonly newestEventTime: EpochMillis;
}

/** Reasons and results a node of this kind can count, known before any record. */
interface KnownLabels {
  readonly dropped: readonly string[];
  readonly deadLetters: readonly string[];
  readonly late: boolean;
  readonly results: 'window' | 'alert' | null;
}

/**
 * The dead-letter reason categories (`deadLetterReason` in engine/node.ts): bounded, so they can be
 * labels. A decoder's dead letters are counted on its node.
 */
export const DEAD_LETTER_REASONS: readonly string[] = ['invalid_json', 'missing_field', 'not_an_object', 'invalid_field', 'invalid_timestamp'];

/**
 * Which label values a node can produce, from its kind (where each reason is counted: decode and
 * filter in engine/builtins, `late` in engine/node.ts for a node without a late output, the others
 * in operators/windows and operators/cep). Reasons that depend on more than the node's kind
 * (`having`: only with a `having` clause) appear at their first increment.
 */
function knownLabels(node: TopologyNode, hasLateOutput: boolean, eventTimeDecoder: boolean): KnownLabels {
  const none: KnownLabels = { dropped: [], deadLetters: [], late: false, results: null };
  switch (node.kind) {
    case 'decode': {
      const deadLetters = eventTimeDecoder ? DEAD_LETTER_REASONS : DEAD_LETTER_REASONS.filter((r) => r !== 'invalid_timestamp');
      return { ...none, dropped: eventTimeDecoder ? ['decode_error', 'invalid_timestamp'] : ['decode_error'], deadLetters };
    }
    case 'filter':
      return { ...none, dropped: ['filtered'] };
    case 'windowAggregate': {
      const results = node.phase === 'partial' ? null : node.alert === null ? 'window' : 'alert';
      if (node.phase === 'final') return { ...none, dropped: ['late_partial', 'invalid_partial'], results };
      const lateDrop = hasLateOutput ? [] : ['late'];
      if (node.time === 'event') return { dropped: [...lateDrop, 'invalid_time'], deadLetters: [], late: true, results };
      // Processing time stamps records at arrival: never invalid, and late only over another
      // aggregate's rows (`input: updates`), whose retraction may come after its window closed.
      const updates = node.phase === 'single' && node.input === 'updates';
      return updates ? { dropped: lateDrop, deadLetters: [], late: true, results } : { ...none, results };
    }
    case 'pattern': {
      const eventTime = node.pattern.time === 'event';
      const dropped = ['pattern_timeout', 'pattern_branch_limit', ...(eventTime && !hasLateOutput ? ['late'] : [])];
      return { dropped, deadLetters: [], late: eventTime, results: 'alert' };
    }
    default:
      return none;
  }
}

/** The metrics of one pipeline: its operators, its source lags, its checkpoints. */
export class PipelineMetrics {
  private readonly operators = new Map<string, OperatorCounters>();
  private sourceTimesProvider: (() => readonly SourceTime[]) | null = null;

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

  /**
   * Starts every series whose label values the topology tells at 0: events in and out of every
   * node, dead letters by reason category of every decoder, the drop reasons each kind of node
   * has, late events of event-time windows and patterns, windows emitted or alerts raised by each
   * aggregate and pattern, checkpoints. Idempotent (a restarted engine declares again).
   */
  declare(topology: Topology): void {
    const lateEdges = new Set(topology.edges.filter((e) => e.output === 'late').map((e) => e.from));
    // A decoder's source (the edge into it): only a source with event time has implausible ones.
    const eventTimeDecoders = new Set<string>();
    for (const edge of topology.edges) {
      const from = topology.nodes.find((n) => n.id === edge.from);
      if (from?.kind === 'source' && from.eventTime !== null) eventTimeDecoders.add(edge.to);
    }
    const owner = this.owner;
    const zero = (counter: Counter<OperatorLabels>, operator: string): void => counter.inc({ pipeline: this.pipeline, operator }, 0);
    const zeroReasons = (counter: Counter<ReasonLabels>, operator: string, reasons: readonly string[]): void => {
      for (const reason of reasons) counter.inc({ pipeline: this.pipeline, operator, reason }, 0);
    };
    for (const node of topology.nodes) {
      this.operator(node.id);
      zero(owner.eventsIn, node.id);
      if (node.kind !== 'sink' && node.kind !== 'deadLetter') zero(owner.eventsOut, node.id);
      const known = knownLabels(node, lateEdges.has(node.id), eventTimeDecoders.has(node.id));
      zeroReasons(owner.dropped, node.id, known.dropped);
      zeroReasons(owner.deadLetters, node.id, known.deadLetters);
      if (known.late) zero(owner.lateEvents, node.id);
      if (known.results === 'window') zero(owner.windowsEmitted, node.id);
      else if (known.results === 'alert') zero(owner.alerts, node.id);
    }
    owner.checkpoints.inc({ pipeline: this.pipeline }, 0);
    owner.checkpointFailures.inc({ pipeline: this.pipeline }, 0);
  }

  /**
   * Where the source lags come from: called when Prometheus scrapes, it returns, per event-time
   * source, the processing time now, the source's watermark and its newest event time (see
   * `SourceTime`). `null`: no source lags (the engine stopped). The last engine to set it wins.
   */
  sourceTimes(provider: (() => readonly SourceTime[]) | null): void {
    this.sourceTimesProvider = provider;
  }

  /** The current `SourceTime`s (none without a provider). */
  currentSourceTimes(): readonly SourceTime[] {
    return this.sourceTimesProvider?.() ?? [];
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
  readonly eventTimeLag: Gauge<OperatorLabels>;
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
    const watermarkLag: Gauge<OperatorLabels> = new Gauge({
      name: 'flowc_watermark_lag_seconds',
      help:
        'Processing time minus the watermark of each event-time source, at the scrape. The watermark is the minimum over ' +
        "the source's active partitions of their largest event time minus the bounded out-of-orderness, so this is " +
        'flowc_event_time_lag_seconds plus that bound (watermark 5s: 5 s plus how far the input trails the clock). ' +
        'Absent before the first record and once a bounded source has ended.',
      labelNames: operatorLabels,
      registers,
      collect: () => this.syncSourceLags(watermarkLag, (t) => t.watermark),
    });
    const eventTimeLag: Gauge<OperatorLabels> = new Gauge({
      name: 'flowc_event_time_lag_seconds',
      help:
        'Processing time minus the newest event time read from each event-time source, on its furthest-behind active ' +
        'partition, at the scrape: how far the input itself trails the clock (producer delay, consumer backlog, ' +
        'clock skew). Absent before the first record and once a bounded source has ended.',
      labelNames: operatorLabels,
      registers,
      collect: () => this.syncSourceLags(eventTimeLag, (t) => t.newestEventTime),
    });
    this.watermarkLag = watermarkLag;
    this.eventTimeLag = eventTimeLag;
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

  /** Sets `gauge` to now − `timeOf` per event-time source of every pipeline; sources without a finite time have no series. */
  private syncSourceLags(gauge: Gauge<OperatorLabels>, timeOf: (t: SourceTime) => EpochMillis): void {
    gauge.reset();
    for (const pipeline of this.pipelines.values()) {
      for (const source of pipeline.currentSourceTimes()) {
        const time = timeOf(source);
        if (Number.isFinite(time)) gauge.set({ pipeline: pipeline.pipeline, operator: source.nodeId }, (source.now - time) / 1000);
      }
    }
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

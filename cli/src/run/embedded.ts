// The embedded adapter set of `flowc run`: which adapter serves each source and sink of the
// pipeline. Decided once, before the engine starts (so a source the simulator cannot feed is
// reported before anything runs), then handed to the engine as its SourceFactory and SinkFactory.
//
//   source kafka(topic) / log(name) / simulator(…)  → a topic of the in-process partitioned log,
//                                                     fed by the website simulator (when it fits the schema)
//   source file(path)                               → JsonlFileSource (bounded: the run ends with the file)
//   --from file.jsonl                               → that file instead, replayed in event time
//   sink influx → EmbeddedTimeSeriesStore · kafka → log topic · dashboard → the hub
//        log → LogSink (every one into the run's one crash-safe file, or the terminal with --verbose) · file → JsonlFileSink
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type {
  DeadLetterNode,
  DecodeNode,
  Sink,
  SinkConfig,
  SinkFactory,
  SinkNode,
  Source,
  SourceFactory,
  SourceNode,
  Topology,
} from '../../../runtime/src/index.ts';
import {
  EmbeddedLogSource,
  JsonlFileSink,
  JsonlFileSource,
  LogSink,
  TimeSeriesSink,
  type EmbeddedTimeSeriesStore,
  type ManualClock,
  type OffsetStore,
  type PartitionedLog,
} from '../../../runtime/src/adapters/embedded/index.ts';
import { PlausibleTimes } from '../../../runtime/src/engine/index.ts';
import { HubSink, type Publisher } from '../../../runtime/src/hub/index.ts';
import { LogTopicSink, ReplaySource, type CatchUpTime } from './adapters.ts';

/** How one source of the pipeline is served. */
export type SourcePlan =
  | {
      readonly kind: 'log';
      readonly source: string;
      readonly topic: string;
      readonly partitions: number;
      readonly startFrom: 'earliest' | 'latest';
      /** Fed by the simulator (else by a sink of the same pipeline). */
      readonly simulated: boolean;
      /** `simulator(rate: …, seed: …)` values, which `--rate` / `--seed` override. */
      readonly rate: number | null;
      readonly seed: number | null;
    }
  | {
      readonly kind: 'file';
      readonly source: string;
      /** As written (shown to the user). */
      readonly path: string;
      readonly absolutePath: string;
      /** From `--from`: replayed in event time. */
      readonly replay: boolean;
    };

/** A source the run cannot serve, and why. */
export interface SourceProblem {
  readonly source: string;
  readonly message: string;
}

export interface PlanInput {
  readonly topology: Topology;
  readonly schemas: ReadonlyMap<string, string>;
  readonly from: ReadonlyMap<string, string>;
  readonly cwd: string;
  /** Whether the simulator's records fit the source's decoder. */
  readonly simulatorFits: (decode: DecodeNode<unknown>) => { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly path: string };
  readonly defaultPartitions: number;
}

/** Chooses the adapter of every source. */
export function planSources(input: PlanInput): { readonly plans: SourcePlan[]; readonly problems: SourceProblem[] } {
  const { topology } = input;
  const plans: SourcePlan[] = [];
  const problems: SourceProblem[] = [];
  const sinkTopics = new Set<string>();
  for (const node of topology.nodes) {
    if ((node.kind === 'sink' || node.kind === 'deadLetter') && node.connector.connector === 'kafka') sinkTopics.add(node.connector.topic);
  }
  const sources = topology.nodes.filter((n): n is SourceNode<unknown> => n.kind === 'source');
  for (const name of input.from.keys()) {
    if (name !== '*' && !sources.some((s) => s.name === name)) problems.push({ source: name, message: `--from names source \`${name}\`, but the pipeline's sources are ${sources.map((s) => `\`${s.name}\``).join(', ')}` });
  }
  for (const node of sources) {
    const connector = node.connector;
    const fromFile = input.from.get(node.name) ?? (connector.connector === 'file' ? undefined : input.from.get('*'));
    if (fromFile !== undefined) {
      plans.push({ kind: 'file', source: node.name, path: fromFile, absolutePath: resolve(input.cwd, fromFile), replay: true });
      continue;
    }
    if (connector.connector === 'file') {
      plans.push({ kind: 'file', source: node.name, path: connector.path, absolutePath: resolve(input.cwd, connector.path), replay: false });
      continue;
    }
    const topic = connector.connector === 'kafka' ? connector.topic : connector.connector === 'log' ? (connector.name ?? node.name) : node.name;
    const partitions = node.partitions ?? (connector.connector === 'kafka' || connector.connector === 'log' ? connector.partitions : undefined) ?? input.defaultPartitions;
    const startFrom = connector.connector === 'kafka' ? (connector.startFrom ?? 'earliest') : 'earliest';
    const fed = sinkTopics.has(topic) && connector.connector !== 'simulator';
    if (!fed) {
      const decode = decodeNodeOf(topology, node);
      const fits = decode === null ? { ok: false as const, reason: 'no decoder', path: '$' } : input.simulatorFits(decode);
      if (!fits.ok) {
        const schema = input.schemas.get(node.name) ?? decode?.schema ?? '?';
        problems.push({
          source: node.name,
          message:
            `source \`${node.name}\` reads \`${schema}\` records from ${describeConnector(node)}; the built-in simulator generates ` +
            `the website \`AnalyticsEvent\` records only, which \`${schema}\` does not accept (${fits.path}: ${fits.reason}). ` +
            `Give it recorded events: --from ${sources.length > 1 ? `${node.name}=` : ''}events.jsonl`,
        });
        continue;
      }
    }
    plans.push({
      kind: 'log',
      source: node.name,
      topic,
      partitions,
      startFrom,
      simulated: !fed,
      rate: connector.connector === 'simulator' ? (connector.rate ?? null) : null,
      seed: connector.connector === 'simulator' ? (connector.seed ?? null) : null,
    });
  }
  return { plans, problems };
}

export function describeConnector(node: SourceNode<unknown>): string {
  const c = node.connector;
  switch (c.connector) {
    case 'kafka':
      return `kafka(topic: "${c.topic}"${c.partitions === undefined ? '' : `, partitions: ${c.partitions}`})`;
    case 'log':
      return `log(${c.name === undefined ? '' : `name: "${c.name}"`})`;
    case 'file':
      return `file(path: "${c.path}")`;
    case 'simulator':
      return `simulator(${[c.rate === undefined ? null : `rate: ${c.rate}`, c.seed === undefined ? null : `seed: ${c.seed}`].filter((x) => x !== null).join(', ')})`;
  }
}

export function decodeNodeOf(topology: Topology, source: SourceNode<unknown>): DecodeNode<unknown> | null {
  const edge = topology.edges.find((e) => e.from === source.id && e.output === 'main');
  const node = edge === undefined ? undefined : topology.nodes.find((n) => n.id === edge.to);
  return node?.kind === 'decode' ? node : null;
}

export interface EmbeddedAdaptersOptions {
  readonly topology: Topology;
  readonly plans: readonly SourcePlan[];
  readonly log: PartitionedLog;
  readonly store: EmbeddedTimeSeriesStore;
  readonly hub: Publisher | null;
  readonly cwd: string;
  /** Where `log()` sinks write: a file they all share (written and fsynced on flush), or a stream (the terminal). */
  readonly logOutput: JsonlFileSink | Writable;
  /** Committed offsets of file sources. */
  readonly fileOffsets: OffsetStore;
  /** Processing time of replays (`--from`); `null` in live runs. */
  readonly replayClock: ManualClock | null;
  /** Processing time while a backfill is caught up: simulated sources move it; `null`: no backfill. */
  readonly catchUp?: CatchUpTime | null;
}

/** The SourceFactory and SinkFactory of an embedded run; keeps the sources it made. */
export class EmbeddedAdapters implements SourceFactory, SinkFactory {
  /** The Source made for each source name. */
  readonly sources = new Map<string, Source>();
  /** Log consumers, for their lag. */
  readonly logSources = new Map<string, EmbeddedLogSource>();
  readonly sinks: Sink[] = [];
  private readonly options: EmbeddedAdaptersOptions;
  private readonly plans: Map<string, SourcePlan>;

  constructor(options: EmbeddedAdaptersOptions) {
    this.options = options;
    this.plans = new Map(options.plans.map((p) => [p.source, p]));
  }

  createSource(node: SourceNode<unknown>): Source {
    const plan = this.plans.get(node.name);
    if (plan === undefined) throw new Error(`no adapter planned for source ${node.name}`);
    let source: Source;
    if (plan.kind === 'log') {
      const consumer = new EmbeddedLogSource(this.options.log, { name: node.name, topic: plan.topic, partitions: plan.partitions, startFrom: plan.startFrom });
      this.logSources.set(node.name, consumer);
      const catchUp = this.options.catchUp ?? null;
      source = catchUp !== null && plan.simulated ? new ReplaySource(consumer, catchUp, this.eventTimeOf(node)) : consumer;
    } else {
      const clock = plan.replay ? this.options.replayClock : null;
      const file = new JsonlFileSource({
        name: node.name,
        path: plan.absolutePath,
        offsets: this.options.fileOffsets,
        now: clock === null ? Date.now : () => clock.now(),
      });
      source = clock === null ? file : new ReplaySource(file, clock, this.eventTimeOf(node));
    }
    this.sources.set(node.name, source);
    return source;
  }

  createSink(node: SinkNode | DeadLetterNode): Sink {
    const sink = this.sinkFor(node, node.connector);
    this.sinks.push(sink);
    return sink;
  }

  private sinkFor(node: SinkNode | DeadLetterNode, connector: SinkConfig): Sink {
    const name = node.id;
    switch (connector.connector) {
      case 'influx':
        if (node.kind !== 'sink') break;
        return new TimeSeriesSink(this.options.store, { name, measurement: connector.measurement, inputs: node.inputs, tags: connector.tags });
      case 'kafka':
        return new LogTopicSink(name, this.options.log, connector.topic);
      case 'dashboard':
        if (this.options.hub === null) break;
        return new HubSink(name, this.options.hub);
      case 'log':
        return this.logSink(name);
      case 'file':
        return new JsonlFileSink({ name, path: resolve(this.options.cwd, connector.path) });
    }
    // A dead-letter output to influx, or a dashboard without a hub: keep the records in the log output.
    return this.logSink(name);
  }

  private logSink(name: string): LogSink {
    const output = this.options.logOutput;
    return output instanceof JsonlFileSink ? new LogSink({ name, file: output }) : new LogSink({ name, output });
  }

  /** A record's plausible event time by the source's own decoder and event-time field. */
  private eventTimeOf(node: SourceNode<unknown>): (text: string) => number | null {
    const decode = decodeNodeOf(this.options.topology, node);
    const eventTime = node.eventTime;
    if (decode === null || eventTime === null) return () => null;
    const times = new PlausibleTimes();
    return (text) => {
      const result = decode.decodeText(text);
      if (!result.ok) return null;
      const t = eventTime(result.value);
      return times.accept(t) ? t : null;
    };
  }
}

// The topology: the description of a compiled pipeline that generated code hands to the engine.
// It mirrors the compiler's physical plan node for node (same ids, kinds, stages and edges) and
// adds the typed functions the plan only describes: decoders, predicates, key extractors,
// aggregate descriptors, measure computations, pattern conditions. Nodes are wired by id through
// `edges` (as Kafka Streams wires processors by parent name).
import type { AggregateResults, AggregateSlots } from './aggregates.ts';
import type { AlertDescriptor } from './alerts.ts';
import type { Decoder, JsonTextDecoder } from './decode.ts';
import type { KeyExtractor, Predicate, Projection, TimestampExtractor } from './functions.ts';
import type { PatternCompletion, PatternDescriptor } from './patterns.ts';
import type { SinkConfig, SinkInputLayout } from './sink.ts';
import type { SourceConfig } from './source.ts';
import type { DurationMillis, TimeDomain, WatermarkStrategy } from './time.ts';
import type { WindowBounds, WindowDescriptor } from './windows.ts';

/** `partitioned`: one instance per input partition; `single`: one instance in the whole group. */
export type Parallelism = 'partitioned' | 'single';

interface NodeBase {
  /** The plan node id: `events.source`, `page_views.filter`, `realtime.final`. */
  readonly id: string;
  /** The declaration (or sink) the node belongs to. */
  readonly name: string;
  /** The sub-topology it runs in; every repartition or global edge starts a new stage. */
  readonly stage: number;
  readonly parallelism: Parallelism;
}

/** Reads raw records. `T` is the decoded record its key and event time are read from. */
export interface SourceNode<T> extends NodeBase {
  readonly kind: 'source';
  readonly connector: SourceConfig;
  readonly partitions: number | null;
  /** `key by …`: the key the topic is partitioned by. */
  readonly key: KeyExtractor<T> | null;
  /** `event time …`; `null`: processing time. */
  readonly eventTime: TimestampExtractor<T> | null;
  readonly watermark: WatermarkStrategy;
}

/** The schema-specialised decoder of a source. */
export interface DecodeNode<T> extends NodeBase {
  readonly kind: 'decode';
  readonly schema: string;
  readonly decode: Decoder<T>;
  readonly decodeText: JsonTextDecoder<T>;
  /** The DeadLetterNode its failures go to; `null`: counted and dropped. */
  readonly deadLetter: string | null;
}

/** `where cond` */
export interface FilterNode<T> extends NodeBase {
  readonly kind: 'filter';
  readonly predicate: Predicate<T>;
}

/** `derive a = …`: one output record per input record. */
export interface DeriveNode<In, Out> extends NodeBase {
  readonly kind: 'derive';
  readonly derive: Projection<In, Out>;
}

/** Stream `key by …`: sets the logical key; moves no data. */
export interface KeyByNode<T> extends NodeBase {
  readonly kind: 'keyBy';
  readonly key: KeyExtractor<T>;
}

/** `union(a, b, …)` */
export interface UnionNode extends NodeBase {
  readonly kind: 'union';
  readonly inputs: readonly string[];
}

/** Writes records to an internal topic by key; the next stage reads them co-partitioned. */
export interface RepartitionNode<T> extends NodeBase {
  readonly kind: 'repartition';
  readonly topic: string;
  readonly key: KeyExtractor<T>;
  readonly partitions: number | null;
}

/**
 * Group keys. `text` encodes a record's key as the state key (called per record, allocation-free
 * for single keys); `extract` builds the key record, called once when a key's window opens.
 */
export interface GroupKeySpec<In, Key> {
  readonly text: KeyExtractor<In>;
  readonly extract: Projection<In, Key>;
}

/**
 * Evaluates one key and window from its slot values: the measures, then `having` (`null`: the row
 * is not emitted), then the alert record when the aggregate has an alert.
 */
export type Finish<Slots, Key, Out> = { finish(values: AggregateResults<Slots>, window: WindowBounds, key: Key): Out | null }['finish'];

interface WindowAggregateBase<In> extends NodeBase {
  readonly kind: 'windowAggregate';
  readonly window: WindowDescriptor<In>;
  readonly time: TimeDomain;
  /** Allowed lateness: late records within it update and re-emit their window. */
  readonly latenessMs: DurationMillis;
  /** `emit every …`: early firings of open windows; `null`: only when the window closes. */
  readonly earlyFiringMs: DurationMillis | null;
  readonly changelogTopic: string;
}

/** A windowed aggregate evaluated in one node: keyed aggregates, or global ones on single input. */
export interface WindowAggregateNode<In, Key, Slots extends AggregateSlots<In>, Out> extends WindowAggregateBase<In> {
  readonly phase: 'single';
  /**
   * `updates`: the input is another aggregate's rows (keyed changes, records.ts `ChangeKind`): the
   * operator keeps each window's live input rows, so a `-U`/`-D` retracts exactly what its row
   * added, for every aggregate function. Absent or `appends`: every record is a new fact.
   */
  readonly input?: 'appends' | 'updates';
  /** `group by …`; `null`: one global group. */
  readonly groupKey: GroupKeySpec<In, Key> | null;
  readonly aggregates: Slots;
  readonly finish: Finish<Slots, Key, Out>;
  readonly alert: AlertDescriptor | null;
}

/** First phase of a global aggregate: accumulates per partition, sends slot states to its final node. */
export interface PartialAggregateNode<In, Slots extends AggregateSlots<In>> extends WindowAggregateBase<In> {
  readonly phase: 'partial';
  /** Its final node. */
  readonly peer: string;
  readonly aggregates: Slots;
}

/** Second phase of a global aggregate: merges the partials of each window and evaluates the measures. */
export interface FinalAggregateNode<In, Slots extends AggregateSlots<In>, Out> extends WindowAggregateBase<In> {
  readonly phase: 'final';
  /** Its partial node. */
  readonly peer: string;
  readonly aggregates: Slots;
  readonly finish: Finish<Slots, null, Out>;
  readonly alert: AlertDescriptor | null;
}

/** A CEP pattern: an NFA per key over `In` records, producing `Out` (its alert record) per completed match. */
export interface PatternNode<In, Match, Out> extends NodeBase {
  readonly kind: 'pattern';
  readonly key: KeyExtractor<In> | null;
  readonly pattern: PatternDescriptor<In, Match>;
  readonly complete: { complete(match: Match, completion: PatternCompletion): Out }['complete'];
  readonly alert: AlertDescriptor;
  readonly changelogTopic: string;
}

/** `emit … to connector` (`emit`) or an aggregate's `late to connector` (`late`). */
export interface SinkNode extends NodeBase {
  readonly kind: 'sink';
  readonly role: 'emit' | 'late';
  readonly connector: SinkConfig;
  readonly inputs: readonly SinkInputLayout[];
}

/** A source's `dead letter to connector`: writes DeadLetterRecords. */
export interface DeadLetterNode extends NodeBase {
  readonly kind: 'deadLetter';
  readonly connector: SinkConfig;
  readonly source: string;
}

export type TopologyNode =
  | SourceNode<unknown>
  | DecodeNode<unknown>
  | FilterNode<unknown>
  | DeriveNode<unknown, unknown>
  | KeyByNode<unknown>
  | UnionNode
  | RepartitionNode<unknown>
  | WindowAggregateNode<unknown, unknown, AggregateSlots<unknown>, unknown>
  | PartialAggregateNode<unknown, AggregateSlots<unknown>>
  | FinalAggregateNode<unknown, AggregateSlots<unknown>, unknown>
  | PatternNode<unknown, unknown, unknown>
  | SinkNode
  | DeadLetterNode;

export type TopologyNodeKind = TopologyNode['kind'];

/**
 * How records move from one node to the next: `forward` (same task), `hash` (through the
 * repartition topic, by key), `global` (to the one `single` instance).
 */
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly partitioning: 'forward' | 'hash' | 'global';
  /** `main` results, `late` records, `rejected` (undecodable) records. */
  readonly output: 'main' | 'late' | 'rejected';
}

export interface InternalTopic {
  readonly name: string;
  readonly kind: 'repartition' | 'changelog';
  /** The node that writes it. */
  readonly node: string;
}

export interface Topology {
  readonly pipeline: string;
  /** Topologically sorted. */
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
  /** Topics the runtime creates before starting (Kafka mode). */
  readonly internalTopics: readonly InternalTopic[];
}

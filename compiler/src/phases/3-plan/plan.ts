// The physical plan: what the planner hands to the emitter and to `flowc explain`.
//
// A plan is a DAG of operator nodes (a CLOSED discriminated union on `kind`) joined by edges that
// say how records move between them: `forward` (same partition, same task), `hash` (through an
// internal repartition topic, by key) or `global` (every partition to the one `single` task).
//
// Nodes keep the AST they come from (expressions, connector calls, templates) so the emitter can
// render TypeScript from them, and the rendered `.flow` text of each so explain and generated
// comments can show it without re-rendering.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { RecordType } from '../2-analyze/types.ts';

export type { Span } from '../../../../dsl/src/ast.ts';

// ───────────────────────────── shared pieces ─────────────────────────────

/** An expression of the program together with its `.flow` source rendering. */
export interface RenderedExpr {
  readonly expr: ast.Expr;
  /** Canonical `.flow` text (see render-expr.ts); also the identity used to compare keys. */
  readonly text: string;
}

/** A connector call with its arguments rendered: `kafka(topic: "t", partitions: 12)`. */
export interface ConnectorRef {
  /** `kafka`, `file`, `simulator`, `log`, `influx`, `dashboard`, … */
  readonly name: string;
  readonly args: readonly ConnectorArg[];
  /** The whole call as `.flow` text. */
  readonly text: string;
  readonly call: ast.ConnectorCall;
}

export interface ConnectorArg {
  /** `null` for a positional argument. */
  readonly name: string | null;
  readonly value: RenderedExpr | null;
}

/** An alert attached to an aggregate (fires per emitted row) or a pattern (fires per match). */
export interface AlertPlan {
  readonly type: string;
  readonly severity: string;
  readonly title: ast.TemplateString | null;
  readonly message: ast.TemplateString | null;
  /** The templates as written, holes included: `User {userId} viewed only one page`. */
  readonly titleText: string | null;
  readonly messageText: string | null;
  readonly span: ast.Span;
}

/**
 * How much state an operator holds, estimated at plan time. The numbers are orders of magnitude
 * for capacity planning and for `flowc explain`, not promises; `assumptions` says what they rest on.
 */
export interface StateEstimate {
  /** Bytes held for one key (all its open windows / panes / partial matches together). */
  readonly bytesPerKey: number;
  /** Keys expected to be live at once (1 for a global aggregate's final stage). */
  readonly expectedKeys: number;
  /** `bytesPerKey × expectedKeys`. */
  readonly totalBytes: number;
  /** The computation as text: `(count 8 + avg 16) B × 2 panes = 48 B/key × 1,000,000 keys = 45.8 MiB`. */
  readonly formula: string;
  readonly assumptions: readonly string[];
}

/** `partitioned`: one instance per input partition (scales with the consumer group); `single`: one instance in the whole group. */
export type Parallelism = 'partitioned' | 'single';

export type TimeDomain = 'event' | 'processing';

interface NodeBase {
  /** Stable and readable: `events.source`, `page_views.filter`, `sessions.repartition`, `realtime.window`. */
  readonly id: string;
  /** The declaration (stream, aggregate, pattern, source) or sink this node belongs to. */
  readonly name: string;
  /** The `.flow` text this node comes from. */
  readonly span: ast.Span;
  readonly parallelism: Parallelism;
  /**
   * The sub-topology this node runs in. Stage 0 reads the sources; every repartition topic and
   * every global edge starts a new stage (a new set of consumers). Stages are numbered in
   * topological order.
   */
  readonly stage: number;
  /** Non-null exactly for stateful operators (windows, patterns). */
  readonly stateEstimate: StateEstimate | null;
}

// ───────────────────────────── operators ─────────────────────────────

/** Reads raw records from a connector. */
export interface SourceNode extends NodeBase {
  readonly kind: 'source';
  readonly connector: ConnectorRef;
  /** The schema the records are decoded into. */
  readonly schema: string;
  /** `key by …` of the source: how the topic is partitioned. */
  readonly key: RenderedExpr | null;
  /** `event time …`; `null` when the source has no event time (processing time only). */
  readonly eventTime: RenderedExpr | null;
  /** Bounded out-of-orderness: the watermark trails the largest event time seen by this much. */
  readonly watermarkMs: number | null;
  /** A partition with no records for this long stops holding the watermark back. */
  readonly idleMs: number | null;
  readonly deadLetter: ConnectorRef | null;
  /** The `partitions:` argument of the connector when given. */
  readonly partitions: number | null;
}

/** The schema-specialised decoder; records that fail go to the dead-letter node when there is one. */
export interface DecodeNode extends NodeBase {
  readonly kind: 'decode';
  readonly schema: string;
  readonly record: RecordType;
  /** Id of the DeadLetterNode fed by this decoder, or `null` (failures are counted and dropped). */
  readonly deadLetter: string | null;
}

/** `where cond` of a stream or an aggregate. */
export interface FilterNode extends NodeBase {
  readonly kind: 'filter';
  readonly condition: RenderedExpr;
}

/** `derive a = …, b = …`: adds (or replaces) fields. */
export interface DeriveNode extends NodeBase {
  readonly kind: 'derive';
  readonly fields: readonly DerivedField[];
}

export interface DerivedField {
  readonly name: string;
  readonly value: RenderedExpr;
}

/**
 * Stream `key by …`: sets the logical key. It moves no data by itself; a RepartitionNode is
 * inserted in front of the first stateful operator that needs records grouped by this key.
 */
export interface KeyByNode extends NodeBase {
  readonly kind: 'keyBy';
  readonly key: RenderedExpr;
}

/** `union(a, b, …)`. */
export interface UnionNode extends NodeBase {
  readonly kind: 'union';
  /** The stream names merged, in source order. */
  readonly inputs: readonly string[];
}

/** Writes records to an internal topic keyed by `key`; the next stage reads them back, co-partitioned by key. */
export interface RepartitionNode extends NodeBase {
  readonly kind: 'repartition';
  /** `<pipeline>-<node>-repartition`, e.g. `website_analytics-sessions-repartition`. */
  readonly topic: string;
  /** The key columns (one for a single key, several for a composite group key). */
  readonly key: readonly RenderedExpr[];
  /** `key` joined with `, `: the value compared against other partitionings. */
  readonly keyText: string;
  /** What the records were partitioned by before, when known. */
  readonly previousKey: string | null;
  /** Why the shuffle is needed, for explain. */
  readonly reason: string;
  /** Partition count of the internal topic: that of the upstream source when known. */
  readonly partitions: number | null;
}

export type WindowPlan = TumblingWindowPlan | SlidingWindowPlan | SessionWindowPlan;

export interface TumblingWindowPlan {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
}

export interface SlidingWindowPlan {
  readonly kind: 'sliding';
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly panes: PaneLayout;
}

/**
 * Sliding windows are evaluated over panes (slices): time is cut into panes of `paneMs =
 * gcd(size, slide)` aligned to the epoch; an event updates exactly one pane, and a window's result
 * merges its `panesPerWindow` panes. Window `k` covers `[k·slide, k·slide + size)`.
 */
export interface PaneLayout {
  readonly paneMs: number;
  /** `size / paneMs`. */
  readonly panesPerWindow: number;
  /** `slide / paneMs`: how many panes a window advances by. */
  readonly panesPerSlide: number;
  /** How many windows one pane belongs to (`⌈size / slide⌉` at most, exact when slide divides size). */
  readonly windowsPerPane: number;
  /** Panes kept per key: those of one window, plus the ones still open for allowed lateness. */
  readonly retainedPanes: number;
}

export interface SessionWindowPlan {
  readonly kind: 'session';
  readonly gapMs: number;
  /** `until cond`: an event satisfying it closes its session at once. */
  readonly until: RenderedExpr | null;
}

export type AggregateKind =
  | 'count'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count_distinct'
  | 'approx_count_distinct'
  | 'percentile'
  | 'top_k'
  | 'first'
  | 'last'
  | 'rate';

/** One aggregate call of an aggregate's measures/having, deduplicated by its rendered text. */
export interface AggregateCallPlan {
  /** Slot name in the accumulator: `a0`, `a1`, … in order of first appearance. */
  readonly slot: string;
  readonly kind: AggregateKind;
  /** The arguments as written (value expression, then parameters such as `0.95` or `10`). */
  readonly args: readonly RenderedExpr[];
  /** `count(where cond)` / `sum(x where cond)`. */
  readonly filter: RenderedExpr | null;
  /** Every call site with this rendering (the same state serves them all). */
  readonly calls: readonly ast.CallExpr[];
  /** Canonical text, e.g. `count(where eventType == CONVERSION)`. */
  readonly text: string;
  /** Accumulator size for one window/pane of one key (see state-estimate.ts). */
  readonly stateBytes: number;
}

export interface GroupKeyPlan {
  /** The output column: the alias, or the last segment of a field path. */
  readonly name: string;
  readonly value: RenderedExpr;
}

export interface MeasurePlan {
  readonly name: string;
  readonly value: RenderedExpr;
  readonly unit: string | null;
}

/**
 * A windowed aggregate. Keyed aggregates (group by, session windows) are single-phase on
 * partitioned input. Global aggregates are split: a `partial` node per partition accumulates,
 * then a `final` node (`single`, reached over a `global` edge) merges the partials, evaluates the
 * measures, having and alert, and emits. A global aggregate whose input is already `single` needs
 * no split and is one `single`-phase node.
 */
export interface WindowAggregateNode extends NodeBase {
  readonly kind: 'windowAggregate';
  readonly window: WindowPlan;
  readonly time: TimeDomain;
  /** Allowed lateness (0 when not written). */
  readonly latenessMs: number;
  /** `late to …`: where records later than the allowed lateness go (else dropped and counted). */
  readonly lateOutput: ConnectorRef | null;
  /** `emit every …`: early firings of open windows. */
  readonly earlyFiringMs: number | null;
  readonly groupKeys: readonly GroupKeyPlan[];
  readonly aggregates: readonly AggregateCallPlan[];
  readonly measures: readonly MeasurePlan[];
  readonly having: RenderedExpr | null;
  readonly alert: AlertPlan | null;
  readonly phase: 'single' | 'partial' | 'final';
  /** `updates`: the input is another aggregate's rows, whose retractions the window applies. */
  readonly input: 'appends' | 'updates';
  /** On a `final` node: the id of its partial; on a `partial` node: the id of its final. */
  readonly peer: string | null;
  /** The compacted changelog topic its state is checkpointed to: `<pipeline>-<node>-changelog`. */
  readonly changelogTopic: string;
}

export interface PatternStepPlan {
  readonly name: string;
  readonly negated: boolean;
  /** `null`: exactly once. `max === null`: unbounded. */
  readonly quantifier: { readonly min: number; readonly max: number | null } | null;
  readonly condition: RenderedExpr | null;
  readonly withinMs: number | null;
  readonly span: ast.Span;
}

/** A CEP pattern, evaluated per key by an NFA. */
export interface PatternNode extends NodeBase {
  readonly kind: 'pattern';
  /** The pattern's `key by`, or the input's key when it has none; `null`: one global NFA (`single`). */
  readonly key: RenderedExpr | null;
  readonly steps: readonly PatternStepPlan[];
  /** Whole-match bound from the first step; `null` when not written. */
  readonly withinMs: number | null;
  readonly time: TimeDomain;
  readonly alert: AlertPlan | null;
  readonly changelogTopic: string;
}

/** An `emit … to connector` (role `emit`) or an aggregate's `late to connector` (role `late`). */
export interface SinkNode extends NodeBase {
  readonly kind: 'sink';
  readonly role: 'emit' | 'late';
  readonly connector: ConnectorRef;
  /** Stream names written, in source order. */
  readonly inputs: readonly string[];
}

/** Records a decoder rejected, with the reason, to the source's `dead letter to` connector. */
export interface DeadLetterNode extends NodeBase {
  readonly kind: 'deadLetter';
  readonly connector: ConnectorRef;
  /** The source whose decode failures land here. */
  readonly source: string;
}

export type PlanNode =
  | SourceNode
  | DecodeNode
  | FilterNode
  | DeriveNode
  | KeyByNode
  | UnionNode
  | RepartitionNode
  | WindowAggregateNode
  | PatternNode
  | SinkNode
  | DeadLetterNode;

export type PlanNodeKind = PlanNode['kind'];

// ───────────────────────────── edges and the plan ─────────────────────────────

export type EdgePartitioning =
  | { readonly kind: 'forward' }
  | { readonly kind: 'hash'; /** rendered key expression(s) */ readonly key: string }
  | { readonly kind: 'global' };

export interface PlanEdge {
  readonly from: string;
  readonly to: string;
  readonly partitioning: EdgePartitioning;
  /**
   * Which output of `from` this edge carries: `main` (its results), `late` (records past the
   * allowed lateness), `rejected` (records the decoder could not decode).
   */
  readonly output: 'main' | 'late' | 'rejected';
}

/** The nodes one declaration became. */
export interface DeclarationPlan {
  readonly name: string;
  readonly kind: 'source' | 'stream' | 'aggregate' | 'pattern' | 'emit';
  /** Node ids in flow order; empty for a stream that only renames its input. */
  readonly nodes: readonly string[];
  /** The node whose output is this declaration's stream (for `emit`: `null`). */
  readonly output: string | null;
}

export interface InternalTopic {
  readonly name: string;
  readonly kind: 'repartition' | 'changelog';
  /** The node that writes it. */
  readonly node: string;
}

export interface PhysicalPlan {
  readonly pipeline: string;
  /** Topologically sorted (every edge goes from an earlier node to a later one); ties in source order. */
  readonly nodes: readonly PlanNode[];
  readonly edges: readonly PlanEdge[];
  readonly declarations: readonly DeclarationPlan[];
  /** Repartition and changelog topics the runtime must create, sorted by name. */
  readonly internalTopics: readonly InternalTopic[];
}

/** The node with `id`; throws if there is none (a planner bug, not a user error). */
export function nodeById(plan: PhysicalPlan, id: string): PlanNode {
  const node = plan.nodes.find((n) => n.id === id);
  if (node === undefined) throw new Error(`no plan node \`${id}\``);
  return node;
}

export function isStateful(node: PlanNode): node is WindowAggregateNode | PatternNode {
  return node.kind === 'windowAggregate' || node.kind === 'pattern';
}

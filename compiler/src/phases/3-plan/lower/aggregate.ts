// `aggregate x from input { where … window … group by … measures … }` →
//   [filter] → [repartition] → window                      (keyed: group by, or a keyed session)
//   [filter] → partial ══global══▶ final                    (global, partitioned input)
//   [filter] → window (single)                             (global, input already in one partition)
//   [filter] ══global══▶ window (single)                   (global over an update stream: partials
//                                                            cannot carry retractions)
// plus a `late` sink when `late to …` is written.
//
// The `where` runs before any shuffle, so only records that count cross the network.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { collectAggregateCalls, renderedArgs } from '../aggregates.ts';
import { parallelismOf, type KeyedInput, type PlanBuilder, type StreamEnd } from '../builder.ts';
import { formatDuration } from '../format.ts';
import { topicName } from '../naming.ts';
import { paneLayout } from '../panes.ts';
import { ARBITRARY, hashed, SINGLE, type Partitioning } from '../partitioning.ts';
import type {
  AggregateCallPlan,
  AlertPlan,
  EdgePartitioning,
  FilterNode,
  GroupKeyPlan,
  MeasurePlan,
  RenderedExpr,
  SinkNode,
  StateEstimate,
  TimeDomain,
  WindowAggregateNode,
  WindowPlan,
} from '../plan.ts';
import { renderConnector, rendered, renderExpr } from '../render-expr.ts';
import { accumulatorSize, type AccumulatorSize, ASSUMPTIONS, countOf, expectedKeys, valueBytes, windowStateEstimate } from '../state-estimate.ts';
import { alertPlan } from './alert.ts';

interface AggregateClauses {
  readonly wheres: ast.Expr[];
  window: ast.WindowClause | null;
  readonly groupKeys: ast.GroupKey[];
  groupBySpan: ast.Span | null;
  lateness: number;
  lateOutput: ast.ConnectorCall | null;
  earlyFiring: number | null;
  readonly measures: ast.MeasureClause[];
  having: ast.Expr | null;
  alert: ast.AlertClause | null;
}

function collectClauses(decl: ast.AggregateDecl): AggregateClauses {
  const c: AggregateClauses = {
    wheres: [],
    window: null,
    groupKeys: [],
    groupBySpan: null,
    lateness: 0,
    lateOutput: null,
    earlyFiring: null,
    measures: [],
    having: null,
    alert: null,
  };
  for (const clause of decl.clauses) {
    switch (clause.kind) {
      case 'WhereClause':
        if (clause.condition !== null) c.wheres.push(clause.condition);
        break;
      case 'WindowClause':
        c.window ??= clause;
        break;
      case 'GroupByClause':
        c.groupKeys.push(...clause.keys);
        c.groupBySpan ??= clause.span;
        break;
      case 'LatenessClause':
        c.lateness = clause.allowed?.millis ?? c.lateness;
        break;
      case 'LateOutputClause':
        c.lateOutput ??= clause.connector;
        break;
      case 'EmitEveryClause':
        c.earlyFiring = clause.interval?.millis ?? c.earlyFiring;
        break;
      case 'MeasureClause':
        c.measures.push(clause);
        break;
      case 'HavingClause':
        c.having ??= clause.condition;
        break;
      case 'AlertClause':
        c.alert ??= clause;
        break;
    }
  }
  return c;
}

/** The output column of a group key: its alias, or the last segment of its field path. */
export function groupKeyName(key: ast.GroupKey, index: number): string {
  if (key.alias !== null) return key.alias.name;
  const value = key.value;
  if (value?.kind === 'NameExpr') return value.name;
  if (value?.kind === 'MemberExpr') return value.property.name;
  return `key${index}`;
}

function windowPlan(spec: ast.WindowSpec, time: TimeDomain, retentionMs: number): WindowPlan | null {
  switch (spec.kind) {
    case 'TumblingWindowSpec':
      return spec.size === null || spec.size.millis <= 0 ? null : { kind: 'tumbling', sizeMs: spec.size.millis };
    case 'SlidingWindowSpec': {
      if (spec.size === null || spec.slide === null || spec.size.millis <= 0 || spec.slide.millis <= 0) return null;
      const retention = time === 'event' ? retentionMs : 0;
      return { kind: 'sliding', sizeMs: spec.size.millis, slideMs: spec.slide.millis, panes: paneLayout(spec.size.millis, spec.slide.millis, retention) };
    }
    case 'SessionWindowSpec':
      return spec.gap === null ? null : { kind: 'session', gapMs: spec.gap.millis, until: spec.until === null ? null : rendered(spec.until) };
  }
}

/** Windows (or panes) one key holds at once, and what they are called. */
function instancesPerKey(window: WindowPlan, time: TimeDomain, retentionMs: number): { count: number; label: string } {
  switch (window.kind) {
    case 'tumbling':
      return { count: 1 + (time === 'event' ? Math.ceil(retentionMs / window.sizeMs) : 0), label: 'open window' };
    case 'sliding':
      return { count: window.panes.retainedPanes, label: 'retained pane' };
    case 'session':
      return { count: 1, label: 'open session' };
  }
}

export function lowerAggregate(b: PlanBuilder, decl: ast.AggregateDecl): void {
  const name = decl.name.name;
  const input = decl.input === null ? undefined : b.ends.get(decl.input.name.name);
  if (input === undefined) return;
  const c = collectClauses(decl);
  if (c.window === null || c.window.window === null) return;

  const time: TimeDomain = b.analyzed.windowTime.get(decl) ?? c.window.time ?? (input.eventTime ? 'event' : 'processing');
  const retentionMs = time === 'event' ? input.watermarkMs + c.lateness : 0;
  const window = windowPlan(c.window.window, time, retentionMs);
  if (window === null) return;

  b.begin(name, 'aggregate');
  let end: StreamEnd = input;
  for (const condition of c.wheres) {
    const filter = b.add<FilterNode>({
      kind: 'filter',
      id: b.id(`${name}.filter`),
      name,
      span: condition.span,
      parallelism: parallelismOf(end.partitioning),
      stage: 0,
      stateEstimate: null,
      condition: rendered(condition),
    });
    b.connect(end.node, filter.id);
    end = { ...end, node: filter.id, owner: name };
  }

  const groupKeys: GroupKeyPlan[] = c.groupKeys.flatMap((k, i) => (k.value === null ? [] : [{ name: groupKeyName(k, i), value: rendered(k.value) }]));
  // Session windows are per key: without `group by` they take the input's `key by`.
  const keys: readonly RenderedExpr[] | null =
    groupKeys.length > 0 ? groupKeys.map((k) => k.value) : window.kind === 'session' ? end.logicalKey : null;

  const collected = collectAggregateCalls([...c.measures.map((m) => m.value), c.having]);
  const accumulators = (keyed: boolean) => collected.map((call) => accumulatorSize(call.kind, call.first, b.typeOf, keyed));
  // A partial stage over input partitioned by the value it counts distinct sees 1/partitions of the values.
  const partialAccumulators = () =>
    collected.map((call) => {
      const arg = call.first.args[0];
      const own =
        end.partitioning.kind === 'hash' && end.partitioning.keys.length === 1 && arg !== undefined && end.partitioning.keys[0] === renderExpr(arg);
      return accumulatorSize(call.kind, call.first, b.typeOf, false, own ? (end.partitions ?? 1) : 1);
    });
  const aggregates = (sizes: readonly AccumulatorSize[]): AggregateCallPlan[] => {
    return collected.map((call, i) => ({
      slot: `a${i}`,
      kind: call.kind,
      args: renderedArgs(call.first),
      filter: call.first.filter === null ? null : rendered(call.first.filter),
      calls: call.calls,
      text: call.text,
      stateBytes: sizes[i]?.bytes ?? 0,
    }));
  };
  const measures: MeasurePlan[] = c.measures.flatMap((m) =>
    m.value === null ? [] : [{ name: m.name.name, value: rendered(m.value), unit: m.unit?.value ?? null }],
  );
  const alert: AlertPlan | null = c.alert === null ? null : alertPlan(c.alert);
  const lateOutput = c.lateOutput === null ? null : renderConnector(c.lateOutput);
  const instances = instancesPerKey(window, time, retentionMs);
  const common = {
    name,
    input: input.updates ? ('updates' as const) : ('appends' as const),
    span: c.window.span,
    window,
    time,
    latenessMs: c.lateness,
    lateOutput,
    earlyFiringMs: c.earlyFiring,
    groupKeys,
    stage: 0,
  };
  const windowAssumptions = (): string[] => {
    const out = [`${countOf(instances.count, instances.label)} per key`];
    if (time === 'event' && retentionMs > 0) {
      out.push(
        `windows kept ${formatDuration(retentionMs)} past their end (watermark delay ${formatDuration(input.watermarkMs)}` +
          `${c.lateness > 0 ? ` + lateness ${formatDuration(c.lateness)}` : ''})`,
      );
    }
    return out;
  };

  let output: WindowAggregateNode;
  let lateFrom: string;
  let outPartitioning: Partitioning;
  if (keys !== null && keys.length > 0) {
    const routed: KeyedInput = b.keyedInput(end, keys, name, c.groupBySpan ?? c.window.span);
    const keyTypes = keys.map((k) => b.typeOf(k.expr));
    const estimatedKeys = expectedKeys(keyTypes);
    const state = windowStateEstimate({
      accumulators: accumulators(true),
      instances: instances.count,
      instanceLabel: instances.label,
      keyBytes: keyTypes.reduce((s, t) => s + valueBytes(t), 0),
      keys: estimatedKeys.keys,
      keysLabel: 'key',
      assumptions: [
        estimatedKeys.assumed
          ? `${ASSUMPTIONS.keyedKeys.toLocaleString('en-US')} live keys (the default for an unbounded key space)`
          : `${estimatedKeys.keys} keys: the product of the key types' domains`,
        ...windowAssumptions(),
      ],
    });
    const id = b.id(`${name}.window`);
    output = b.add<WindowAggregateNode>({
      kind: 'windowAggregate',
      id,
      ...common,
      parallelism: parallelismOf(routed.consumed),
      stateEstimate: state,
      aggregates: aggregates(accumulators(true)),
      measures,
      having: c.having === null ? null : rendered(c.having),
      alert,
      phase: 'single',
      peer: null,
      changelogTopic: topicName(b.pipeline, id, 'changelog'),
    });
    b.connect(routed.from, id, routed.partitioning);
    lateFrom = id;
    outPartitioning = outputPartitioning(routed.consumed, groupKeys);
  } else if (end.partitioning.kind === 'single' || window.kind === 'session' || input.updates) {
    // One instance sees every record: either the input is already in one partition, or this is a
    // session window with no key at all (sessions do not split into mergeable partials), or the
    // input is an update stream (a partial's delta cannot retract a row another partial added).
    const edge: EdgePartitioning = end.partitioning.kind === 'single' ? { kind: 'forward' } : { kind: 'global' };
    const id = b.id(`${name}.window`);
    output = b.add<WindowAggregateNode>({
      kind: 'windowAggregate',
      id,
      ...common,
      parallelism: 'single',
      stateEstimate: globalState(accumulators(false), instances, 1, 'key (global)', windowAssumptions()),
      aggregates: aggregates(accumulators(false)),
      measures,
      having: c.having === null ? null : rendered(c.having),
      alert,
      phase: 'single',
      peer: null,
      changelogTopic: topicName(b.pipeline, id, 'changelog'),
    });
    b.connect(end.node, id, edge);
    lateFrom = id;
    outPartitioning = SINGLE;
  } else {
    const partialId = b.id(`${name}.partial`);
    const finalId = b.id(`${name}.window`);
    const partitions = end.partitions;
    const partial = b.add<WindowAggregateNode>({
      kind: 'windowAggregate',
      id: partialId,
      ...common,
      parallelism: 'partitioned',
      stateEstimate: globalState(
        partialAccumulators(),
        instances,
        partitions ?? 1,
        'partition',
        [
          partitions === null ? 'one accumulator set per input partition (partition count unknown: shown for one)' : `one accumulator set in each of ${partitions} partitions`,
          ...windowAssumptions(),
        ],
      ),
      aggregates: aggregates(partialAccumulators()),
      measures: [],
      having: null,
      alert: null,
      phase: 'partial',
      peer: finalId,
      changelogTopic: topicName(b.pipeline, partialId, 'changelog'),
    });
    b.connect(end.node, partial.id);
    output = b.add<WindowAggregateNode>({
      kind: 'windowAggregate',
      id: finalId,
      ...common,
      span: decl.name.span,
      parallelism: 'single',
      stateEstimate: globalState(accumulators(false), instances, 1, 'key (global)', [
        'the merge of all partials: one accumulator set',
        ...windowAssumptions(),
      ]),
      aggregates: aggregates(accumulators(false)),
      measures,
      having: c.having === null ? null : rendered(c.having),
      alert,
      phase: 'final',
      peer: partialId,
      changelogTopic: topicName(b.pipeline, finalId, 'changelog'),
    });
    b.connect(partial.id, finalId, { kind: 'global' });
    // Lateness is decided where the records arrive: in the partial stage.
    lateFrom = partialId;
    outPartitioning = SINGLE;
  }

  if (lateOutput !== null && c.lateOutput !== null) {
    const late = b.add<SinkNode>({
      kind: 'sink',
      id: b.id(`${name}.late`),
      name,
      span: c.lateOutput.span,
      parallelism: b.nodes.find((n) => n.id === lateFrom)?.parallelism ?? 'partitioned',
      stage: 0,
      stateEstimate: null,
      role: 'late',
      connector: lateOutput,
      inputs: [name],
    });
    b.connect(lateFrom, late.id, { kind: 'forward' }, 'late');
  }

  const info = b.analyzed.streams.get(name);
  b.ends.set(name, {
    node: output.id,
    owner: name,
    stream: name,
    partitioning: outPartitioning,
    partitions: outPartitioning.kind === 'single' ? 1 : end.partitions,
    logicalKey: groupKeys.length > 0 ? groupKeys.map((k) => columnRef(k)) : null,
    eventTime: info?.eventTime ?? time === 'event',
    watermarkMs: input.watermarkMs,
    record: info?.record ?? null,
    updates: true,
  });
  b.end(output.id);
}

function globalState(
  accumulators: ReturnType<typeof accumulatorSize>[],
  instances: { count: number; label: string },
  keys: number,
  keysLabel: string,
  assumptions: string[],
): StateEstimate {
  return windowStateEstimate({ accumulators, instances: instances.count, instanceLabel: instances.label, keyBytes: 0, keys, keysLabel, assumptions });
}

/**
 * The partitioning of a keyed aggregate's output rows, in their own namespace: each partition key
 * of the input, if it is a group key, becomes that key's output column.
 */
function outputPartitioning(consumed: Partitioning, groupKeys: readonly GroupKeyPlan[]): Partitioning {
  if (consumed.kind !== 'hash') return consumed.kind === 'single' ? SINGLE : ARBITRARY;
  const columns = consumed.keys.map((k) => groupKeys.find((g) => g.value.text === k)?.name);
  if (columns.some((c) => c === undefined)) return ARBITRARY;
  const names = columns.filter((c): c is string => c !== undefined);
  return hashed(names, names);
}

/** A reference to a group key's output column (synthesised: it has no text of its own in the source). */
function columnRef(key: GroupKeyPlan): RenderedExpr {
  const expr: ast.NameExpr = { kind: 'NameExpr', name: key.name, span: key.value.expr.span };
  return { expr, text: key.name };
}

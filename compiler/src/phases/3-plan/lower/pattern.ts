// `pattern x from input { key by …  within …  match a: … -> not b: … within …  alert … }` →
// [repartition] → pattern (one NFA per key). Without `key by` the pattern takes the input's key;
// with no key at all it runs as one global NFA in a single instance.
import type * as ast from '../../../../../dsl/src/ast.ts';
import type { PlanBuilder } from '../builder.ts';
import { topicName } from '../naming.ts';
import { ARBITRARY, SINGLE } from '../partitioning.ts';
import type { EdgePartitioning, PatternNode, PatternStepPlan, RenderedExpr } from '../plan.ts';
import { rendered } from '../render-expr.ts';
import { ASSUMPTIONS, expectedKeys, patternStateEstimate, recordBytes, valueBytes } from '../state-estimate.ts';
import { alertPlan } from './alert.ts';

/** Events a step holds in one partial match: 1, its quantifier's maximum, or the assumed bound when unbounded. */
export function stepEvents(step: PatternStepPlan): number {
  if (step.negated) return 0;
  if (step.quantifier === null) return 1;
  return step.quantifier.max ?? Math.max(step.quantifier.min, ASSUMPTIONS.unboundedStepEvents);
}

export function lowerPattern(b: PlanBuilder, decl: ast.PatternDecl): void {
  const name = decl.name.name;
  const input = decl.input === null ? undefined : b.ends.get(decl.input.name.name);
  if (input === undefined) return;

  let keyClause: ast.KeyByClause | null = null;
  let within: number | null = null;
  let alert: ast.AlertClause | null = null;
  const steps: PatternStepPlan[] = [];
  for (const clause of decl.clauses) {
    switch (clause.kind) {
      case 'KeyByClause':
        keyClause ??= clause;
        break;
      case 'WithinClause':
        within = clause.duration?.millis ?? within;
        break;
      case 'AlertClause':
        alert ??= clause;
        break;
      case 'MatchClause':
        for (const s of clause.steps) {
          steps.push({
            name: s.name.name,
            negated: s.negated,
            quantifier: s.quantifier === null ? null : { min: s.quantifier.min, max: s.quantifier.max },
            condition: s.condition === null ? null : rendered(s.condition),
            withinMs: s.within?.millis ?? null,
            span: s.span,
          });
        }
        break;
    }
  }

  const inherited = input.logicalKey !== null && input.logicalKey.length === 1 ? (input.logicalKey[0] ?? null) : null;
  const key: RenderedExpr | null = keyClause?.key != null ? rendered(keyClause.key) : inherited;

  b.begin(name, 'pattern');
  const id = b.id(`${name}.pattern`);
  const eventBytes = input.record === null ? 10 * ASSUMPTIONS.stringBytes : recordBytes(input.record);
  const stepEstimates = steps.filter((s) => !s.negated).map((s) => ({ name: s.name, events: stepEvents(s) }));
  let from: string;
  let edge: EdgePartitioning;
  let parallelism: PatternNode['parallelism'];
  let state;
  if (key !== null) {
    const routed = b.keyedInput(input, [key], name, keyClause?.span ?? decl.name.span);
    from = routed.from;
    edge = routed.partitioning;
    parallelism = routed.consumed.kind === 'single' ? 'single' : 'partitioned';
    const keyType = b.typeOf(key.expr);
    const keys = expectedKeys([keyType]);
    state = patternStateEstimate({
      steps: stepEstimates,
      eventBytes,
      keyBytes: valueBytes(keyType),
      keys: keys.keys,
      keysLabel: 'key',
      assumptions: [
        keys.assumed ? `${ASSUMPTIONS.keyedKeys.toLocaleString('en-US')} live keys (the default for an unbounded key space)` : `${keys.keys} keys`,
        'one partial match per key at a time',
        `an event is ${eventBytes} B in memory (the input record's fields at their assumed sizes)`,
        ...(steps.some((s) => !s.negated && s.quantifier !== null && s.quantifier.max === null)
          ? [`an unbounded quantifier holds at most ${ASSUMPTIONS.unboundedStepEvents} events`]
          : []),
      ],
    });
  } else {
    from = input.node;
    edge = input.partitioning.kind === 'single' ? { kind: 'forward' } : { kind: 'global' };
    parallelism = 'single';
    state = patternStateEstimate({
      steps: stepEstimates,
      eventBytes,
      keyBytes: 0,
      keys: 1,
      keysLabel: 'key (global)',
      assumptions: ['one global partial match at a time', `an event is ${eventBytes} B in memory`],
    });
  }

  b.add<PatternNode>({
    kind: 'pattern',
    id,
    name,
    span: decl.span,
    parallelism,
    stage: 0,
    stateEstimate: state,
    key,
    steps,
    withinMs: within,
    time: input.eventTime ? 'event' : 'processing',
    alert: alert === null ? null : alertPlan(alert),
    changelogTopic: topicName(b.pipeline, id, 'changelog'),
  });
  b.connect(from, id, edge);

  const info = b.analyzed.streams.get(name);
  b.ends.set(name, {
    node: id,
    owner: name,
    stream: name,
    partitioning: parallelism === 'single' ? SINGLE : ARBITRARY,
    partitions: parallelism === 'single' ? 1 : input.partitions,
    logicalKey: null,
    eventTime: info?.eventTime ?? input.eventTime,
    watermarkMs: input.watermarkMs,
    record: info?.record ?? null,
    updates: false,
  });
  b.end(id);
}

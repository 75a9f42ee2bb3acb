// Phase 3: the checked program → a physical plan.
//
//   logical.ts       declarations in dependency order, with what reads what
//   lower/*.ts       each declaration → operator nodes (source, stream, aggregate, pattern, emit)
//   builder.ts       nodes, edges, stream ends; repartitions where a key changes (partitioning.ts)
//   panes.ts         sliding windows → pane layout
//   state-estimate   bytes per key × keys, for every stateful operator
//   stages.ts        topological order and sub-topology stages
//   checks.ts        plan warnings
// See README.md for the rules.
import { sortDiagnostics, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { AnalyzedProgram } from '../2-analyze/model.ts';
import { PlanBuilder } from './builder.ts';
import { checkPatterns, checkUnused, checkWindows } from './checks.ts';
import { buildLogicalGraph } from './logical.ts';
import { lowerAggregate } from './lower/aggregate.ts';
import { lowerEmit } from './lower/emit.ts';
import { lowerPattern } from './lower/pattern.ts';
import { lowerSource } from './lower/source.ts';
import { lowerStream } from './lower/stream.ts';
import type { InternalTopic, PhysicalPlan, PlanNode } from './plan.ts';
import { assignStages, topologicalOrder } from './stages.ts';

export type * from './plan.ts';
export { explainMermaid, explainText } from './explain.ts';

export function plan(analyzed: AnalyzedProgram): { plan: PhysicalPlan; diagnostics: Diagnostic[] } {
  const b = new PlanBuilder(analyzed);
  const logical = buildLogicalGraph(analyzed.program);
  for (const d of logical.decls) {
    switch (d.kind) {
      case 'source':
        lowerSource(b, d.decl);
        break;
      case 'stream':
        lowerStream(b, d.decl);
        break;
      case 'aggregate':
        lowerAggregate(b, d.decl);
        break;
      case 'pattern':
        lowerPattern(b, d.decl);
        break;
      case 'emit':
        lowerEmit(b, d.decl);
        break;
    }
  }
  checkUnused(b, logical);
  checkWindows(b);
  checkPatterns(b, analyzed.program);

  const ordered = topologicalOrder(b.nodes, b.edges);
  const stages = assignStages(ordered, b.edges);
  const nodes: PlanNode[] = ordered.map((n) => ({ ...n, stage: stages.get(n.id) ?? 0 }));
  const rank = new Map(nodes.map((n, i) => [n.id, i]));
  const edges = [...b.edges].sort(
    (x, y) => (rank.get(x.from) ?? 0) - (rank.get(y.from) ?? 0) || (rank.get(x.to) ?? 0) - (rank.get(y.to) ?? 0),
  );
  return {
    plan: { pipeline: analyzed.pipelineName, nodes, edges, declarations: b.declarations, internalTopics: internalTopics(nodes) },
    diagnostics: sortDiagnostics(b.diagnostics.diagnostics),
  };
}

function internalTopics(nodes: readonly PlanNode[]): InternalTopic[] {
  const topics: InternalTopic[] = [];
  for (const n of nodes) {
    if (n.kind === 'repartition') topics.push({ name: n.topic, kind: 'repartition', node: n.id });
    if (n.kind === 'windowAggregate' || n.kind === 'pattern') topics.push({ name: n.changelogTopic, kind: 'changelog', node: n.id });
  }
  return topics.sort((a, b) => a.name.localeCompare(b.name));
}

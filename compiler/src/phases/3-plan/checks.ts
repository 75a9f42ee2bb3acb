// Plan-level warnings: things that compile and run, but cost more (or do less) than the author
// probably meant. Codes and texts are in diagnostics/messages/plan.ts.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { PlanBuilder } from './builder.ts';
import { formatBytes, formatDuration } from './format.ts';
import type { LogicalGraph } from './logical.ts';
import type { WindowAggregateNode, WindowPlan } from './plan.ts';
import { domainSize } from './state-estimate.ts';

/** Windows at least this long make an exact distinct count over an unbounded field a memory risk. */
export const LONG_WINDOW_MS = 3_600_000;

/** More panes per window than this makes every firing merge a long list. */
export const MAX_PANES_PER_WINDOW = 1000;

const KIND_NAMES = { source: 'source', stream: 'stream', aggregate: 'aggregate', pattern: 'pattern' } as const;

export function checkUnused(b: PlanBuilder, logical: LogicalGraph): void {
  for (const d of logical.decls) {
    if (d.kind === 'emit') continue;
    if ((logical.consumers.get(d.name) ?? []).length > 0) continue;
    b.diagnostics.add('stream_unused', d.decl.name.span, KIND_NAMES[d.kind], d.name);
  }
}

function windowSize(window: WindowPlan): number | null {
  return window.kind === 'session' ? null : window.sizeMs;
}

function windowText(window: WindowPlan): string {
  switch (window.kind) {
    case 'tumbling':
      return `tumbling ${formatDuration(window.sizeMs)}`;
    case 'sliding':
      return `sliding ${formatDuration(window.sizeMs)}`;
    case 'session':
      return `session`;
  }
}

/** Exact distinct counts over unbounded values in long windows; sliding windows cut into too many panes. */
export function checkWindows(b: PlanBuilder): void {
  for (const node of b.nodes) {
    if (node.kind !== 'windowAggregate' || node.phase === 'partial') continue;
    checkDistinct(b, node);
    const w = node.window;
    if (w.kind === 'sliding' && w.panes.panesPerWindow > MAX_PANES_PER_WINDOW) {
      const spec = node.span;
      b.diagnostics.add('window_panes_excessive', spec, formatDuration(w.sizeMs), formatDuration(w.slideMs), formatDuration(w.panes.paneMs), w.panes.panesPerWindow);
    }
  }
}

function checkDistinct(b: PlanBuilder, node: WindowAggregateNode): void {
  const size = windowSize(node.window);
  if (size === null || size < LONG_WINDOW_MS) return;
  for (const agg of node.aggregates) {
    if (agg.kind !== 'count_distinct') continue;
    const arg = agg.args[0];
    if (arg === undefined || domainSize(b.typeOf(arg.expr)) !== null) continue;
    for (const call of agg.calls) {
      b.diagnostics.add('count_distinct_unbounded', call.span, agg.text, windowText(node.window), `${formatBytes(agg.stateBytes)} per window`);
    }
  }
}

/** Steps with an unbounded quantifier and nothing bounding the partial match's life. */
export function checkPatterns(b: PlanBuilder, program: ast.Program): void {
  for (const decl of program.declarations) {
    if (decl.kind !== 'PatternDecl') continue;
    const patternWithin = decl.clauses.some((c) => c.kind === 'WithinClause' && c.duration !== null);
    if (patternWithin) continue;
    for (const clause of decl.clauses) {
      if (clause.kind !== 'MatchClause') continue;
      for (const step of clause.steps) {
        if (!step.negated && step.quantifier !== null && step.quantifier.max === null && step.within === null) {
          b.diagnostics.add('pattern_state_unbounded', step.span, step.name.name, decl.name.name);
        }
      }
    }
  }
}

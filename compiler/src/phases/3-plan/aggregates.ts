// The aggregate calls of an aggregate declaration: found in its measures and its `having`,
// classified, and deduplicated by rendering so `count_distinct(userId)` written twice keeps one state.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { AggregateKind } from './plan.ts';
import { rendered, renderExpr } from './render-expr.ts';

const KINDS: ReadonlyMap<string, AggregateKind> = new Map<string, AggregateKind>([
  ['count', 'count'],
  ['sum', 'sum'],
  ['avg', 'avg'],
  ['min', 'min'],
  ['max', 'max'],
  ['count_distinct', 'count_distinct'],
  ['approx_count_distinct', 'approx_count_distinct'],
  ['percentile', 'percentile'],
  ['top_k', 'top_k'],
  ['first', 'first'],
  ['last', 'last'],
  ['rate', 'rate'],
]);

export function aggregateKind(callee: string): AggregateKind | null {
  return KINDS.get(callee) ?? null;
}

/** One distinct aggregate call before its state size is known. */
export interface CollectedCall {
  readonly kind: AggregateKind;
  readonly text: string;
  readonly calls: ast.CallExpr[];
  readonly first: ast.CallExpr;
}

/** Aggregate calls in `exprs`, in order of first appearance; calls nested inside an aggregate's arguments are not separate aggregates. */
export function collectAggregateCalls(exprs: readonly (ast.Expr | null)[]): CollectedCall[] {
  const byText = new Map<string, CollectedCall>();
  const visit = (e: ast.Expr | null): void => {
    if (e === null) return;
    switch (e.kind) {
      case 'CallExpr': {
        const kind = aggregateKind(e.callee.name);
        if (kind === null) {
          e.args.forEach(visit);
          visit(e.filter);
          return;
        }
        const text = renderExpr(e);
        const known = byText.get(text);
        if (known === undefined) byText.set(text, { kind, text, calls: [e], first: e });
        else known.calls.push(e);
        return;
      }
      case 'MemberExpr':
        visit(e.object);
        return;
      case 'UnaryExpr':
        visit(e.operand);
        return;
      case 'BinaryExpr':
        visit(e.left);
        visit(e.right);
        return;
      case 'ListLiteral':
        e.elements.forEach(visit);
        return;
      default:
        return;
    }
  };
  exprs.forEach(visit);
  return [...byText.values()];
}

/** The arguments of a call as rendered expressions. */
export function renderedArgs(call: ast.CallExpr): ReturnType<typeof rendered>[] {
  return call.args.map(rendered);
}

/** `top_k(x, 10)` → 10; a literal numeric parameter at `index`, else `fallback`. */
export function numericArg(call: ast.CallExpr, index: number, fallback: number): number {
  const arg = call.args[index];
  return arg !== undefined && arg.kind === 'NumberLiteral' ? arg.value : fallback;
}

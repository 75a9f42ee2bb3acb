// `where cond` of a stream or an aggregate: a named predicate.
import type { FilterNode } from '../../3-plan/plan.ts';
import { renderExpr } from '../expressions.ts';
import { camel } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

export function emitFilter(node: FilterNode, pipe: PipelineEmitter): void {
  const input = pipe.ctx.inputOf(node.id);
  const type = pipe.outputType(input.id);
  pipe.setOutputType(node, type);
  pipe.section(node, `\`where ${node.condition.text}\` (${node.name})`);
  const predicate = pipe.name(camel(node.id));
  pipe.recordFn(predicate, { name: pipe.recordParam(input), type }, 'boolean', (scope) => renderExpr(pipe.ctx, node.condition.expr, scope));
  pipe.nodeConst(node, `rt.FilterNode<${type}>`, [['predicate', predicate]]);
}

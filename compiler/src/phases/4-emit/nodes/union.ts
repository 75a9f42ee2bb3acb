// `union(a, b, …)`: no code, only wiring.
import type { UnionNode } from '../../3-plan/plan.ts';
import { quote } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

export function emitUnion(node: UnionNode, pipe: PipelineEmitter): void {
  // The inputs share one record type (the checker requires it); the union passes it on.
  const first = pipe.ctx.inputsOf(node.id)[0];
  pipe.setOutputType(node, first === undefined ? pipe.streamType(node.name) : pipe.outputType(first.id));
  pipe.section(node, `\`union(${node.inputs.join(', ')})\` (${node.name})`);
  pipe.nodeConst(node, 'rt.UnionNode', [['inputs', `[${node.inputs.map(quote).join(', ')}]`]]);
}

// Stream `key by …`: the function computing the new logical key.
import type { KeyByNode } from '../../3-plan/plan.ts';
import { camel } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

export function emitKeyBy(node: KeyByNode, pipe: PipelineEmitter): void {
  const input = pipe.ctx.inputOf(node.id);
  const type = pipe.outputType(input.id);
  pipe.setOutputType(node, type);
  pipe.section(node, `\`key by ${node.key.text}\` (${node.name})`);
  const fn = pipe.name(camel(node.id));
  pipe.recordFn(fn, { name: pipe.recordParam(input), type }, 'string', (scope) => pipe.keyText([node.key], scope));
  pipe.nodeConst(node, `rt.KeyByNode<${type}>`, [['key', fn]]);
}

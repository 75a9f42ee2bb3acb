// A shuffle through an internal topic: the key the records are re-partitioned by.
import type { RepartitionNode } from '../../3-plan/plan.ts';
import { camel, quote } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

export function emitRepartition(node: RepartitionNode, pipe: PipelineEmitter): void {
  const input = pipe.ctx.inputOf(node.id);
  const type = pipe.outputType(input.id);
  pipe.setOutputType(node, type);
  pipe.section(node, `Repartitions \`${node.name}\` by \`${node.keyText}\` through \`${node.topic}\`: ${node.reason}.`);
  const fn = pipe.name(`${camel(node.id)}Key`);
  pipe.recordFn(fn, { name: pipe.recordParam(input), type }, 'string', (scope) => pipe.keyText(node.key, scope));
  pipe.nodeConst(node, `rt.RepartitionNode<${type}>`, [
    ['topic', quote(node.topic)],
    ['key', fn],
    ['partitions', node.partitions === null ? 'null' : String(node.partitions)],
  ]);
}

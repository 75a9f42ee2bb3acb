// A source's `dead letter to …`.
import type { DeadLetterNode } from '../../3-plan/plan.ts';
import { quote } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

export function emitDeadLetter(node: DeadLetterNode, pipe: PipelineEmitter): void {
  pipe.setOutputType(node, 'rt.DeadLetterRecord');
  pipe.section(node, `Records of \`${node.source}\` that fail to decode, with the reason: \`${node.connector.text}\`.`);
  pipe.nodeConst(node, 'rt.DeadLetterNode', [
    ['connector', pipe.connector(node.connector, 'sink')],
    ['source', quote(node.source)],
  ]);
}

// `decode`: the schema-specialised decoder of a source (from decode.ts).
import type { DecodeNode } from '../../3-plan/plan.ts';
import { decoderNames } from '../decoders.ts';
import { quote } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

export function emitDecode(node: DecodeNode, pipe: PipelineEmitter): void {
  const type = pipe.outputType(pipe.ctx.inputOf(node.id).id);
  pipe.setOutputType(node, type);
  pipe.section(node, `Decodes \`${node.name}\` records as \`${node.schema}\`${node.deadLetter === null ? '; failures are counted and dropped' : '; failures go to the dead-letter output'}.`);
  const names = decoderNames(node.schema);
  pipe.nodeConst(node, `rt.DecodeNode<${type}>`, [
    ['schema', quote(node.schema)],
    ['decode', names.decode],
    ['decodeText', names.decodeJson],
    ['deadLetter', node.deadLetter === null ? 'null' : quote(node.deadLetter)],
  ]);
}

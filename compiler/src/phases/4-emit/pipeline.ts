// `pipeline.ts`: one section per plan node, in plan order (topological, ties in source order).
// Each section starts with a `// file.flow:line:col` comment and holds the node's named functions
// (predicates, derive functions, key extractors, aggregate descriptors, measure computations, step
// conditions) and its descriptor constant; the `topology` object at the end lists them with the
// plan's edges and internal topics.
import type { PlanNode } from '../3-plan/plan.ts';
import type { EmitContext } from './context.ts';
import { quote } from './naming.ts';
import { emitDeadLetter } from './nodes/deadLetter.ts';
import { emitDecode } from './nodes/decode.ts';
import { emitDerive } from './nodes/derive.ts';
import { emitFilter } from './nodes/filter.ts';
import { emitKeyBy } from './nodes/keyBy.ts';
import { emitPattern } from './nodes/pattern.ts';
import { emitRepartition } from './nodes/repartition.ts';
import { PipelineEmitter } from './nodes/shared.ts';
import { emitSink } from './nodes/sink.ts';
import { emitSource } from './nodes/source.ts';
import { emitUnion } from './nodes/union.ts';
import { emitWindowAggregate } from './nodes/windowAggregate.ts';
import type { CodeWriter } from './writer.ts';

/** The closed set of plan node kinds, each with its emitter. */
function emitNode(node: PlanNode, pipe: PipelineEmitter): void {
  switch (node.kind) {
    case 'source':
      return emitSource(node, pipe);
    case 'decode':
      return emitDecode(node, pipe);
    case 'filter':
      return emitFilter(node, pipe);
    case 'derive':
      return emitDerive(node, pipe);
    case 'keyBy':
      return emitKeyBy(node, pipe);
    case 'union':
      return emitUnion(node, pipe);
    case 'repartition':
      return emitRepartition(node, pipe);
    case 'windowAggregate':
      return emitWindowAggregate(node, pipe);
    case 'pattern':
      return emitPattern(node, pipe);
    case 'sink':
      return emitSink(node, pipe);
    case 'deadLetter':
      return emitDeadLetter(node, pipe);
  }
}

/** The body of `pipeline.ts` (after header and imports). `reserved`: names other files export. */
export function emitPipeline(ctx: EmitContext, reserved: Iterable<string>): CodeWriter {
  const pipe = new PipelineEmitter(ctx, reserved);
  for (const node of ctx.plan.nodes) emitNode(node, pipe);

  const out = pipe.out;
  const { plan } = ctx;
  const stages = new Set(plan.nodes.map((n) => n.stage)).size;
  out.blankLine();
  out.doc(`The pipeline \`${plan.pipeline}\`: ${plan.nodes.length} operators in ${stages} stage${stages === 1 ? '' : 's'}, wired as planned.`);
  out.block('export const topology: rt.Topology =', () => {
    out.line(`pipeline: ${quote(plan.pipeline)},`);
    out.line('nodes: [');
    out.indented(() => {
      for (const name of pipe.nodeConsts) out.line(`${name},`);
    });
    out.line('],');
    out.line('edges: [');
    out.indented(() => {
      for (const e of plan.edges) {
        out.line(`{ from: ${quote(e.from)}, to: ${quote(e.to)}, partitioning: ${quote(e.partitioning.kind)}, output: ${quote(e.output)} },`);
      }
    });
    out.line('],');
    out.line('internalTopics: [');
    out.indented(() => {
      for (const t of plan.internalTopics) out.line(`{ name: ${quote(t.name)}, kind: ${quote(t.kind)}, node: ${quote(t.node)} },`);
    });
    out.line('],');
  }, ';');
  return out;
}

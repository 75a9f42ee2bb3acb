// `derive a = …, b = …`: a function computing the new fields (each may read the ones before it)
// and returning the input record with them.
import type { DeriveNode } from '../../3-plan/plan.ts';
import { exprNullable, storedValue, type ExprScope } from '../expressions.ts';
import { camel, NameScope, propertyName, safeName } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

/** Whether no other `derive` follows in the stream: its output is then the stream's record. */
function isLastDerive(node: DeriveNode, pipe: PipelineEmitter): boolean {
  const decl = pipe.ctx.plan.declarations.find((d) => d.nodes.includes(node.id));
  if (decl === undefined) return pipe.isDeclarationOutput(node);
  const after = decl.nodes.slice(decl.nodes.indexOf(node.id) + 1);
  return !after.some((id) => pipe.ctx.node(id).kind === 'derive');
}

export function emitDerive(node: DeriveNode, pipe: PipelineEmitter): void {
  const input = pipe.ctx.inputOf(node.id);
  const inputType = pipe.outputType(input.id);
  const type = isLastDerive(node, pipe)
    ? pipe.streamType(node.name)
    : pipe.ctx.types.declareIntermediate(
        node.name,
        inputType,
        node.fields.map((f) => ({ name: f.name, type: pipe.ctx.types.tsType(pipe.exprType(f.value.expr), exprNullable(pipe.ctx, f.value.expr)) })),
        node.span,
      );
  pipe.setOutputType(node, type);
  pipe.section(node, `\`derive ${node.fields.map((f) => `${f.name} = ${f.value.text}`).join(', ')}\` (${node.name})`);
  const param = pipe.recordParam(input);
  const fn = pipe.name(camel(node.id));
  pipe.fn(fn, [{ name: param, type: inputType }], type, (out, hoist) => {
    const locals = new NameScope([param]);
    const derived = new Map<string, string>();
    const scope: ExprScope = {
      record: param,
      hoist,
      // A field derived earlier in this clause reads the local holding it.
      name: (name, resolution) => (resolution === undefined || resolution.kind === 'field' ? derived.get(name.name) : undefined),
    };
    for (const field of node.fields) {
      const local = locals.take(safeName(field.name));
      out.line(`const ${local} = ${storedValue(pipe.ctx, field.value.expr, scope)};`);
      derived.set(field.name, local);
    }
    const members = [...derived].map(([name, local]) => (name === local ? name : `${propertyName(name)}: ${local}`));
    out.line(`return { ...${param}, ${members.join(', ')} };`);
  });
  pipe.nodeConst(node, `rt.DeriveNode<${inputType}, ${type}>`, [['derive', fn]]);
}

// `derive a = …, b = …`: a function computing the new fields (each may read the ones before it)
// and returning the input record with them. When the compiler built the input records itself
// (decoded schema records, possibly filtered, re-keyed, united or derived before), their fields and the
// order they were created in are known: the new record is then one object literal copying them,
// which V8 builds with a fixed shape, much faster than `{ ...input, a }`. The key order is the
// spread's (input fields in place, a replaced field keeps its position, new fields after), so the
// record's JSON is the same. Otherwise (aggregate rows, alerts, unions) the spread stays.
import type { DeriveNode, PlanNode } from '../../3-plan/plan.ts';
import { exprNullable, storedValue, type ExprScope } from '../expressions.ts';
import { camel, member, NameScope, propertyName, safeName } from '../naming.ts';
import type { PipelineEmitter } from './shared.ts';

/** The fields of `node`'s output records in creation order, when generated code builds them; `null` when unknown. */
function recordShape(node: PlanNode, pipe: PipelineEmitter): readonly string[] | null {
  switch (node.kind) {
    case 'decode':
      // The decoder's literal lists every field of the schema, in order (absent optional ones as `null`).
      return node.record.fields.map((f) => f.name);
    case 'filter':
    case 'keyBy':
    case 'repartition':
      // The records pass on as they are.
      return recordShape(pipe.ctx.inputOf(node.id), pipe);
    case 'union': {
      // Known when every input builds its records with the same fields in the same order.
      const shapes = pipe.ctx.inputsOf(node.id).map((input) => recordShape(input, pipe));
      const first = shapes[0];
      if (first === undefined || first === null) return null;
      return shapes.every((s) => s !== null && s.length === first.length && s.every((name, i) => name === first[i])) ? first : null;
    }
    case 'derive': {
      const input = recordShape(pipe.ctx.inputOf(node.id), pipe);
      if (input === null) return null;
      const added = node.fields.map((f) => f.name).filter((name, i, all) => !input.includes(name) && all.indexOf(name) === i);
      return [...input, ...added];
    }
    default:
      return null;
  }
}

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
    const field = (name: string, local: string): string => (name === local ? name : `${propertyName(name)}: ${local}`);
    const shape = recordShape(node, pipe);
    if (shape === null) {
      out.line(`return { ...${param}, ${[...derived].map(([name, local]) => field(name, local)).join(', ')} };`);
      return;
    }
    const members = shape.map((name) => {
      const local = derived.get(name);
      return local !== undefined ? field(name, local) : `${propertyName(name)}: ${member(param, name)}`;
    });
    if (members.join(', ').length <= 60) {
      out.line(`return { ${members.join(', ')} };`);
      return;
    }
    out.block('return', () => {
      for (const m of members) out.line(`${m},`);
    }, ';');
  });
  pipe.nodeConst(node, `rt.DeriveNode<${inputType}, ${type}>`, [['derive', fn]]);
}

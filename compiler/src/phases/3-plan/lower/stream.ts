// `stream x = input | union(a, b) where … derive … key by …` → [union] → filter / derive / key-by,
// one node per operation, all forward: stateless operators keep the partitioning (a derive that
// overwrites a field the partition key reads drops it).
import type * as ast from '../../../../../dsl/src/ast.ts';
import { parallelismOf, type PlanBuilder, type StreamEnd } from '../builder.ts';
import { afterDerive, ofUnion } from '../partitioning.ts';
import type { DeriveNode, FilterNode, KeyByNode, UnionNode } from '../plan.ts';
import { rendered } from '../render-expr.ts';

export function lowerStream(b: PlanBuilder, decl: ast.StreamDecl): void {
  const name = decl.name.name;
  const input = decl.input;
  if (input === null) return;
  b.begin(name, 'stream');

  let end: StreamEnd;
  if (input.kind === 'StreamRef') {
    const upstream = b.ends.get(input.name.name);
    if (upstream === undefined) return;
    end = upstream;
  } else {
    const inputs = input.inputs.map((r) => ({ name: r.name.name, end: b.ends.get(r.name.name) }));
    const ends = inputs.flatMap((i) => (i.end === undefined ? [] : [i.end]));
    if (ends.length !== inputs.length) return;
    const partitioning = ofUnion(ends);
    const union = b.add<UnionNode>({
      kind: 'union',
      id: b.id(`${name}.union`),
      name,
      span: input.span,
      parallelism: ends.every((e) => e.partitioning.kind === 'single') ? 'single' : 'partitioned',
      stage: 0,
      stateEstimate: null,
      inputs: inputs.map((i) => i.name),
    });
    for (const e of ends) b.connect(e.node, union.id);
    const keys = ends.map((e) => e.logicalKey?.map((k) => k.text).join(', ') ?? null);
    const first = ends[0];
    end = {
      node: union.id,
      owner: name,
      stream: name,
      partitioning,
      partitions: ends.every((e) => e.partitions === first?.partitions) ? (first?.partitions ?? null) : null,
      logicalKey: keys.every((k) => k !== null && k === keys[0]) ? (first?.logicalKey ?? null) : null,
      eventTime: ends.every((e) => e.eventTime),
      watermarkMs: Math.max(0, ...ends.map((e) => e.watermarkMs)),
      record: b.analyzed.streams.get(name)?.record ?? first?.record ?? null,
      updates: ends.some((e) => e.updates),
    };
  }

  for (const op of decl.operations) {
    end = lowerOperation(b, name, op, end);
  }

  const record = b.analyzed.streams.get(name)?.record ?? end.record;
  b.ends.set(name, { ...end, stream: name, record });
  // A stream that only renames its input has no node of its own: its output is the input's.
  b.end(end.node);
}

function lowerOperation(b: PlanBuilder, name: string, op: ast.StreamOperation, end: StreamEnd): StreamEnd {
  const base = { name, span: op.span, parallelism: parallelismOf(end.partitioning), stage: 0, stateEstimate: null };
  switch (op.kind) {
    case 'WhereClause': {
      if (op.condition === null) return end;
      const node = b.add<FilterNode>({ kind: 'filter', id: b.id(`${name}.filter`), ...base, condition: rendered(op.condition) });
      b.connect(end.node, node.id);
      return { ...end, node: node.id, owner: name };
    }
    case 'DeriveClause': {
      const fields = op.fields.flatMap((f) => (f.value === null ? [] : [{ name: f.name.name, value: rendered(f.value) }]));
      const node = b.add<DeriveNode>({ kind: 'derive', id: b.id(`${name}.derive`), ...base, fields });
      b.connect(end.node, node.id);
      const derived = new Set(fields.map((f) => f.name));
      // The logical key stays: it is an expression, evaluated where the keyed operator runs. Only
      // the physical partitioning may be lost.
      return { ...end, node: node.id, owner: name, partitioning: afterDerive(end.partitioning, derived) };
    }
    case 'KeyByClause': {
      if (op.key === null) return end;
      const key = rendered(op.key);
      const node = b.add<KeyByNode>({ kind: 'keyBy', id: b.id(`${name}.key-by`), ...base, key });
      b.connect(end.node, node.id);
      return { ...end, node: node.id, owner: name, logicalKey: [key] };
    }
  }
}

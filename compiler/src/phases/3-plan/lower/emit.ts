// `emit a, b to connector(…)` → one sink node fed by each stream's output node.
import type * as ast from '../../../../../dsl/src/ast.ts';
import type { PlanBuilder } from '../builder.ts';
import { slug } from '../naming.ts';
import type { ConnectorRef, SinkNode } from '../plan.ts';
import { connectorLiteral, renderConnector } from '../render-expr.ts';

/** Arguments that tell two sinks of one connector apart, most specific first. */
const DISCRIMINATING_ARGS = ['measurement', 'topic', 'channel', 'path', 'file', 'name', 'bucket'] as const;

/** `sink.influx.website_metrics`, `sink.kafka.cep-alerts`, `sink.dashboard`, `sink.log`. */
export function sinkBaseId(connector: ConnectorRef): string {
  for (const arg of DISCRIMINATING_ARGS) {
    const value = connectorLiteral(connector, arg);
    if (typeof value !== 'string' || value === '') continue;
    // A path names the sink by its file: `out/user-sessions.jsonl` → `user-sessions`.
    const text = arg === 'path' || arg === 'file' ? (value.split('/').pop() ?? value).replace(/\.[^.]*$/, '') : value;
    return `sink.${connector.name}.${slug(text)}`;
  }
  return `sink.${connector.name}`;
}

export function lowerEmit(b: PlanBuilder, decl: ast.EmitDecl): void {
  if (decl.connector === null) return;
  const connector = renderConnector(decl.connector);
  const inputs = [...new Set(decl.inputs.map((r) => r.name.name))];
  const ends = inputs.flatMap((n) => {
    const end = b.ends.get(n);
    return end === undefined ? [] : [end];
  });
  if (ends.length === 0) return;
  const id = b.id(sinkBaseId(connector));
  b.begin(id, 'emit');
  b.add<SinkNode>({
    kind: 'sink',
    id,
    name: id.slice('sink.'.length),
    span: decl.span,
    parallelism: ends.every((e) => e.partitioning.kind === 'single') ? 'single' : 'partitioned',
    stage: 0,
    stateEstimate: null,
    role: 'emit',
    connector,
    inputs,
  });
  for (const end of ends) b.connect(end.node, id);
  b.end(null);
}

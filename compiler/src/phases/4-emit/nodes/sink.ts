// `emit … to connector` and `late to connector`: the connector and, per stream, which columns are
// tags, fields and time (what measurement-style sinks such as InfluxDB and the dashboard need).
import type { SinkNode } from '../../3-plan/plan.ts';
import { isAlertRecord } from '../types.ts';
import { quote } from '../naming.ts';
import { arrayLiteral, objectLiteral, type PipelineEmitter } from './shared.ts';

export function emitSink(node: SinkNode, pipe: PipelineEmitter): void {
  pipe.section(
    node,
    node.role === 'late'
      ? `Records of \`${node.inputs.join('`, `')}\` later than the allowed lateness: \`${node.connector.text}\`.`
      : `\`emit ${node.inputs.join(', ')} to ${node.connector.text}\``,
  );
  const explicitTags = tagsArgument(node);
  const layouts = node.inputs.map((stream) => {
    if (node.role === 'late') {
      // Late records are the aggregate's input records, as they arrived.
      const from = pipe.ctx.plan.edges.find((e) => e.to === node.id && e.output === 'late')?.from ?? pipe.outputNodeOf(stream);
      const input = pipe.ctx.analyzed.streams.get(pipe.ctx.node(from).name)?.inputs[0];
      const record = input === undefined ? undefined : pipe.ctx.analyzed.streams.get(input)?.record;
      return layout(stream, from, [], (record?.fields ?? []).map((f) => f.name), null);
    }
    const info = pipe.ctx.analyzed.streams.get(stream);
    const producer = pipe.outputNodeOf(stream);
    const columns = (info?.record.fields ?? []).map((f) => f.name);
    const tags = new Set<string>();
    let time: string | null = null;
    const producerNode = pipe.ctx.node(producer);
    if (producerNode.kind === 'windowAggregate') {
      for (const k of producerNode.groupKeys) tags.add(k.name);
      time = 'window_end';
    }
    if (info !== undefined && isAlertRecord(info.record)) {
      tags.add('alert_type');
      tags.add('severity');
      time = 'time';
    }
    for (const t of explicitTags) if (columns.includes(t)) tags.add(t);
    const ordered = columns.filter((c) => tags.has(c));
    // An aggregate's window start is implied by its end and size: not written as a field.
    const skipped = new Set([time, producerNode.kind === 'windowAggregate' ? 'window_start' : null]);
    return layout(stream, producer, ordered, columns.filter((c) => !tags.has(c) && !skipped.has(c)), time);
  });
  pipe.nodeConst(node, 'rt.SinkNode', [
    ['role', quote(node.role)],
    ['connector', pipe.connector(node.connector, 'sink')],
    ['inputs', arrayLiteral(layouts)],
  ]);
}

function layout(stream: string, node: string, tags: readonly string[], fields: readonly string[], time: string | null): string {
  return objectLiteral([
    ['stream', quote(stream)],
    ['node', quote(node)],
    ['tags', arrayLiteral(tags.map(quote))],
    ['fields', arrayLiteral(fields.map(quote))],
    ['time', time === null ? 'null' : quote(time)],
  ]);
}

/** The `tags: [...]` argument of an influx sink. */
function tagsArgument(node: SinkNode): string[] {
  const arg = node.connector.args.find((a) => a.name === 'tags');
  const value = arg?.value?.expr;
  if (value?.kind !== 'ListLiteral') return [];
  return value.elements.flatMap((e) => (e.kind === 'StringLiteral' ? [e.value] : []));
}

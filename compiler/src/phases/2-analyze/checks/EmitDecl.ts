// `emit a, b to connector(...)`: the inputs exist (declared anywhere in the file), the connector is
// a sink. Raw events (a source, or a stream without aggregation) may go to kafka, log, file and the
// dashboard; to InfluxDB they draw a warning (one point per event). Influx `tags` must be fields of
// every emitted stream.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { checkConnector } from '../connectors.ts';
import { declarationKind, present, withArticle, type Context } from '../context.ts';
import type { ExpressionChecker } from '../expressions.ts';

export function checkEmitDecl(ctx: Context, checker: ExpressionChecker, decl: ast.EmitDecl): void {
  const bound = checkConnector(ctx, checker, decl.connector, 'sink');
  const seen = new Set<string>();
  const emitted: string[] = [];
  for (const ref of decl.inputs) {
    if (!present(ref.name)) continue;
    const name = ref.name.name;
    if (seen.has(name)) {
      ctx.report.add('emit_input_duplicate', ref.span, name);
      continue;
    }
    seen.add(name);
    const declared = ctx.declared.get(name);
    const kind = declared === undefined ? undefined : declarationKind(declared.declaration);
    if (declared === undefined || kind === 'enum' || kind === 'schema') {
      ctx.report.add('stream_unknown', ref.name.span, name, [...ctx.streams.keys()], kind === undefined ? undefined : withArticle(kind));
      continue;
    }
    const entry = ctx.streams.get(name);
    if (entry === undefined) continue;
    emitted.push(name);
    if (bound?.spec.name === 'influx' && (kind === 'source' || kind === 'stream') && !isAggregated(ctx, name)) {
      ctx.report.add('emit_raw_to_influx', ref.span, name, kind);
    }
  }

  // Influx tags name fields of every emitted stream.
  const tags = bound?.spec.name === 'influx' ? bound.args.get('tags')?.value : undefined;
  if (tags?.kind !== 'ListLiteral') return;
  for (const tag of tags.elements) {
    if (tag.kind !== 'StringLiteral') continue;
    for (const name of emitted) {
      const entry = ctx.streams.get(name);
      if (entry === undefined || entry.broken) continue;
      const fields = entry.info.record.fields.map((f) => f.name);
      if (!fields.includes(tag.value)) ctx.report.add('field_unknown', tag.span, tag.value, name, fields);
    }
  }
}

/** Whether the stream's elements come out of an aggregate or pattern (a stream over one keeps them aggregated). */
function isAggregated(ctx: Context, name: string, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  const entry = ctx.streams.get(name);
  if (entry === undefined) return false;
  const kind = entry.info.declaration.kind;
  if (kind === 'AggregateDecl' || kind === 'PatternDecl') return true;
  if (kind === 'SourceDecl') return false;
  return entry.info.inputs.length > 0 && entry.info.inputs.every((input) => isAggregated(ctx, input, seen));
}

// `manifest.ts` (what the dashboard builds its panels from) and `source-map.ts` (plan node → .flow
// position).
import type * as ast from '../../../../dsl/src/ast.ts';
import type { Type } from '../2-analyze/types.ts';
import type { PlanNode, WindowAggregateNode, WindowPlan } from '../3-plan/plan.ts';
import type { EmitContext } from './context.ts';
import { portablePath } from './header.ts';
import { quote } from './naming.ts';
import { arrayLiteral, connectorConfig, ms, objectLiteral } from './nodes/shared.ts';
import { CodeWriter } from './writer.ts';

export function emitManifest(ctx: EmitContext): CodeWriter {
  const { plan } = ctx;
  const out = new CodeWriter();
  const location = (span: ast.Span): string => quote(ctx.location(span));
  const nullableText = (text: string | null): string => (text === null ? 'null' : quote(text));

  const sources = plan.nodes.flatMap((n) =>
    n.kind !== 'source'
      ? []
      : [
          objectLiteral([
            ['name', quote(n.name)],
            ['schema', quote(n.schema)],
            ['connector', connectorConfig(n.connector, 'source')],
            ['eventTime', String(n.eventTime !== null)],
            ['watermarkMs', n.watermarkMs === null ? 'null' : ms(n.watermarkMs)],
            ['idleMs', n.idleMs === null ? 'null' : ms(n.idleMs)],
            ['location', location(n.span)],
          ]),
        ],
  );

  // One metric per aggregate: its evaluating node (single, or final of two phases).
  const evaluators = plan.nodes.filter((n): n is WindowAggregateNode => n.kind === 'windowAggregate' && n.phase !== 'partial');
  const metrics = evaluators.map((n) => {
    const info = ctx.analyzed.streams.get(n.name);
    const columns = new Map((info?.record.fields ?? []).map((f) => [f.name, f.type]));
    const measures = n.measures.map((m) =>
      objectLiteral([
        ['name', quote(m.name)],
        ['unit', nullableText(m.unit)],
        ['valueKind', quote(valueKind(columns.get(m.name)))],
        ['expression', quote(m.value.text)],
      ]),
    );
    return objectLiteral([
      ['name', quote(n.name)],
      ['input', quote(info?.inputs[0] ?? '')],
      ['window', windowManifest(n.window)],
      ['time', quote(n.time)],
      ['groupBy', arrayLiteral(n.groupKeys.map((k) => quote(k.name)))],
      ['measures', arrayLiteral(measures)],
      ['latenessMs', ms(n.latenessMs)],
      ['earlyFiringMs', n.earlyFiringMs === null ? 'null' : ms(n.earlyFiringMs)],
      ['location', location(ctx.declaration(n.name)?.span ?? n.span)],
    ]);
  });

  const alerts = plan.nodes.flatMap((n) => {
    if ((n.kind !== 'windowAggregate' || n.phase === 'partial') && n.kind !== 'pattern') return [];
    const alert = n.alert;
    if (alert === null) return [];
    return [
      objectLiteral([
        ['stream', quote(n.name)],
        ['from', quote(n.kind === 'pattern' ? 'pattern' : 'aggregate')],
        ['alertType', quote(alert.type)],
        ['severity', quote(alert.severity)],
        ['title', nullableText(alert.titleText)],
        ['messageTemplate', nullableText(alert.messageText)],
        ['location', location(alert.span)],
      ]),
    ];
  });

  const sinks = plan.nodes.flatMap((n) =>
    n.kind !== 'sink'
      ? []
      : [
          objectLiteral([
            ['id', quote(n.id)],
            ['role', quote(n.role)],
            ['connector', connectorConfig(n.connector, 'sink')],
            ['streams', arrayLiteral(n.inputs.map(quote))],
            ['location', location(n.span)],
          ]),
        ],
  );

  out.doc(`What \`${plan.pipeline}\` offers: its sources, metrics (with units and windows), alerts and sinks.`);
  out.block('export const manifest: rt.PipelineManifest =', () => {
    out.line(`pipeline: ${quote(plan.pipeline)},`);
    out.line(`compilerVersion: ${quote(ctx.compilerVersion)},`);
    out.line(`source: { path: ${quote(portablePath(ctx.sourcePath))}, sha256: ${quote(ctx.hash)} },`);
    for (const [key, items] of [
      ['sources', sources],
      ['metrics', metrics],
      ['alerts', alerts],
      ['sinks', sinks],
    ] as const) {
      const lines = arrayLiteral(items).split('\n');
      out.line(`${key}: ${lines[0]}${lines.length === 1 ? ',' : ''}`);
      for (const l of lines.slice(1, -1)) out.line(l);
      if (lines.length > 1) out.line(`${lines[lines.length - 1]},`);
    }
  }, ';');
  return out;
}

function windowManifest(window: WindowPlan): string {
  switch (window.kind) {
    case 'tumbling':
      return objectLiteral([['kind', "'tumbling'"], ['sizeMs', ms(window.sizeMs)]]);
    case 'sliding':
      return objectLiteral([['kind', "'sliding'"], ['sizeMs', ms(window.sizeMs)], ['slideMs', ms(window.slideMs)]]);
    case 'session':
      return objectLiteral([['kind', "'session'"], ['gapMs', ms(window.gapMs)]]);
  }
}

function valueKind(type: Type | undefined): string {
  switch (type?.kind) {
    case 'primitive':
      return type.name;
    case 'enum':
      return 'enum';
    case 'list':
      return type.element.kind === 'record' && type.element.fields.some((f) => f.name === 'count') && type.element.name === null ? 'top_k' : 'list';
    case 'record':
      return 'record';
    default:
      return 'string';
  }
}

export function emitSourceMap(ctx: EmitContext): CodeWriter {
  const out = new CodeWriter();
  const file = portablePath(ctx.sourcePath);
  out.doc(`Where each plan node of \`${ctx.plan.pipeline}\` comes from in \`${ctx.fileName}\` (1-based lines and columns).`);
  out.line('export const sourceMap: readonly rt.SourceMapEntry[] = [');
  out.indented(() => {
    for (const node of ctx.plan.nodes) out.line(`${entry(node, file)},`);
  });
  out.line('];');
  return out;
}

function entry(node: PlanNode, file: string): string {
  const { start, end } = node.span;
  return `{ nodeId: ${quote(node.id)}, file: ${quote(file)}, line: ${start.line}, column: ${start.column}, endLine: ${end.line}, endColumn: ${end.column} }`;
}

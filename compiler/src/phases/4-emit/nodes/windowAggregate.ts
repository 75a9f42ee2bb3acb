// `aggregate`: a windowed aggregate, in one phase (keyed) or two (global: partial per partition,
// then final). What one declaration gets, shared by its partial and final nodes:
//
// - `<name>Aggregates`: one aggregate descriptor per distinct aggregate call (slots `a0`, `a1`, …),
//   each with its value function and `where` filter;
// - `<name>KeyText` / `<name>GroupKey`: the group key as state-key text and as a record;
// - `<name>Until`: the `until` condition of a session window;
// - `<name>Finish`: the measures from the slot values, then `having`, then the alert record.
import type * as ast from '../../../../../dsl/src/ast.ts';
import type { AggregateCallPlan, PlanNode, WindowAggregateNode, WindowPlan } from '../../3-plan/plan.ts';
import { EmitError } from '../context.ts';
import { renderExpr as renderFlow } from '../../3-plan/render-expr.ts';
import { exprNullable, renderExpr, renderNegated, renderTemplate, storedValue, type ExprScope } from '../expressions.ts';
import { camel, NameScope, numberLiteral, propertyName, quote, safeName } from '../naming.ts';
import { formatMs, ms, objectLiteral, PARTIAL_OUTPUT, type PipelineEmitter } from './shared.ts';

export function emitWindowAggregate(node: WindowAggregateNode, pipe: PipelineEmitter): void {
  // The records aggregated: the input of this node, or of its partial for a final node.
  const recordsNode: PlanNode = node.phase === 'final' ? pipe.ctx.node(peerOf(node)) : node;
  const inputNode = pipe.ctx.inputOf(recordsNode.id);
  const inputType = pipe.outputType(inputNode.id);
  const param = pipe.recordParam(inputNode);
  const outputType = node.phase === 'partial' ? PARTIAL_OUTPUT : pipe.streamType(node.name);
  pipe.setOutputType(node, outputType);

  const base = camel(node.name);
  const window = describeWindow(node.window);
  const doc =
    node.phase === 'partial'
      ? `\`aggregate ${node.name}\`, first phase: partial aggregates per partition over \`window ${window}\`, merged by \`${peerOf(node)}\`.`
      : node.phase === 'final'
        ? `\`aggregate ${node.name}\`, second phase: merges the partials of \`${peerOf(node)}\`, then evaluates the measures.`
        : `\`aggregate ${node.name}\` over \`window ${window}\`${node.groupKeys.length > 0 ? `, \`group by ${node.groupKeys.map((k) => k.value.text).join(', ')}\`` : ''}.`;
  pipe.section(node, doc);

  const aggregates = emitAggregates(node, pipe, base, param, inputType);
  const until = emitUntil(node, pipe, base, param, inputType);
  const windowLiteral = windowDescriptor(node.window, until);
  const common: [string, string][] = [
    ['window', windowLiteral],
    ['time', quote(node.time)],
    ['latenessMs', ms(node.latenessMs)],
    ['earlyFiringMs', node.earlyFiringMs === null ? 'null' : ms(node.earlyFiringMs)],
    ['changelogTopic', quote(node.changelogTopic)],
  ];
  const alert = node.alert === null ? 'null' : objectLiteral([['alertType', quote(node.alert.type)], ['severity', quote(node.alert.severity)]]);

  switch (node.phase) {
    case 'partial':
      pipe.nodeConst(node, `rt.PartialAggregateNode<${inputType}, typeof ${aggregates}>`, [
        ['phase', "'partial'"],
        ['peer', quote(peerOf(node))],
        ...common,
        ['aggregates', aggregates],
      ]);
      return;
    case 'final': {
      const finish = emitFinish(node, pipe, base, aggregates, null);
      pipe.nodeConst(node, `rt.FinalAggregateNode<${inputType}, typeof ${aggregates}, ${outputType}>`, [
        ['phase', "'final'"],
        ['peer', quote(peerOf(node))],
        ...common,
        ['aggregates', aggregates],
        ['finish', finish],
        ['alert', alert],
      ]);
      return;
    }
    case 'single': {
      const keyType = pipe.ctx.types.declareKey(node) ?? null;
      const groupKey = keyType === null ? null : emitGroupKey(node, pipe, base, param, inputType, keyType);
      const finish = emitFinish(node, pipe, base, aggregates, keyType);
      pipe.nodeConst(node, `rt.WindowAggregateNode<${inputType}, ${keyType ?? 'null'}, typeof ${aggregates}, ${outputType}>`, [
        ['phase', "'single'"],
        ...(node.input === 'updates' ? [['input', "'updates'"] as [string, string]] : []),
        ...common,
        ['groupKey', groupKey === null ? 'null' : objectLiteral([['text', groupKey.text], ['extract', groupKey.extract]])],
        ['aggregates', aggregates],
        ['finish', finish],
        ['alert', alert],
      ]);
      return;
    }
  }
}

function peerOf(node: WindowAggregateNode): string {
  if (node.peer === null) throw new EmitError(`the ${node.phase} aggregate \`${node.id}\` has no peer`);
  return node.peer;
}

function describeWindow(window: WindowPlan): string {
  switch (window.kind) {
    case 'tumbling':
      return `tumbling ${formatMs(window.sizeMs)}`;
    case 'sliding':
      return `sliding ${formatMs(window.sizeMs)} every ${formatMs(window.slideMs)}`;
    case 'session':
      return `session gap ${formatMs(window.gapMs)}${window.until === null ? '' : ` until ${window.until.text}`}`;
  }
}

function windowDescriptor(window: WindowPlan, until: string | null): string {
  switch (window.kind) {
    case 'tumbling':
      return objectLiteral([['kind', "'tumbling'"], ['sizeMs', ms(window.sizeMs)]]);
    case 'sliding':
      return objectLiteral([
        ['kind', "'sliding'"],
        ['sizeMs', ms(window.sizeMs)],
        ['slideMs', ms(window.slideMs)],
        [
          'panes',
          objectLiteral([
            ['paneMs', ms(window.panes.paneMs)],
            ['panesPerWindow', String(window.panes.panesPerWindow)],
            ['panesPerSlide', String(window.panes.panesPerSlide)],
            ['windowsPerPane', String(window.panes.windowsPerPane)],
            ['retainedPanes', String(window.panes.retainedPanes)],
          ]),
        ],
      ]);
    case 'session':
      return objectLiteral([['kind', "'session'"], ['gapMs', ms(window.gapMs)], ['until', until ?? 'null']]);
  }
}

/** `<name>Aggregates`: emitted with the first node of the declaration; returns its name. */
function emitAggregates(node: WindowAggregateNode, pipe: PipelineEmitter, base: string, param: string, inputType: string): string {
  const { name, first } = pipe.sharedName(`${node.name}:aggregates`, `${base}Aggregates`);
  if (!first) return name;
  const constants: string[] = [];
  const hoisted = new Map<string, string>();
  const scope: ExprScope = {
    record: param,
    hoist: (code, type) => {
      const known = hoisted.get(code);
      if (known !== undefined) return known;
      const constName = pipe.name(`${base.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_VALUES`);
      hoisted.set(code, constName);
      constants.push(`const ${constName}: ${type} = ${code};`);
      return constName;
    },
  };
  const slots = node.aggregates.map((call) => ({ call, code: slotDescriptor(call, pipe, scope, `(${param}: ${inputType}) =>`) }));
  pipe.item();
  for (const c of constants) pipe.out.line(c);
  pipe.out.doc(`The aggregates of \`${node.name}\`: one mergeable accumulator per distinct aggregate call.`);
  pipe.out.block(`export const ${name} =`, () => {
    for (const { call, code } of slots) {
      pipe.out.doc(`\`${call.text}\``);
      pipe.out.line(`${call.slot}: ${code},`);
    }
  }, ` satisfies rt.AggregateSlots<${inputType}>;`);
  return name;
}

function slotDescriptor(call: AggregateCallPlan, pipe: PipelineEmitter, scope: ExprScope, arrow: string): string {
  const fnOf = (expr: ast.Expr): string => `${arrow} ${renderExpr(pipe.ctx, expr, scope)}`;
  const value = (): string => {
    const arg = call.args[0];
    if (arg === undefined) throw new EmitError(`\`${call.text}\` has no value argument`);
    return fnOf(arg.expr);
  };
  const parameter = (): string => {
    const arg = call.args[1];
    if (arg?.expr.kind !== 'NumberLiteral') throw new EmitError(`\`${call.text}\` needs a literal parameter`);
    return numberLiteral(arg.expr.value);
  };
  const filter = call.filter === null ? [] : [fnOf(call.filter.expr)];
  const args = (...parts: string[]): string => parts.join(', ');
  switch (call.kind) {
    case 'count':
      return call.args.length === 0 ? `rt.count(${args(...filter)})` : `rt.countNonNull(${args(value(), ...filter)})`;
    case 'sum':
      return `rt.sum(${args(value(), ...filter)})`;
    case 'avg':
      return `rt.avg(${args(value(), ...filter)})`;
    case 'min':
      return `rt.min(${args(value(), ...filter)})`;
    case 'max':
      return `rt.max(${args(value(), ...filter)})`;
    case 'count_distinct':
      return `rt.countDistinct(${args(value(), ...filter)})`;
    case 'approx_count_distinct':
      return `rt.approxCountDistinct(${args(value(), ...filter)})`;
    case 'percentile':
      return `rt.percentile(${args(value(), parameter(), ...filter)})`;
    case 'top_k':
      return `rt.topK(${args(value(), parameter(), ...filter)})`;
    case 'first':
      return `rt.first(${args(value(), ...filter)})`;
    case 'last':
      return `rt.last(${args(value(), ...filter)})`;
    case 'rate':
      return `rt.rate(${args(...filter)})`;
  }
}

function emitUntil(node: WindowAggregateNode, pipe: PipelineEmitter, base: string, param: string, inputType: string): string | null {
  if (node.window.kind !== 'session' || node.window.until === null) return null;
  const until = node.window.until;
  const { name, first } = pipe.sharedName(`${node.name}:until`, `${base}Until`);
  if (first) {
    pipe.recordFn(name, { name: param, type: inputType }, 'boolean', (scope) => renderExpr(pipe.ctx, until.expr, scope), `\`until ${until.text}\`: a record satisfying it closes its session.`);
  }
  return name;
}

function emitGroupKey(
  node: WindowAggregateNode,
  pipe: PipelineEmitter,
  base: string,
  param: string,
  inputType: string,
  keyType: string,
): { readonly text: string; readonly extract: string } {
  const keys = node.groupKeys.map((k) => k.value);
  const text = pipe.name(`${base}KeyText`);
  pipe.recordFn(text, { name: param, type: inputType }, 'string', (scope) => pipe.keyText(keys, scope), `The group key of \`${node.name}\` as state-key text.`);
  const extract = pipe.name(`${base}GroupKey`);
  pipe.recordFn(
    extract,
    { name: param, type: inputType },
    keyType,
    (scope) => `{ ${node.groupKeys.map((k) => `${propertyName(k.name)}: ${storedValue(pipe.ctx, k.value.expr, scope)}`).join(', ')} }`,
    `The group key of \`${node.name}\` as a record, built once per key and window.`,
  );
  return { text, extract };
}

/** `<name>Finish`: from slot values (and the key and window) to the output record, or `null` when `having` fails. */
function emitFinish(node: WindowAggregateNode, pipe: PipelineEmitter, base: string, aggregates: string, keyType: string | null): string {
  const ctx = pipe.ctx;
  const outputType = pipe.streamType(node.name);
  const name = pipe.name(`${base}Finish`);
  const info = ctx.analyzed.streams.get(node.name);
  if (info === undefined) throw new EmitError(`no stream \`${node.name}\``);

  const locals = new NameScope(['values', 'key', 'window', 'rt']);
  const measureLocals = new Map<string, string>();
  const keyColumns = new Map(node.groupKeys.map((k) => [k.value.expr, k.name]));
  const slotOf = new Map<ast.CallExpr, string>();
  for (const call of node.aggregates) for (const site of call.calls) slotOf.set(site, call.slot);
  const slotsByText = new Map(node.aggregates.map((c) => [c.text, c.slot]));

  const windowBound = (column: string): string | undefined =>
    column === 'window_start' ? 'window.start' : column === 'window_end' ? 'window.end' : undefined;
  const scopeFor = (hoist: ExprScope['hoist']): ExprScope => ({
    record: null,
    ...(hoist === undefined ? {} : { hoist }),
    name: (expr, resolution) => {
      switch (resolution?.kind) {
        case 'groupKey': {
          const column = resolution.key.value === null ? undefined : keyColumns.get(resolution.key.value);
          return column === undefined ? undefined : `key.${column}`;
        }
        case 'measure':
          return measureLocals.get(resolution.measure.name.name);
        case 'field':
          return windowBound(resolution.field) ?? measureLocals.get(resolution.field) ?? (keyColumnNames(node).includes(resolution.field) ? `key.${resolution.field}` : undefined);
        case undefined:
          return windowBound(expr.name) ?? measureLocals.get(expr.name);
        default:
          return undefined;
      }
    },
    aggregateCall: (call) => {
      const slot = slotOf.get(call) ?? slotsByText.get(renderFlow(call));
      if (slot === undefined) throw new EmitError(`no aggregate slot for \`${ctx.flowText(call.span)}\``);
      return `values.${slot}`;
    },
  });

  const measures = new Map(node.measures.map((m) => [m.name, m]));
  const params = [
    { name: 'values', type: `rt.AggregateResults<typeof ${aggregates}>` },
    { name: 'window', type: 'rt.WindowBounds' },
  ];
  if (keyType !== null) params.push({ name: 'key', type: keyType });
  const returnType = node.having === null ? outputType : `${outputType} | null`;
  const what = node.alert === null ? 'row' : 'alert record';
  pipe.fn(
    name,
    params,
    returnType,
    (out, hoist) => {
      const scope = scopeFor(hoist);
      for (const m of node.measures) {
        const local = locals.take(safeName(m.name));
        out.line(`const ${local} = ${storedValue(ctx, m.value.expr, scope)};`);
        measureLocals.set(m.name, local);
      }
      if (node.having !== null) out.line(`if (${renderNegated(ctx, node.having.expr, scope)}) return null;`);
      const fields: string[] = [];
      for (const column of info.record.fields.map((f) => f.name)) {
        const value = columnValue(column);
        fields.push(value === column ? column : `${propertyName(column)}: ${value}`);
      }
      out.block('return', () => {
        for (const f of fields) out.line(`${f},`);
      }, ';');

      function columnValue(column: string): string {
        const alert = node.alert;
        if (alert !== null) {
          const templateScope = { ...scope, template: true };
          switch (column) {
            case 'alert_type':
              return quote(alert.type);
            case 'severity':
              return quote(alert.severity);
            case 'title':
              return alert.title === null ? quote(alert.type) : renderTemplate(ctx, alert.title, templateScope);
            case 'message':
              return alert.message === null ? quote('') : renderTemplate(ctx, alert.message, templateScope);
            case 'key':
              return keyTextOfRecord(node, pipe);
            case 'time':
              return 'window.end';
          }
        }
        const bound = windowBound(column);
        if (bound !== undefined) return bound;
        if (keyColumnNames(node).includes(column)) return `key.${column}`;
        const local = measures.has(column) ? measureLocals.get(column) : undefined;
        if (local !== undefined) return local;
        throw new EmitError(`cannot compute the column \`${column}\` of \`${node.name}\``);
      }
    },
    `The ${what} of \`${node.name}\` for one ${node.groupKeys.length > 0 ? 'key and ' : ''}window${node.having === null ? '' : `, or \`null\` when \`having ${node.having.text}\` fails`}.`,
  );
  return name;
}

function keyColumnNames(node: WindowAggregateNode): string[] {
  return node.groupKeys.map((k) => k.name);
}

/** The `key` column of an aggregate's alert records: the group key as text, `''` when global. */
function keyTextOfRecord(node: WindowAggregateNode, pipe: PipelineEmitter): string {
  const columns = node.groupKeys.map((k) => ({ code: `key.${k.name}`, expr: k.value.expr }));
  const only = columns.length === 1 ? columns[0] : undefined;
  if (only !== undefined) {
    const type = pipe.exprType(only.expr);
    const isText = (type.kind === 'primitive' && type.name === 'string') || type.kind === 'enum';
    return isText && !exprNullable(pipe.ctx, only.expr) ? only.code : `rt.keyText(${only.code})`;
  }
  return columns.length === 0 ? quote('') : `rt.compositeKey([${columns.map((c) => c.code).join(', ')}])`;
}

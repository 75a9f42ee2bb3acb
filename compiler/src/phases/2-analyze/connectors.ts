// Connectors: where sources read from and where emits, dead letters and late events are written.
// Arguments are literals, positional (in parameter order) or named.
import type * as ast from '../../../../dsl/src/ast.ts';
import { present, type Context } from './context.ts';
import type { ExpressionChecker } from './expressions.ts';
import { renderExpr } from './render.ts';
import { CONSTANT_SCOPE } from './scope.ts';
import { isPrimitive } from './typeops.ts';
import { STRING, typeToString, type Type } from './types.ts';

export type ConnectorDirection = 'source' | 'sink';

export type ParamType = 'string' | 'int' | 'number' | 'string[]';

export interface ConnectorParam {
  readonly name: string;
  readonly type: ParamType;
  readonly required: boolean;
  /** Numbers must be > 0. */
  readonly positive?: boolean;
  /** For the "add it" suggestion. */
  readonly example: string;
  readonly description: string;
}

export interface ConnectorSpec {
  readonly name: string;
  readonly direction: ConnectorDirection;
  readonly params: readonly ConnectorParam[];
  readonly description: string;
}

const topic: ConnectorParam = { name: 'topic', type: 'string', required: true, example: '"events"', description: 'Kafka topic.' };
const path: ConnectorParam = { name: 'path', type: 'string', required: true, example: '"data/events.jsonl"', description: 'File path (JSON lines).' };
const partitions: ConnectorParam = {
  name: 'partitions',
  type: 'int',
  required: false,
  positive: true,
  example: '12',
  description: 'Partition count, used to size parallelism and internal topics.',
};

const sources: readonly ConnectorSpec[] = [
  { name: 'kafka', direction: 'source', params: [topic, partitions], description: 'Reads JSON records from a Kafka topic.' },
  { name: 'file', direction: 'source', params: [path], description: 'Reads JSON lines from a file.' },
  {
    name: 'simulator',
    direction: 'source',
    params: [
      { name: 'rate', type: 'number', required: false, positive: true, example: '100', description: 'Records per second.' },
      { name: 'seed', type: 'int', required: false, example: '42', description: 'Random seed, for reproducible runs.' },
    ],
    description: 'Generates random records of the schema.',
  },
  {
    name: 'log',
    direction: 'source',
    params: [{ name: 'name', type: 'string', required: false, example: '"events"', description: 'Log name.' }, partitions],
    description: 'Reads the embedded log.',
  },
];

const sinks: readonly ConnectorSpec[] = [
  {
    name: 'influx',
    direction: 'sink',
    params: [
      { name: 'bucket', type: 'string', required: false, example: '"metrics"', description: 'InfluxDB bucket.' },
      { name: 'measurement', type: 'string', required: true, example: '"metrics"', description: 'InfluxDB measurement.' },
      { name: 'tags', type: 'string[]', required: false, example: '["country"]', description: 'Fields written as tags; they must exist in every emitted stream.' },
    ],
    description: 'Writes points to InfluxDB.',
  },
  { name: 'kafka', direction: 'sink', params: [topic], description: 'Writes JSON records to a Kafka topic.' },
  {
    name: 'dashboard',
    direction: 'sink',
    params: [{ name: 'channel', type: 'string', required: false, example: '"metrics"', description: 'WebSocket channel.' }],
    description: 'Pushes records to the live dashboard over WebSocket.',
  },
  { name: 'log', direction: 'sink', params: [], description: 'Appends records to the embedded log.' },
  { name: 'file', direction: 'sink', params: [path], description: 'Appends JSON lines to a file.' },
];

export const SOURCE_CONNECTORS: ReadonlyMap<string, ConnectorSpec> = new Map(sources.map((c) => [c.name, c]));
export const SINK_CONNECTORS: ReadonlyMap<string, ConnectorSpec> = new Map(sinks.map((c) => [c.name, c]));

export function connectorSignature(spec: ConnectorSpec): string {
  return `${spec.name}(${spec.params.map((p) => `${p.name}${p.required ? '' : '?'}: ${p.type}`).join(', ')})`;
}

/** A connector call with its arguments bound to parameters. */
export interface BoundConnector {
  readonly spec: ConnectorSpec;
  readonly args: ReadonlyMap<string, ast.Argument>;
}

/** Checks `call` as a connector of `direction`; returns the binding when the connector is known. */
export function checkConnector(
  ctx: Context,
  checker: ExpressionChecker,
  call: ast.ConnectorCall | null,
  direction: ConnectorDirection,
): BoundConnector | undefined {
  if (call === null) return undefined;
  const own = direction === 'source' ? SOURCE_CONNECTORS : SINK_CONNECTORS;
  const other = direction === 'source' ? SINK_CONNECTORS : SOURCE_CONNECTORS;
  const name = call.name.name;
  const spec = own.get(name);
  if (spec === undefined) {
    for (const arg of call.args) checker.check(arg.value, CONSTANT_SCOPE);
    if (name === '') return undefined;
    if (other.has(name)) {
      if (direction === 'source') ctx.report.add('connector_not_source', call.name.span, name, [...own.keys()]);
      else ctx.report.add('connector_not_sink', call.name.span, name, [...own.keys()]);
    } else ctx.report.add('connector_unknown', call.name.span, name, direction, [...own.keys()]);
    return undefined;
  }
  const bound = new Map<string, ast.Argument>();
  let named = false;
  let position = 0;
  for (const arg of call.args) {
    let param: ConnectorParam | undefined;
    if (arg.name !== null) {
      named = true;
      if (!present(arg.name)) continue;
      param = spec.params.find((p) => p.name === arg.name?.name);
      if (param === undefined) {
        ctx.report.add('connector_param_unknown', arg.name.span, arg.name.name, name, spec.params.map((p) => p.name));
        checker.check(arg.value, CONSTANT_SCOPE);
        continue;
      }
    } else {
      if (named) {
        ctx.report.add('connector_arg_positional_after_named', arg.span, name);
        checker.check(arg.value, CONSTANT_SCOPE);
        continue;
      }
      param = spec.params[position++];
      if (param === undefined) {
        ctx.report.add('connector_args_too_many', arg.span, name, connectorSignature(spec));
        checker.check(arg.value, CONSTANT_SCOPE);
        continue;
      }
    }
    if (bound.has(param.name)) {
      ctx.report.add('connector_param_duplicate', arg.span, param.name, name);
      checker.check(arg.value, CONSTANT_SCOPE);
      continue;
    }
    bound.set(param.name, arg);
    checkArgument(ctx, checker, spec, param, arg);
  }
  for (const param of spec.params) {
    if (param.required && !bound.has(param.name)) ctx.report.add('connector_param_missing', call.span, param.name, name, param.example);
  }
  return { spec, args: bound };
}

const EXPECTED: Readonly<Record<ParamType, string>> = {
  string: 'a string literal',
  int: 'an integer literal',
  number: 'a number literal',
  'string[]': 'a list of string literals',
};

function checkArgument(ctx: Context, checker: ExpressionChecker, spec: ConnectorSpec, param: ConnectorParam, arg: ast.Argument): void {
  const value = arg.value;
  if (value === null) return;
  if (!isConstant(value)) {
    checker.check(value, CONSTANT_SCOPE.with({ opaque: true }));
    ctx.report.add('connector_param_type', value.span, param.name, spec.name, EXPECTED[param.type], `\`${renderExpr(value)}\``);
    return;
  }
  const expected: Type | undefined = param.type === 'string[]' ? { kind: 'list', element: STRING } : undefined;
  const type = checker.check(value, CONSTANT_SCOPE, expected).type;
  if (type.kind === 'error') return;
  if (!fits(param.type, type)) {
    ctx.report.add('connector_param_type', value.span, param.name, spec.name, EXPECTED[param.type], `\`${typeToString(type)}\``);
    return;
  }
  if (param.positive === true) {
    const n = numberValue(value);
    if (n !== undefined && n <= 0) ctx.report.add('connector_param_invalid', value.span, param.name, spec.name, 'greater than zero');
  }
}

function fits(param: ParamType, type: Type): boolean {
  switch (param) {
    case 'string':
      return isPrimitive(type, 'string');
    case 'int':
      return isPrimitive(type, 'int');
    case 'number':
      return isPrimitive(type, 'int', 'float');
    case 'string[]':
      return type.kind === 'list' && (isPrimitive(type.element, 'string') || type.element.kind === 'error');
  }
}

/** Literals, negated number literals and lists of them. */
function isConstant(expr: ast.Expr): boolean {
  switch (expr.kind) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
    case 'DurationLiteral':
    case 'NullLiteral':
      return true;
    case 'UnaryExpr':
      return expr.operator === '-' && expr.operand?.kind === 'NumberLiteral';
    case 'ListLiteral':
      return expr.elements.every(isConstant);
    default:
      return false;
  }
}

function numberValue(expr: ast.Expr): number | undefined {
  if (expr.kind === 'NumberLiteral') return expr.value;
  if (expr.kind === 'UnaryExpr' && expr.operand?.kind === 'NumberLiteral') return -expr.operand.value;
  return undefined;
}

/** The string value of a bound literal argument (`measurement: "m"` → `m`). */
export function stringArgument(bound: BoundConnector | undefined, name: string): string | undefined {
  const value = bound?.args.get(name)?.value;
  return value?.kind === 'StringLiteral' ? value.value : undefined;
}

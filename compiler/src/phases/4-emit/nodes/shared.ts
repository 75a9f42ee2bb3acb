// What the per-node emitters share: the pipeline file being written, unique names, the output type
// of every node emitted so far, and helpers for keys, connectors and node descriptors.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { SINK_CONNECTORS, SOURCE_CONNECTORS } from '../../2-analyze/connectors.ts';
import type { Type } from '../../2-analyze/types.ts';
import type { ConnectorRef, PlanNode, RenderedExpr } from '../../3-plan/plan.ts';
import type { EmitContext } from '../context.ts';
import { EmitError } from '../context.ts';
import { exprNullable, renderExpr, type ExprScope } from '../expressions.ts';
import { camel, commentText, constantCase, NameScope, numberLiteral, propertyName, quote } from '../naming.ts';
import { CodeWriter } from '../writer.ts';

/** The output of a partial aggregate: slot states, only read by its final node. */
export const PARTIAL_OUTPUT = '(partial aggregates)';

export interface Param {
  readonly name: string;
  readonly type: string;
}

export class PipelineEmitter {
  readonly ctx: EmitContext;
  readonly out = new CodeWriter();
  readonly #names: NameScope;
  readonly #outputTypes = new Map<string, string>();
  /** Node descriptor constants, in plan order: the `topology.nodes` list. */
  readonly nodeConsts: string[] = [];
  /** Names shared by the nodes of one declaration (aggregate slots, finish functions, …). */
  readonly #shared = new Map<string, string>();
  #sectionStart = false;

  constructor(ctx: EmitContext, reserved: Iterable<string>) {
    this.ctx = ctx;
    this.#names = new NameScope(reserved);
  }

  /** A unique module-level name. */
  name(wanted: string): string {
    return this.#names.take(wanted);
  }

  /** A name shared by several nodes of one declaration: taken once, then returned again. */
  sharedName(key: string, wanted: string): { readonly name: string; readonly first: boolean } {
    const known = this.#shared.get(key);
    if (known !== undefined) return { name: known, first: false };
    const name = this.name(wanted);
    this.#shared.set(key, name);
    return { name, first: true };
  }

  setOutputType(node: PlanNode, type: string): void {
    this.#outputTypes.set(node.id, type);
  }

  outputType(id: string): string {
    const type = this.#outputTypes.get(id);
    if (type === undefined) throw new EmitError(`the type of \`${id}\` is needed before it is emitted`);
    return type;
  }

  /** The record type flowing into `node` (its first main input). */
  inputType(node: PlanNode): string {
    return this.outputType(this.ctx.inputOf(node.id).id);
  }

  /** The record type a declaration's stream carries. */
  streamType(name: string): string {
    return this.ctx.types.streamType(name);
  }

  /** The id of the node producing a declaration's stream. */
  outputNodeOf(stream: string): string {
    const decl = this.ctx.plan.declarations.find((d) => d.name === stream && d.kind !== 'emit');
    if (decl?.output === null || decl?.output === undefined) throw new EmitError(`no node produces \`${stream}\``);
    return decl.output;
  }

  /** Whether `node` produces its declaration's stream. */
  isDeclarationOutput(node: PlanNode): boolean {
    return this.ctx.plan.declarations.some((d) => d.output === node.id);
  }

  /** `// file.flow:12:3` and what the node is, starting its section. */
  section(node: PlanNode, description: string): void {
    this.out.blankLine();
    this.out.line(`// ${this.ctx.location(node.span)}`);
    this.out.line(`// ${commentText(description)}`);
    this.#sectionStart = true;
  }

  /** A blank line between the items of a section (not after its heading). */
  #separate(): void {
    if (!this.#sectionStart) this.out.blankLine();
    this.#sectionStart = false;
  }

  /**
   * An exported function. `body` writes statements; constants it hoists (list literals) are
   * declared just before the function.
   */
  fn(
    name: string,
    params: readonly Param[] | (() => readonly Param[]),
    returnType: string,
    body: (out: CodeWriter, hoist: NonNullable<ExprScope['hoist']>) => void,
    doc?: string,
  ): void {
    const inner = new CodeWriter();
    const constants: string[] = [];
    const hoisted = new Map<string, string>();
    const hoist = (code: string, type: string): string => {
      const known = hoisted.get(code);
      if (known !== undefined) return known;
      const constName = this.name(`${constantCase(name)}_VALUES`);
      hoisted.set(code, constName);
      constants.push(`const ${constName}: ${type} = ${code};`);
      return constName;
    };
    body(inner, hoist);
    // Parameters may depend on what the body used (a step condition reads `match` or not).
    const list = typeof params === 'function' ? params() : params;
    this.#separate();
    for (const c of constants) this.out.line(c);
    if (doc !== undefined) this.out.doc(doc);
    this.out.block(`export function ${name}(${list.map((p) => `${p.name}: ${p.type}`).join(', ')}): ${returnType}`, () => {
      this.out.append(inner);
    });
  }

  /** A one-expression function of one record: `export function f(event: T): R { return …; }` */
  recordFn(name: string, param: Param, returnType: string, expr: (scope: ExprScope) => string, doc?: string): void {
    this.fn(name, [param], returnType, (out, hoist) => out.line(`return ${expr({ record: param.name, hoist })};`), doc);
  }

  /** The node's descriptor: `export const xNode: rt.Kind<…> = { kind, id, name, stage, parallelism, …fields };` */
  nodeConst(node: PlanNode, type: string, fields: readonly (readonly [string, string])[]): string {
    const name = this.name(`${camel(node.id)}Node`);
    this.#separate();
    this.out.block(`export const ${name}: ${type} =`, () => {
      this.out.line(`kind: ${quote(node.kind)},`);
      this.out.line(`id: ${quote(node.id)},`);
      this.out.line(`name: ${quote(node.name)},`);
      this.out.line(`stage: ${node.stage},`);
      this.out.line(`parallelism: ${quote(node.parallelism)},`);
      for (const [key, value] of fields) this.#property(key, value);
    }, ';');
    this.nodeConsts.push(name);
    return name;
  }

  #property(key: string, value: string): void {
    const lines = value.split('\n');
    if (lines.length === 1) {
      this.out.line(`${propertyName(key)}: ${value},`);
      return;
    }
    this.out.line(`${propertyName(key)}: ${lines[0]}`);
    this.out.indented(() => {
      for (const l of lines.slice(1, -1)) this.out.line(l);
    });
    this.out.line(`${lines[lines.length - 1]},`);
  }

  /** Starts a section item written directly to `out` (a constant). */
  item(): void {
    this.#separate();
  }

  /** The parameter name for records of a node's input: `row` for aggregate rows, else `event`. */
  recordParam(inputNode: PlanNode): string {
    return inputNode.kind === 'windowAggregate' ? 'row' : 'event';
  }

  /**
   * The state-key text of key expressions over `scope.record`: a non-null string as it is, other
   * scalars through `rt.keyText`, several columns through `rt.compositeKey`.
   */
  keyText(keys: readonly RenderedExpr[], scope: ExprScope): string {
    const columns = keys.map((k) => ({ code: renderExpr(this.ctx, k.expr, scope), expr: k.expr }));
    if (columns.length === 1 && columns[0] !== undefined) {
      const only = columns[0];
      return isString(this.exprType(only.expr)) && !exprNullable(this.ctx, only.expr) ? only.code : `rt.keyText(${only.code})`;
    }
    return `rt.compositeKey([${columns.map((c) => c.code).join(', ')}])`;
  }

  exprType(expr: ast.Expr): Type {
    const type = this.ctx.analyzed.types.get(expr);
    if (type === undefined) throw new EmitError(`the checker left \`${this.ctx.flowText(expr.span)}\` untyped`);
    return type;
  }

  /** A connector call as a runtime configuration literal. */
  connector(ref: ConnectorRef, direction: 'source' | 'sink'): string {
    return connectorConfig(ref, direction);
  }
}

/** A connector call as a runtime configuration literal: `{ connector: 'kafka', topic: 't' }`. */
export function connectorConfig(ref: ConnectorRef, direction: 'source' | 'sink'): string {
  const spec = (direction === 'source' ? SOURCE_CONNECTORS : SINK_CONNECTORS).get(ref.name);
  const fields = [`connector: ${quote(ref.name)}`];
  ref.args.forEach((arg, i) => {
    const name = arg.name ?? spec?.params[i]?.name;
    if (name === undefined || arg.value === null) throw new EmitError(`cannot place argument ${i + 1} of \`${ref.text}\``);
    fields.push(`${propertyName(name)}: ${constant(arg.value.expr)}`);
  });
  return `{ ${fields.join(', ')} }`;
}

function isString(type: Type): boolean {
  return (type.kind === 'primitive' && type.name === 'string') || type.kind === 'enum';
}

/** A literal connector argument as TypeScript. */
function constant(expr: ast.Expr): string {
  switch (expr.kind) {
    case 'StringLiteral':
      return quote(expr.value);
    case 'NumberLiteral':
      return numberLiteral(expr.value);
    case 'BooleanLiteral':
      return String(expr.value);
    case 'DurationLiteral':
      return numberLiteral(expr.millis);
    case 'NullLiteral':
      return 'null';
    case 'UnaryExpr':
      if (expr.operator === '-' && expr.operand?.kind === 'NumberLiteral') return numberLiteral(-expr.operand.value);
      break;
    case 'ListLiteral':
      return `[${expr.elements.map(constant).join(', ')}]`;
    default:
      break;
  }
  throw new EmitError('a connector argument is not a literal');
}

/** A duration as `.flow` writes it: `30m`, `5s`, `1500ms`. */
export function formatMs(value: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (value !== 0 && value % size === 0) return `${value / size}${unit}`;
  }
  return `${value}ms`;
}

/** `1_800_000` */
export function ms(value: number): string {
  return numberLiteral(value);
}

/** A multi-line object literal for a node field (`{`, one `key: value,` per line, `}`). */
export function objectLiteral(fields: readonly (readonly [string, string])[]): string {
  if (fields.length === 0) return '{}';
  const oneLine = `{ ${fields.map(([k, v]) => `${propertyName(k)}: ${v}`).join(', ')} }`;
  if (oneLine.length <= 90 && !oneLine.includes('\n')) return oneLine;
  const lines = ['{'];
  for (const [k, v] of fields) {
    const parts = v.split('\n');
    lines.push(`  ${propertyName(k)}: ${parts[0]}${parts.length === 1 ? ',' : ''}`);
    for (const p of parts.slice(1, -1)) lines.push(`  ${p}`);
    if (parts.length > 1) lines.push(`  ${parts[parts.length - 1]},`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** A multi-line array literal of already rendered elements. */
export function arrayLiteral(elements: readonly string[]): string {
  if (elements.length === 0) return '[]';
  const oneLine = `[${elements.join(', ')}]`;
  if (oneLine.length <= 90 && !oneLine.includes('\n')) return oneLine;
  const lines = ['['];
  for (const e of elements) {
    const parts = e.split('\n');
    lines.push(`  ${parts[0]}${parts.length === 1 ? ',' : ''}`);
    for (const p of parts.slice(1, -1)) lines.push(`  ${p}`);
    if (parts.length > 1) lines.push(`  ${parts[parts.length - 1]},`);
  }
  lines.push(']');
  return lines.join('\n');
}

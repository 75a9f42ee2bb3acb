// `.flow` expressions → TypeScript expressions.
//
// Names resolve through the checker's resolutions and an `ExprScope` that says what the current
// record is called and how group keys, measures, window bounds and pattern steps read at this
// place. Operators print with the fewest parentheses TypeScript's precedence allows (`??` is
// always parenthesised next to `&&`/`||`, which TypeScript requires).
//
// Null handling follows the checker: only `?.`, `??`, `== null` / `!= null` and template holes
// may see null (everything else was rejected as `value_nullable`). `?.` can produce `undefined`
// in TypeScript where `.flow` has `null`; `storedValue` adds `?? null` where such a value is stored.
import type * as ast from '../../../../dsl/src/ast.ts';
import { AGGREGATE_FUNCTIONS } from '../2-analyze/functions.ts';
import type { Resolution } from '../2-analyze/model.ts';
import type { Type } from '../2-analyze/types.ts';
import type { EmitContext } from './context.ts';
import { EmitError } from './context.ts';
import { member, numberLiteral, quote, templateText } from './naming.ts';

export interface ExprScope {
  /** The variable holding the record whose fields bare names read (`event`, `row`); `null`: none. */
  readonly record: string | null;
  /** How a name reads here when it is not a plain field of `record` (group keys, measures, steps, window bounds). */
  readonly name?: (name: ast.NameExpr, resolution: Resolution | undefined) => string | undefined;
  /** Aggregate calls of measures and `having`: the slot read (`values.a0`). */
  readonly aggregateCall?: (call: ast.CallExpr) => string;
  /** Alert templates: a plain `.` on a nullable value reads as `?.` (missing values render empty). */
  readonly template?: boolean;
  /** Hoists a constant (a list literal) out of the per-record code; returns the name to use. */
  readonly hoist?: (code: string, type: string) => string;
}

// TypeScript operator precedence, higher binds tighter.
const COND = 2;
const COALESCE = 3;
const OR = 4;
const AND = 5;
const EQUALITY = 10;
const RELATIONAL = 11;
const ADDITIVE = 13;
const MULTIPLICATIVE = 14;
const UNARY = 15;
const POSTFIX = 17;
const PRIMARY = 18;

interface Code {
  readonly text: string;
  readonly prec: number;
}

const code = (text: string, prec: number): Code => ({ text, prec });

/** The TypeScript source of `expr`. */
export function renderExpr(ctx: EmitContext, expr: ast.Expr, scope: ExprScope): string {
  return new Renderer(ctx, scope).render(expr).text;
}

/** The negation of a condition: `a !== b` for `a == b`, else `!(…)`. */
export function renderNegated(ctx: EmitContext, expr: ast.Expr, scope: ExprScope): string {
  if (expr.kind === 'BinaryExpr' && (expr.operator === '==' || expr.operator === '!=')) {
    const flipped: ast.BinaryExpr = { ...expr, operator: expr.operator === '==' ? '!=' : '==' };
    return new Renderer(ctx, scope).render(flipped).text;
  }
  if (expr.kind === 'UnaryExpr' && expr.operator === 'not' && expr.operand !== null) return new Renderer(ctx, scope).render(expr.operand).text;
  return `!${parenthesize(new Renderer(ctx, scope).render(expr), UNARY)}`;
}

/**
 * `expr` as a value to store in a typed `T | null` slot (a derived field, a key column, a measure):
 * `?? null` is added when TypeScript would see `undefined` (after `?.`).
 */
export function storedValue(ctx: EmitContext, expr: ast.Expr, scope: ExprScope): string {
  const renderer = new Renderer(ctx, scope);
  const rendered = renderer.render(expr);
  if (!mayBeUndefined(ctx, expr, scope)) return rendered.text;
  return `${parenthesize(rendered, COALESCE + 1, true)} ?? null`;
}

/** A template string as a TypeScript template literal; nullable holes render as empty text. */
export function renderTemplate(ctx: EmitContext, template: ast.TemplateString, scope: ExprScope): string {
  if (template.parts.every((p) => typeof p === 'string')) return quote(template.parts.join(''));
  const renderer = new Renderer(ctx, { ...scope, template: true });
  let out = '`';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += templateText(part);
      continue;
    }
    const hole = renderer.render(part);
    const nullable = exprNullable(ctx, part) || mayBeUndefined(ctx, part, { ...scope, template: true });
    const type = ctx.analyzed.types.get(part);
    // Timestamps read as ISO 8601 and durations as written (`5s`), like `to_string`.
    const text = type?.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'duration') ? `rt.${type.name}Text` : null;
    if (text !== null) out += nullable ? `\${${hole.text} == null ? '' : ${text}(${hole.text})}` : `\${${text}(${hole.text})}`;
    else out += nullable ? `\${${parenthesize(hole, COALESCE + 1, true)} ?? ''}` : `\${${hole.text}}`;
  }
  return `${out}\``;
}

/**
 * Whether the value of `expr` may be null: the checker's verdict, or for expressions it did not
 * type (none in a checked program, but the emitter does not rely on it) the same rules re-derived.
 */
export function exprNullable(ctx: EmitContext, expr: ast.Expr): boolean {
  return ctx.checkedNullable(expr) ?? inferNullable(ctx, expr);
}

function inferNullable(ctx: EmitContext, expr: ast.Expr): boolean {
  switch (expr.kind) {
    case 'NullLiteral':
      return true;
    case 'NameExpr': {
      const resolution = ctx.analyzed.resolutions.get(expr);
      if (resolution === undefined) return false;
      switch (resolution.kind) {
        case 'field':
          return resolution.record.fields.find((f) => f.name === resolution.field)?.optional ?? false;
        case 'patternStep':
          return resolution.step.quantifier !== null && resolution.step.quantifier.min === 0;
        case 'groupKey':
          return resolution.key.value !== null && exprNullable(ctx, resolution.key.value);
        case 'measure':
          return resolution.measure.value !== null && exprNullable(ctx, resolution.measure.value);
        case 'enumMember':
          return false;
      }
      return false;
    }
    case 'MemberExpr':
      return exprNullable(ctx, expr.object) || fieldOptional(ctx, expr);
    case 'BinaryExpr':
      return expr.operator === '??' && expr.right !== null && exprNullable(ctx, expr.right);
    case 'CallExpr': {
      if (expr.callee.name === 'if') return expr.args.slice(1).some((a) => exprNullable(ctx, a));
      const aggregate = AGGREGATE_FUNCTIONS.get(expr.callee.name);
      if (aggregate === undefined || !aggregate.nullWhenEmpty) return false;
      const value = expr.args[0];
      return expr.filter !== null || (value !== undefined && exprNullable(ctx, value));
    }
    default:
      return false;
  }
}

/** Whether TypeScript sees `undefined` in the value of `expr` (a `?.` that may short-circuit). */
function mayBeUndefined(ctx: EmitContext, expr: ast.Expr, scope: ExprScope): boolean {
  switch (expr.kind) {
    case 'MemberExpr':
      return ((expr.optional || scope.template === true) && exprNullable(ctx, expr.object)) || mayBeUndefined(ctx, expr.object, scope);
    case 'BinaryExpr':
      return expr.operator === '??' && expr.right !== null && mayBeUndefined(ctx, expr.right, scope);
    case 'CallExpr':
      return expr.callee.name === 'if' && expr.args.slice(1).some((a) => mayBeUndefined(ctx, a, scope));
    default:
      return false;
  }
}

function fieldOptional(ctx: EmitContext, expr: ast.MemberExpr): boolean {
  const objectType = ctx.analyzed.types.get(expr.object);
  if (objectType?.kind !== 'record') return false;
  return objectType.fields.find((f) => f.name === expr.property.name)?.optional ?? false;
}

function parenthesize(c: Code, minPrec: number, noLogical = false): string {
  const needs = c.prec < minPrec || (noLogical && (c.prec === OR || c.prec === AND));
  return needs ? `(${c.text})` : c.text;
}

class Renderer {
  constructor(
    private readonly ctx: EmitContext,
    private readonly scope: ExprScope,
  ) {}

  render(expr: ast.Expr | null): Code {
    if (expr === null) throw new EmitError('an incomplete expression reached the emitter');
    switch (expr.kind) {
      case 'NumberLiteral':
        return code(numberLiteral(expr.value, !expr.integer), expr.value < 0 ? UNARY : PRIMARY);
      case 'StringLiteral':
        return code(quote(expr.value), PRIMARY);
      case 'TemplateString':
        return code(renderTemplate(this.ctx, expr, this.scope), PRIMARY);
      case 'BooleanLiteral':
        return code(String(expr.value), PRIMARY);
      case 'NullLiteral':
        return code('null', PRIMARY);
      case 'DurationLiteral':
        return code(numberLiteral(expr.millis), PRIMARY);
      case 'ListLiteral':
        return this.#list(expr);
      case 'NameExpr':
        return code(this.#name(expr), POSTFIX);
      case 'MemberExpr': {
        const object = this.render(expr.object);
        const optional = expr.optional || (this.scope.template === true && exprNullable(this.ctx, expr.object));
        return code(member(parenthesize(object, POSTFIX), expr.property.name, optional), POSTFIX);
      }
      case 'CallExpr':
        return this.#call(expr);
      case 'UnaryExpr': {
        const operand = this.render(expr.operand);
        if (expr.operator === 'not') return code(`!${parenthesize(operand, UNARY)}`, UNARY);
        const text = parenthesize(operand, UNARY);
        return code(text.startsWith('-') ? `-(${text})` : `-${text}`, UNARY);
      }
      case 'BinaryExpr':
        return this.#binary(expr);
    }
  }

  #name(expr: ast.NameExpr): string {
    const resolution = this.ctx.analyzed.resolutions.get(expr);
    const custom = this.scope.name?.(expr, resolution);
    if (custom !== undefined) return custom;
    if (resolution?.kind === 'enumMember') return quote(resolution.member);
    if (resolution === undefined || resolution.kind === 'field') {
      if (this.scope.record === null) throw new EmitError(`\`${expr.name}\` has no record to read from here`);
      return member(this.scope.record, resolution?.field ?? expr.name);
    }
    throw new EmitError(`\`${expr.name}\` (${resolution.kind}) cannot be used here`);
  }

  #list(expr: ast.ListLiteral): Code {
    const elements = expr.elements.map((e) => this.render(e).text);
    const text = `[${elements.join(', ')}]`;
    const constant = expr.elements.every((e) => isLiteral(e, this.ctx));
    if (constant && this.scope.hoist !== undefined) {
      const type = this.ctx.analyzed.types.get(expr);
      return code(this.scope.hoist(text, type === undefined ? 'readonly unknown[]' : this.ctx.types.tsType(type)), PRIMARY);
    }
    return code(text, PRIMARY);
  }

  #binary(expr: ast.BinaryExpr): Code {
    const left = this.render(expr.left);
    const right = this.render(expr.right);
    const leftNullable = expr.left !== null && exprNullable(this.ctx, expr.left);
    const bin = (op: string, prec: number): Code => code(`${parenthesize(left, prec)} ${op} ${parenthesize(right, prec + 1)}`, prec);
    switch (expr.operator) {
      case 'or':
        return bin('||', OR);
      case 'and':
        return bin('&&', AND);
      case '==':
      case '!=': {
        const negate = expr.operator === '!=';
        if (expr.right?.kind === 'NullLiteral' || expr.left?.kind === 'NullLiteral') {
          const value = expr.right?.kind === 'NullLiteral' ? left : right;
          return code(`${parenthesize(value, EQUALITY)} ${negate ? '!=' : '=='} null`, EQUALITY);
        }
        return bin(negate ? '!==' : '===', EQUALITY);
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return bin(expr.operator, RELATIONAL);
      case '??':
        return code(`${parenthesize(left, COALESCE, true)} ?? ${parenthesize(right, COALESCE + 1, true)}`, COALESCE);
      case '+':
      case '-':
        return bin(expr.operator, ADDITIVE);
      case '*':
      case '/':
      case '%':
        return bin(expr.operator, MULTIPLICATIVE);
      case 'in':
        return leftNullable
          ? code(`rt.isOneOf(${left.text}, ${right.text})`, POSTFIX)
          : code(`${parenthesize(right, POSTFIX)}.includes(${left.text})`, POSTFIX);
      case 'starts with':
        return leftNullable
          ? code(`rt.startsWith(${left.text}, ${right.text})`, POSTFIX)
          : code(`${parenthesize(left, POSTFIX)}.startsWith(${right.text})`, POSTFIX);
      case 'contains':
        return leftNullable
          ? code(`rt.contains(${left.text}, ${right.text})`, POSTFIX)
          : code(`${parenthesize(left, POSTFIX)}.includes(${right.text})`, POSTFIX);
    }
  }

  #call(expr: ast.CallExpr): Code {
    const name = expr.callee.name;
    if (AGGREGATE_FUNCTIONS.has(name)) {
      if (this.scope.aggregateCall === undefined) throw new EmitError(`aggregate \`${name}\` outside a measure`);
      return code(this.scope.aggregateCall(expr), POSTFIX);
    }
    const args = expr.args.map((a) => this.render(a));
    const arg = (i: number): Code => {
      const a = args[i];
      if (a === undefined) throw new EmitError(`\`${name}\` is missing argument ${i + 1}`);
      return a;
    };
    const fn = (f: string): Code => code(`${f}(${args.map((a) => a.text).join(', ')})`, POSTFIX);
    switch (name) {
      case 'if':
        return code(`${parenthesize(arg(0), COND + 1)} ? ${parenthesize(arg(1), COND)} : ${parenthesize(arg(2), COND)}`, COND);
      case 'lower':
        return code(`${parenthesize(arg(0), POSTFIX)}.toLowerCase()`, POSTFIX);
      case 'upper':
        return code(`${parenthesize(arg(0), POSTFIX)}.toUpperCase()`, POSTFIX);
      case 'trim':
        return code(`${parenthesize(arg(0), POSTFIX)}.trim()`, POSTFIX);
      case 'length':
        return code(`${parenthesize(arg(0), POSTFIX)}.length`, POSTFIX);
      case 'concat':
        return code(args.map((a) => parenthesize(a, ADDITIVE + 1)).join(' + '), ADDITIVE);
      case 'substring':
        return fn('rt.substring');
      case 'abs':
        return fn('Math.abs');
      case 'round':
        return fn('rt.roundHalfAway');
      case 'floor':
        return fn('Math.floor');
      case 'ceil':
        return fn('Math.ceil');
      case 'sqrt':
        return fn('Math.sqrt');
      case 'pow':
        return fn('Math.pow');
      case 'to_int':
        return fn('Math.trunc');
      case 'to_float':
      case 'millis':
      case 'from_millis':
        return arg(0);
      case 'seconds':
        return code(`${parenthesize(arg(0), MULTIPLICATIVE)} / 1000`, MULTIPLICATIVE);
      case 'to_string':
        return this.#toString(expr, arg(0));
      case 'now':
        return code('Date.now()', POSTFIX);
      case 'hour_of_day':
        return fn('rt.hourOfDay');
      case 'day_of_week':
        return fn('rt.dayOfWeek');
      default:
        throw new EmitError(`no TypeScript for the function \`${name}\``);
    }
  }

  #toString(expr: ast.CallExpr, value: Code): Code {
    const argument = expr.args[0];
    const type: Type | undefined = argument === undefined ? undefined : this.ctx.analyzed.types.get(argument);
    if (type?.kind === 'primitive') {
      switch (type.name) {
        case 'string':
          return value;
        case 'timestamp':
          return code(`rt.timestampText(${value.text})`, POSTFIX);
        case 'duration':
          return code(`rt.durationText(${value.text})`, POSTFIX);
        default:
          return code(`String(${value.text})`, POSTFIX);
      }
    }
    if (type?.kind === 'enum') return value;
    return code(`String(${value.text})`, POSTFIX);
  }
}

/** Literals (and enum members): list literals made of them are hoisted to module constants. */
function isLiteral(expr: ast.Expr, ctx: EmitContext): boolean {
  switch (expr.kind) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'DurationLiteral':
      return true;
    case 'NameExpr':
      return ctx.analyzed.resolutions.get(expr)?.kind === 'enumMember';
    case 'UnaryExpr':
      return expr.operator === '-' && expr.operand?.kind === 'NumberLiteral';
    default:
      return false;
  }
}

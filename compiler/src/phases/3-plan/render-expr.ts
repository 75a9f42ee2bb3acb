// Expressions (and templates, connector calls) back to `.flow` source text.
//
// The rendering is canonical: one space around binary operators, parentheses only where the
// grammar's precedence needs them, numbers and strings written the way the lexer reads them.
// Two expressions that render alike are the same expression for the planner (this is how keys
// are compared), so the output must not depend on how the source was spaced or parenthesised.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { ConnectorRef, RenderedExpr } from './plan.ts';

/** What a child missing from a recovered parse renders as. */
const MISSING = '<?>';

// Binding strength, loosest first (docs/grammar.md, "Expressions").
const OR = 1;
const AND = 2;
const NOT = 3;
const COMPARISON = 4;
const COALESCE = 5;
const ADDITIVE = 6;
const MULTIPLICATIVE = 7;
const NEGATION = 8;
const POSTFIX = 9;
const PRIMARY = 10;

function binaryPrecedence(operator: ast.BinaryOperator): number {
  switch (operator) {
    case 'or':
      return OR;
    case 'and':
      return AND;
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'in':
    case 'starts with':
    case 'contains':
      return COMPARISON;
    case '??':
      return COALESCE;
    case '+':
    case '-':
      return ADDITIVE;
    case '*':
    case '/':
    case '%':
      return MULTIPLICATIVE;
  }
}

function precedence(expr: ast.Expr): number {
  switch (expr.kind) {
    case 'BinaryExpr':
      return binaryPrecedence(expr.operator);
    case 'UnaryExpr':
      return expr.operator === 'not' ? NOT : NEGATION;
    case 'MemberExpr':
      return POSTFIX;
    default:
      return PRIMARY;
  }
}

export function renderExpr(expr: ast.Expr | null): string {
  if (expr === null) return MISSING;
  switch (expr.kind) {
    case 'NumberLiteral':
      return renderNumber(expr);
    case 'StringLiteral':
      return quote(expr.value, false);
    case 'TemplateString':
      return renderTemplate(expr);
    case 'BooleanLiteral':
      return expr.value ? 'true' : 'false';
    case 'NullLiteral':
      return 'null';
    case 'DurationLiteral':
      return expr.text;
    case 'ListLiteral':
      return `[${expr.elements.map(renderExpr).join(', ')}]`;
    case 'NameExpr':
      return expr.name;
    case 'MemberExpr':
      return `${operand(expr.object, POSTFIX)}${expr.optional ? '?.' : '.'}${expr.property.name}`;
    case 'CallExpr': {
      const args = expr.args.map(renderExpr).join(', ');
      const filter = expr.filter === null ? '' : `${args === '' ? '' : ' '}where ${renderExpr(expr.filter)}`;
      return `${expr.callee.name}(${args}${filter})`;
    }
    case 'UnaryExpr':
      return expr.operator === 'not'
        ? `not ${operand(expr.operand, NOT)}`
        : `-${operand(expr.operand, NEGATION)}`;
    case 'BinaryExpr': {
      const p = binaryPrecedence(expr.operator);
      // Left-associative: the left side may bind as loosely as the operator, the right side may
      // not. Comparisons do not chain at all, so neither side may be a comparison.
      const leftMin = p === COMPARISON ? p + 1 : p;
      return `${operand(expr.left, leftMin)} ${expr.operator} ${operand(expr.right, p + 1)}`;
    }
  }
}

/** `expr`, parenthesised when it binds more loosely than `min`. */
function operand(expr: ast.Expr | null, min: number): string {
  if (expr === null) return MISSING;
  const text = renderExpr(expr);
  return precedence(expr) < min ? `(${text})` : text;
}

function renderNumber(literal: ast.NumberLiteral): string {
  const text = String(literal.value);
  if (literal.integer || /[.eE]/.test(text) || !Number.isFinite(literal.value)) return text;
  return `${text}.0`; // a float written `1.0` stays a float
}

function quote(value: string, template: boolean): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (template && (ch === '{' || ch === '}')) out += `\\${ch}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `"User {userId} viewed only one page"`: literal braces escaped, holes as `{path}`. */
export function renderTemplate(template: ast.TemplateString): string {
  const inner = template.parts
    .map((part) => (typeof part === 'string' ? quote(part, true).slice(1, -1) : `{${renderExpr(part)}}`))
    .join('');
  return `"${inner}"`;
}

export function rendered(expr: ast.Expr): RenderedExpr {
  return { expr, text: renderExpr(expr) };
}

export function renderConnector(call: ast.ConnectorCall): ConnectorRef {
  const args = call.args.map((arg) => ({
    name: arg.name === null ? null : arg.name.name,
    value: arg.value === null ? null : rendered(arg.value),
  }));
  const argText = args.map((a) => `${a.name === null ? '' : `${a.name}: `}${a.value === null ? MISSING : a.value.text}`);
  return { name: call.name.name, args, text: `${call.name.name}(${argText.join(', ')})`, call };
}

/** The value of a named connector argument when it is a literal: `topic: "t"` → `"t"`, `partitions: 12` → `12`. */
export function connectorLiteral(connector: ConnectorRef, name: string): string | number | null {
  const arg = connector.args.find((a) => a.name === name);
  const value = arg?.value?.expr;
  if (value === undefined) return null;
  if (value.kind === 'StringLiteral') return value.value;
  if (value.kind === 'NumberLiteral') return value.value;
  return null;
}

/** The names an expression reads (bare names and the first segment of member chains), sorted. */
export function rootNames(expr: ast.Expr | null): string[] {
  const names = new Set<string>();
  const visit = (e: ast.Expr | null): void => {
    if (e === null) return;
    switch (e.kind) {
      case 'NameExpr':
        names.add(e.name);
        return;
      case 'MemberExpr':
        visit(e.object);
        return;
      case 'CallExpr':
        e.args.forEach(visit);
        visit(e.filter);
        return;
      case 'UnaryExpr':
        visit(e.operand);
        return;
      case 'BinaryExpr':
        visit(e.left);
        visit(e.right);
        return;
      case 'ListLiteral':
        e.elements.forEach(visit);
        return;
      case 'TemplateString':
        for (const part of e.parts) if (typeof part !== 'string') visit(part);
        return;
      default:
        return;
    }
  };
  visit(expr);
  return [...names].sort();
}

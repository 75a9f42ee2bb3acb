// `.flow` text of an expression, for messages (`\`pageViewData?.url\` may be null`). Parenthesises
// by precedence; recovered (null) children render as `…`.
import type * as ast from '../../../../dsl/src/ast.ts';

const PRECEDENCE: Readonly<Record<ast.BinaryOperator, number>> = {
  or: 1,
  and: 2,
  '==': 4,
  '!=': 4,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  in: 4,
  'starts with': 4,
  contains: 4,
  '??': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};

const NOT_PRECEDENCE = 3;
const UNARY_MINUS_PRECEDENCE = 8;
const POSTFIX_PRECEDENCE = 9;

export function renderExpr(expr: ast.Expr | null): string {
  return render(expr, 0);
}

function precedenceOf(expr: ast.Expr): number {
  switch (expr.kind) {
    case 'BinaryExpr':
      return PRECEDENCE[expr.operator];
    case 'UnaryExpr':
      return expr.operator === 'not' ? NOT_PRECEDENCE : UNARY_MINUS_PRECEDENCE;
    default:
      return POSTFIX_PRECEDENCE;
  }
}

function render(expr: ast.Expr | null, context: number): string {
  if (expr === null) return '…';
  const text = renderBare(expr);
  return precedenceOf(expr) < context ? `(${text})` : text;
}

function renderBare(expr: ast.Expr): string {
  switch (expr.kind) {
    case 'NumberLiteral':
      return expr.integer || !Number.isInteger(expr.value) ? String(expr.value) : expr.value.toFixed(1);
    case 'StringLiteral':
      return JSON.stringify(expr.value);
    case 'TemplateString':
      return `"${expr.parts.map((p) => (typeof p === 'string' ? p.replace(/[{}]/g, (c) => `\\${c}`) : `{${renderExpr(p)}}`)).join('')}"`;
    case 'BooleanLiteral':
      return String(expr.value);
    case 'NullLiteral':
      return 'null';
    case 'DurationLiteral':
      return expr.text;
    case 'ListLiteral':
      return `[${expr.elements.map((e) => render(e, 0)).join(', ')}]`;
    case 'NameExpr':
      return expr.name;
    case 'MemberExpr':
      return `${render(expr.object, POSTFIX_PRECEDENCE)}${expr.optional ? '?.' : '.'}${expr.property.name}`;
    case 'CallExpr': {
      const args = expr.args.map((a) => render(a, 0)).join(', ');
      const filter = expr.filter === null ? '' : `${args === '' ? '' : ' '}where ${render(expr.filter, 0)}`;
      return `${expr.callee.name}(${args}${filter})`;
    }
    case 'UnaryExpr':
      return expr.operator === 'not'
        ? `not ${render(expr.operand, NOT_PRECEDENCE)}`
        : `-${render(expr.operand, UNARY_MINUS_PRECEDENCE)}`;
    case 'BinaryExpr': {
      const p = PRECEDENCE[expr.operator];
      // Comparisons do not chain: both sides one level tighter. Others are left-associative.
      const leftContext = p === 4 ? p + 1 : p;
      return `${render(expr.left, leftContext)} ${expr.operator} ${render(expr.right, p + 1)}`;
    }
  }
}

/** `a.b.c` for a name or member chain (either `.` or `?.`), else `undefined`. */
export function fieldPath(expr: ast.Expr | null): string[] | undefined {
  if (expr === null) return undefined;
  if (expr.kind === 'NameExpr') return [expr.name];
  if (expr.kind === 'MemberExpr') {
    const head = fieldPath(expr.object);
    return head === undefined ? undefined : [...head, expr.property.name];
  }
  return undefined;
}

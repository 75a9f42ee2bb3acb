// Operator precedence and associativity (docs/grammar.md, "Expressions"), shown as fully
// parenthesized text.
import { describe, expect, it } from 'vitest';
import { parse, type Expr } from '../src/index.ts';

function show(expr: Expr | null): string {
  if (expr === null) return '∅';
  switch (expr.kind) {
    case 'BinaryExpr':
      return `(${show(expr.left)} ${expr.operator} ${show(expr.right)})`;
    case 'UnaryExpr':
      return `(${expr.operator} ${show(expr.operand)})`;
    case 'NameExpr':
      return expr.name;
    case 'MemberExpr':
      return `${show(expr.object)}${expr.optional ? '?.' : '.'}${expr.property.name}`;
    case 'CallExpr':
      return `${expr.callee.name}(${expr.args.map(show).join(', ')}${expr.filter === null ? '' : ` where ${show(expr.filter)}`})`;
    case 'ListLiteral':
      return `[${expr.elements.map(show).join(', ')}]`;
    case 'StringLiteral':
      return JSON.stringify(expr.value);
    case 'NumberLiteral':
      return `${expr.value}${expr.integer ? '' : 'f'}`;
    case 'DurationLiteral':
      return `${expr.millis}ms`;
    case 'BooleanLiteral':
      return String(expr.value);
    case 'NullLiteral':
      return 'null';
    case 'TemplateString':
      return 'template';
  }
}

/** Parses `source` as the condition of a stream's `where`. */
function condition(source: string): { shown: string; problems: number } {
  const { program, problems } = parse(`stream s = e where ${source}`, 'expr.flow');
  const stream = program.declarations[0];
  const where = stream?.kind === 'StreamDecl' ? stream.operations[0] : undefined;
  return { shown: where?.kind === 'WhereClause' ? show(where.condition) : '(none)', problems: problems.length };
}

describe('operator precedence', () => {
  it.each([
    ['a ?? "" starts with "/x"', '((a ?? "") starts with "/x")'],
    ['not a and b', '((not a) and b)'],
    ['a + b * c', '(a + (b * c))'],
    ['a * b + c', '((a * b) + c)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b % c', '((a / b) % c)'],
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c and d', '((a and b) or (c and d))'],
    ['not a == b', '(not (a == b))'],
    ['not not a', '(not (not a))'],
    ['a ?? b + c', '(a ?? (b + c))'],
    ['a ?? b ?? c', '((a ?? b) ?? c)'],
    ['-a.b * 2', '((- a.b) * 2)'],
    ['- -a', '(- (- a))'],
    ['(a + b) * c', '((a + b) * c)'],
    ['a.b?.c.d', 'a.b?.c.d'],
    ['x in [1, 2.5, "z"]', '(x in [1, 2.5f, "z"])'],
    ['a contains "x" or b != null', '((a contains "x") or (b != null))'],
    ['a <= 1 and b >= 2 and c < 3 and d > 4', '((((a <= 1) and (b >= 2)) and (c < 3)) and (d > 4))'],
    ['count(where x > 1) > 0', '(count( where (x > 1)) > 0)'],
    ['sum(x.y where z) / count()', '(sum(x.y where z) / count())'],
    ['if(a, 1.0, 0) * 100', '(if(a, 1f, 0) * 100)'],
    ['t - 5s > 1m', '((t - 5000ms) > 60000ms)'],
    ['true or false and null == x', '(true or (false and (null == x)))'],
    ['a.title == "x"', '(a.title == "x")'],
  ])('%s  ⇒  %s', (source, expected) => {
    expect(condition(source)).toEqual({ shown: expected, problems: 0 });
  });

  it('does not chain comparisons', () => {
    expect(condition('a < b < c').problems).toBe(1);
  });
});

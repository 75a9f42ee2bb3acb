// Expression CST → AST. Each precedence level of parser.ts is one CST node holding `operands` and
// `operators` in source order; they fold left-associatively into BinaryExpr. Spans of composite
// expressions come from the CST operands, so `(a + b) * c` spans from `(` to `c`.
import type { CstNode, IToken } from 'chevrotain';
import type { BinaryOperator, Expr, Position, Span } from './ast.ts';
import { node, nodes, nodeSpan, realToken, spanOfToken, token, tokens } from './cst.ts';
import { durationLiteral, identifier, numberLiteral, stringLiteral } from './literals-ast.ts';
import { emptySpanAt, locationSpan } from './positions.ts';
import { Kw } from './tokens.ts';

/** Any expression-level CST node (from `expression` down to `primary`) → an expression, or `null` if nothing usable was parsed. */
export function expression(cst: CstNode | null, fallback: Position): Expr | null {
  if (cst === null) return null;
  switch (cst.name) {
    case 'expression':
      return expression(node(cst, 'value'), fallback);
    case 'orExpr':
    case 'andExpr':
    case 'coalesce':
    case 'additive':
    case 'multiplicative':
      return binaryChain(cst, fallback);
    case 'comparison':
      return comparison(cst, fallback);
    case 'notExpr':
    case 'unary':
      return prefixed(cst, fallback);
    case 'postfix':
      return postfix(cst, fallback);
    case 'primary':
      return primary(cst, fallback);
    default:
      return null;
  }
}

/** `a op b op c` → `(a op b) op c`. Missing operands (after a recovered error) become `null`. */
function binaryChain(cst: CstNode, fallback: Position): Expr | null {
  const operands = nodes(cst, 'operands');
  const operators = tokens(cst, 'operators');
  return fold(operands, operators.map((op) => ({ operator: op.image as BinaryOperator, token: op })), fallback);
}

function fold(
  operands: CstNode[],
  operators: readonly { operator: BinaryOperator; token: IToken }[],
  fallback: Position,
): Expr | null {
  const first = operands[0] ?? null;
  let left = expression(first, fallback);
  const firstOperator = operators[0];
  if (firstOperator === undefined) return left;
  // A left operand lost to error recovery has no position: the expression starts at the operator.
  let leftSpan: Span = locationSpan(first?.location) ?? emptySpanAt(spanOfToken(firstOperator.token, fallback).start);
  operators.forEach(({ operator, token: opToken }, i) => {
    const opSpan = spanOfToken(opToken, leftSpan.end);
    const rightCst = operands[i + 1] ?? null;
    const right = expression(rightCst, opSpan.end);
    const rightSpan = rightCst === null ? opSpan : nodeSpan(rightCst, opSpan.end);
    const span: Span = { start: leftSpan.start, end: rightSpan.end };
    left = { kind: 'BinaryExpr', operator, left, right, span };
    leftSpan = span;
  });
  return left;
}

/** `a == b`, `a in [..]`, `a starts with b`: at most one comparison (they do not chain). */
function comparison(cst: CstNode, fallback: Position): Expr | null {
  const operands = nodes(cst, 'operands');
  const words = tokens(node(cst, 'operator'), 'words');
  const firstWord = words[0];
  if (firstWord === undefined) return expression(operands[0] ?? null, fallback);
  // Read the operator from the token type: a recovery-inserted `with` has an empty image.
  const operator: BinaryOperator = firstWord.tokenType === Kw.starts ? 'starts with' : (firstWord.image as BinaryOperator);
  const lastWord = words[words.length - 1] ?? firstWord;
  const opToken: IToken = { ...firstWord, endOffset: lastWord.endOffset, endLine: lastWord.endLine, endColumn: lastWord.endColumn };
  return fold(operands, [{ operator, token: lastWord.isInsertedInRecovery === true ? firstWord : opToken }], fallback);
}

/** `not x` and `-x`; without an operator the node just wraps the next level. */
function prefixed(cst: CstNode, fallback: Position): Expr | null {
  const operandCst = node(cst, 'operand');
  const operatorToken = token(cst, 'operator');
  if (operatorToken === null) return expression(operandCst, fallback);
  const opSpan = spanOfToken(operatorToken, fallback);
  const operand = expression(operandCst, opSpan.end);
  const end = operandCst === null ? opSpan.end : nodeSpan(operandCst, opSpan.end).end;
  return {
    kind: 'UnaryExpr',
    operator: cst.name === 'notExpr' ? 'not' : '-',
    operand,
    span: { start: opSpan.start, end },
  };
}

/** `a.b?.c`: a member chain; a property lost to error recovery ends the chain. */
function postfix(cst: CstNode, fallback: Position): Expr | null {
  const objectCst = node(cst, 'object');
  let expr = expression(objectCst, fallback);
  if (expr === null || objectCst === null) return expr;
  const start = nodeSpan(objectCst, fallback).start;
  const accessors = tokens(cst, 'accessors');
  for (const [i, accessor] of accessors.entries()) {
    const property = realToken(cst, 'properties', i);
    if (property === null) break;
    const name = identifier(property, fallback);
    expr = {
      kind: 'MemberExpr',
      object: expr,
      property: name,
      optional: accessor.image === '?.',
      span: { start, end: name.span.end },
    };
  }
  return expr;
}

function primary(cst: CstNode, fallback: Position): Expr | null {
  const span = nodeSpan(cst, fallback);
  const numberToken = token(cst, 'number');
  if (numberToken !== null) return numberLiteral(numberToken, fallback);
  const durationToken = token(cst, 'duration');
  if (durationToken !== null) return durationLiteral(durationToken, fallback);
  const stringToken = token(cst, 'string');
  if (stringToken !== null) return stringLiteral(stringToken, fallback);
  const booleanToken = realToken(cst, 'boolean');
  if (booleanToken !== null) return { kind: 'BooleanLiteral', value: booleanToken.tokenType === Kw.true, span };
  if (realToken(cst, 'null') !== null) return { kind: 'NullLiteral', span };
  const nameToken = realToken(cst, 'name');
  if (nameToken !== null) return { kind: 'NameExpr', name: nameToken.image, span };
  const list = node(cst, 'list');
  if (list !== null) return listLiteral(list, fallback);
  const call = node(cst, 'call');
  if (call !== null) return callExpr(call, fallback);
  const parenthesized = node(cst, 'parenthesized');
  if (parenthesized !== null) return expression(node(parenthesized, 'inner'), nodeSpan(parenthesized, fallback).start);
  return null;
}

function listLiteral(cst: CstNode, fallback: Position): Expr {
  const span = nodeSpan(cst, fallback);
  const elements = nodes(cst, 'elements')
    .map((element) => expression(element, span.end))
    .filter((element): element is Expr => element !== null);
  return { kind: 'ListLiteral', elements, span };
}

function callExpr(cst: CstNode, fallback: Position): Expr | null {
  const span = nodeSpan(cst, fallback);
  const callee = identifier(token(cst, 'callee'), span.start);
  const args = nodes(cst, 'args')
    .map((arg) => expression(arg, span.end))
    .filter((arg): arg is Expr => arg !== null);
  const filter = expression(node(cst, 'filter'), span.end);
  return { kind: 'CallExpr', callee, args, filter, span };
}

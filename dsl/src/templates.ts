// Template strings (alert `title` and `message`): literal text with `{path}` holes, where a path
// is a name or a member chain (`{checkout.pageViewData.url}`, `?.` allowed). `\{` and `\}` are
// literal braces. Each hole's expression gets its exact span inside the string, so the checker
// can point at `{checkout.usrId}` itself.
import type { IToken } from 'chevrotain';
import type { Expr, Position, Span, TemplateString } from './ast.ts';
import { spanOfToken } from './cst.ts';
import { decodeEscape, stringBody } from './literals.ts';
import type { SyntaxProblem, SyntaxProblemCode } from './problem.ts';

const word = /[A-Za-z_][A-Za-z0-9_]*/y;

export function templateString(token: IToken | null, fallback: Position, problems: SyntaxProblem[]): TemplateString | null {
  if (token === null || token.isInsertedInRecovery === true) return null;
  const span = spanOfToken(token, fallback);
  const { body, bodyStart } = stringBody(token.image);
  // Strings never span lines, so a position inside one is the token's start plus an index.
  const at = (index: number): Position => ({
    offset: span.start.offset + bodyStart + index,
    line: span.start.line,
    column: span.start.column + bodyStart + index,
  });
  const report = (code: SyntaxProblemCode, start: number, end: number, found: string): void => {
    problems.push({
      kind: 'lexer',
      code,
      span: { start: at(start), end: at(end) },
      found,
      expected: '',
      atEnd: false,
      misspelt: null,
      unclosed: null,
      keywordAsName: false,
      replacement: null,
    });
  };

  const parts: (string | Expr)[] = [];
  let text = '';
  const flushText = (): void => {
    if (text !== '') parts.push(text);
    text = '';
  };

  let i = 0;
  while (i < body.length) {
    const c = body[i] ?? '';
    if (c === '\\' && i + 1 < body.length) {
      const next = body[i + 1] ?? '';
      text += decodeEscape(next) ?? c + next;
      i += 2;
    } else if (c === '{') {
      const close = body.indexOf('}', i + 1);
      if (close < 0) {
        report('template_hole_unclosed', i, body.length, body.slice(i));
        break;
      }
      const hole = holePath(body, i + 1, close, at);
      if (hole === null) report('template_hole_invalid', i, close + 1, body.slice(i + 1, close));
      else {
        flushText();
        parts.push(hole);
      }
      i = close + 1;
    } else {
      text += c;
      i++;
    }
  }
  flushText();
  return { kind: 'TemplateString', parts, span };
}

/**
 * The expression of the hole `body[start..end)`: a name or member chain (spaces between its parts
 * are ignored); `null` when it is anything else. Any word may be a segment (field names may be
 * keywords).
 */
function holePath(body: string, start: number, end: number, at: (index: number) => Position): Expr | null {
  let i = start;
  const skipSpaces = (): void => {
    while (i < end && (body[i] === ' ' || body[i] === '\t')) i++;
  };
  const readWord = (): { name: string; span: Span } | null => {
    word.lastIndex = i;
    const match = word.exec(body);
    if (match === null || i + match[0].length > end) return null;
    const span = { start: at(i), end: at(i + match[0].length) };
    i += match[0].length;
    return { name: match[0], span };
  };

  skipSpaces();
  const first = readWord();
  if (first === null) return null;
  let expr: Expr = { kind: 'NameExpr', name: first.name, span: first.span };
  for (;;) {
    skipSpaces();
    let optional: boolean;
    if (body.startsWith('?.', i) && i + 2 <= end) {
      optional = true;
      i += 2;
    } else if (body[i] === '.' && i < end) {
      optional = false;
      i += 1;
    } else break;
    skipSpaces();
    const property = readWord();
    if (property === null) return null;
    expr = {
      kind: 'MemberExpr',
      object: expr,
      property: { kind: 'Identifier', name: property.name, span: property.span },
      optional,
      span: { start: first.span.start, end: property.span.end },
    };
  }
  return i === end ? expr : null;
}

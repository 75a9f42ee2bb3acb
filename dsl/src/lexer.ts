// Lexing: text → tokens, plus a problem for every malformed token. Lexing never stops at an error:
// Chevrotain skips characters it cannot lex (one error per run of them) and the malformed-literal
// tokens of tokens.ts stand in for what the user meant.
import { Lexer, type IToken, type TokenType } from 'chevrotain';
import { durationMillis, invalidEscapes, numberValue } from './literals.ts';
import type { LineIndex } from './positions.ts';
import { tokenSpan } from './positions.ts';
import type { SyntaxProblem, SyntaxProblemCode } from './problem.ts';
import * as t from './tokens.ts';

// Longest keywords first: `lateness` must be tried before `late`, `within` before `with`.
const keywordTokens = Object.values(t.Kw).sort(
  (a, b) => String(b.PATTERN).length - String(a.PATTERN).length,
);

/** Every token type, in lexing order (categories included: the parser needs them in its vocabulary). */
export const allTokens: TokenType[] = [
  t.Whitespace,
  t.LineComment,
  t.BlockComment,
  t.UnterminatedBlockComment,
  t.StringLiteral,
  t.UnterminatedString,
  t.Duration,
  t.NumberLiteral,
  t.InvalidDuration,
  ...keywordTokens,
  t.Identifier,
  t.Arrow,
  t.QuestionDot,
  t.QuestionQuestion,
  t.Question,
  t.EqualsEquals,
  t.NotEquals,
  t.LessEquals,
  t.Less,
  t.GreaterEquals,
  t.Greater,
  t.Equals,
  t.Plus,
  t.Minus,
  t.Star,
  t.Slash,
  t.Percent,
  t.Dot,
  t.Comma,
  t.Colon,
  t.LBrace,
  t.RBrace,
  t.LParen,
  t.RParen,
  t.LBracket,
  t.RBracket,
  t.AdditiveOperator,
  t.MultiplicativeOperator,
  t.ComparisonOperator,
  t.MemberAccess,
  t.FieldName,
];

const flowLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: true });

export interface LexResult {
  readonly tokens: IToken[];
  readonly problems: SyntaxProblem[];
  /** Start offsets of the character runs the lexer could not lex (and skipped). */
  readonly skippedOffsets: number[];
}

export function lex(text: string, lines: LineIndex): LexResult {
  const result = flowLexer.tokenize(text);
  const problems: SyntaxProblem[] = [];
  const report = (code: SyntaxProblemCode, startOffset: number, endOffset: number, found: string): void => {
    const span = lines.span(startOffset, endOffset);
    problems.push({ kind: 'lexer', code, span, found, expected: '', atEnd: false, misspelt: null, unclosed: null, keywordAsName: false, replacement: null });
  };

  for (const error of result.errors) {
    report('token_invalid', error.offset, error.offset + error.length, text.slice(error.offset, error.offset + error.length));
  }
  for (const token of result.tokens) checkToken(token, report);
  for (const comment of result.groups['comments'] ?? []) {
    if (comment.tokenType === t.UnterminatedBlockComment) report('comment_unterminated', comment.startOffset, comment.startOffset + 2, '/*');
  }
  return { tokens: result.tokens, problems, skippedOffsets: result.errors.map((error) => error.offset) };
}

type Report = (code: SyntaxProblemCode, startOffset: number, endOffset: number, found: string) => void;

function checkToken(token: IToken, report: Report): void {
  const span = tokenSpan(token);
  if (span === null) return;
  const { image } = token;
  switch (token.tokenType) {
    case t.UnterminatedString:
      report('string_unterminated', span.start.offset, span.end.offset, image);
      break;
    case t.InvalidDuration:
      report('duration_invalid', span.start.offset, span.end.offset, image);
      break;
    case t.Duration:
      if (durationMillis(image) === null) report('duration_invalid', span.start.offset, span.end.offset, image);
      break;
    case t.NumberLiteral:
      if (numberValue(image) === null) report('number_invalid', span.start.offset, span.end.offset, image);
      break;
  }
  if (token.tokenType === t.StringLiteral || token.tokenType === t.UnterminatedString) {
    for (const escape of invalidEscapes(image)) {
      const start = span.start.offset + escape.index;
      report('string_escape_invalid', start, start + escape.text.length, escape.text);
    }
  }
}

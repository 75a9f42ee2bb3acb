// Chevrotain recognition exceptions → SyntaxProblems: where, what was found, what was expected
// (in words), and the hints the compiler turns into suggestions. Errors that are only the echo of
// a problem already reported (by the lexer, or by an earlier parse error) are dropped here.
import { EOF, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Span } from './ast.ts';
import { aggregateClauseKeywords, decodeExpectation, describeExpectation } from './expected.ts';
import type { LineIndex } from './positions.ts';
import { emptySpanAt, hasPosition, tokenSpan } from './positions.ts';
import type { SyntaxProblem } from './problem.ts';
import {
  declarationKeywords,
  Identifier,
  Kw,
  LBrace,
  LBracket,
  LParen,
  NumberLiteral,
  RBrace,
  RBracket,
  RParen,
  UnterminatedString,
} from './tokens.ts';

const declarationKeywordTokens = new Set<TokenType>(declarationKeywords.map((word) => Kw[word]));
const durationUnits = new Set(['ms', 's', 'm', 'h', 'd']);

type Bracket = '{' | '(' | '[';
const openerOf = new Map<TokenType, Bracket>([
  [LBrace, '{'],
  [LParen, '('],
  [LBracket, '['],
]);
const closerOf = new Map<TokenType, Bracket>([
  [RBrace, '{'],
  [RParen, '('],
  [RBracket, '['],
]);

export class SyntaxErrorConverter {
  /** Start offsets of tokens that an earlier problem already accounts for. */
  private readonly explained = new Set<number>();

  /**
   * @param tokens the lexed tokens
   * @param skippedOffsets offsets of characters the lexer could not lex (and reported)
   */
  constructor(
    private readonly tokens: readonly IToken[],
    private readonly lines: LineIndex,
    private readonly skippedOffsets: readonly number[],
  ) {}

  /** The problem for a parse error; `null` for an error that another problem already explains. */
  convert(error: IRecognitionException): SyntaxProblem | null {
    const found = error.token;
    const atEnd = found.tokenType === EOF || !hasPosition(found);
    const index = atEnd ? this.tokens.length : this.indexOf(found);
    const previous = this.tokens[index - 1];
    if (this.isEcho(previous, atEnd ? undefined : found)) return null;

    const span = (atEnd ? null : tokenSpan(found)) ?? this.endSpan();
    const expectation = decodeExpectation(error.message);
    const description = describeExpectation(expectation, previous?.tokenType);

    let misspelt: SyntaxProblem['misspelt'] = null;
    if (!atEnd && found.tokenType === Identifier && description.keywords.length > 0) {
      misspelt = { word: found.image, span, keywords: description.keywords };
    } else if (expectation?.rule === 'measureClause' && expectation.expected.includes('Equals')) {
      // `windw tumbling 5s` parses as a measure named `windw` missing its `=`.
      const previousSpan = previous === undefined ? null : tokenSpan(previous);
      if (previous?.tokenType === Identifier && previousSpan !== null) {
        misspelt = { word: previous.image, span: previousSpan, keywords: aggregateClauseKeywords };
      }
    }

    // A missing closing bracket shows as the file ending, the next declaration starting, or
    // another block's closing bracket, where this block's closing bracket was expected.
    let unclosed: SyntaxProblem['unclosed'] = null;
    const missingCloser = atEnd || declarationKeywordTokens.has(found.tokenType) || closerOf.has(found.tokenType);
    if (description.openers.length > 0 && missingCloser) {
      unclosed = this.innermostOpen(index, description.openers);
    }

    const replacement =
      !atEnd && expectation?.expected.length === 1 && expectation.expected[0] === 'Duration'
        ? this.spacedDuration(index)
        : null;

    return {
      kind: 'parser',
      code: atEnd ? 'syntax_unexpected_end' : 'syntax_unexpected_token',
      span,
      found: atEnd ? '' : found.image,
      expected: description.text,
      atEnd,
      misspelt,
      unclosed,
      replacement,
    };
  }

  /**
   * Whether an error between `previous` and `found` is the echo of an earlier problem: the token
   * before it is an unterminated string (which swallowed a `)` or `{`), the lexer skipped
   * characters right there, or an earlier problem's fix covers the token before it.
   */
  private isEcho(previous: IToken | undefined, found: IToken | undefined): boolean {
    if (previous === undefined) return false;
    if (previous.tokenType === UnterminatedString || this.explained.has(previous.startOffset)) return true;
    const after = (previous.endOffset ?? previous.startOffset) + 1;
    const before = found?.startOffset ?? Infinity;
    return this.skippedOffsets.some((offset) => offset >= after && offset < before);
  }

  /** `10 s` where a duration was expected: the fix is `10s`, and the `s` must not be reported again. */
  private spacedDuration(index: number): SyntaxProblem['replacement'] {
    const number = this.tokens[index];
    const unit = this.tokens[index + 1];
    if (number?.tokenType !== NumberLiteral || unit?.tokenType !== Identifier || !durationUnits.has(unit.image)) return null;
    if (!/^[0-9]+$/.test(number.image) || unit.startLine !== number.endLine) return null;
    const start = tokenSpan(number);
    const end = tokenSpan(unit);
    if (start === null || end === null) return null;
    this.explained.add(unit.startOffset);
    return { span: { start: start.start, end: end.end }, text: `${number.image}${unit.image}` };
  }

  /** A zero-width span right after the last token (where "end of file" problems are shown). */
  private endSpan(): Span {
    const last = this.tokens[this.tokens.length - 1];
    const end = last === undefined ? null : tokenSpan(last);
    return emptySpanAt(end?.end ?? this.lines.end);
  }

  private indexOf(token: IToken): number {
    let low = 0;
    let high = this.tokens.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.tokens[mid]?.startOffset ?? Infinity) < token.startOffset) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The innermost bracket of one of `kinds` still open before the token at `index`. */
  private innermostOpen(index: number, kinds: readonly Bracket[]): { bracket: Bracket; span: Span } | null {
    const stack: { bracket: Bracket; token: IToken }[] = [];
    for (const token of this.tokens.slice(0, index)) {
      const opener = openerOf.get(token.tokenType);
      if (opener !== undefined) {
        stack.push({ bracket: opener, token });
        continue;
      }
      const closed = closerOf.get(token.tokenType);
      if (closed === undefined) continue;
      const match = stack.map((entry) => entry.bracket).lastIndexOf(closed);
      if (match >= 0) stack.length = match;
    }
    for (let i = stack.length - 1; i >= 0; i--) {
      const entry = stack[i];
      const span = entry === undefined ? null : tokenSpan(entry.token);
      if (entry !== undefined && span !== null && kinds.includes(entry.bracket)) return { bracket: entry.bracket, span };
    }
    return null;
  }
}

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

const keywordTokens = new Set<TokenType>(Object.values(Kw));
const declarationKeywordTokens = new Set<TokenType>(declarationKeywords.map((word) => Kw[word]));
const durationUnits = new Set(['ms', 's', 'm', 'h', 'd']);
/** Parse errors this many tokens or fewer after the previous one, on its line, are cascades. */
const cascadeDistance = 3;

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
  /** Token index of the last parse error (reported or not). */
  private lastError = -Infinity;

  /**
   * @param tokens the lexed tokens
   * @param skippedOffsets offsets of characters the lexer could not lex (and reported), ascending
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
    const cascade = this.isCascade(index);
    this.lastError = index;
    if (cascade || this.isEcho(previous, atEnd ? undefined : found)) return null;

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

    // (A declaration keyword that ends an unclosed block starts the next declaration instead.)
    const keywordAsName = !atEnd && unclosed === null && keywordTokens.has(found.tokenType) && description.acceptsName;

    return {
      kind: 'parser',
      code: atEnd ? 'syntax_unexpected_end' : 'syntax_unexpected_token',
      span,
      found: atEnd ? '' : found.image,
      expected: description.text,
      atEnd,
      misspelt,
      unclosed,
      keywordAsName,
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
    const next = this.skippedOffsets[firstAtOrAfter(this.skippedOffsets, after)];
    return next !== undefined && next < before;
  }

  /**
   * Whether the error at token `index` follows the previous one too closely to be news: a few
   * tokens later on the same line, recovery is usually still resynchronising (the classic "no new
   * error until some tokens parse again" rule), so it is not reported.
   */
  private isCascade(index: number): boolean {
    const distance = index - this.lastError;
    if (distance < 0 || distance > cascadeDistance) return false;
    const last = this.tokens[this.lastError];
    const current = this.tokens[index];
    if (last === undefined) return false;
    // At the end of the file, "the same line" is the line of the last token.
    return (current ?? this.tokens[this.tokens.length - 1])?.startLine === last.startLine;
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
    for (let open = this.openBrackets()[index] ?? null; open !== null; open = open.parent) {
      const span = tokenSpan(open.token);
      if (span !== null && kinds.includes(open.bracket)) return { bracket: open.bracket, span };
    }
    return null;
  }

  private openBracketsCache: (OpenBracket | null)[] | null = null;

  /**
   * For every token index (and the end), the innermost bracket open before it, as a linked
   * stack: one pass over the tokens, shared by every problem of the file.
   */
  private openBrackets(): (OpenBracket | null)[] {
    if (this.openBracketsCache !== null) return this.openBracketsCache;
    const before: (OpenBracket | null)[] = [];
    let top = null as OpenBracket | null;
    for (const token of this.tokens) {
      before.push(top);
      const opener = openerOf.get(token.tokenType);
      const closed = closerOf.get(token.tokenType);
      if (opener !== undefined) top = { bracket: opener, token, parent: top };
      else if (closed !== undefined) {
        // Close the nearest matching bracket; a stray closer closes nothing.
        let match: OpenBracket | null = top;
        while (match !== null && match.bracket !== closed) match = match.parent;
        if (match !== null) top = match.parent;
      }
    }
    before.push(top);
    this.openBracketsCache = before;
    return before;
  }
}

interface OpenBracket {
  readonly bracket: Bracket;
  readonly token: IToken;
  readonly parent: OpenBracket | null;
}

/** The index of the first element of ascending `values` that is ≥ `target`. */
function firstAtOrAfter(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((values[mid] ?? Infinity) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

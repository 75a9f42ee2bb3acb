// What the parser expected at an error, in words: "`}` or an identifier", "an expression".
//
// Chevrotain reports parse errors as exceptions whose only free-form field is `message`, built by
// an error message provider. Our provider stores the raw facts there (rule name and expected token
// types, as JSON); `describeExpectation` later turns them into readable text and into the
// keyword and bracket lists used for "did you mean …?" and "add the missing `}`" suggestions.
import { EOF, type IParserErrorMessageProvider, type TokenType } from 'chevrotain';
import { allTokens } from './lexer.ts';
import * as t from './tokens.ts';
import type { ReservedWord } from './tokens.ts';

interface Expectation {
  readonly rule: string;
  /** Token type names, in grammar order. */
  readonly expected: readonly string[];
}

function encode(rule: string, expected: readonly (TokenType | undefined)[]): string {
  const names = expected.filter((type): type is TokenType => type !== undefined).map((type) => type.name);
  const expectation: Expectation = { rule, expected: [...new Set(names)] };
  return JSON.stringify(expectation);
}

export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) => encode(ruleName, [expected]),
  buildNotAllInputParsedMessage: ({ ruleName }) => encode(ruleName, [EOF]),
  // Only the first token of each possible path matters for "expected X, found Y".
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    encode(ruleName, expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]))),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    encode(ruleName, expectedIterationPaths.map((path) => path[0])),
};

export function decodeExpectation(message: string): Expectation | null {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return null;
    const { rule, expected } = value as { rule?: unknown; expected?: unknown };
    if (typeof rule !== 'string' || !Array.isArray(expected)) return null;
    return { rule, expected: expected.filter((name): name is string => typeof name === 'string') };
  } catch {
    return null;
  }
}

// ───────────────────────────── describing an expectation ─────────────────────────────

const tokensByName = new Map<string, TokenType>([...allTokens, EOF].map((type) => [type.name, type]));

/** What may also come where a block's repetition stops: the parser only names the closing token. */
interface BlockContents {
  readonly description: string;
  /** Keywords that start an item of the block (candidates for misspellings). */
  readonly keywords: readonly ReservedWord[];
  /** Whether an item may start with a name (an aggregate's measure `name = …`). */
  readonly named?: boolean;
}

const fieldContents: BlockContents = { description: 'a field', keywords: [] };

const blockContents: Readonly<Record<string, BlockContents>> = {
  // The top-level repetition ends at EOF; anything else there should have been a declaration.
  // `where`/`derive`/`key` are included as misspelling candidates because they continue a stream.
  program: {
    description: 'a declaration (`schema`, `enum`, `source`, `stream`, `aggregate`, `pattern` or `emit`)',
    keywords: [...t.declarationKeywords, 'where', 'derive', 'key'],
  },
  schemaDecl: fieldContents,
  recordType: fieldContents,
  enumDecl: { description: '`,`', keywords: [] },
  sourceDecl: { description: '`key by`, `event time`, `dead letter to`', keywords: ['key', 'event', 'dead'] },
  aggregateDecl: {
    description: 'an aggregate clause',
    keywords: ['where', 'window', 'group', 'lateness', 'late', 'emit', 'having', 'alert'],
    named: true,
  },
  patternDecl: { description: '`key by`, `within`, `match`, `alert`', keywords: ['key', 'within', 'match', 'alert'] },
};

/** The keywords that start an aggregate clause: a misspelt one reads as a measure name. */
export const aggregateClauseKeywords = blockContents['aggregateDecl']?.keywords ?? [];

const closers = new Map<TokenType, '{' | '(' | '['>([
  [t.RBrace, '{'],
  [t.RParen, '('],
  [t.RBracket, '['],
]);

/** Tokens that can start an expression; when all of these are expected we just say "an expression". */
const primaryStarts: readonly TokenType[] = [
  t.NumberLiteral,
  t.Duration,
  t.StringLiteral,
  t.Kw.true,
  t.Kw.false,
  t.Kw.null,
  t.LBracket,
  t.Identifier,
  t.LParen,
];
const expressionStarts = new Set<TokenType>([...primaryStarts, t.Minus, t.Kw.not]);

/**
 * Comma-separated lists stop where the closing bracket is expected, but the parser only names
 * that bracket: right after the opening bracket a first item could have come, later a `,`.
 */
interface ListShape {
  readonly opener: TokenType;
  readonly closer: TokenType;
  readonly first: readonly TokenType[];
  readonly next: readonly TokenType[];
}

const listContinuations: Readonly<Record<string, ListShape>> = {
  connector: { opener: t.LParen, closer: t.RParen, first: primaryStarts, next: [t.Comma] },
  callExpr: { opener: t.LParen, closer: t.RParen, first: [...primaryStarts, t.Kw.where], next: [t.Comma, t.Kw.where] },
  unionInput: { opener: t.LParen, closer: t.RParen, first: [t.Identifier], next: [t.Comma] },
  listLiteral: { opener: t.LBracket, closer: t.RBracket, first: primaryStarts, next: [t.Comma] },
};

export interface ExpectationDescription {
  /** "`}` or an identifier" */
  readonly text: string;
  /** Keywords that would have been accepted (plain words). */
  readonly keywords: readonly string[];
  /** Opening brackets whose closing bracket was expected. */
  readonly openers: readonly ('{' | '(' | '[')[];
  /** Whether an identifier (a name) would have been accepted. */
  readonly acceptsName: boolean;
}

/** `previous`: the type of the token before the error, if any. */
export function describeExpectation(expectation: Expectation | null, previous?: TokenType): ExpectationDescription {
  if (expectation === null) return { text: 'something else', keywords: [], openers: [], acceptsName: false };
  let types = expectation.expected
    .map((name) => tokensByName.get(name))
    .filter((type): type is TokenType => type !== undefined);
  // A connector's name is the only identifier a `connector` rule expects.
  const connectorName = expectation.rule === 'connector' && types.length === 1 && types[0] === t.Identifier;
  if (connectorName) return { text: 'a connector such as `kafka(…)` or `log()`', keywords: [], openers: [], acceptsName: true };

  const list = listContinuations[expectation.rule];
  if (list !== undefined && types.length === 1 && types[0] === list.closer) {
    types = [...(previous === list.opener ? list.first : list.next), list.closer];
  }

  const items: string[] = [];
  const keywords: string[] = [];
  const openers: ('{' | '(' | '[')[] = [];

  // A block's closing token, or the end of the file at the top level: the block's items could
  // have come instead.
  const closing = types.length === 1 ? types[0] : undefined;
  const contents = blockContents[expectation.rule];
  const blockEnd =
    contents !== undefined &&
    closing !== undefined &&
    (closing === t.RBrace || (closing === EOF && expectation.rule === 'program'));
  if (blockEnd) {
    items.push(contents.description);
    keywords.push(...contents.keywords);
  }

  const wholeExpression = primaryStarts.every((type) => types.includes(type));
  if (wholeExpression) items.push('an expression');

  for (const type of types) {
    if (wholeExpression && expressionStarts.has(type)) continue;
    if (blockEnd && type === EOF) continue;
    const opener = closers.get(type);
    if (opener !== undefined) openers.push(opener);
    const word = keywordOf(type);
    if (word !== undefined) keywords.push(word);
    items.push(labelOf(type));
  }
  return {
    text: humanList([...new Set(items)]),
    keywords: [...new Set(keywords)],
    openers,
    acceptsName: types.includes(t.Identifier) || (blockEnd && contents.named === true),
  };
}

function keywordOf(type: TokenType): string | undefined {
  return typeof type.PATTERN === 'string' && /^[a-z]+$/.test(type.PATTERN) ? type.PATTERN : undefined;
}

function labelOf(type: TokenType): string {
  if (type === EOF) return 'end of file';
  return type.LABEL ?? type.name;
}

/** ["a", "b", "c"] → "a, b or c" */
export function humanList(items: readonly string[]): string {
  if (items.length === 0) return 'something else';
  if (items.length === 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

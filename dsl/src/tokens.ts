// The .flow token vocabulary (docs/grammar.md, "Lexical"). Order matters: Chevrotain tries the
// patterns in the order of `allTokens` and takes the first that matches, so longer punctuation
// comes before its prefixes and literals come before the tokens they could be mistaken for.
//
// Three "error tokens" (an unterminated string, an invalid duration, an unterminated block
// comment) are real tokens rather than lexer errors: they lex a whole malformed literal as one
// piece, so the lexer reports one precise problem and the parser (through token categories) can
// still accept the literal where it expected one, instead of cascading into parse errors.
import { createToken, Lexer, type TokenType } from 'chevrotain';

// ───────────────────────────── trivia ─────────────────────────────

export const Whitespace = createToken({
  name: 'Whitespace',
  // \uFEFF: a byte-order mark some editors put at the start of a file.
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const LineComment = createToken({
  name: 'LineComment',
  pattern: /\/\/[^\n\r]*/,
  group: 'comments',
});

export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
  line_breaks: true,
});

/** `/*` without its `*\/`: swallows the rest of the file, reported as `comment_unterminated`. */
export const UnterminatedBlockComment = createToken({
  name: 'UnterminatedBlockComment',
  pattern: /\/\*[\s\S]*/,
  group: 'comments',
  line_breaks: true,
});

// ───────────────────────────── literals ─────────────────────────────

/**
 * Where a record field is named (a schema field, the property after `.` or `?.`) any word may
 * stand, keywords included: the example schema has a `title` field, and neither position can
 * be confused with a keyword's use. This category matches identifiers and keywords alike.
 */
export const FieldName = createToken({ name: 'FieldName', pattern: Lexer.NA, label: 'a field name' });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [FieldName],
  label: 'an identifier',
});

export const StringLiteral = createToken({
  name: 'String',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
  label: 'a string',
});

/** A string that reaches the end of its line; a `String` for the parser, `string_unterminated` for the user. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/,
  categories: [StringLiteral],
  label: 'a string',
});

const digitStart = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const Duration = createToken({
  name: 'Duration',
  // The lookahead keeps `5sec` or `5s1` from lexing as `5s` followed by something else.
  pattern: /[0-9]+(?:ms|s|m|h|d)(?![A-Za-z0-9_])/,
  start_chars_hint: digitStart,
  label: 'a duration such as `5s`',
});

export const NumberLiteral = createToken({
  name: 'Number',
  // Not followed by a letter (that is a malformed duration) nor by `.digit` (so `1.5s` is not
  // read as `1` and `.5s`).
  pattern: /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_]|\.[0-9])/,
  start_chars_hint: digitStart,
  label: 'a number',
});

/** `5sec`, `1.5s`, `10x`: a number glued to letters; a `Duration` for the parser, `duration_invalid` for the user. */
export const InvalidDuration = createToken({
  name: 'InvalidDuration',
  pattern: /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?[A-Za-z_][A-Za-z0-9_]*/,
  start_chars_hint: digitStart,
  categories: [Duration],
  label: 'a duration such as `5s`',
});

// ───────────────────────────── token categories ─────────────────────────────

// Categories: the parser consumes "any additive operator" and reads the concrete one from the token.
export const AdditiveOperator = createToken({ name: 'AdditiveOperator', pattern: Lexer.NA, label: '`+` or `-`' });
export const MultiplicativeOperator = createToken({
  name: 'MultiplicativeOperator',
  pattern: Lexer.NA,
  label: '`*`, `/` or `%`',
});
export const ComparisonOperator = createToken({
  name: 'ComparisonOperator',
  pattern: Lexer.NA,
  label: 'a comparison operator',
});
export const MemberAccess = createToken({ name: 'MemberAccess', pattern: Lexer.NA, label: '`.` or `?.`' });

// ───────────────────────────── keywords ─────────────────────────────

/** The reserved words of docs/grammar.md: never identifiers, though any of them may name a field (`FieldName`). */
export const reservedWords = [
  'pipeline', 'enum', 'schema', 'source', 'stream', 'aggregate', 'pattern', 'emit', 'from', 'to',
  'key', 'by', 'event', 'time', 'processing', 'watermark', 'idle', 'dead', 'letter', 'where',
  'derive', 'window', 'tumbling', 'sliding', 'session', 'every', 'gap', 'until', 'group', 'as',
  'lateness', 'late', 'having', 'alert', 'severity', 'title', 'message', 'within', 'match', 'not',
  'and', 'or', 'in', 'starts', 'with', 'contains', 'unit', 'true', 'false', 'null', 'union',
] as const;

export type ReservedWord = (typeof reservedWords)[number];

/** The keywords that start a top-level declaration. */
export const declarationKeywords: readonly ReservedWord[] = [
  'enum', 'schema', 'source', 'stream', 'aggregate', 'pattern', 'emit',
];

// `in` and `contains` are comparison operators spelled as keywords.
const keywordCategories: Partial<Record<ReservedWord, TokenType[]>> = {
  in: [ComparisonOperator],
  contains: [ComparisonOperator],
};

function keywordToken(word: ReservedWord): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: word,
    categories: [FieldName, ...(keywordCategories[word] ?? [])],
    // `events`, `keys`, `lateness_ms`: an identifier that merely starts with a keyword.
    longer_alt: Identifier,
    label: `\`${word}\``,
  });
}

/** Keyword token types by word: `Kw.aggregate`. */
export const Kw = Object.fromEntries(reservedWords.map((word) => [word, keywordToken(word)])) as Record<
  ReservedWord,
  TokenType
>;

// ───────────────────────────── operators and punctuation ─────────────────────────────


function punctuation(name: string, text: string, categories: TokenType[] = []): TokenType {
  return createToken({ name, pattern: text, label: `\`${text}\``, categories });
}

export const Arrow = punctuation('Arrow', '->');
export const QuestionDot = punctuation('QuestionDot', '?.', [MemberAccess]);
export const QuestionQuestion = punctuation('QuestionQuestion', '??');
export const Question = punctuation('Question', '?');
export const EqualsEquals = punctuation('EqualsEquals', '==', [ComparisonOperator]);
export const NotEquals = punctuation('NotEquals', '!=', [ComparisonOperator]);
export const LessEquals = punctuation('LessEquals', '<=', [ComparisonOperator]);
export const Less = punctuation('Less', '<', [ComparisonOperator]);
export const GreaterEquals = punctuation('GreaterEquals', '>=', [ComparisonOperator]);
export const Greater = punctuation('Greater', '>', [ComparisonOperator]);
export const Equals = punctuation('Equals', '=');
export const Plus = punctuation('Plus', '+', [AdditiveOperator]);
export const Minus = punctuation('Minus', '-', [AdditiveOperator]);
export const Star = punctuation('Star', '*', [MultiplicativeOperator]);
export const Slash = punctuation('Slash', '/', [MultiplicativeOperator]);
export const Percent = punctuation('Percent', '%', [MultiplicativeOperator]);
export const Dot = punctuation('Dot', '.', [MemberAccess]);
export const Comma = punctuation('Comma', ',');
export const Colon = punctuation('Colon', ':');
export const LBrace = punctuation('LBrace', '{');
export const RBrace = punctuation('RBrace', '}');
export const LParen = punctuation('LParen', '(');
export const RParen = punctuation('RParen', ')');
export const LBracket = punctuation('LBracket', '[');
export const RBracket = punctuation('RBracket', ']');

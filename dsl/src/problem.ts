// What the parser reports instead of throwing: one SyntaxProblem per bad spot in the file. The
// compiler (compiler/src/phases/1-parse) turns these into coded, human-worded diagnostics.
import type { Span } from './ast.ts';

export type SyntaxProblemCode =
  | 'token_invalid'
  | 'string_unterminated'
  | 'string_escape_invalid'
  | 'comment_unterminated'
  | 'duration_invalid'
  | 'number_invalid'
  | 'template_hole_invalid'
  | 'template_hole_unclosed'
  | 'quantifier_invalid'
  | 'syntax_unexpected_token'
  | 'syntax_unexpected_end'
  | 'syntax_too_deep'
  | 'parse_failed';

export interface SyntaxProblem {
  kind: 'lexer' | 'parser';
  span: Span;
  /** token text found, or '' at EOF */
  found: string;
  /** human list like "`}` or an identifier"; '' for problems inside a token */
  expected: string;
  atEnd: boolean;
  /** e.g. 'string_unterminated', 'duration_invalid', 'template_hole_invalid', 'token_invalid', 'syntax_unexpected_token', 'syntax_unexpected_end' */
  code: SyntaxProblemCode;
  /**
   * Set when an identifier at the problem looks like a keyword the grammar wanted there: the word,
   * where it is, and the keywords that would have fitted (for "did you mean `aggregate`?").
   */
  misspelt: { word: string; span: Span; keywords: readonly string[] } | null;
  /**
   * Set when a closing bracket was expected because a block is still open at the end of the file
   * or where the next declaration starts: the opening bracket (for "add the missing `}`").
   */
  unclosed: { bracket: '{' | '(' | '['; span: Span } | null;
  /** Set when the found token is a reserved keyword standing where a name could have been (`stream session = …`). */
  keywordAsName: boolean;
  /** Set when replacing `span` with `text` would fix the problem (`10 s` → `10s`). */
  replacement: { span: Span; text: string } | null;
}

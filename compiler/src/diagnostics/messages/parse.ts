// Codes of the parse phase: lexing and grammar errors, recovered so several are reported per run.
import { defineMessages } from '../define.ts';

export const parseMessages = defineMessages({
  token_invalid: {
    severity: 'error',
    summary: 'A character that cannot start any token.',
    text: (text: string) => ({ message: `unexpected character \`${text}\`` }),
  },
  string_unterminated: {
    severity: 'error',
    summary: 'A string literal without its closing quote on the same line.',
    text: () => ({ message: 'unterminated string literal', suggestion: 'close the string with `"`' }),
  },
  syntax_unexpected_token: {
    severity: 'error',
    summary: 'The parser found a token where the grammar does not allow it.',
    text: (found: string, expected: string, suggestion?: string) => ({
      message: `expected ${expected}, found ${found}`,
      ...(suggestion === undefined ? {} : { suggestion }),
    }),
  },
  syntax_unexpected_end: {
    severity: 'error',
    summary: 'The file ends in the middle of a declaration.',
    text: (expected: string) => ({ message: `unexpected end of file, expected ${expected}` }),
  },
  duration_invalid: {
    severity: 'error',
    summary: 'A duration literal with an unknown unit.',
    text: (text: string) => ({
      message: `invalid duration \`${text}\``,
      suggestion: 'use a number followed by ms, s, m, h or d, e.g. `30s`',
    }),
  },
  template_hole_invalid: {
    severity: 'error',
    summary: 'A `{…}` hole in a message template that is not a field path.',
    text: (text: string) => ({
      message: `\`{${text}}\` is not a field path`,
      suggestion: 'holes hold a name or a dotted path such as `{checkout.userId}`; write `{{` for a literal brace',
    }),
  },
});

// Codes of the parse phase: lexing and grammar errors, recovered so several are reported per run.
// The parser (dsl/src) reports SyntaxProblems; compiler/src/phases/1-parse maps each to one of these.
import { defineMessages } from '../define.ts';

/** A found token as shown in a message: backticked, long strings shortened. */
function quoted(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}…` : text;
  return `\`${short}\``;
}

function withSuggestion(message: string, suggestion: string | undefined): { message: string; suggestion?: string } {
  return suggestion === undefined ? { message } : { message, suggestion };
}

const durationUnits: Readonly<Record<string, string>> = {
  ms: 'ms', msec: 'ms', msecs: 'ms', millis: 'ms', milliseconds: 'ms', millisecond: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
};
const unitMillis: readonly [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]];

/** `5sec` → `5s`, `1.5s` → `1500ms`; `undefined` when there is no obvious fix. */
function durationFix(text: string): string | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]+)$/.exec(text);
  if (match === null) return undefined;
  const unit = durationUnits[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const amount = Number(match[1]);
  const millis = amount * (unitMillis.find(([name]) => name === unit)?.[1] ?? 1);
  // The largest unit in which the duration is a whole number.
  for (const [name, size] of unitMillis) {
    const value = Math.round((millis / size) * 1e6) / 1e6;
    if (Number.isSafeInteger(value) && value > 0) return `${value}${name}`;
  }
  return undefined;
}

export const parseMessages = defineMessages({
  token_invalid: {
    severity: 'error',
    summary: 'A character that cannot start any token.',
    text: (text: string) => ({
      message: `unexpected ${[...text].length > 1 ? 'characters' : 'character'} ${quoted(text)}`,
    }),
  },
  string_unterminated: {
    severity: 'error',
    summary: 'A string literal without its closing quote on the same line.',
    text: () => ({ message: 'unterminated string literal', suggestion: 'close the string with `"`' }),
  },
  string_escape_invalid: {
    severity: 'error',
    summary: 'A backslash escape in a string other than \\" \\\\ \\n \\t \\{ \\}.',
    text: (text: string) => ({
      message: `unknown escape ${quoted(text)} in a string`,
      suggestion: 'the escapes are `\\"`, `\\\\`, `\\n`, `\\t`, `\\{` and `\\}`; write `\\\\` for a backslash',
    }),
  },
  comment_unterminated: {
    severity: 'error',
    summary: 'A `/*` block comment that is never closed.',
    text: () => ({ message: 'unterminated block comment', suggestion: 'close the comment with `*/`' }),
  },
  number_invalid: {
    severity: 'error',
    summary: 'A number literal too large to represent.',
    text: (text: string) => ({ message: `number ${quoted(text)} is out of range` }),
  },
  duration_invalid: {
    severity: 'error',
    summary: 'A duration literal with an unknown unit, a fractional amount, or a value too large to represent.',
    text: (text: string) => {
      if (/^[0-9]+(ms|s|m|h|d)$/.test(text)) {
        return { message: `duration ${quoted(text)} is too large`, suggestion: 'durations must stay below about 285,000 years' };
      }
      const fix = durationFix(text);
      return {
        message: `invalid duration ${quoted(text)}`,
        suggestion:
          fix === undefined || fix === text
            ? 'use a whole number followed by ms, s, m, h or d, e.g. `30s`'
            : `write \`${fix}\`: a whole number followed by ms, s, m, h or d`,
      };
    },
  },
  template_hole_invalid: {
    severity: 'error',
    summary: 'A `{…}` hole in a message template that is not a field path.',
    text: (text: string) => ({
      message: `\`{${text}}\` is not a field path`,
      suggestion: 'holes hold a name or a dotted path such as `{checkout.userId}`; write `\\{` for a literal brace',
    }),
  },
  template_hole_unclosed: {
    severity: 'error',
    summary: 'A `{` in a message template without its closing `}`.',
    text: () => ({
      message: 'unclosed `{` in a message template',
      suggestion: 'close the hole with `}`, or write `\\{` for a literal brace',
    }),
  },
  quantifier_invalid: {
    severity: 'error',
    summary: 'A `{n,m}` pattern quantifier whose bounds are not whole numbers or whose maximum is below its minimum.',
    text: (text: string) => ({
      message: `invalid quantifier ${quoted(text)}`,
      suggestion: 'bounds are whole numbers and the maximum is at least the minimum: `{2}`, `{2,}`, `{1,3}`',
    }),
  },
  syntax_unexpected_token: {
    severity: 'error',
    summary: 'The parser found a token where the grammar does not allow it.',
    text: (found: string, expected: string, suggestion?: string) =>
      withSuggestion(`expected ${expected}, found ${quoted(found)}`, suggestion),
  },
  syntax_unexpected_end: {
    severity: 'error',
    summary: 'The file ends in the middle of a declaration.',
    text: (expected: string, suggestion?: string) =>
      withSuggestion(`unexpected end of file, expected ${expected}`, suggestion),
  },
  syntax_too_deep: {
    severity: 'error',
    summary: 'Brackets or operators nested too deeply for the parser (hundreds of levels).',
    text: () => ({
      message: 'this file nests expressions too deeply to parse',
      suggestion: 'split the expression with `derive` steps',
    }),
  },
  parse_failed: {
    severity: 'error',
    summary: 'The parser failed internally on this input (a bug in flowc; please report it).',
    text: () => ({ message: 'the parser failed on this file; this is a bug in flowc' }),
  },
});

// Decoding literal tokens: numbers, durations and (non-template) strings. Shared by the lexer,
// which reports malformed literals, and by the AST builder, which stores their values.

const millisPerUnit: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `5s` → 5000; `null` when the text is not a valid duration or does not fit a safe integer. */
export function durationMillis(text: string): number | null {
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (match === null) return null;
  const factor = millisPerUnit[match[2] ?? ''];
  if (factor === undefined) return null;
  const millis = Number(match[1]) * factor;
  return Number.isSafeInteger(millis) ? millis : null;
}

/** The value of a number token; `null` when it overflows to infinity (`1e999`). */
export function numberValue(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export function isIntegerText(text: string): boolean {
  return /^[0-9]+$/.test(text);
}

const escapes: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  n: '\n',
  t: '\t',
  '{': '{',
  '}': '}',
};

/** The character an escape `\c` stands for, or `undefined` for an unknown escape. */
export function decodeEscape(c: string): string | undefined {
  return escapes[c];
}

/**
 * The body of a string token: without the opening quote and, when present, the closing one.
 * Unterminated strings have no closing quote (and may end in a lone backslash).
 */
export function stringBody(image: string): { body: string; bodyStart: number } {
  if (!image.startsWith('"')) return { body: image, bodyStart: 0 };
  const terminated = image.length >= 2 && image.endsWith('"') && !endsWithEscapedQuote(image);
  return { body: image.slice(1, terminated ? -1 : undefined), bodyStart: 1 };
}

/** `"abc\"` is unterminated: its last quote is escaped. Counts the backslashes before it. */
function endsWithEscapedQuote(image: string): boolean {
  let backslashes = 0;
  for (let i = image.length - 2; i >= 1 && image[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** A string with its escapes decoded; unknown escapes are kept as written (the lexer reports them). */
export function decodeString(image: string): string {
  const { body } = stringBody(image);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === '\\' && i + 1 < body.length) {
      const next = body[i + 1] ?? '';
      out += decodeEscape(next) ?? c + next;
      i++;
    } else if (c !== '\\') {
      out += c;
    }
  }
  return out;
}

/** Offsets (within the image) and text of the unknown escapes of a string token. */
export function invalidEscapes(image: string): { index: number; text: string }[] {
  const { body, bodyStart } = stringBody(image);
  const found: { index: number; text: string }[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') continue;
    const next = body[i + 1];
    if (next !== undefined && decodeEscape(next) === undefined) found.push({ index: bodyStart + i, text: `\\${next}` });
    i++;
  }
  return found;
}

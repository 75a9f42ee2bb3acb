// AST nodes for single tokens: identifiers and literals. Tokens inserted by error recovery (empty
// image) and malformed literals (already reported by the lexer) yield `null` or an empty name.
import type { IToken } from 'chevrotain';
import type { DurationLiteral, Identifier, NumberLiteral, Position, StringLiteral } from './ast.ts';
import { spanOfToken } from './cst.ts';
import { decodeString, durationMillis, isIntegerText, numberValue } from './literals.ts';
import { emptySpanAt } from './positions.ts';
import { InvalidDuration, UnterminatedString } from './tokens.ts';

function missing(token: IToken | null): token is null {
  return token === null || token.isInsertedInRecovery === true;
}

/** An identifier; a missing one (required by the AST) becomes an empty name at `fallback`. */
export function identifier(token: IToken | null, fallback: Position): Identifier {
  if (token === null) return { kind: 'Identifier', name: '', span: emptySpanAt(fallback) };
  return { kind: 'Identifier', name: token.image, span: spanOfToken(token, fallback) };
}

/** An identifier that may be absent from the AST. */
export function optionalIdentifier(token: IToken | null, fallback: Position): Identifier | null {
  return missing(token) ? null : identifier(token, fallback);
}

export function durationLiteral(token: IToken | null, fallback: Position): DurationLiteral | null {
  if (missing(token) || token.tokenType === InvalidDuration) return null;
  const millis = durationMillis(token.image);
  if (millis === null) return null;
  return { kind: 'DurationLiteral', millis, text: token.image, span: spanOfToken(token, fallback) };
}

export function numberLiteral(token: IToken | null, fallback: Position): NumberLiteral | null {
  if (missing(token)) return null;
  const value = numberValue(token.image);
  if (value === null) return null;
  return { kind: 'NumberLiteral', value, integer: isIntegerText(token.image), span: spanOfToken(token, fallback) };
}

export function stringLiteral(token: IToken | null, fallback: Position): StringLiteral | null {
  if (missing(token)) return null;
  return { kind: 'StringLiteral', value: decodeString(token.image), span: spanOfToken(token, fallback) };
}

/** Whether a string token lacks its closing quote (the lexer reported it). */
export function isUnterminated(token: IToken): boolean {
  return token.tokenType === UnterminatedString;
}

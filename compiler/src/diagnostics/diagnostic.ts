// Diagnostics are data. Every phase returns them instead of throwing; the CLI prints them.
import type { Position, Span } from '../../../dsl/src/ast.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** snake_case, subject first: `field_unknown`, `window_session_needs_key`. Listed in docs/diagnostics.md. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
  /** A concrete fix, e.g. "did you mean `userId`?". */
  readonly suggestion?: string;
}

/** What a message function returns: the text and, where one exists, a suggestion. */
export interface MessageText {
  readonly message: string;
  readonly suggestion?: string;
}

export function makeDiagnostic(
  code: string,
  severity: Severity,
  text: MessageText,
  file: string,
  span: Span,
): Diagnostic {
  const base = { code, severity, message: text.message, file, start: span.start, end: span.end };
  return text.suggestion === undefined ? base : { ...base, suggestion: text.suggestion };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Source order, then code: stable output for tests and editors. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.start.offset - b.start.offset || a.end.offset - b.end.offset || a.code.localeCompare(b.code),
  );
}

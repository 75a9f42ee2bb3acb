// Human-readable diagnostics: `file:line:col: error[code]: message`, a code frame with a caret
// under the span, and the suggestion.
import type { Diagnostic } from './diagnostic.ts';

export interface FormatOptions {
  /** Lines of context shown above the error line. */
  readonly contextLines?: number;
}

export function formatDiagnostic(diagnostic: Diagnostic, source: string, options: FormatOptions = {}): string {
  const { file, start, end, severity, code, message, suggestion } = diagnostic;
  const out = [`${file}:${start.line}:${start.column}: ${severity}[${code}]: ${message}`];
  out.push(...codeFrame(source, diagnostic, options.contextLines ?? 1));
  if (suggestion !== undefined) out.push(`  = help: ${suggestion}`);
  void end;
  return out.join('\n');
}

function codeFrame(source: string, diagnostic: Diagnostic, contextLines: number): string[] {
  const lines = source.split(/\r?\n/);
  const { start, end } = diagnostic;
  const lineIndex = Math.min(Math.max(start.line - 1, 0), Math.max(lines.length - 1, 0));
  const first = Math.max(0, lineIndex - contextLines);
  const gutter = String(lineIndex + 1).length;
  const frame: string[] = [];
  for (let i = first; i <= lineIndex; i++) {
    frame.push(` ${String(i + 1).padStart(gutter)} | ${lines[i] ?? ''}`);
  }
  const text = lines[lineIndex] ?? '';
  const column = Math.min(Math.max(start.column - 1, 0), text.length);
  const width = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, text.length - column);
  const prefix = text.slice(0, column).replace(/[^\t]/g, ' ');
  frame.push(` ${' '.repeat(gutter)} | ${prefix}${'^'.repeat(width)}`);
  return frame;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  return diagnostics.map((d) => formatDiagnostic(d, sources.get(d.file) ?? '')).join('\n\n');
}

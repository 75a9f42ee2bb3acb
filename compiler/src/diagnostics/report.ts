import type { Span } from '../../../dsl/src/ast.ts';
import { makeDiagnostic, type Diagnostic } from './diagnostic.ts';
import { messages, type DiagnosticCode, type MessageArgs } from './messages/index.ts';

/** Collects the diagnostics of one file: `report.add('field_unknown', span, name, record, known)`. */
export class DiagnosticBag {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly file: string) {}

  add<C extends DiagnosticCode>(code: C, span: Span, ...args: MessageArgs<C>): Diagnostic {
    const definition = messages[code];
    const text = (definition.text as (...a: MessageArgs<C>) => ReturnType<typeof definition.text>)(...args);
    const diagnostic = makeDiagnostic(code, definition.severity, text, this.file, span);
    this.diagnostics.push(diagnostic);
    return diagnostic;
  }
}

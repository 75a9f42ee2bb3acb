// Phase 1: text → AST + coded diagnostics. The grammar work happens in dsl/ (which knows nothing
// of diagnostics); this phase only words its SyntaxProblems as catalog diagnostics.
import { parse, type Program, type SyntaxProblem } from '../../../../dsl/src/index.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { DiagnosticBag } from '../../diagnostics/report.ts';
import { syntaxSuggestion } from './suggestions.ts';

export interface ParseOutput {
  program: Program;
  diagnostics: Diagnostic[];
}

export function parseFlow(text: string, file: string): ParseOutput {
  const { program, problems } = parse(text, file);
  const bag = new DiagnosticBag(file);
  for (const problem of problems) report(bag, problem);
  return { program, diagnostics: bag.diagnostics };
}

function report(bag: DiagnosticBag, problem: SyntaxProblem): void {
  const { span, found } = problem;
  switch (problem.code) {
    case 'token_invalid':
    case 'string_escape_invalid':
    case 'number_invalid':
    case 'duration_invalid':
    case 'template_hole_invalid':
    case 'quantifier_invalid':
      bag.add(problem.code, span, found);
      return;
    case 'string_unterminated':
    case 'comment_unterminated':
    case 'template_hole_unclosed':
    case 'syntax_too_deep':
    case 'parse_failed':
      bag.add(problem.code, span);
      return;
    case 'syntax_unexpected_token':
      bag.add('syntax_unexpected_token', span, found, problem.expected, syntaxSuggestion(problem));
      return;
    case 'syntax_unexpected_end':
      bag.add('syntax_unexpected_end', span, problem.expected, syntaxSuggestion(problem));
      return;
    default: {
      const _unhandled: never = problem.code;
      return _unhandled;
    }
  }
}

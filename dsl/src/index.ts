// The .flow front end: `parse(text, file)` → the AST and every syntax problem of the file.
// It never throws: whatever the input, it returns a Program (possibly partial) and the problems.
import type { Program } from './ast.ts';
import { lex } from './lexer.ts';
import { flowParser } from './parser.ts';
import { LineIndex, startOfFile } from './positions.ts';
import type { SyntaxProblem } from './problem.ts';
import { SyntaxErrorConverter } from './syntax-errors.ts';
import { internalProblem, toAst } from './to-ast.ts';

export type * from './ast.ts';
export type { SyntaxProblem, SyntaxProblemCode } from './problem.ts';
export { declarationKeywords, reservedWords } from './tokens.ts';

export interface ParseResult {
  program: Program;
  problems: SyntaxProblem[];
}

export function parse(text: string, file: string): ParseResult {
  const source = typeof text === 'string' ? text : '';
  try {
    return parseSource(source, file);
  } catch (error) {
    // Only a stack overflow (hundreds of nested parentheses) or a bug gets here.
    const lines = new LineIndex(source);
    const problem = internalProblem({ start: startOfFile, end: startOfFile });
    return {
      program: { kind: 'Program', file, pipeline: null, declarations: [], span: { start: startOfFile, end: lines.end } },
      problems: [error instanceof RangeError ? { ...problem, code: 'syntax_too_deep' } : problem],
    };
  }
}

function parseSource(text: string, file: string): ParseResult {
  const lines = new LineIndex(text);
  const lexed = lex(text, lines);

  flowParser.input = lexed.tokens;
  const cst = flowParser.program();
  const converter = new SyntaxErrorConverter(lexed.tokens, lines, lexed.skippedOffsets);
  const parseProblems = flowParser.errors
    .map((error) => converter.convert(error))
    .filter((problem): problem is SyntaxProblem => problem !== null);
  flowParser.input = []; // do not keep the file's tokens alive in the singleton

  const astProblems: SyntaxProblem[] = [];
  const program = toAst(cst, file, lines, astProblems);
  return { program, problems: dedupe([...lexed.problems, ...parseProblems, ...astProblems]) };
}

/** Source order, one problem per start position: the first reported (lexer before parser) wins. */
function dedupe(problems: SyntaxProblem[]): SyntaxProblem[] {
  const seen = new Set<number>();
  return problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => a.problem.span.start.offset - b.problem.span.start.offset || a.order - b.order)
    .filter(({ problem }) => {
      if (seen.has(problem.span.start.offset)) return false;
      seen.add(problem.span.start.offset);
      return true;
    })
    .map(({ problem }) => problem);
}

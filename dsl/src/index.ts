// The .flow front end: `parse(text, file)` → the AST and every syntax problem of the file.
// It never throws: whatever the input, it returns a Program (possibly partial) and the problems.
import type { CstNode, IRecognitionException, IToken } from 'chevrotain';
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

  const { cst, errors } = runParser(lexed.tokens);
  const converter = new SyntaxErrorConverter(lexed.tokens, lines, lexed.skippedOffsets);
  const parseProblems = errors
    .map((error) => converter.convert(error))
    .filter((problem): problem is SyntaxProblem => problem !== null);

  const astProblems: SyntaxProblem[] = [];
  const program = toAst(cst, file, lines, astProblems);
  return { program, problems: dedupe([...lexed.problems, ...parseProblems, ...astProblems]) };
}

/** One run of the shared parser; it is left empty so it does not keep the file's tokens alive. */
function runParser(tokens: IToken[]): { cst: CstNode; errors: IRecognitionException[] } {
  flowParser.input = tokens;
  try {
    const cst = flowParser.program();
    return { cst, errors: [...flowParser.errors] };
  } finally {
    flowParser.input = [];
  }
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

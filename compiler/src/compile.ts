// compile() = parse → analyze → plan → emit, one source file at a time. No phase throws: each
// returns diagnostics, and a later phase runs only on input it can trust.
import type { Program } from '../../dsl/src/ast.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.ts';
import { parseFlow } from './phases/1-parse/index.ts';
import { analyze } from './phases/2-analyze/index.ts';
import type { AnalyzedProgram } from './phases/2-analyze/model.ts';
import { plan as planProgram } from './phases/3-plan/index.ts';
import type { PhysicalPlan } from './phases/3-plan/plan.ts';
import { emit, type EmittedFile } from './phases/4-emit/index.ts';
import { COMPILER_VERSION } from './version.ts';

export type Phase = 'parse' | 'check' | 'plan' | 'emit';

export interface CompileResult {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly program: Program;
  readonly analyzed: AnalyzedProgram | null;
  readonly plan: PhysicalPlan | null;
  /** Emitted files, relative to `generated/<pipeline>/`; empty unless every phase passed. */
  readonly files: readonly EmittedFile[];
}

export interface CompileOptions {
  /** The last phase to run; `emit` by default. */
  readonly until?: Phase;
  readonly compilerVersion?: string;
}

const ORDER: readonly Phase[] = ['parse', 'check', 'plan', 'emit'];

export function compileSource(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const last = ORDER.indexOf(options.until ?? 'emit');
  const parsed = parseFlow(text, file);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const done = (analyzed: AnalyzedProgram | null, physical: PhysicalPlan | null, files: readonly EmittedFile[]): CompileResult => ({
    file,
    diagnostics: sortDiagnostics(dedupe(diagnostics)),
    program: parsed.program,
    analyzed,
    plan: physical,
    files,
  });
  if (last < 1) return done(null, null, []);

  // The checker runs on recovered trees too, so one run reports syntax and semantic errors together.
  const analysis = analyze(parsed.program);
  diagnostics.push(...analysis.diagnostics);
  if (last < 2 || analysis.analyzed === null || hasErrors(diagnostics)) return done(analysis.analyzed, null, []);

  const planned = planProgram(analysis.analyzed);
  diagnostics.push(...planned.diagnostics);
  if (last < 3 || hasErrors(diagnostics)) return done(analysis.analyzed, planned.plan, []);

  const files = emit({
    analyzed: analysis.analyzed,
    plan: planned.plan,
    sourceText: text,
    sourcePath: file,
    compilerVersion: options.compilerVersion ?? COMPILER_VERSION,
  });
  return done(analysis.analyzed, planned.plan, files);
}

/** A recovered parse can make the checker repeat a parse error's position; keep one per code and place. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}@${d.start.offset}-${d.end.offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// The check phase: `analyze(program)` resolves every name, types every expression and checks the
// rules of sources, streams, aggregates, patterns and emits (see README.md). It never throws and
// reports every independent error of one run; an expression with an error is typed ERROR so the
// mistake is reported once.
import type * as ast from '../../../../dsl/src/ast.ts';
import { sortDiagnostics } from '../../diagnostics/diagnostic.ts';
import { checkAggregateDecl } from './checks/AggregateDecl.ts';
import { checkEmitDecl } from './checks/EmitDecl.ts';
import { checkEnumDecl } from './checks/EnumDecl.ts';
import { checkPatternDecl } from './checks/PatternDecl.ts';
import { SchemaResolver } from './checks/SchemaDecl.ts';
import { checkSourceDecl } from './checks/SourceDecl.ts';
import { checkStreamDecl } from './checks/StreamDecl.ts';
import { Context, declarationKind, present, type StreamEntry } from './context.ts';
import { ExpressionChecker } from './expressions.ts';
import type { AnalysisResult, AnalyzedProgram, StreamInfo } from './model.ts';

export type { AnalysisResult, AnalyzedProgram, Resolution, StreamInfo, TimeDomain } from './model.ts';
export { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS, isAggregateFunction } from './functions.ts';
export type { AggregateFunction, ScalarFunction } from './functions.ts';
export { SINK_CONNECTORS, SOURCE_CONNECTORS } from './connectors.ts';
export type { ConnectorParam, ConnectorSpec } from './connectors.ts';
export { ALERT_FIELDS } from './checks/common.ts';

export function analyze(program: ast.Program): AnalysisResult {
  const ctx = new Context(program);
  try {
    const analyzed = run(ctx);
    return { analyzed, diagnostics: sortDiagnostics(ctx.report.diagnostics) };
  } catch (error) {
    // A checker bug must not take the compiler down; it becomes a diagnostic.
    const detail = error instanceof Error ? error.message : String(error);
    ctx.report.add('checker_internal_error', program.span, detail);
    return { analyzed: null, diagnostics: sortDiagnostics(ctx.report.diagnostics) };
  }
}

function run(ctx: Context): AnalyzedProgram {
  const { program } = ctx;
  const declarations = program.declarations.filter((d): d is ast.Declaration => d !== null && d !== undefined);
  const checker = new ExpressionChecker(ctx);

  // One namespace for every named declaration; the first of two with one name wins.
  const registered = new Set<ast.Declaration>();
  declarations.forEach((decl, index) => {
    if (decl.kind === 'EmitDecl' || !present(decl.name)) return;
    const first = ctx.declared.get(decl.name.name);
    if (first !== undefined) {
      const kind = declarationKind(first.declaration);
      ctx.report.add('declaration_duplicate', decl.name.span, decl.name.name, kind, first.declaration.span.start.line);
      return;
    }
    ctx.declared.set(decl.name.name, { declaration: decl, index });
    registered.add(decl);
  });

  // Types first, in any order: enums, then schemas (which may use each other).
  for (const decl of declarations) if (decl.kind === 'EnumDecl') checkEnumDecl(ctx, decl, registered.has(decl));
  const schemas = new Map<string, ast.SchemaDecl>();
  for (const decl of declarations) if (decl.kind === 'SchemaDecl' && registered.has(decl)) schemas.set(decl.name.name, decl);
  const resolver = new SchemaResolver(ctx, schemas);
  resolver.resolveAll();
  for (const decl of declarations) if (decl.kind === 'SchemaDecl' && !registered.has(decl)) resolver.checkDetached(decl);

  // Streams in declaration order: each reads only streams declared above it.
  declarations.forEach((decl, index) => {
    let entry: StreamEntry | undefined;
    switch (decl.kind) {
      case 'SourceDecl':
        entry = checkSourceDecl(ctx, checker, decl);
        break;
      case 'StreamDecl':
        entry = checkStreamDecl(ctx, checker, decl, index);
        break;
      case 'AggregateDecl':
        entry = checkAggregateDecl(ctx, checker, decl, index);
        break;
      case 'PatternDecl':
        entry = checkPatternDecl(ctx, checker, decl, index);
        break;
      default:
        return;
    }
    if (registered.has(decl)) ctx.streams.set(decl.name.name, entry);
  });

  // Emits may name streams declared anywhere.
  for (const decl of declarations) if (decl.kind === 'EmitDecl') checkEmitDecl(ctx, checker, decl);

  const streams = new Map<string, StreamInfo>();
  for (const [name, entry] of ctx.streams) streams.set(name, entry.info);
  return {
    program,
    pipelineName: pipelineName(program),
    enums: ctx.enums,
    schemas: ctx.schemas,
    streams,
    types: ctx.types,
    nullable: ctx.nullable,
    resolutions: ctx.resolutions,
    windowTime: ctx.windowTime,
  };
}

/** `pipeline name`, else the file's base name without extension, non-identifier characters as `_`. */
function pipelineName(program: ast.Program): string {
  if (present(program.pipeline)) return program.pipeline.name;
  const base = program.file.split(/[\\/]/).pop() ?? program.file;
  const stem = base.replace(/\.[^.]*$/, '') || base;
  return stem.replace(/[^A-Za-z0-9_]/g, '_');
}

// The state of one `analyze()` run, shared by every check: the diagnostics, the tables the
// AnalyzedProgram is built from, and the declared names.
import type * as ast from '../../../../dsl/src/ast.ts';
import { DiagnosticBag } from '../../diagnostics/report.ts';
import type { Resolution, StreamInfo, TimeDomain } from './model.ts';
import type { EnumType, RecordType, Type } from './types.ts';

export type StreamDeclaration = ast.SourceDecl | ast.StreamDecl | ast.AggregateDecl | ast.PatternDecl;

/** A name of the single declaration namespace (enums, schemas, sources, streams, aggregates, patterns). */
export interface DeclaredName {
  readonly declaration: ast.EnumDecl | ast.SchemaDecl | StreamDeclaration;
  /** Position in `program.declarations`: a declaration reads only streams with a smaller index. */
  readonly index: number;
}

/** A checked stream. `broken`: its record could not be determined (unknown schema or input); readers stay quiet. */
export interface StreamEntry {
  readonly info: StreamInfo;
  readonly broken: boolean;
}

export class Context {
  readonly report: DiagnosticBag;
  readonly types = new Map<ast.Expr, Type>();
  readonly nullable = new Set<ast.Expr>();
  readonly resolutions = new Map<ast.NameExpr, Resolution>();
  readonly enums = new Map<string, EnumType>();
  /** Member name → the enums that declare it. */
  readonly enumsByMember = new Map<string, EnumType[]>();
  readonly schemas = new Map<string, RecordType>();
  readonly declared = new Map<string, DeclaredName>();
  readonly streams = new Map<string, StreamEntry>();
  readonly windowTime = new Map<ast.AggregateDecl, TimeDomain>();

  constructor(readonly program: ast.Program) {
    this.report = new DiagnosticBag(program.file);
  }
}

export function declarationKind(declaration: ast.Declaration): string {
  switch (declaration.kind) {
    case 'EnumDecl':
      return 'enum';
    case 'SchemaDecl':
      return 'schema';
    case 'SourceDecl':
      return 'source';
    case 'StreamDecl':
      return 'stream';
    case 'AggregateDecl':
      return 'aggregate';
    case 'PatternDecl':
      return 'pattern';
    case 'EmitDecl':
      return 'emit';
  }
}

/** "a schema", "an enum", "an aggregate". */
export function withArticle(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** Identifiers of recovered parses may be empty; such names were reported by the parser. */
export function present(identifier: ast.Identifier | null): identifier is ast.Identifier {
  return identifier !== null && identifier.name !== '';
}

// What the checker hands to the planner and the emitter: the program with every name resolved and
// every expression typed. Produced by `analyze()` in ./index.ts.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { EnumType, RecordType, Type } from './types.ts';

export type TimeDomain = 'event' | 'processing';

/** Where a name in an expression points. */
export type Resolution =
  | { readonly kind: 'field'; readonly record: RecordType; readonly field: string }
  | { readonly kind: 'enumMember'; readonly type: EnumType; readonly member: string }
  | { readonly kind: 'patternStep'; readonly step: ast.PatternStep }
  | { readonly kind: 'groupKey'; readonly key: ast.GroupKey }
  | { readonly kind: 'measure'; readonly measure: ast.MeasureClause };

/** Every named stream of the program: sources, streams, aggregates (their output rows) and patterns (their alerts). */
export interface StreamInfo {
  readonly name: string;
  readonly declaration: ast.SourceDecl | ast.StreamDecl | ast.AggregateDecl | ast.PatternDecl;
  /** The record type of one element of the stream. */
  readonly record: RecordType;
  /** The partition key, when the stream is keyed (source `key by`, stream `key by`, aggregate group keys). */
  readonly key: ast.Expr | null;
  /** Whether the elements carry event time (a source with `event time`, or anything derived from one; window results carry their window end). */
  readonly eventTime: boolean;
  /** Streams this one reads. */
  readonly inputs: readonly string[];
}

export interface AnalyzedProgram {
  readonly program: ast.Program;
  readonly pipelineName: string;
  readonly enums: ReadonlyMap<string, EnumType>;
  readonly schemas: ReadonlyMap<string, RecordType>;
  readonly streams: ReadonlyMap<string, StreamInfo>;
  /** The type of every expression node the checker visited. */
  readonly types: ReadonlyMap<ast.Expr, Type>;
  /**
   * The expressions whose value may be null (`pageViewData?.url`, an optional field, `avg(x where c)`).
   * Nullability is not part of `Type`; every other typed expression is never null.
   */
  readonly nullable: ReadonlySet<ast.Expr>;
  /** For every NameExpr (and the first segment of member chains): what it refers to. */
  readonly resolutions: ReadonlyMap<ast.NameExpr, Resolution>;
  /** The window time domain of each aggregate after defaults are applied. */
  readonly windowTime: ReadonlyMap<ast.AggregateDecl, TimeDomain>;
}

export interface AnalysisResult {
  /** `null` only when the program is too broken to model at all. */
  readonly analyzed: AnalyzedProgram | null;
  readonly diagnostics: readonly Diagnostic[];
}

// Helpers shared by the declaration checks: reading input streams, keys, durations, duplicate
// clauses and alerts.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { SEVERITY_LEVELS } from '../../../diagnostics/messages/check.ts';
import { declarationKind, present, withArticle, type Context, type StreamEntry } from '../context.ts';
import type { ExpressionChecker } from '../expressions.ts';
import type { Scope } from '../scope.ts';
import { isScalar, typeToString, type Typed } from '../typeops.ts';
import { STRING, TIMESTAMP, type RecordField } from '../types.ts';

/**
 * The stream `ref` names, as read by the declaration at `readerIndex`. Reports unknown streams and
 * streams declared later; `undefined` then (the reader treats its input as broken).
 */
export function readStream(ctx: Context, ref: ast.StreamRef | null, reader: string, readerIndex: number): StreamEntry | undefined {
  if (ref === null || !present(ref.name)) return undefined;
  const name = ref.name.name;
  const declared = ctx.declared.get(name);
  if (declared === undefined) {
    ctx.report.add('stream_unknown', ref.name.span, name, [...ctx.streams.keys()]);
    return undefined;
  }
  const kind = declarationKind(declared.declaration);
  if (kind === 'enum' || kind === 'schema') {
    ctx.report.add('stream_unknown', ref.name.span, name, [...ctx.streams.keys()], withArticle(kind));
    return undefined;
  }
  if (declared.index >= readerIndex) {
    ctx.report.add('stream_declared_later', ref.name.span, name, reader, declared.declaration.span.start.line);
    return undefined;
  }
  return ctx.streams.get(name);
}

/**
 * Whether a stream's elements are another aggregate's rows (keyed updates, language.md §11): an
 * aggregate, or a stream derived from one (through `where`, `derive`, `key by`, `union`).
 */
export function isUpdateStream(ctx: Context, name: string, seen: Set<string> = new Set()): boolean {
  const info = ctx.streams.get(name)?.info;
  if (info === undefined || seen.has(name)) return false;
  seen.add(name);
  if (info.declaration.kind === 'AggregateDecl') return true;
  if (info.declaration.kind !== 'StreamDecl') return false;
  return info.inputs.some((input) => isUpdateStream(ctx, input, seen));
}

/** Reports a second clause of a kind that may appear once; returns whether `clause` is the first. */
export class OnceTracker {
  readonly #seen = new Set<string>();

  constructor(
    private readonly ctx: Context,
    private readonly owner: string,
  ) {}

  first(clause: string, span: ast.Span): boolean {
    if (this.#seen.has(clause)) {
      this.ctx.report.add('clause_duplicate', span, clause, this.owner);
      return false;
    }
    this.#seen.add(clause);
    return true;
  }
}

/** Window sizes, slides, gaps, `within`, `emit every`: reports a zero duration. */
export function positiveDuration(ctx: Context, duration: ast.DurationLiteral | null, what: string): number | undefined {
  if (duration === null) return undefined;
  if (duration.millis <= 0) {
    ctx.report.add('duration_not_positive', duration.span, what);
    return undefined;
  }
  return duration.millis;
}

/** `key by expr` / `group by expr`: a scalar (nullable allowed: null is a key of its own). */
export function checkKey(ctx: Context, checker: ExpressionChecker, expr: ast.Expr | null, scope: Scope, clause: string): Typed | undefined {
  if (expr === null) return undefined;
  const result = checker.check(expr, scope);
  if (!isScalar(result.type)) {
    ctx.report.add('key_type_invalid', expr.span, clause, typeToString(result.type));
    return undefined;
  }
  return result;
}

/** The alert fields every alert record starts with. */
export const ALERT_FIELDS: readonly RecordField[] = [
  { name: 'alert_type', type: STRING, optional: false },
  { name: 'severity', type: STRING, optional: false },
  { name: 'title', type: STRING, optional: false },
  { name: 'message', type: STRING, optional: false },
  { name: 'key', type: STRING, optional: false },
  { name: 'time', type: TIMESTAMP, optional: false },
];

/** Severity and templates of an alert; `scope` resolves the template holes. */
export function checkAlert(ctx: Context, checker: ExpressionChecker, alert: ast.AlertClause, scope: Scope): void {
  const severity = alert.severity;
  if (present(severity) && !(SEVERITY_LEVELS as readonly string[]).includes(severity.name)) {
    ctx.report.add('alert_severity_unknown', severity.span, severity.name);
  }
  checker.template(alert.title, scope);
  checker.template(alert.message, scope);
}

/** Source declarations a stream is derived from, following inputs back. */
export function rootSources(ctx: Context, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const entry = ctx.streams.get(name);
  if (entry === undefined) return [];
  if (entry.info.declaration.kind === 'SourceDecl') return [name];
  return [...new Set(entry.info.inputs.flatMap((input) => rootSources(ctx, input, seen)))];
}

/** A NameExpr that does not appear in the source text: the key of an aggregate's or pattern's output. */
export function syntheticName(name: string, span: ast.Span): ast.NameExpr {
  return { kind: 'NameExpr', name, span };
}


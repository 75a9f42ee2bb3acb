// `source name: Schema from connector(...) { key by …  event time … watermark … idle …  dead letter to … }`
import type * as ast from '../../../../../dsl/src/ast.ts';
import { checkConnector } from '../connectors.ts';
import { declarationKind, withArticle, type Context } from '../context.ts';
import type { ExpressionChecker } from '../expressions.ts';
import type { StreamInfo } from '../model.ts';
import { recordScope } from '../scope.ts';
import { isPrimitive } from '../typeops.ts';
import { typeToString, type RecordType } from '../types.ts';
import { OnceTracker, checkKey } from './common.ts';

export function checkSourceDecl(ctx: Context, checker: ExpressionChecker, decl: ast.SourceDecl): { info: StreamInfo; broken: boolean } {
  const name = decl.name.name;
  const schema = resolveSchema(ctx, decl.schema);
  const record: RecordType = schema ?? { kind: 'record', name: decl.schema?.name || name, fields: [] };
  const broken = schema === undefined;
  checkConnector(ctx, checker, decl.connector, 'source');

  const scope = recordScope(record, 'a source clause', broken);
  const once = new OnceTracker(ctx, name);
  let key: ast.Expr | null = null;
  let eventTime = false;
  for (const clause of decl.clauses) {
    switch (clause.kind) {
      case 'KeyByClause':
        if (!once.first('key by', clause.span)) break;
        checkKey(ctx, checker, clause.key, scope.with({ context: 'a `key by`' }), '`key by`');
        key = clause.key;
        break;
      case 'EventTimeClause': {
        if (!once.first('event time', clause.span)) break;
        eventTime = true;
        if (clause.field === null) break;
        const result = checker.check(clause.field, scope.with({ context: 'an `event time`' }));
        if (result.type.kind === 'error') break;
        if (!isPrimitive(result.type, 'timestamp', 'int')) {
          ctx.report.add('event_time_type', clause.field.span, typeToString(result.type), false);
        } else if (result.optional) {
          ctx.report.add('event_time_type', clause.field.span, typeToString(result.type), true);
        }
        break;
      }
      case 'DeadLetterClause':
        if (!once.first('dead letter', clause.span)) break;
        checkConnector(ctx, checker, clause.connector, 'sink');
        break;
    }
  }
  return { info: { name, declaration: decl, record, key, eventTime, inputs: [] }, broken };
}

function resolveSchema(ctx: Context, ref: ast.Identifier | null): RecordType | undefined {
  if (ref === null || ref.name === '') return undefined;
  const schema = ctx.schemas.get(ref.name);
  if (schema !== undefined) return schema;
  const other = ctx.declared.get(ref.name);
  const kind = other === undefined ? undefined : withArticle(declarationKind(other.declaration));
  ctx.report.add('schema_unknown', ref.span, ref.name, [...ctx.schemas.keys()], kind);
  return undefined;
}

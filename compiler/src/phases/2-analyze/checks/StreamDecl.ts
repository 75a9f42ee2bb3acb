// `stream name = input | union(a, b, …)  where …  derive a = …, b = …  key by …`
//
// Operations apply in order. `derive` assignments are sequential (a later one may use an earlier
// one) and may replace a field of the input. The stream's record is its input's record, extended
// by each `derive`; its key is the last `key by`, else the input's key (dropped if a `derive`
// replaces a field the key uses; a union has no key unless it says `key by`).
import type * as ast from '../../../../../dsl/src/ast.ts';
import { present, type Context, type StreamEntry } from '../context.ts';
import type { ExpressionChecker } from '../expressions.ts';
import type { StreamInfo } from '../model.ts';
import { recordScope } from '../scope.ts';
import { typeDifference } from '../typeops.ts';
import { ERROR, type RecordField, type RecordType } from '../types.ts';
import { checkKey, readStream } from './common.ts';

export function checkStreamDecl(ctx: Context, checker: ExpressionChecker, decl: ast.StreamDecl, index: number): StreamEntry {
  const name = decl.name.name;
  const input = readInput(ctx, decl, index);
  let record = input.record;
  let key = input.key;
  const broken = input.broken;
  for (const op of decl.operations) {
    const scope = recordScope(record, 'a stream', broken);
    switch (op.kind) {
      case 'WhereClause':
        checker.condition(op.condition, scope.with({ context: 'a stream `where`' }), 'the `where` condition');
        break;
      case 'DeriveClause': {
        const derived = derive(ctx, checker, op, record, name, broken);
        if (key !== null && derived.replaced.some((f) => usesName(key, f))) key = null;
        record = derived.record;
        break;
      }
      case 'KeyByClause':
        if (checkKey(ctx, checker, op.key, scope.with({ context: 'a `key by`' }), '`key by`') !== undefined) key = op.key;
        else if (op.key !== null) key = null;
        break;
    }
  }
  const info: StreamInfo = { name, declaration: decl, record, key, eventTime: input.eventTime, inputs: input.names };
  return { info, broken };
}

interface Input {
  readonly record: RecordType;
  readonly key: ast.Expr | null;
  readonly eventTime: boolean;
  readonly broken: boolean;
  readonly names: readonly string[];
}

function readInput(ctx: Context, decl: ast.StreamDecl, index: number): Input {
  const name = decl.name.name;
  const brokenInput: Input = { record: { kind: 'record', name, fields: [] }, key: null, eventTime: false, broken: true, names: [] };
  const input = decl.input;
  if (input === null) return brokenInput;
  if (input.kind === 'StreamRef') {
    const entry = readStream(ctx, input, name, index);
    const names = present(input.name) ? [input.name.name] : [];
    if (entry === undefined) return { ...brokenInput, names };
    const { record, key, eventTime } = entry.info;
    return { record, key, eventTime, broken: entry.broken, names };
  }
  const names: string[] = [];
  const good: { ref: ast.StreamRef; entry: StreamEntry }[] = [];
  let anyBroken = false;
  for (const ref of input.inputs) {
    if (!present(ref.name)) continue;
    if (names.includes(ref.name.name)) {
      ctx.report.add('union_input_duplicate', ref.span, ref.name.name);
      continue;
    }
    names.push(ref.name.name);
    const entry = readStream(ctx, ref, name, index);
    if (entry === undefined || entry.broken) anyBroken = true;
    else good.push({ ref, entry });
  }
  const first = good[0];
  if (first === undefined) return { ...brokenInput, names };
  for (const other of good.slice(1)) {
    const difference = typeDifference(first.entry.info.record, other.entry.info.record);
    if (difference !== undefined) ctx.report.add('union_record_mismatch', other.ref.span, other.entry.info.name, first.entry.info.name, difference);
  }
  const withoutEventTime = good.find((g) => !g.entry.info.eventTime);
  if (withoutEventTime !== undefined && good.some((g) => g.entry.info.eventTime)) {
    ctx.report.add('union_event_time_mixed', withoutEventTime.ref.span, withoutEventTime.entry.info.name);
  }
  return {
    record: first.entry.info.record,
    key: null,
    eventTime: withoutEventTime === undefined && !anyBroken,
    broken: false,
    names,
  };
}

function derive(
  ctx: Context,
  checker: ExpressionChecker,
  clause: ast.DeriveClause,
  input: RecordType,
  streamName: string,
  broken: boolean,
): { record: RecordType; replaced: string[] } {
  const fields: RecordField[] = [...input.fields];
  const replaced: string[] = [];
  const assigned = new Set<string>();
  let record: RecordType = input;
  for (const assignment of clause.fields) {
    if (!present(assignment.name)) continue;
    const fieldName = assignment.name.name;
    const result = checker.check(assignment.value, recordScope(record, 'a `derive`', broken).with({ context: 'a `derive`' }));
    if (assigned.has(fieldName)) {
      ctx.report.add('field_duplicate', assignment.name.span, fieldName, streamName);
      continue;
    }
    assigned.add(fieldName);
    let type = result.type;
    if (type.kind === 'null') {
      ctx.report.add('derive_type_unknown', assignment.name.span, fieldName);
      type = ERROR;
    }
    const field: RecordField = { name: fieldName, type, optional: result.optional && type.kind !== 'error' };
    const existing = fields.findIndex((f) => f.name === fieldName);
    if (existing >= 0) {
      fields[existing] = field;
      replaced.push(fieldName);
    } else fields.push(field);
    record = { kind: 'record', name: streamName, fields: [...fields] };
  }
  return { record, replaced };
}

/** Whether `expr` reads the bare name `name` (the root of a field path). */
function usesName(expr: ast.Expr | null, name: string): boolean {
  if (expr === null) return false;
  switch (expr.kind) {
    case 'NameExpr':
      return expr.name === name;
    case 'MemberExpr':
      return usesName(expr.object, name);
    case 'CallExpr':
      return expr.args.some((a) => usesName(a, name)) || usesName(expr.filter, name);
    case 'UnaryExpr':
      return usesName(expr.operand, name);
    case 'BinaryExpr':
      return usesName(expr.left, name) || usesName(expr.right, name);
    case 'ListLiteral':
      return expr.elements.some((e) => usesName(e, name));
    default:
      return false;
  }
}

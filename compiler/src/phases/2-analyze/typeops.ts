// Operations on checked types: the `Typed` pair (type + nullability) the expression checker
// computes, structural equality, unification and the type rules of the operators.
import {
  BOOL,
  DURATION,
  ERROR,
  FLOAT,
  INT,
  STRING,
  TIMESTAMP,
  isNumeric,
  typeToString,
  type PrimitiveName,
  type RecordType,
  type Type,
} from './types.ts';

/**
 * A type together with whether the value may be null. Nullability is not part of `Type` (record
 * fields carry it as `optional`); the checker tracks it per expression and exports the nullable
 * expressions as `AnalyzedProgram.nullable`.
 */
export interface Typed {
  readonly type: Type;
  readonly optional: boolean;
}

export const typed = (type: Type, optional = false): Typed => ({ type, optional });
export const ERROR_TYPED: Typed = typed(ERROR);

export function isPrimitive(type: Type, ...names: PrimitiveName[]): boolean {
  return type.kind === 'primitive' && names.includes(type.name);
}

/** Scalars can be keys, compared for equality and counted distinct: everything but records, lists and null. */
export function isScalar(type: Type): boolean {
  return type.kind === 'primitive' || type.kind === 'enum' || type.kind === 'error';
}

/** Structural equality; record names are ignored, record fields compare by name (order-insensitive). */
export function sameType(a: Type, b: Type): boolean {
  return typeDifference(a, b) === undefined;
}

/** Why `b` is not structurally `a`, for messages (`undefined` when they are the same). */
export function typeDifference(a: Type, b: Type, path = ''): string | undefined {
  if (a.kind === 'error' || b.kind === 'error') return undefined;
  const where = path === '' ? '' : ` at \`${path}\``;
  if (a.kind !== b.kind) return `\`${typeToString(a)}\` vs \`${typeToString(b)}\`${where}`;
  switch (a.kind) {
    case 'primitive':
      return b.kind === 'primitive' && a.name === b.name ? undefined : `\`${typeToString(a)}\` vs \`${typeToString(b)}\`${where}`;
    case 'enum':
      return b.kind === 'enum' && a.name === b.name ? undefined : `\`${typeToString(a)}\` vs \`${typeToString(b)}\`${where}`;
    case 'null':
      return undefined;
    case 'list':
      return b.kind === 'list' ? typeDifference(a.element, b.element, `${path}[]`) : undefined;
    case 'record': {
      if (b.kind !== 'record') return undefined;
      return recordDifference(a, b, path);
    }
  }
}

function recordDifference(a: RecordType, b: RecordType, path: string): string | undefined {
  const prefix = path === '' ? '' : `${path}.`;
  const bFields = new Map(b.fields.map((f) => [f.name, f]));
  for (const fa of a.fields) {
    const fb = bFields.get(fa.name);
    if (fb === undefined) return `field \`${prefix}${fa.name}\` is missing`;
    const inner = typeDifference(fa.type, fb.type, `${prefix}${fa.name}`);
    if (inner !== undefined) return inner;
    if (fa.optional !== fb.optional) return `field \`${prefix}${fa.name}\` is ${fb.optional ? '' : 'not '}optional`;
  }
  const aNames = new Set(a.fields.map((f) => f.name));
  const extra = b.fields.find((f) => !aNames.has(f.name));
  return extra === undefined ? undefined : `it has an extra field \`${prefix}${extra.name}\``;
}

/**
 * The common type of two values (list elements, `if` branches, `??` sides): equal types, int and
 * float (→ float), null and anything (→ that type, nullable). `undefined` when there is none.
 */
export function unify(a: Typed, b: Typed): Typed | undefined {
  const optional = a.optional || b.optional;
  if (a.type.kind === 'error' || b.type.kind === 'error') return typed(ERROR, optional);
  if (a.type.kind === 'null') return typed(b.type, true);
  if (b.type.kind === 'null') return typed(a.type, true);
  if (isNumeric(a.type) && isNumeric(b.type)) {
    return typed(isPrimitive(a.type, 'int') && isPrimitive(b.type, 'int') ? INT : FLOAT, optional);
  }
  if (a.type.kind === 'list' && b.type.kind === 'list') {
    const element = unify(typed(a.type.element), typed(b.type.element));
    return element === undefined || element.optional ? undefined : typed({ kind: 'list', element: element.type }, optional);
  }
  return sameType(a.type, b.type) ? typed(a.type, optional) : undefined;
}

/** Whether `==`/`!=`/`in` may compare values of these types. */
export function equatable(a: Type, b: Type): boolean {
  if (a.kind === 'error' || b.kind === 'error' || a.kind === 'null' || b.kind === 'null') return true;
  if (a.kind === 'record' || b.kind === 'record' || a.kind === 'list' || b.kind === 'list') return false;
  if (isNumeric(a) && isNumeric(b)) return true;
  return sameType(a, b);
}

/** Whether `<`, `<=`, `>`, `>=` may compare values of these types. */
export function orderable(a: Type, b: Type): boolean {
  if (a.kind === 'error' || b.kind === 'error') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  return a.kind === 'primitive' && b.kind === 'primitive' && a.name === b.name && ['timestamp', 'duration', 'string'].includes(a.name);
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/**
 * The result type of an arithmetic operator, or `undefined` when the operands do not fit:
 * int op int = int (except `/` = float); timestamp − timestamp = duration; timestamp ± duration =
 * timestamp; duration ± duration = duration; duration × number = duration; duration / duration =
 * float; duration / number = duration; duration % duration = duration.
 */
export function arithmeticResult(operator: ArithmeticOperator, left: Type, right: Type): Type | undefined {
  if (left.kind === 'error' || right.kind === 'error') return ERROR;
  const l = left.kind === 'primitive' ? left.name : null;
  const r = right.kind === 'primitive' ? right.name : null;
  if (l === null || r === null) return undefined;
  const numeric = (n: PrimitiveName): boolean => n === 'int' || n === 'float';
  if (numeric(l) && numeric(r)) {
    if (operator === '/') return FLOAT;
    return l === 'int' && r === 'int' ? INT : FLOAT;
  }
  switch (operator) {
    case '+':
      if (l === 'timestamp' && r === 'duration') return TIMESTAMP;
      if (l === 'duration' && r === 'timestamp') return TIMESTAMP;
      if (l === 'duration' && r === 'duration') return DURATION;
      return undefined;
    case '-':
      if (l === 'timestamp' && r === 'timestamp') return DURATION;
      if (l === 'timestamp' && r === 'duration') return TIMESTAMP;
      if (l === 'duration' && r === 'duration') return DURATION;
      return undefined;
    case '*':
      if (l === 'duration' && numeric(r)) return DURATION;
      if (numeric(l) && r === 'duration') return DURATION;
      return undefined;
    case '/':
      if (l === 'duration' && r === 'duration') return FLOAT;
      if (l === 'duration' && numeric(r)) return DURATION;
      return undefined;
    case '%':
      if (l === 'duration' && r === 'duration') return DURATION;
      return undefined;
  }
}

/** A default value of the type, for "provide a default with `??`" suggestions. */
export function defaultLiteral(type: Type): string {
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'string':
          return '""';
        case 'int':
          return '0';
        case 'float':
          return '0.0';
        case 'bool':
          return 'false';
        case 'timestamp':
          return 'now()';
        case 'duration':
          return '0s';
      }
      break;
    case 'enum':
      return type.members[0] ?? '…';
    case 'list':
      return '[]';
    default:
      return '…';
  }
}

export { BOOL, DURATION, ERROR, FLOAT, INT, STRING, TIMESTAMP, typeToString };

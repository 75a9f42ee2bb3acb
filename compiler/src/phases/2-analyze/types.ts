// The type model of checked .flow programs. Shared by the checker (which computes types), the
// planner and the emitter (which turn them into TypeScript interfaces and decoders).

export type Type =
  | PrimitiveType
  | EnumType
  | RecordType
  | ListType
  | NullType
  | ErrorType;

export type PrimitiveName = 'string' | 'int' | 'float' | 'bool' | 'timestamp' | 'duration';

export interface PrimitiveType {
  readonly kind: 'primitive';
  readonly name: PrimitiveName;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly name: string;
  readonly members: readonly string[];
}

export interface RecordField {
  readonly name: string;
  readonly type: Type;
  /** May be absent or null in a record. */
  readonly optional: boolean;
}

export interface RecordType {
  readonly kind: 'record';
  /** The schema, stream or output record this type was declared as; `null` for inline records. */
  readonly name: string | null;
  readonly fields: readonly RecordField[];
}

export interface ListType {
  readonly kind: 'list';
  readonly element: Type;
}

/** The type of the `null` literal. */
export interface NullType {
  readonly kind: 'null';
}

/** The type of an expression that already has a diagnostic: absorbs every check so errors do not cascade. */
export interface ErrorType {
  readonly kind: 'error';
}

export const STRING: PrimitiveType = { kind: 'primitive', name: 'string' };
export const INT: PrimitiveType = { kind: 'primitive', name: 'int' };
export const FLOAT: PrimitiveType = { kind: 'primitive', name: 'float' };
export const BOOL: PrimitiveType = { kind: 'primitive', name: 'bool' };
export const TIMESTAMP: PrimitiveType = { kind: 'primitive', name: 'timestamp' };
export const DURATION: PrimitiveType = { kind: 'primitive', name: 'duration' };
export const NULL: NullType = { kind: 'null' };
export const ERROR: ErrorType = { kind: 'error' };

export const PRIMITIVES: ReadonlyMap<string, PrimitiveType> = new Map(
  [STRING, INT, FLOAT, BOOL, TIMESTAMP, DURATION].map((t) => [t.name, t]),
);

/** `string`, `int?`-free display form used in messages: `string`, `EventType`, `{ url: string }`, `float[]`. */
export function typeToString(type: Type): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'enum':
      return type.name;
    case 'record':
      return type.name ?? `{ ${type.fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${typeToString(f.type)}`).join(', ')} }`;
    case 'list':
      return `${typeToString(type.element)}[]`;
    case 'null':
      return 'null';
    case 'error':
      return '<error>';
  }
}

export function isNumeric(type: Type): boolean {
  return type.kind === 'primitive' && (type.name === 'int' || type.name === 'float');
}

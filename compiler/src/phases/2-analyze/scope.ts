// What the bare names of an expression can refer to. A scope is built per place an expression
// can appear: the record of a source or stream, the input of an aggregate, the output row of an
// aggregate (measures, `having`, alert templates), the current event and earlier steps of a pattern.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { Typed } from './typeops.ts';
import type { RecordField, RecordType } from './types.ts';

export type Binding =
  /** A field of the record in scope. */
  | { readonly kind: 'field'; readonly record: RecordType; readonly field: RecordField }
  /** A group-key column of an aggregate's output row. */
  | { readonly kind: 'groupKey'; readonly key: ast.GroupKey; readonly typed: Typed }
  /** An (earlier) measure of an aggregate's output row. */
  | { readonly kind: 'measure'; readonly measure: ast.MeasureClause; readonly typed: Typed }
  /** An earlier step of a pattern: the event it matched (the last one for a repeated step). */
  | { readonly kind: 'step'; readonly step: ast.PatternStep; readonly typed: Typed }
  /** A name that exists but may not be used here; `report` says why (e.g. a field outside an aggregate call). */
  | { readonly kind: 'unavailable'; readonly report: (span: ast.Span) => void };

export interface ScopeOptions {
  /** How `field_unknown` names the scope: the record name (`AnalyticsEvent`) or a description. */
  readonly description: string;
  /** Where the expression stands, for `aggregate_call_misplaced`: "a stream `where`". */
  readonly context: string;
  /** The scope of a broken input (unknown schema or stream): unknown names are silently errors. */
  readonly opaque?: boolean;
  /** Set on measure and `having` scopes: aggregate calls are allowed, their arguments are checked in this scope. */
  readonly aggregateInput?: Scope;
  /** Alert templates: a plain `.` on a nullable record is allowed (missing values render empty). */
  readonly template?: boolean;
}

export class Scope {
  readonly #bindings: ReadonlyMap<string, Binding>;

  constructor(
    bindings: ReadonlyMap<string, Binding>,
    readonly options: ScopeOptions,
  ) {
    this.#bindings = bindings;
  }

  get description(): string {
    return this.options.description;
  }

  get opaque(): boolean {
    return this.options.opaque === true;
  }

  get template(): boolean {
    return this.options.template === true;
  }

  get aggregateInput(): Scope | undefined {
    return this.options.aggregateInput;
  }

  lookup(name: string): Binding | undefined {
    return this.#bindings.get(name);
  }

  /** Names that may be used here, for "did you mean" suggestions. */
  names(): string[] {
    return [...this.#bindings].filter(([, b]) => b.kind !== 'unavailable').map(([n]) => n);
  }

  with(options: Partial<ScopeOptions>): Scope {
    return new Scope(this.#bindings, { ...this.options, ...options });
  }
}

/** The fields of `record` as bindings. */
export function fieldBindings(record: RecordType): Map<string, Binding> {
  const bindings = new Map<string, Binding>();
  for (const field of record.fields) if (!bindings.has(field.name)) bindings.set(field.name, { kind: 'field', record, field });
  return bindings;
}

/** A scope whose names are the fields of `record`. */
export function recordScope(record: RecordType, context: string, opaque = false): Scope {
  return new Scope(fieldBindings(record), { description: record.name ?? 'record', context, opaque });
}

/** No names at all: connector arguments. */
export const CONSTANT_SCOPE = new Scope(new Map(), { description: 'a constant', context: 'a connector argument' });

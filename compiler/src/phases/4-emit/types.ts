// The TypeScript types of a pipeline: which interface each checked record type becomes, and the
// emission of `types.ts`.
//
// - an enum becomes a string-literal union plus a const array of its members;
// - a schema becomes an interface; each nested record becomes a named interface of its own
//   (`pageViewData: {…}` → `PageViewData`, prefixed with the owner when the short name is taken);
// - optional fields are `T | null`: the decoder normalises "absent" to `null`, so every decoded
//   object has the same shape;
// - every stream, aggregate and pattern gets an interface for its output record (`PageViewsRecord`,
//   `SessionsRow`, `BouncesAlert`), aggregates a `…Key` for their group keys, patterns a `…Match`
//   for their step bindings.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { StreamInfo } from '../2-analyze/model.ts';
import type { EnumType, RecordType, Type } from '../2-analyze/types.ts';
import type { PatternNode, WindowAggregateNode } from '../3-plan/plan.ts';
import type { EmitContext } from './context.ts';
import { EmitError } from './context.ts';
import type { CodeWriter } from './writer.ts';
import { constantCase, NameScope, pascal, propertyName, quote } from './naming.ts';
import { exprNullable } from './expressions.ts';

/** The alert columns every alert record starts with (see the checker's ALERT_FIELDS). */
const ALERT_COLUMNS = ['alert_type', 'severity', 'title', 'message', 'key', 'time'] as const;

interface FieldEntry {
  readonly name: string;
  readonly type: string;
}

type TypeEntry =
  | { readonly kind: 'enum'; readonly name: string; readonly valuesName: string; readonly members: readonly string[]; readonly doc: string; readonly span: ast.Span | null }
  | {
      readonly kind: 'interface';
      readonly name: string;
      readonly doc: string;
      readonly span: ast.Span | null;
      readonly extendsType: string | null;
      readonly fields: readonly FieldEntry[];
      /** Listed right after this stream's record (group keys, pattern matches). */
      readonly after?: string;
    }
  | { readonly kind: 'alias'; readonly name: string; readonly target: string; readonly doc: string; readonly span: ast.Span | null };

export class TypeRegistry {
  readonly #ctx: EmitContext;
  readonly #names = new NameScope();
  readonly #entries: TypeEntry[] = [];
  readonly #byIdentity = new Map<RecordType, string>();
  readonly #byStructure = new Map<string, string>();
  readonly #streams = new Map<string, string>();
  readonly #keys = new Map<string, string>();
  readonly #matches = new Map<string, string>();

  constructor(ctx: EmitContext) {
    this.#ctx = ctx;
    const { analyzed } = ctx;
    // Declared names first, so nested records never take a schema's or an enum's name.
    for (const name of analyzed.enums.keys()) this.#names.take(name);
    for (const name of analyzed.schemas.keys()) this.#names.take(name);

    for (const decl of analyzed.program.declarations) {
      switch (decl.kind) {
        case 'EnumDecl': {
          const type = analyzed.enums.get(decl.name.name);
          if (type !== undefined) this.#addEnum(type, decl.span);
          break;
        }
        case 'SchemaDecl': {
          const record = analyzed.schemas.get(decl.name.name);
          if (record !== undefined) this.#addSchema(decl.name.name, record, decl.span, decl.fields);
          break;
        }
        case 'SourceDecl':
        case 'StreamDecl':
        case 'AggregateDecl':
        case 'PatternDecl': {
          const info = analyzed.streams.get(decl.name.name);
          if (info !== undefined) this.#addStream(info);
          break;
        }
        case 'EmitDecl':
          break;
      }
    }
  }

  /** The TypeScript type of a checked type; `nullable` adds `| null`. */
  tsType(type: Type, nullable = false): string {
    const base = this.#baseType(type);
    if (!nullable || type.kind === 'null') return base;
    return `${base} | null`;
  }

  /** The interface (or alias) of a stream's elements. */
  streamType(name: string): string {
    const type = this.#streams.get(name);
    if (type === undefined) throw new EmitError(`no record type for stream \`${name}\``);
    return type;
  }

  /** `SessionsKey`: the group-key record of an aggregate; `undefined` when it has no group keys. */
  keyType(aggregate: string): string | undefined {
    return this.#keys.get(aggregate);
  }

  /** `CheckoutAbandonedMatch`: the step bindings of a pattern. */
  matchType(pattern: string): string {
    const type = this.#matches.get(pattern);
    if (type === undefined) throw new EmitError(`no match type for pattern \`${pattern}\``);
    return type;
  }

  /** Declares the group-key record of an aggregate node (called once per aggregate). */
  declareKey(node: WindowAggregateNode): string | undefined {
    if (node.groupKeys.length === 0) return undefined;
    const known = this.#keys.get(node.name);
    if (known !== undefined) return known;
    const name = this.#names.take(`${pascal(node.name)}Key`);
    const fields = node.groupKeys.map((k) => ({
      name: k.name,
      type: this.tsType(this.#exprType(k.value.expr), exprNullable(this.#ctx, k.value.expr)),
    }));
    this.#entries.push({
      kind: 'interface',
      name,
      doc: `The group key of \`${node.name}\`: ${node.groupKeys.map((k) => `\`${k.value.text}\``).join(', ')}.`,
      span: node.span,
      extendsType: null,
      fields,
      after: node.name,
    });
    this.#keys.set(node.name, name);
    return name;
  }

  /** Declares the step bindings of a pattern node (called once per pattern). */
  declareMatch(node: PatternNode, inputType: string): string {
    const known = this.#matches.get(node.name);
    if (known !== undefined) return known;
    const name = this.#names.take(`${pascal(node.name)}Match`);
    const fields = node.steps
      .filter((s) => !s.negated)
      .map((s) => ({ name: s.name, type: s.quantifier !== null && s.quantifier.min === 0 ? `${inputType} | null` : inputType }));
    this.#entries.push({
      kind: 'interface',
      name,
      doc: `The events bound by the steps of \`${node.name}\` (a repeated step binds its last event).`,
      span: node.span,
      extendsType: null,
      fields,
      after: node.name,
    });
    this.#matches.set(node.name, name);
    return name;
  }

  /** Declares the output of a `derive` that is not the last operator of its stream. */
  declareIntermediate(stream: string, inputType: string, added: readonly FieldEntry[], span: ast.Span): string {
    const name = this.#names.take(`${pascal(stream)}Step`);
    this.#entries.push({
      kind: 'interface',
      name,
      doc: `An intermediate record of \`${stream}\`.`,
      span,
      extendsType: `Omit<${inputType}, ${added.map((f) => quote(f.name)).join(' | ')}>`,
      fields: added,
    });
    return name;
  }

  /** Every name `types.ts` exports (interfaces, aliases, unions and member arrays). */
  exportedNames(): string[] {
    return this.#entries.flatMap((e) => (e.kind === 'enum' ? [e.name, e.valuesName] : [e.name]));
  }

  /** The text of `types.ts` after the header and imports. */
  render(out: CodeWriter): void {
    for (const entry of this.#ordered()) {
      out.blankLine();
      if (entry.span !== null) out.line(`// ${this.#ctx.location(entry.span)}`);
      out.doc(entry.doc);
      switch (entry.kind) {
        case 'enum':
          out.line(`export type ${entry.name} = ${entry.members.map(quote).join(' | ')};`);
          out.blankLine();
          out.doc(`Every \`${entry.name}\` member, in declaration order.`);
          out.line(`export const ${entry.valuesName}: readonly ${entry.name}[] = [${entry.members.map(quote).join(', ')}];`);
          break;
        case 'alias':
          out.line(`export type ${entry.name} = ${entry.target};`);
          break;
        case 'interface':
          if (entry.fields.length === 0 && entry.extendsType !== null) {
            out.line(`export type ${entry.name} = ${entry.extendsType};`);
            break;
          }
          out.block(`export interface ${entry.name}${entry.extendsType === null ? '' : ` extends ${entry.extendsType}`}`, () => {
            for (const f of entry.fields) out.line(`readonly ${propertyName(f.name)}: ${f.type};`);
          });
          break;
      }
    }
  }

  /** Entries in declaration order, each group-key and match record right after its stream's. */
  #ordered(): TypeEntry[] {
    const trailing = this.#entries.filter((e) => e.kind === 'interface' && e.after !== undefined);
    const ordered: TypeEntry[] = [];
    for (const entry of this.#entries) {
      if (trailing.includes(entry)) continue;
      ordered.push(entry);
      const stream = [...this.#streams].find(([, type]) => type === entry.name)?.[0];
      if (stream !== undefined) ordered.push(...trailing.filter((t) => t.kind === 'interface' && t.after === stream));
    }
    for (const t of trailing) if (!ordered.includes(t)) ordered.push(t);
    return ordered;
  }

  // ───────────────────────────── registration ─────────────────────────────

  #addEnum(type: EnumType, span: ast.Span): void {
    this.#entries.push({
      kind: 'enum',
      name: type.name,
      valuesName: this.#names.take(`${constantCase(type.name)}_VALUES`),
      members: type.members,
      doc: `\`enum ${type.name}\``,
      span,
    });
  }

  #addSchema(name: string, record: RecordType, span: ast.Span, decls: readonly ast.FieldDecl[]): void {
    this.#byIdentity.set(record, name);
    const index = this.#entries.length;
    const fields = this.#fields(record, name, decls);
    this.#entries.splice(index, 0, { kind: 'interface', name, doc: `\`schema ${name}\``, span, extendsType: null, fields });
  }

  #addStream(info: StreamInfo): void {
    const decl = info.declaration;
    const record = info.record;
    if (decl.kind === 'SourceDecl') {
      const schema = this.#byIdentity.get(record) ?? (record.name !== null && this.#ctx.analyzed.schemas.has(record.name) ? record.name : undefined);
      if (schema !== undefined) {
        this.#streams.set(info.name, schema);
        return;
      }
    }
    const suffix = decl.kind === 'StreamDecl' || decl.kind === 'SourceDecl' ? 'Record' : isAlertRecord(record) ? 'Alert' : 'Row';
    const name = this.#names.take(`${pascal(info.name)}${suffix}`);
    this.#streams.set(info.name, name);
    const what = `${decl.kind === 'SourceDecl' ? 'source' : decl.kind === 'StreamDecl' ? 'stream' : decl.kind === 'AggregateDecl' ? 'aggregate' : 'pattern'} ${info.name}`;
    const span = decl.span;

    // A stream whose record is its input's (only `where` / `key by`): an alias.
    const inputName = info.inputs[0];
    const inputInfo = inputName === undefined ? undefined : this.#ctx.analyzed.streams.get(inputName);
    if (decl.kind === 'StreamDecl' && inputInfo !== undefined) {
      const inputType = this.#streams.get(inputInfo.name);
      if (inputType !== undefined && (inputInfo.record === record || structuralKey(inputInfo.record) === structuralKey(record))) {
        this.#entries.push({ kind: 'alias', name, target: inputType, doc: `Elements of \`${what}\`: its input's records.`, span });
        this.#byIdentity.set(record, name);
        return;
      }
    }
    this.#byIdentity.set(record, name);
    const index = this.#entries.length;
    let fields = this.#fields(record, name);
    let extendsType: string | null = null;
    let doc = `Elements of \`${what}\`.`;
    if (decl.kind === 'StreamDecl' && inputInfo !== undefined) {
      // `derive` only adds fields: extend the input's interface with them.
      const inputType = this.#streams.get(inputInfo.name);
      const inputFields = new Map(inputInfo.record.fields.map((f) => [f.name, f]));
      const keepsInput = inputInfo.record.fields.every((f) => {
        const out = record.fields.find((o) => o.name === f.name);
        return out !== undefined && out.optional === f.optional && structuralKey(out.type) === structuralKey(f.type);
      });
      if (inputType !== undefined && keepsInput) {
        extendsType = inputType;
        fields = fields.filter((f) => !inputFields.has(f.name));
        doc = `Elements of \`${what}\`: \`${inputInfo.name}\` records with the derived fields.`;
      }
    } else if (isAlertRecord(record)) {
      extendsType = 'rt.AlertRecord';
      fields = fields.filter((f) => !(ALERT_COLUMNS as readonly string[]).includes(f.name));
      doc = `Alerts of \`${what}\`${fields.length > 0 ? ', with the row that raised them' : ''}.`;
    } else if (decl.kind === 'AggregateDecl') {
      const grouped = decl.clauses.some((c) => c.kind === 'GroupByClause');
      doc = `Rows of \`${what}\`: one per ${grouped ? 'group and ' : ''}window.`;
    }
    this.#entries.splice(index, 0, { kind: 'interface', name, doc, span, extendsType, fields });
  }

  /**
   * The fields of a record as interface members, registering nested records on the way. `decls`:
   * the declared fields, when the record comes from a schema (for the nested records' locations).
   */
  #fields(record: RecordType, owner: string, decls: readonly ast.FieldDecl[] = []): FieldEntry[] {
    return record.fields.map((field) => {
      const decl = decls.find((d) => d.name.name === field.name);
      this.#registerNested(field.type, field.name, owner, decl);
      return { name: field.name, type: this.tsType(field.type, field.optional) };
    });
  }

  /** Gives every anonymous record reachable from `type` a name, placed after the current entries. */
  #registerNested(type: Type, fieldName: string, owner: string, decl?: ast.FieldDecl): void {
    if (type.kind === 'list') {
      this.#registerNested(type.element, `${fieldName}Item`, owner, decl);
      return;
    }
    if (type.kind !== 'record' || this.#lookup(type) !== undefined || isTopKEntry(type)) return;
    const key = structuralKey(type);
    const short = pascal(fieldName);
    const name = this.#names.take(this.#names.has(short) ? `${owner}${short}` : short);
    this.#byIdentity.set(type, name);
    this.#byStructure.set(key, name);
    const index = this.#entries.length;
    const fields = this.#fields(type, name, nestedFields(decl?.type ?? null));
    this.#entries.splice(index, 0, {
      kind: 'interface',
      name,
      doc: `\`${owner}.${fieldName.replace(/Item$/, '[]')}\``,
      span: decl?.span ?? null,
      extendsType: null,
      fields,
    });
  }

  #lookup(record: RecordType): string | undefined {
    return this.#byIdentity.get(record) ?? this.#byStructure.get(structuralKey(record));
  }

  #baseType(type: Type): string {
    switch (type.kind) {
      case 'primitive':
        switch (type.name) {
          case 'string':
            return 'string';
          case 'int':
          case 'float':
            return 'number';
          case 'bool':
            return 'boolean';
          case 'timestamp':
            return 'rt.EpochMillis';
          case 'duration':
            return 'rt.DurationMillis';
        }
        break;
      case 'enum':
        return type.name;
      case 'list': {
        if (type.element.kind === 'record' && isTopKEntry(type.element)) {
          const value = type.element.fields.find((f) => f.name === 'value');
          return `readonly rt.TopKEntry<${value === undefined ? 'never' : this.#baseType(value.type)}>[]`;
        }
        const element = this.#baseType(type.element);
        return `readonly ${/[|&]/.test(element) ? `(${element})` : element}[]`;
      }
      case 'record': {
        const name = this.#lookup(type);
        if (name !== undefined) return name;
        if (isTopKEntry(type)) {
          const value = type.fields.find((f) => f.name === 'value');
          return `rt.TopKEntry<${value === undefined ? 'never' : this.#baseType(value.type)}>`;
        }
        return `{ ${type.fields.map((f) => `readonly ${propertyName(f.name)}: ${this.tsType(f.type, f.optional)}`).join('; ')} }`;
      }
      case 'null':
        return 'null';
      case 'error':
        throw new EmitError('a type the checker could not determine reached the emitter');
    }
    throw new EmitError(`unknown type ${JSON.stringify(type)}`);
  }

  #exprType(expr: ast.Expr): Type {
    const type = this.#ctx.analyzed.types.get(expr);
    if (type === undefined) throw new EmitError(`the checker left \`${this.#ctx.flowText(expr.span)}\` untyped`);
    return type;
  }
}

/** The fields of an inline record type as written (through list types). */
function nestedFields(type: ast.TypeExpr | null): readonly ast.FieldDecl[] {
  if (type === null) return [];
  if (type.kind === 'ListType') return nestedFields(type.element);
  return type.kind === 'RecordType' ? type.fields : [];
}

/** `{ value: T, count: int }`: a `top_k` entry, typed as `rt.TopKEntry<T>`. */
function isTopKEntry(record: RecordType): boolean {
  return (
    record.name === null &&
    record.fields.length === 2 &&
    record.fields.some((f) => f.name === 'value' && !f.optional) &&
    record.fields.some((f) => f.name === 'count' && !f.optional && f.type.kind === 'primitive' && f.type.name === 'int')
  );
}

/** Whether a record starts with the alert columns. */
export function isAlertRecord(record: RecordType): boolean {
  return ALERT_COLUMNS.every((name, i) => record.fields[i]?.name === name);
}

/** A string identifying a type's structure (record names ignored, field order kept). */
export function structuralKey(type: Type): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'enum':
      return `enum ${type.name}`;
    case 'list':
      return `${structuralKey(type.element)}[]`;
    case 'record':
      return `{${type.fields.map((f) => `${f.name}${f.optional ? '?' : ''}:${structuralKey(f.type)}`).join(',')}}`;
    case 'null':
      return 'null';
    case 'error':
      return 'error';
  }
}

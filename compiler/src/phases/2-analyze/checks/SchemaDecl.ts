// `schema Name { field: type  other?: type }`: field names unique, types known. Schemas may use
// enums and other schemas declared anywhere in the file, but may not contain themselves.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { present, type Context } from '../context.ts';
import { ERROR, PRIMITIVES, type RecordField, type RecordType, type Type } from '../types.ts';

export class SchemaResolver {
  readonly #declarations: ReadonlyMap<string, ast.SchemaDecl>;
  /** Schema names being resolved, outermost first, with the field path taken into each. */
  readonly #resolving: { readonly name: string; readonly path: string[] }[] = [];

  constructor(
    private readonly ctx: Context,
    declarations: ReadonlyMap<string, ast.SchemaDecl>,
  ) {
    this.#declarations = declarations;
  }

  /** Resolves every schema, each once, in declaration order. */
  resolveAll(): void {
    for (const name of this.#declarations.keys()) this.resolve(name);
  }

  /** Checks the fields of a schema that is not registered (a duplicate name). */
  checkDetached(decl: ast.SchemaDecl): void {
    this.#resolving.push({ name: decl.name.name, path: [] });
    this.#fields(decl.fields, decl.name.name);
    this.#resolving.pop();
  }

  resolve(name: string): RecordType {
    const known = this.ctx.schemas.get(name);
    if (known !== undefined) return known;
    const decl = this.#declarations.get(name);
    if (decl === undefined) return { kind: 'record', name, fields: [] };
    this.#resolving.push({ name, path: [] });
    const record: RecordType = { kind: 'record', name, fields: this.#fields(decl.fields, name) };
    this.#resolving.pop();
    this.ctx.schemas.set(name, record);
    return record;
  }

  #fields(decls: readonly ast.FieldDecl[], recordName: string): RecordField[] {
    const fields: RecordField[] = [];
    for (const decl of decls) {
      if (!present(decl.name)) continue;
      const name = decl.name.name;
      const top = this.#resolving[this.#resolving.length - 1];
      top?.path.push(name);
      const type = decl.type === null ? ERROR : this.#type(decl.type, `${recordName}.${name}`);
      top?.path.pop();
      if (fields.some((f) => f.name === name)) {
        this.ctx.report.add('field_duplicate', decl.name.span, name, recordName);
        continue;
      }
      fields.push({ name, type, optional: decl.optional });
    }
    return fields;
  }

  #type(expr: ast.TypeExpr, path: string): Type {
    switch (expr.kind) {
      case 'ListType':
        return { kind: 'list', element: this.#type(expr.element, `${path}[]`) };
      case 'RecordType':
        return { kind: 'record', name: null, fields: this.#fields(expr.fields, path) };
      case 'NamedType':
        return this.#named(expr);
    }
  }

  #named(expr: ast.NamedType): Type {
    const name = expr.name.name;
    if (name === '') return ERROR;
    const primitive = PRIMITIVES.get(name);
    if (primitive !== undefined) return primitive;
    const enumType = this.ctx.enums.get(name);
    if (enumType !== undefined) return enumType;
    if (this.#declarations.has(name)) {
      const cycleStart = this.#resolving.findIndex((r) => r.name === name);
      if (cycleStart >= 0) {
        const path = this.#resolving.slice(cycleStart).flatMap((r, i) => (i === 0 ? [r.name, ...r.path] : r.path));
        this.ctx.report.add('schema_recursive', expr.name.span, name, path.join('.'));
        return ERROR;
      }
      return this.resolve(name);
    }
    const known = [...PRIMITIVES.keys(), ...this.ctx.enums.keys(), ...this.#declarations.keys()];
    this.ctx.report.add('type_unknown', expr.name.span, name, known);
    return ERROR;
  }
}

// `decode.ts`: one decoder per schema and per nested record, specialised to its fields.
//
// A decoder is straight-line code over a parsed JSON value: for each field, in declaration order,
// read it, check it with `typeof` (or a generated enum guard, or the nested record's decoder) and
// return a failure naming the field's path on the first mismatch. The decoded object is built in
// one literal at the end, with every field present (absent optional fields become `null`), so all
// records of a schema share one shape. Nothing is generic at run time; the only runtime helpers
// used are the failure constructors, `isJsonObject`, `toEpochMillis` and `parseJson`.
import type { EnumType, RecordType, Type } from '../2-analyze/types.ts';
import type { EmitContext } from './context.ts';
import { EmitError } from './context.ts';
import { member, NameScope, pascal, propertyName, quote, safeName } from './naming.ts';
import { CodeWriter } from './writer.ts';

/** The exported names of a schema's decoders. */
export function decoderNames(schema: string): { readonly decode: string; readonly decodeJson: string } {
  return { decode: `decode${pascal(schema)}`, decodeJson: `decode${pascal(schema)}Json` };
}

export interface DecodersFile {
  readonly body: CodeWriter;
  /** Names imported from `types.ts`. */
  readonly typeImports: readonly string[];
}

export function emitDecoders(ctx: EmitContext): DecodersFile {
  return new DecoderEmitter(ctx).emit();
}

class DecoderEmitter {
  readonly #ctx: EmitContext;
  readonly #out = new CodeWriter();
  readonly #typeImports = new Set<string>();
  /** Records whose decoder is emitted or queued, by interface name. */
  readonly #records = new Map<string, RecordType>();
  readonly #queue: { readonly name: string; readonly record: RecordType }[] = [];
  readonly #enums = new Map<string, EnumType>();

  constructor(ctx: EmitContext) {
    this.#ctx = ctx;
  }

  emit(): DecodersFile {
    const schemaNames = [...this.#ctx.analyzed.schemas.keys()];
    // Enum guards first (declaration order), then each schema with its nested records after it.
    for (const type of this.#ctx.analyzed.enums.values()) this.#enumGuard(type);
    for (const name of schemaNames) {
      const record = this.#ctx.analyzed.schemas.get(name);
      if (record === undefined) continue;
      this.#enqueue(name, record);
      this.#drain(schemaNames);
    }
    return { body: this.#out, typeImports: [...this.#typeImports].sort() };
  }

  #enqueue(name: string, record: RecordType): void {
    if (this.#records.has(name)) return;
    this.#records.set(name, record);
    this.#queue.push({ name, record });
  }

  #drain(schemaNames: readonly string[]): void {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      this.#recordDecoder(next.name, next.record, schemaNames.includes(next.name));
    }
  }

  #enumGuard(type: EnumType): void {
    this.#typeImports.add(type.name);
    this.#enums.set(type.name, type);
    this.#out.blankLine();
    this.#out.doc(`Whether \`value\` is a member of \`${type.name}\`.`);
    this.#out.block(`export function ${guardName(type)}(value: unknown): value is ${type.name}`, () => {
      if (type.members.length === 0) this.#out.line('return false;');
      else this.#out.line(`return ${type.members.map((m) => `value === ${quote(m)}`).join(' || ')};`);
    });
  }

  #recordDecoder(name: string, record: RecordType, isSchema: boolean): void {
    this.#typeImports.add(name);
    const fn = `decode${pascal(name)}`;
    const out = this.#out;
    out.blankLine();
    out.doc(
      isSchema ? `Decodes one \`${name}\` from a parsed JSON value.` : `Decodes the nested record \`${name}\`.`,
      'Fails on the first field that is missing or of the wrong type, naming its path; absent optional fields become `null`.',
    );
    out.block(`export function ${fn}(raw: unknown, path = '$'): rt.DecodeResult<${name}>`, () => {
      out.line(`if (!rt.isJsonObject(raw)) return rt.expected('an object', path, raw);`);
      const locals = new NameScope(['raw', 'path', 'rt', 'decoded', 'value', 'element']);
      const assigned: { readonly field: string; readonly value: string }[] = [];
      for (const field of record.fields) {
        const local = locals.take(safeName(field.name));
        const value = this.#field(field.type, field.optional, member('raw', field.name), local, `\${path}.${field.name}`, locals);
        assigned.push({ field: field.name, value });
      }
      const members = assigned.map((a) => (a.value === a.field ? a.field : `${propertyName(a.field)}: ${a.value}`));
      if (members.length === 0) out.line('return { ok: true, value: {} };');
      else if (members.join(', ').length <= 60) out.line(`return { ok: true, value: { ${members.join(', ')} } };`);
      else
        out.block('return', () => {
          out.line('ok: true,');
          out.block('value:', () => {
            for (const m of members) out.line(`${m},`);
          }, ',');
        }, ';');
    });

    if (isSchema) {
      const names = decoderNames(name);
      out.blankLine();
      out.doc(`Decodes one \`${name}\` from JSON text: the sources' fast path.`);
      out.block(`export function ${names.decodeJson}(text: string): rt.DecodeResult<${name}>`, () => {
        out.line('const parsed = rt.parseJson(text);');
        out.line(`return parsed.ok ? ${names.decode}(parsed.value) : parsed;`);
      });
    }
  }

  /**
   * Statements decoding `source` (the code reading the raw value) into `local`; returns the code of
   * the decoded value. `path` is the content of a template literal naming the value's location.
   */
  #field(type: Type, optional: boolean, source: string, local: string, path: string, locals: NameScope): string {
    const out = this.#out;
    const failure = (what: string, got: string): string => `return rt.expected(${quote(what)}, \`${path}\`, ${got});`;
    const check = this.#check(type, local);
    if (check !== null) {
      // Primitives and enums: read, check, narrow.
      if (optional) {
        out.line(`const ${local} = ${source} ?? null;`);
        out.line(`if (${local} !== null && ${check.failing.includes(' || ') ? `(${check.failing})` : check.failing}) ${failure(check.what, local)}`);
      } else {
        out.line(`const ${local} = ${source};`);
        out.line(`if (${check.failing}) ${failure(check.what, local)}`);
      }
      return local;
    }
    switch (type.kind) {
      case 'primitive': {
        // timestamp: epoch milliseconds or ISO-8601 text.
        const what = 'a timestamp (epoch milliseconds or ISO-8601 text)';
        if (!optional) {
          out.line(`const ${local} = rt.toEpochMillis(${source});`);
          out.line(`if (${local} === null) ${failure(what, source)}`);
          return local;
        }
        const rawLocal = locals.take(`${local}Raw`);
        out.line(`const ${rawLocal} = ${source} ?? null;`);
        out.line(`const ${local} = ${rawLocal} === null ? null : rt.toEpochMillis(${rawLocal});`);
        out.line(`if (${rawLocal} !== null && ${local} === null) ${failure(what, rawLocal)}`);
        return local;
      }
      case 'record': {
        const name = this.#recordName(type);
        const decoded = locals.take(`${local}Decoded`);
        if (!optional) {
          out.line(`const ${decoded} = decode${pascal(name)}(${source}, \`${path}\`);`);
          out.line(`if (!${decoded}.ok) return ${decoded};`);
          return `${decoded}.value`;
        }
        const rawLocal = locals.take(`${local}Raw`);
        out.line(`const ${rawLocal} = ${source} ?? null;`);
        out.line(`let ${local}: ${name} | null = null;`);
        out.block(`if (${rawLocal} !== null)`, () => {
          out.line(`const ${decoded} = decode${pascal(name)}(${rawLocal}, \`${path}\`);`);
          out.line(`if (!${decoded}.ok) return ${decoded};`);
          out.line(`${local} = ${decoded}.value;`);
        });
        return local;
      }
      case 'list': {
        const rawLocal = locals.take(`${local}Raw`);
        const elementType = this.#ctx.types.tsType(type.element);
        const listType = `${/[|&]/.test(elementType) ? `(${elementType})` : elementType}[]`;
        const decodeElements = (rawList: string): void => {
          out.line(`const ${local}: ${listType} = [];`);
          const index = locals.take('i');
          out.block(`for (let ${index} = 0; ${index} < ${rawList}.length; ${index}++)`, () => {
            const element = locals.take(`${local}Element`);
            const value = this.#field(type.element, false, `${rawList}[${index}] as unknown`, element, `${path}[\${${index}}]`, locals);
            out.line(`${local}.push(${value});`);
          });
        };
        out.line(`const ${rawLocal} = ${source}${optional ? ' ?? null' : ''};`);
        if (!optional) {
          out.line(`if (!Array.isArray(${rawLocal})) ${failure('a list', rawLocal)}`);
          decodeElements(rawLocal);
          return local;
        }
        const listLocal = locals.take(`${local}List`);
        out.line(`let ${listLocal}: ${listType} | null = null;`);
        out.block(`if (${rawLocal} !== null)`, () => {
          out.line(`if (!Array.isArray(${rawLocal})) ${failure('a list', rawLocal)}`);
          decodeElements(rawLocal);
          out.line(`${listLocal} = ${local};`);
        });
        return listLocal;
      }
      default:
        throw new EmitError(`cannot decode a field of type ${type.kind}`);
    }
  }

  /** The `typeof` test of a primitive or enum (`failing` holds when the value does not fit); `null` for other types. */
  #check(type: Type, local: string): { readonly failing: string; readonly what: string } | null {
    if (type.kind === 'enum') {
      this.#typeImports.add(type.name);
      const listed = type.members.length <= 6 ? type.members.join(', ') : `${type.members.slice(0, 6).join(', ')}, …`;
      return { failing: `!${guardName(type)}(${local})`, what: `one of ${listed}` };
    }
    if (type.kind !== 'primitive') return null;
    switch (type.name) {
      case 'string':
        return { failing: `typeof ${local} !== 'string'`, what: 'a string' };
      case 'int':
        return { failing: `typeof ${local} !== 'number' || !Number.isInteger(${local})`, what: 'an integer' };
      case 'float':
        return { failing: `typeof ${local} !== 'number' || !Number.isFinite(${local})`, what: 'a number' };
      case 'bool':
        return { failing: `typeof ${local} !== 'boolean'`, what: 'a boolean' };
      case 'duration':
        return { failing: `typeof ${local} !== 'number' || !Number.isFinite(${local})`, what: 'a duration in milliseconds' };
      case 'timestamp':
        return null;
    }
  }

  #recordName(record: RecordType): string {
    const name = this.#ctx.types.tsType(record);
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw new EmitError(`the nested record ${name} has no interface name`);
    this.#enqueue(name, record);
    return name;
  }
}

function guardName(type: EnumType): string {
  return `is${pascal(type.name)}`;
}


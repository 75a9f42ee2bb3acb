// Identifiers and literals of the generated TypeScript: case conversions, escaping of reserved
// words, quoting. Everything here is deterministic and pure.

const RESERVED = new Set([
  // keywords and strict-mode reserved words
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await',
  'async', 'of', 'type', 'any', 'unknown', 'never', 'object', 'symbol', 'undefined', 'NaN', 'Infinity',
  'arguments', 'eval',
  // globals the generated code uses, and its own fixed names
  'rt', 'Number', 'Array', 'JSON', 'Math', 'String', 'Object', 'Date', 'raw', 'path', 'text', 'parsed',
  'values', 'key', 'window', 'match', 'completion', 'event', 'row', 'topology', 'manifest', 'sourceMap',
]);

/** Words of an identifier: `page_views.filter` → page, views, filter; `sessionData` → session, Data. */
function words(name: string): string[] {
  return name
    .split(/[^A-Za-z0-9]+/)
    .flatMap((part) => part.split(/(?<=[a-z0-9])(?=[A-Z])/))
    .filter((w) => w !== '');
}

/** `page_views.filter` → `pageViewsFilter` */
export function camel(name: string): string {
  const parts = words(name);
  const joined = parts.map((w, i) => (i === 0 ? lowerFirst(w) : upperFirst(w))).join('');
  return joined === '' ? '_' : /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** `page_views` → `PageViews`; `pageViewData` → `PageViewData` */
export function pascal(name: string): string {
  const joined = words(name).map(upperFirst).join('');
  return joined === '' ? '_' : /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** `EventType` → `EVENT_TYPE` */
export function constantCase(name: string): string {
  return words(name)
    .map((w) => w.toUpperCase())
    .join('_');
}

function upperFirst(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function lowerFirst(word: string): string {
  return word.charAt(0).toLowerCase() + word.slice(1);
}

/** A local or function name that is not a reserved word nor one of the generated code's fixed names. */
export function safeName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

/** Makes names unique within one scope by numbering repeats: `a`, `a2`, `a3`. */
export class NameScope {
  readonly #taken = new Set<string>();

  constructor(taken: Iterable<string> = []) {
    for (const name of taken) this.#taken.add(name);
  }

  has(name: string): boolean {
    return this.#taken.has(name);
  }

  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.#taken.has(name); n++) name = `${wanted}${n}`;
    this.#taken.add(name);
    return name;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name as written in an interface or object literal: bare when it can be, else quoted. */
export function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/** Property access on `object`: `object.name` or `object['na-me']`. */
export function member(object: string, name: string, optional = false): string {
  if (IDENTIFIER.test(name)) return `${object}${optional ? '?.' : '.'}${name}`;
  return `${object}${optional ? '?.' : ''}[${quote(name)}]`;
}

/** A single-quoted TypeScript string literal. */
export function quote(text: string): string {
  return `'${escapeText(text, "'")}'`;
}

/** Text inside a template literal (backquotes and `${` escaped). */
export function templateText(text: string): string {
  return escapeText(text, '`').replace(/\$\{/g, '\\${');
}

function escapeText(text: string, delimiter: string): string {
  let out = '';
  for (const ch of text) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\u2028':
        out += '\\u2028';
        break;
      case '\u2029':
        out += '\\u2029';
        break;
      default:
        out += ch === delimiter ? `\\${ch}` : ch;
    }
  }
  return out;
}

/** A number literal; integers of five digits or more get `_` separators (`1_800_000`). */
export function numberLiteral(value: number, float = false): string {
  if (!Number.isFinite(value)) throw new Error(`cannot emit the number ${value}`);
  if (Number.isInteger(value)) {
    if (float) return `${value}.0`;
    const sign = value < 0 ? '-' : '';
    const digits = String(Math.abs(value));
    if (digits.length < 5 || digits.includes('e')) return `${sign}${digits}`;
    return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, '_');
  }
  return String(value);
}

/** Text safe inside a `/* … *\/` or `/** … *\/` comment. */
export function commentText(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ');
}

// A JSON parser that remembers where every value is, so that a bad test case is reported at its
// file:line:column rather than as "something in the file is wrong". Strict JSON (RFC 8259): no
// comments, no trailing commas; duplicate keys are an error (JSON.parse would keep the last one
// silently, hiding a typo'd second definition).

/** A 1-based line and column. */
export interface Loc {
  readonly line: number;
  readonly column: number;
}

export type JsonNode =
  | { readonly kind: 'object'; readonly loc: Loc; readonly entries: readonly JsonEntry[] }
  | { readonly kind: 'array'; readonly loc: Loc; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly loc: Loc; readonly value: string }
  | { readonly kind: 'number'; readonly loc: Loc; readonly value: number }
  | { readonly kind: 'boolean'; readonly loc: Loc; readonly value: boolean }
  | { readonly kind: 'null'; readonly loc: Loc };

export interface JsonEntry {
  readonly key: string;
  readonly keyLoc: Loc;
  readonly value: JsonNode;
}

/** A JSON value as JSON.parse would return it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}

export function parseJson(text: string): JsonNode {
  const parser = new Parser(text);
  parser.skipSpace();
  const node = parser.value();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected text after the JSON value');
  return node;
}

/** The plain value of a node (what JSON.parse gives). */
export function plain(node: JsonNode): JsonValue {
  switch (node.kind) {
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const entry of node.entries) out[entry.key] = plain(entry.value);
      return out;
    }
    case 'array':
      return node.items.map(plain);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/** The entry `key` of an object node. */
export function entry(node: JsonNode, key: string): JsonEntry | undefined {
  return node.kind === 'object' ? node.entries.find((e) => e.key === key) : undefined;
}

class Parser {
  private offset = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  loc(): Loc {
    return { line: this.line, column: this.offset - this.lineStart + 1 };
  }

  fail(message: string, loc: Loc = this.loc()): never {
    throw new JsonSyntaxError(message, loc);
  }

  skipSpace(): void {
    for (;;) {
      const c = this.text[this.offset];
      if (c === ' ' || c === '\t' || c === '\r') this.offset++;
      else if (c === '\n') {
        this.offset++;
        this.line++;
        this.lineStart = this.offset;
      } else if (c === '/' && (this.text[this.offset + 1] === '/' || this.text[this.offset + 1] === '*')) {
        this.fail('comments are not allowed in JSON; use a "description" field');
      } else return;
    }
  }

  value(): JsonNode {
    const loc = this.loc();
    const c = this.text[this.offset];
    switch (c) {
      case '{':
        return this.object(loc);
      case '[':
        return this.array(loc);
      case '"':
        return { kind: 'string', loc, value: this.string() };
      case 't':
        this.word('true');
        return { kind: 'boolean', loc, value: true };
      case 'f':
        this.word('false');
        return { kind: 'boolean', loc, value: false };
      case 'n':
        this.word('null');
        return { kind: 'null', loc };
      case undefined:
        return this.fail('unexpected end of file');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'number', loc, value: this.number() };
        return this.fail(`unexpected character \`${c}\``);
    }
  }

  private object(loc: Loc): JsonNode {
    this.offset++; // {
    const entries: JsonEntry[] = [];
    this.skipSpace();
    if (this.text[this.offset] === '}') {
      this.offset++;
      return { kind: 'object', loc, entries };
    }
    for (;;) {
      this.skipSpace();
      const keyLoc = this.loc();
      if (this.text[this.offset] !== '"') this.fail(this.text[this.offset] === '}' ? 'trailing comma before `}`' : 'expected a "key"');
      const key = this.string();
      if (entries.some((e) => e.key === key)) this.fail(`duplicate key "${key}"`, keyLoc);
      this.skipSpace();
      if (this.text[this.offset] !== ':') this.fail('expected `:` after the key');
      this.offset++;
      this.skipSpace();
      entries.push({ key, keyLoc, value: this.value() });
      this.skipSpace();
      const c = this.text[this.offset];
      this.offset++;
      if (c === '}') return { kind: 'object', loc, entries };
      if (c !== ',') {
        this.offset--;
        this.fail(c === undefined ? 'unexpected end of file: missing `}`' : 'expected `,` or `}`');
      }
    }
  }

  private array(loc: Loc): JsonNode {
    this.offset++; // [
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.offset] === ']') {
      this.offset++;
      return { kind: 'array', loc, items };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.offset] === ']') this.fail('trailing comma before `]`');
      items.push(this.value());
      this.skipSpace();
      const c = this.text[this.offset];
      this.offset++;
      if (c === ']') return { kind: 'array', loc, items };
      if (c !== ',') {
        this.offset--;
        this.fail(c === undefined ? 'unexpected end of file: missing `]`' : 'expected `,` or `]`');
      }
    }
  }

  private string(): string {
    const start = this.offset;
    this.offset++; // "
    for (;;) {
      const c = this.text[this.offset];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === '\\') this.offset += 2;
      else if (c === '"') break;
      else this.offset++;
    }
    this.offset++;
    const raw = this.text.slice(start, this.offset);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail('invalid string: a bad escape or an unescaped control character (write a tab as \\t)', { line: this.line, column: start - this.lineStart + 1 });
    }
  }

  private number(): number {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.offset));
    if (match === null) this.fail('invalid number');
    this.offset += match[0].length;
    return Number(match[0]);
  }

  private word(word: string): void {
    if (this.text.startsWith(word, this.offset)) this.offset += word.length;
    else this.fail(`unexpected character \`${this.text[this.offset] ?? ''}\``);
  }
}

// A lossless JSON encoding of the values operator state may hold, for checkpoint files. Plain JSON
// loses some of them (`JSON.stringify` writes NaN and ±Infinity as null — the initial watermark is
// -Infinity —, -0 as 0, drops `undefined`, and cannot write bytes, bigints, maps or sets). Those
// values become one-key tagged objects (`{ "$num": "-Infinity" }`, `{ "$bytes": "<base64>" }`, …);
// a plain object that itself has a key starting with `$` is wrapped as `{ "$object": … }`, so a tag is
// never confused with data. Class instances are refused unless they have a `toJSON` (what it
// returns is stored, as JSON.stringify would): state must be data, or a store's serde must make it so.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;

type TypedArrayName = keyof typeof TYPED_ARRAYS;

function isTypedArrayName(name: string): name is TypedArrayName {
  return Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, name);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encodeNumber(n: number): Json {
  if (Number.isFinite(n) && !Object.is(n, -0)) return n;
  return { $num: Object.is(n, -0) ? '-0' : String(n) };
}

export function encodeValue(value: unknown): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return encodeNumber(value);
    case 'undefined':
      return { $undefined: true };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'object':
      break;
    default:
      throw new TypeError(`cannot store a ${typeof value} in a checkpoint`);
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(encodeValue);
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!isTypedArrayName(name)) throw new TypeError(`cannot store a ${name} in a checkpoint`);
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return name === 'Uint8Array' ? { $bytes: bytes } : { $typed: name, $data: bytes };
  }
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encodeValue(k), encodeValue(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encodeValue) };
  if (value instanceof Date) return { $date: encodeNumber(value.getTime()) };
  if (!isPlainObject(value)) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return encodeValue((toJSON as () => unknown).call(value));
    throw new TypeError(`cannot store a ${value.constructor.name} instance in a checkpoint (state values must be plain data)`);
  }
  const out: { [key: string]: Json } = {};
  let tagged = false;
  for (const [key, field] of Object.entries(value)) {
    if (key.startsWith('$')) tagged = true;
    out[key] = encodeValue(field);
  }
  return tagged ? { $object: out } : out;
}

function decodeNumber(j: Json): number {
  if (typeof j === 'number') return j;
  switch (j) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
  }
  throw new SyntaxError(`invalid number tag ${JSON.stringify(j)}`);
}

function decodeFields(fields: { readonly [key: string]: Json }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) out[key] = decodeValue(field);
  return out;
}

function asObject(j: Json | undefined, what: string): { readonly [key: string]: Json } {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new SyntaxError(`${what} must be an object`);
  return j;
}

function asArray(j: Json | undefined, what: string): readonly Json[] {
  if (!Array.isArray(j)) throw new SyntaxError(`${what} must be an array`);
  return j;
}

function asString(j: Json | undefined, what: string): string {
  if (typeof j !== 'string') throw new SyntaxError(`${what} must be a string`);
  return j;
}

export function decodeValue(j: Json): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(decodeValue);
  const keys = Object.keys(j);
  const tag = keys.find((k) => k.startsWith('$'));
  if (tag === undefined) return decodeFields(j);
  const payload = j[tag];
  switch (tag) {
    case '$num':
      return decodeNumber(payload as Json);
    case '$undefined':
      return undefined;
    case '$bigint':
      return BigInt(asString(payload, '$bigint'));
    case '$bytes':
      return new Uint8Array(Buffer.from(asString(payload, '$bytes'), 'base64'));
    case '$typed':
    case '$data': {
      const name = asString(j.$typed, '$typed');
      if (!isTypedArrayName(name)) throw new SyntaxError(`unknown typed array ${name}`);
      const bytes = Buffer.from(asString(j.$data, '$data'), 'base64');
      const ctor = TYPED_ARRAYS[name];
      const copy = new ArrayBuffer(bytes.length);
      new Uint8Array(copy).set(bytes);
      return new ctor(copy);
    }
    case '$map':
      return new Map(
        asArray(payload, '$map').map((pair) => {
          const [k, v] = asArray(pair, '$map entry');
          return [decodeValue(k as Json), decodeValue(v as Json)] as const;
        }),
      );
    case '$set':
      return new Set(asArray(payload, '$set').map(decodeValue));
    case '$date':
      return new Date(decodeNumber(payload as Json));
    case '$object':
      return decodeFields(asObject(payload, '$object'));
    default:
      throw new SyntaxError(`unknown value tag ${tag}`);
  }
}

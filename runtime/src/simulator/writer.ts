// Builds each record's JSON text as UTF-8 bytes in one reusable buffer, then decodes it once:
// the text comes out as one flat string (no chain of concatenations for the consumer to flatten),
// and the only garbage per record is that string. Fragments that never change are encoded once
// and copied in with TypedArray#set; numbers are written digit by digit.

const encoder = new TextEncoder();

/** The UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Whether every byte is ASCII (so the bytes decode the same as Latin-1, which is faster). */
export function isAscii(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

/**
 * A short ASCII constant as big-endian 32-bit words, for `ByteWriter.words`: writing a few words
 * through a DataView beats a TypedArray#set call for a dozen bytes. Its length must be a multiple
 * of 4.
 */
export function asciiWords(text: string): Uint32Array {
  const bytes = utf8(text);
  if (bytes.length % 4 !== 0 || !isAscii(bytes)) throw new RangeError(`asciiWords needs ASCII in multiples of 4 bytes: ${text}`);
  const words = new Uint32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(4 * i);
  return words;
}

const HEX_DIGITS = utf8('0123456789abcdef');
const BASE36_DIGITS = utf8('0123456789abcdefghijklmnopqrstuvwxyz');
/** The four ASCII codes of each 16-bit value's hex digits, big-endian in one 32-bit word. */
let hex4Codes: Uint32Array | undefined;
function hex4Table(): Uint32Array {
  if (hex4Codes === undefined) {
    hex4Codes = new Uint32Array(65536);
    for (let i = 0; i < 65536; i++) {
      hex4Codes[i] =
        (((HEX_DIGITS[i >>> 12] as number) << 24) | ((HEX_DIGITS[(i >>> 8) & 15] as number) << 16) | ((HEX_DIGITS[(i >>> 4) & 15] as number) << 8) | (HEX_DIGITS[i & 15] as number)) >>> 0;
    }
  }
  return hex4Codes;
}

/** Slack after the record area: the digit and hex writers do not check bounds (numbers fit in it). */
const SLACK = 64;

export class ByteWriter {
  private readonly buffer: Buffer;
  private readonly view: DataView;
  /** Bytes a record may take. */
  private readonly capacity: number;
  private readonly hex4 = hex4Table();
  private p = 0;

  /** `capacity` bounds one record (the simulator's stay under 1 KB). */
  constructor(capacity = 1 << 14) {
    this.capacity = capacity;
    this.buffer = Buffer.alloc(capacity + SLACK);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }

  get length(): number {
    return this.p;
  }

  reset(): void {
    this.p = 0;
  }

  /** Appends a fragment (TypedArray#set: a memcpy, far faster than a byte loop even for short ones). */
  bytes(fragment: Uint8Array): void {
    const p = this.p;
    if (p + fragment.length > this.capacity) throw new RangeError('record too large for the writer');
    this.buffer.set(fragment, p);
    this.p = p + fragment.length;
  }

  /** A constant made by `asciiWords`. */
  words(words: Uint32Array): void {
    const p = this.p;
    const view = this.view;
    for (let i = 0; i < words.length; i++) view.setUint32(p + 4 * i, words[i] as number);
    this.p = p + 4 * words.length;
  }

  /** One byte (an ASCII character code). */
  byte(code: number): void {
    this.buffer[this.p++] = code;
  }

  /** The decimal digits of a non-negative safe integer, zero-padded to at least `minDigits`. */
  uint(value: number, minDigits = 1): void {
    let n = value;
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    if (digits < minDigits) digits = minDigits;
    const b = this.buffer;
    const p = this.p;
    for (let i = digits - 1; i >= 0; i--) {
      const q = Math.floor(n / 10);
      b[p + i] = 48 + (n - q * 10);
      n = q;
    }
    this.p = p + digits;
  }

  /** The base-36 digits (0-9a-z) of a non-negative safe integer, zero-padded to at least `minDigits`. */
  base36(value: number, minDigits = 1): void {
    let n = value;
    let digits = 1;
    for (let m = n; m >= 36; m = Math.floor(m / 36)) digits++;
    if (digits < minDigits) digits = minDigits;
    const b = this.buffer;
    const p = this.p;
    for (let i = digits - 1; i >= 0; i--) {
      const q = Math.floor(n / 36);
      b[p + i] = BASE36_DIGITS[n - q * 36] as number;
      n = q;
    }
    this.p = p + digits;
  }

  /** The 8 lowercase hex digits of a 32-bit unsigned integer. */
  hex32(value: number): void {
    const p = this.p;
    this.view.setUint32(p, this.hex4[value >>> 16] as number);
    this.view.setUint32(p + 4, this.hex4[value & 0xffff] as number);
    this.p = p + 8;
  }

  /** The 4 lowercase hex digits of a 16-bit unsigned integer. */
  hex16(value: number): void {
    this.view.setUint32(this.p, this.hex4[value & 0xffff] as number);
    this.p += 4;
  }

  /** The lowest `count` hex digits of `value` (count ≤ 8). */
  hexDigits(value: number, count: number): void {
    let x = value;
    const b = this.buffer;
    const p = this.p;
    for (let i = count - 1; i >= 0; i--) {
      b[p + i] = HEX_DIGITS[x & 15] as number;
      x >>>= 4;
    }
    this.p = p + count;
  }

  /** The bytes written since `reset`, as a string; `ascii` when they are known to be ASCII (a faster decode). */
  text(ascii = false): string {
    return this.buffer.toString(ascii ? 'latin1' : 'utf8', 0, this.p);
  }
}

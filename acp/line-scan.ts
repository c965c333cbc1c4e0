// Reads just enough of an ND-JSON line to route it without JSON.parse: proves it is one valid JSON object and finds
// its top-level `method` and whether it has an `id`. Anything unusual is left to the full parse (undefined).
import { isUtf8 } from "node:buffer";

export interface LineShape {
  /** The top-level `method`, when it is a string written without escapes. */
  readonly method: string | undefined;
  /** Whether the object has a top-level `id` key (then it is a request or a response, never passed through). */
  readonly hasId: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 64;
const METHOD = Buffer.from("method");
const ID = Buffer.from("id");

/** Thrown (and caught below) when the line is not plain valid JSON: the full parse decides what it is. */
const bail = Symbol("bail");

/**
 * The shape of the JSON object in `buf[start, end)`, or undefined when the line is not valid JSON, is not an
 * object, is not UTF-8, nests deeper than 64, has a top-level key written with escapes, or has `method` twice.
 * Never says "valid" for a line JSON.parse would refuse.
 */
export function scanLine(buf: Buffer, start: number, end: number): LineShape | undefined {
  if (!isUtf8(buf.subarray(start, end))) return undefined;
  const scanner = new Scanner(buf, end);
  try {
    return scanner.line(start);
  } catch (error) {
    if (error === bail) return undefined;
    throw error;
  }
}

class Scanner {
  /** A 32-bit view of the buffer's aligned middle, for skipping string contents four bytes at a time. */
  readonly #words: Uint32Array;
  readonly #wordBase: number;

  constructor(
    private readonly buf: Buffer,
    private readonly end: number,
  ) {
    const first = (4 - (buf.byteOffset % 4)) % 4;
    const count = Math.max(0, Math.floor((end - first) / 4));
    this.#wordBase = first;
    this.#words = new Uint32Array(buf.buffer, buf.byteOffset + first, count);
  }

  line(start: number): LineShape {
    let i = this.#space(start);
    if (this.buf[i] !== 0x7b) throw bail;
    let method: string | undefined;
    let hasId = false;
    i = this.#space(i + 1);
    if (this.buf[i] === 0x7d) {
      i += 1;
    } else {
      for (;;) {
        if (this.buf[i] !== QUOTE) throw bail;
        const keyEnd = this.#string(i + 1);
        const key = this.buf.subarray(i + 1, keyEnd);
        if (key.includes(BACKSLASH)) throw bail;
        i = this.#space(keyEnd + 1);
        if (this.buf[i] !== 0x3a) throw bail;
        i = this.#space(i + 1);
        if (key.equals(METHOD)) {
          if (method !== undefined || this.buf[i] !== QUOTE) throw bail;
          const valueEnd = this.#string(i + 1);
          const value = this.buf.subarray(i + 1, valueEnd);
          if (value.includes(BACKSLASH)) throw bail;
          method = value.toString("utf8");
          i = valueEnd + 1;
        } else {
          if (key.equals(ID)) hasId = true;
          i = this.#value(i, 1);
        }
        i = this.#space(i);
        if (this.buf[i] === 0x2c) {
          i = this.#space(i + 1);
          continue;
        }
        if (this.buf[i] === 0x7d) {
          i += 1;
          break;
        }
        throw bail;
      }
    }
    if (this.#space(i) !== this.end) throw bail;
    return { method, hasId };
  }

  #space(i: number): number {
    const { buf, end } = this;
    while (i < end) {
      const c = buf[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
      i++;
    }
    return i;
  }

  /** Scans one value starting at `i` (no leading space); returns the index after it. */
  #value(i: number, depth: number): number {
    const c = this.buf[i];
    if (c === QUOTE) return this.#string(i + 1) + 1;
    if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_DEPTH) throw bail;
      return this.#container(i, c === 0x7b, depth + 1);
    }
    if (c === 0x74) return this.#literal(i, "true");
    if (c === 0x66) return this.#literal(i, "false");
    if (c === 0x6e) return this.#literal(i, "null");
    return this.#number(i);
  }

  #container(i: number, isObject: boolean, depth: number): number {
    const close = isObject ? 0x7d : 0x5d;
    i = this.#space(i + 1);
    if (this.buf[i] === close) return i + 1;
    for (;;) {
      if (isObject) {
        if (this.buf[i] !== QUOTE) throw bail;
        i = this.#space(this.#string(i + 1) + 1);
        if (this.buf[i] !== 0x3a) throw bail;
        i = this.#space(i + 1);
      }
      i = this.#space(this.#value(i, depth));
      const c = this.buf[i];
      if (c === 0x2c) {
        i = this.#space(i + 1);
        continue;
      }
      if (c === close) return i + 1;
      throw bail;
    }
  }

  #literal(i: number, word: string): number {
    for (let k = 0; k < word.length; k++) if (this.buf[i + k] !== word.charCodeAt(k)) throw bail;
    return i + word.length;
  }

  /** -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
  #number(i: number): number {
    const { buf } = this;
    const digits = (from: number): number => {
      let k = from;
      while (k < this.end && buf[k]! >= 0x30 && buf[k]! <= 0x39) k++;
      if (k === from) throw bail;
      return k;
    };
    if (buf[i] === 0x2d) i++;
    if (buf[i] === 0x30) i++;
    else i = digits(i);
    if (buf[i] === 0x2e) i = digits(i + 1);
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      i = digits(i);
    }
    return i;
  }

  /**
   * `i` is just after the opening quote; returns the index of the closing one. Raw control characters are refused
   * and escapes checked; long runs are searched natively and checked a word at a time.
   */
  #string(i: number): number {
    const { buf, end } = this;
    for (;;) {
      if (end - i < 32) return this.#shortString(i);
      const q = buf.indexOf(QUOTE, i);
      if (q === -1 || q >= end) throw bail;
      const slash = q - i < 32 ? this.#byteIndex(BACKSLASH, i, q) : i + buf.subarray(i, q).indexOf(BACKSLASH);
      const stop = slash === -1 || slash < i ? q : slash;
      this.#noControl(i, stop);
      if (stop === q) return q;
      i = this.#escape(stop);
    }
  }

  /** A string near the end of the line, byte by byte. */
  #shortString(i: number): number {
    const { buf, end } = this;
    while (i < end) {
      const c = buf[i]!;
      if (c === QUOTE) return i;
      if (c < 0x20) throw bail;
      if (c === BACKSLASH) i = this.#escape(i);
      else i++;
    }
    throw bail;
  }

  #byteIndex(byte: number, from: number, to: number): number {
    for (let k = from; k < to; k++) if (this.buf[k] === byte) return k;
    return -1;
  }

  /** Refuses a byte below 0x20 in [from, to): a word at a time over the aligned middle. */
  #noControl(from: number, to: number): void {
    const { buf } = this;
    const base = this.#wordBase;
    let i = from;
    while (i < to && ((i - base) & 3) !== 0) if (buf[i++]! < 0x20) throw bail;
    if (i >= base) {
      const words = this.#words;
      const last = Math.min(words.length, (to - base) >> 2);
      let w = (i - base) >> 2;
      for (; w < last; w++) {
        const x = words[w]!;
        if (((x - 0x20202020) & ~x & 0x80808080) !== 0) throw bail;
      }
      i = Math.max(i, base + w * 4);
    }
    while (i < to) if (buf[i++]! < 0x20) throw bail;
  }

  /** `i` is at a backslash: checks the escape and returns the index after it. */
  #escape(i: number): number {
    const { buf } = this;
    const e = buf[i + 1];
    if (e === 0x75) {
      for (let k = 2; k < 6; k++) {
        const h = buf[i + k];
        if (i + k >= this.end || h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) throw bail;
      }
      return i + 6;
    }
    if (i + 1 < this.end && (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return i + 2;
    throw bail;
  }
}

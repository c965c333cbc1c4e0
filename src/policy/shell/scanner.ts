// The shell line's tokens, read on demand: words (quoting, escapes, expansions, substitutions) and operators.
import type { Script, Word } from "./ast.js";

export class ShellSyntaxError extends Error {
  override readonly name = "ShellSyntaxError";
}

export type Token =
  | { readonly kind: "word"; readonly word: Word; readonly end: number }
  | { readonly kind: "op"; readonly op: string; readonly fd?: number; readonly end: number }
  | { readonly kind: "newline"; readonly end: number }
  | { readonly kind: "eof"; readonly end: number };

/** Parses the list that starts at `pos` up to its closing `)`; returns it and the position after the `)`. */
export type NestedParser = (src: string, pos: number) => { script: Script; end: number };
/** Parses a whole string (a backquoted command) as a script. */
export type StringParser = (src: string) => Script;

const OPERATORS = ["&&", "||", ";;", "|&", "<<-", "<<<", "<<", ">>", "&>>", "&>", ">&", "<&", "<>", ">|", ";", "&", "|", "(", ")", "<", ">"];
const META = new Set([" ", "\t", "\n", ";", "&", "|", "<", ">", "(", ")"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SPECIAL_PARAM = /[@*#?$!0-9-]/;

interface Parts {
  text: string;
  raw: string;
  dynamic: boolean;
  quoted: boolean;
  /** Where an unquoted `=` first appeared in `text`, if anywhere. */
  equals: number;
  readonly subs: Script[];
}

export class Scanner {
  pos: number;

  constructor(
    readonly src: string,
    start: number,
    private readonly nested: NestedParser,
    private readonly parseString: StringParser,
  ) {
    this.pos = start;
  }

  fail(message: string, at = this.pos): never {
    throw new ShellSyntaxError(`${message} (at character ${at + 1})`);
  }

  /** Blanks, line continuations and comments before the next token. */
  skipBlanks(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === " " || c === "\t") this.pos++;
      else if (c === "\\" && this.src[this.pos + 1] === "\n") this.pos += 2;
      else if (c === "#") {
        while (this.pos < this.src.length && this.src[this.pos] !== "\n") this.pos++;
      } else return;
    }
  }

  /** The token at the current position; the position is left where it was. */
  scan(): Token {
    const saved = this.pos;
    this.skipBlanks();
    const start = this.pos;
    try {
      if (start >= this.src.length) return { kind: "eof", end: start };
      const c = this.src[start]!;
      if (c === "\n") return { kind: "newline", end: start + 1 };
      const digits = /^[0-9]+(?=[<>])/.exec(this.src.slice(start, start + 12));
      if (digits && !this.src.startsWith("<(", start + digits[0].length) && !this.src.startsWith(">(", start + digits[0].length)) {
        const op = OPERATORS.find((o) => this.src.startsWith(o, start + digits[0].length))!;
        return { kind: "op", op, fd: Number(digits[0]), end: start + digits[0].length + op.length };
      }
      const isProcessSub = (c === "<" || c === ">") && this.src[start + 1] === "(";
      if (!isProcessSub) {
        const op = OPERATORS.find((o) => this.src.startsWith(o, start));
        if (op) return { kind: "op", op, end: start + op.length };
      }
      const word = this.readWord();
      return { kind: "word", word, end: this.pos };
    } finally {
      this.pos = saved;
    }
  }

  /** One word from the current position, up to an unquoted metacharacter. */
  readWord(): Word {
    const start = this.pos;
    const p: Parts = { text: "", raw: "", dynamic: false, quoted: false, equals: -1, subs: [] };
    /** -1: no unquoted `{` yet; 0: one seen; 1: with a `,` or `..` after it. */
    let brace = -1;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if ((c === "<" || c === ">") && this.src[this.pos + 1] === "(") {
        const { script, end } = this.nested(this.src, this.pos + 2);
        p.subs.push(script);
        p.text += this.src.slice(this.pos, end);
        p.dynamic = true;
        this.pos = end;
        continue;
      }
      if (META.has(c)) break;
      if (c === "\\") {
        const next = this.src[this.pos + 1];
        if (next === undefined) this.fail("a backslash ends the line");
        this.pos += 2;
        if (next !== "\n") {
          p.text += next;
          p.quoted = true;
        }
        continue;
      }
      if (c === "'") {
        const close = this.src.indexOf("'", this.pos + 1);
        if (close === -1) this.fail("a single quote is never closed", this.pos);
        p.text += this.src.slice(this.pos + 1, close);
        p.quoted = true;
        this.pos = close + 1;
        continue;
      }
      if (c === '"') {
        this.pos++;
        this.readDoubleQuoted(p, '"');
        p.quoted = true;
        continue;
      }
      if (c === "$" && this.src[this.pos + 1] === "'") {
        this.readAnsiC(p);
        continue;
      }
      if (c === "$" && this.src[this.pos + 1] === '"') {
        this.pos += 2;
        this.readDoubleQuoted(p, '"');
        p.quoted = true;
        continue;
      }
      if (c === "$" || c === "`") {
        this.readExpansion(p);
        continue;
      }
      if (c === "*" || c === "?" || c === "[") p.dynamic = true;
      // Brace expansion (`{git,push}`, `{1..3}`) makes several words of one.
      if (c === "{") brace = 0;
      else if (brace !== -1 && (c === "," || (c === "." && this.src[this.pos + 1] === "."))) brace = 1;
      else if (c === "}" && brace === 1) p.dynamic = true;
      if (c === "=" && p.equals === -1 && !p.quoted) p.equals = p.text.length;
      p.text += c;
      this.pos++;
    }
    const raw = this.src.slice(start, this.pos);
    const name = p.equals > 0 ? p.text.slice(0, p.equals) : "";
    return {
      text: p.text,
      raw,
      dynamic: p.dynamic,
      quoted: p.quoted,
      ...(NAME.test(name) && raw.startsWith(name + "=") ? { assigns: name } : {}),
      substitutions: p.subs,
    };
  }

  /** Inside double quotes (or an unquoted here-document when `close` is undefined): `\`, `$…` and backquotes keep their meaning. */
  readDoubleQuoted(p: Parts, close: '"' | undefined): void {
    for (;;) {
      if (this.pos >= this.src.length) {
        if (close === undefined) return;
        this.fail("a double quote is never closed");
      }
      const c = this.src[this.pos]!;
      if (c === close) {
        this.pos++;
        return;
      }
      if (c === "\\") {
        const next = this.src[this.pos + 1];
        if (next !== undefined && "$`\"\\\n".includes(next)) {
          if (next !== "\n") p.text += next;
          this.pos += 2;
        } else {
          p.text += c;
          this.pos++;
        }
        continue;
      }
      if (c === "$" || c === "`") {
        this.readExpansion(p);
        continue;
      }
      p.text += c;
      this.pos++;
    }
  }

  /** `$'…'`: ANSI-C quoting, with its escapes decoded. */
  private readAnsiC(p: Parts): void {
    let i = this.pos + 2;
    const ESC: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v", "\\": "\\", "'": "'", '"': '"', "?": "?" };
    for (;;) {
      if (i >= this.src.length) this.fail("a $'…' quote is never closed", this.pos);
      const c = this.src[i]!;
      if (c === "'") break;
      if (c === "\\") {
        const next = this.src[i + 1] ?? "";
        const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.src.slice(i + 1, i + 4));
        const octal = /^[0-7]{1,3}/.exec(this.src.slice(i + 1, i + 4));
        if (ESC[next] !== undefined) {
          p.text += ESC[next];
          i += 2;
        } else if (hex) {
          p.text += String.fromCharCode(parseInt(hex[1]!, 16));
          i += 1 + hex[0].length;
        } else if (octal) {
          p.text += String.fromCharCode(parseInt(octal[0], 8));
          i += 1 + octal[0].length;
        } else {
          p.text += c + next;
          i += 2;
        }
        continue;
      }
      p.text += c;
      i++;
    }
    p.quoted = true;
    this.pos = i + 1;
  }

  /** `$name`, `${…}`, `$(…)`, `$((…))`, `` `…` ``: all make the word dynamic; substitutions are parsed. */
  private readExpansion(p: Parts): void {
    const start = this.pos;
    const c = this.src[start]!;
    const wasDynamic = p.dynamic;
    p.dynamic = true;
    if (c === "`") {
      let i = start + 1;
      let inner = "";
      for (;;) {
        if (i >= this.src.length) this.fail("a backquote is never closed", start);
        const d = this.src[i]!;
        if (d === "`") break;
        if (d === "\\" && "$`\\".includes(this.src[i + 1] ?? "")) {
          inner += this.src[i + 1];
          i += 2;
          continue;
        }
        inner += d;
        i++;
      }
      p.subs.push(this.parseString(inner));
      p.text += this.src.slice(start, i + 1);
      this.pos = i + 1;
      return;
    }
    const next = this.src[start + 1];
    if (next === "(" && this.src[start + 2] === "(") {
      this.pos = this.skipBalanced(start + 3, "(", ")", 2);
      this.innerSubstitutions(this.src.slice(start + 3, this.pos - 2), p);
    } else if (next === "(") {
      const { script, end } = this.nested(this.src, start + 2);
      p.subs.push(script);
      this.pos = end;
    } else if (next === "{") {
      this.pos = this.skipBalanced(start + 2, "{", "}", 1);
      this.innerSubstitutions(this.src.slice(start + 2, this.pos - 1), p);
    } else if (next !== undefined && SPECIAL_PARAM.test(next)) {
      this.pos = start + 2;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(start + 1));
      if (!name) {
        // A lone `$` is a literal dollar sign.
        p.dynamic = wasDynamic;
        p.text += "$";
        this.pos = start + 1;
        return;
      }
      this.pos = start + 1 + name[0].length;
    }
    p.text += this.src.slice(start, this.pos);
  }

  /** Commands inside `${x:-$(cmd)}` or `$(( $(cmd) + 1 ))` run too: the inside is read like a double-quoted string. */
  private innerSubstitutions(inner: string, p: Parts): void {
    if (!/[$`]/.test(inner)) return;
    const scanner = new Scanner(inner, 0, this.nested, this.parseString);
    const parts: Parts = { text: "", raw: inner, dynamic: false, quoted: false, equals: -1, subs: [] };
    scanner.readDoubleQuoted(parts, undefined);
    p.subs.push(...parts.subs);
  }

  /** The position after `depth` closing characters that balance the opened ones, minding quotes. */
  private skipBalanced(from: number, open: string, close: string, depth: number): number {
    let i = from;
    let level = depth;
    while (i < this.src.length) {
      const c = this.src[i]!;
      if (c === "\\") i += 2;
      else if (c === "'") {
        const end = this.src.indexOf("'", i + 1);
        if (end === -1) break;
        i = end + 1;
      } else {
        if (c === open) level++;
        else if (c === close) {
          level--;
          if (level === 0) return i + 1;
        }
        i++;
      }
    }
    return this.fail(`an expansion opened with ${open} is never closed`, from);
  }
}

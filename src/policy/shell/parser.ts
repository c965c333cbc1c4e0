// A recursive-descent parser for POSIX shell lines: lists, and-or chains, pipelines, subshells, groups, if/while/until/for, here-documents.
import type { AndOr, Command, Pipeline, Redirect, Script, Word } from "./ast.js";
import { Scanner, ShellSyntaxError, type Token } from "./scanner.js";

/** How deep substitutions may nest before the line is refused as unreadable. */
const MAX_DEPTH = 16;
const REDIRECTS = new Set(["<", ">", ">>", ">|", "<>", "<<", "<<-", "<<<", ">&", "<&", "&>", "&>>"]);

interface PendingDocument {
  readonly redirect: Redirect;
  readonly delimiter: string;
  readonly quoted: boolean;
  readonly stripTabs: boolean;
}

class Parser {
  readonly scanner: Scanner;
  #peeked: Token | undefined;
  readonly #documents: PendingDocument[] = [];

  constructor(src: string, start: number, private readonly depth: number) {
    if (depth > MAX_DEPTH) throw new ShellSyntaxError(`substitutions nest deeper than ${MAX_DEPTH} levels`);
    this.scanner = new Scanner(
      src,
      start,
      (s, pos) => {
        const inner = new Parser(s, pos, depth + 1);
        const script = inner.list([")"]);
        inner.expectOp(")");
        return { script, end: inner.scanner.pos };
      },
      (s) => parseScriptAt(s, depth + 1),
    );
  }

  peek(): Token {
    this.#peeked ??= this.scanner.scan();
    return this.#peeked;
  }

  next(): Token {
    const token = this.peek();
    this.#peeked = undefined;
    this.scanner.pos = token.end;
    if (token.kind === "newline") this.#readDocuments();
    return token;
  }

  isKeyword(token: Token, ...words: string[]): boolean {
    return token.kind === "word" && !token.word.quoted && words.includes(token.word.text);
  }

  expectOp(op: string): void {
    const token = this.next();
    if (token.kind !== "op" || token.op !== op) this.scanner.fail(`expected ${op}, got ${describe(token)}`, token.end - 1);
  }

  expectKeyword(word: string): void {
    const token = this.next();
    if (!this.isKeyword(token, word)) this.scanner.fail(`expected ${word}, got ${describe(token)}`, token.end - 1);
  }

  skipNewlines(): void {
    while (this.peek().kind === "newline") this.next();
  }

  /** A list up to (not including) one of `terminators`: `)` or reserved words; always up to the end of input. */
  list(terminators: readonly string[]): Script {
    const items: Array<{ chain: AndOr; background: boolean }> = [];
    for (;;) {
      this.skipNewlines();
      const token = this.peek();
      if (token.kind === "eof" || (token.kind === "op" && terminators.includes(token.op)) || this.isKeyword(token, ...terminators)) break;
      const chain = this.andOr();
      const sep = this.peek();
      if (sep.kind === "op" && (sep.op === ";" || sep.op === "&")) {
        this.next();
        items.push({ chain, background: sep.op === "&" });
      } else if (sep.kind === "newline" || sep.kind === "eof" || (sep.kind === "op" && terminators.includes(sep.op)) || this.isKeyword(sep, ...terminators)) {
        items.push({ chain, background: false });
      } else {
        this.scanner.fail(`unexpected ${describe(sep)}`, sep.end - 1);
      }
    }
    return { items };
  }

  andOr(): AndOr {
    const pipelines = [this.pipeline()];
    const ops: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind !== "op" || (token.op !== "&&" && token.op !== "||")) return { pipelines, ops };
      this.next();
      this.skipNewlines();
      ops.push(token.op);
      pipelines.push(this.pipeline());
    }
  }

  pipeline(): Pipeline {
    let negated = false;
    if (this.isKeyword(this.peek(), "!")) {
      this.next();
      negated = true;
    }
    const commands = [this.command()];
    for (;;) {
      const token = this.peek();
      if (token.kind !== "op" || (token.op !== "|" && token.op !== "|&")) return { negated, commands };
      this.next();
      this.skipNewlines();
      commands.push(this.command());
    }
  }

  command(): Command {
    const token = this.peek();
    if (token.kind === "op" && token.op === "(") {
      this.next();
      const body = this.list([")"]);
      this.expectOp(")");
      return { type: "subshell", body, redirects: this.redirects() };
    }
    if (token.kind === "word" && !token.word.quoted) {
      switch (token.word.text) {
        case "{": {
          this.next();
          const body = this.list(["}"]);
          this.expectKeyword("}");
          return { type: "group", body, redirects: this.redirects() };
        }
        case "if":
          return this.ifClause();
        case "while":
        case "until": {
          this.next();
          const condition = this.list(["do"]);
          this.expectKeyword("do");
          const body = this.list(["done"]);
          this.expectKeyword("done");
          return { type: "compound", keyword: token.word.text, parts: [condition, body], words: [], redirects: this.redirects() };
        }
        case "for":
          return this.forClause();
        case "case":
        case "select":
        case "function":
        case "coproc":
          this.scanner.fail(`'${token.word.text}' is not read by this parser`, token.end - 1);
          break;
        case "[[":
          return this.conditional();
        case "then":
        case "else":
        case "elif":
        case "fi":
        case "do":
        case "done":
        case "}":
        case "in":
          this.scanner.fail(`unexpected '${token.word.text}'`, token.end - 1);
      }
    }
    return this.simple();
  }

  ifClause(): Command {
    this.next();
    const parts: Script[] = [this.list(["then"])];
    this.expectKeyword("then");
    parts.push(this.list(["elif", "else", "fi"]));
    for (;;) {
      const token = this.next();
      if (this.isKeyword(token, "fi")) break;
      if (this.isKeyword(token, "elif")) {
        parts.push(this.list(["then"]));
        this.expectKeyword("then");
        parts.push(this.list(["elif", "else", "fi"]));
      } else if (this.isKeyword(token, "else")) {
        parts.push(this.list(["fi"]));
      } else {
        this.scanner.fail(`expected fi, got ${describe(token)}`, token.end - 1);
      }
    }
    return { type: "compound", keyword: "if", parts, words: [], redirects: this.redirects() };
  }

  forClause(): Command {
    this.next();
    const name = this.next();
    if (name.kind !== "word" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.word.text)) this.scanner.fail("expected a variable name after for", name.end - 1);
    const words: Word[] = [];
    this.skipNewlines();
    if (this.isKeyword(this.peek(), "in")) {
      this.next();
      for (let token = this.peek(); token.kind === "word"; token = this.peek()) words.push((this.next() as { word: Word }).word);
    }
    const sep = this.peek();
    if (sep.kind === "op" && sep.op === ";") this.next();
    this.skipNewlines();
    this.expectKeyword("do");
    const body = this.list(["done"]);
    this.expectKeyword("done");
    return { type: "compound", keyword: "for", parts: [body], words, redirects: this.redirects() };
  }

  /** `[[ … ]]`: a test; its words are read up to `]]` (operators inside are part of it). */
  conditional(): Command {
    const words: Word[] = [(this.next() as { word: Word }).word];
    for (;;) {
      const token = this.peek();
      if (token.kind === "eof" || token.kind === "newline") this.scanner.fail("[[ is never closed with ]]", token.end);
      this.next();
      if (token.kind === "word") {
        words.push(token.word);
        if (token.word.text === "]]" && !token.word.quoted) break;
      }
    }
    return { type: "simple", assignments: [], words, redirects: [] };
  }

  redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let token = this.peek(); token.kind === "op" && REDIRECTS.has(token.op); token = this.peek()) out.push(this.redirect());
    return out;
  }

  redirect(): Redirect {
    const token = this.next() as { op: string; fd?: number; end: number };
    const target = this.next();
    if (target.kind !== "word") this.scanner.fail(`expected a file name after ${token.op}`, target.end - 1);
    const redirect: Redirect = { op: token.op, ...(token.fd !== undefined ? { fd: token.fd } : {}), target: target.word };
    if (token.op === "<<" || token.op === "<<-") {
      this.#documents.push({ redirect, delimiter: target.word.text, quoted: target.word.quoted, stripTabs: token.op === "<<-" });
    }
    return redirect;
  }

  simple(): Command {
    const assignments: Word[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === "word") {
        if (words.length === 0 && token.word.assigns !== undefined) assignments.push(token.word);
        else words.push(token.word);
        this.next();
        const after = this.peek();
        if (words.length === 1 && assignments.length === 0 && after.kind === "op" && after.op === "(") this.scanner.fail("function definitions are not read by this parser", after.end - 1);
      } else if (token.kind === "op" && REDIRECTS.has(token.op)) {
        redirects.push(this.redirect());
      } else {
        break;
      }
    }
    if (assignments.length === 0 && words.length === 0 && redirects.length === 0) {
      const token = this.peek();
      this.scanner.fail(`expected a command, got ${describe(token)}`, token.end - 1);
    }
    return { type: "simple", assignments, words, redirects };
  }

  /** After a newline: the bodies of the here-documents opened on the line just ended. */
  #readDocuments(): void {
    const src = this.scanner.src;
    for (const doc of this.#documents.splice(0)) {
      let body = "";
      for (;;) {
        if (this.scanner.pos >= src.length) this.scanner.fail(`the here-document ${doc.delimiter} is never ended`);
        const newline = src.indexOf("\n", this.scanner.pos);
        const lineEnd = newline === -1 ? src.length : newline;
        let line = src.slice(this.scanner.pos, lineEnd);
        this.scanner.pos = newline === -1 ? src.length : newline + 1;
        if (doc.stripTabs) line = line.replace(/^\t+/, "");
        if (line === doc.delimiter) break;
        body += line + "\n";
      }
      doc.redirect.body = doc.quoted ? literal(body) : parseDocument(body, this.depth + 1);
    }
  }
}

function literal(text: string): Word {
  return { text, raw: text, dynamic: false, quoted: true, substitutions: [] };
}

/** An unquoted here-document's body: read like the inside of double quotes. */
function parseDocument(body: string, depth: number): Word {
  const inner = new Parser(body, 0, depth);
  const parts = { text: "", raw: body, dynamic: false, quoted: true, equals: -1, subs: [] };
  inner.scanner.readDoubleQuoted(parts, undefined);
  return { text: parts.text, raw: body, dynamic: parts.dynamic, quoted: true, substitutions: parts.subs };
}

function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "the end of the line";
    case "newline":
      return "a newline";
    case "op":
      return `'${token.op}'`;
    case "word":
      return `'${token.word.raw}'`;
  }
}

function parseScriptAt(src: string, depth: number): Script {
  const parser = new Parser(src, 0, depth);
  const script = parser.list([]);
  const rest = parser.peek();
  if (rest.kind !== "eof") parser.scanner.fail(`unexpected ${describe(rest)}`, rest.end - 1);
  return script;
}

export type ParseResult = { readonly ok: true; readonly script: Script } | { readonly ok: false; readonly error: string };

/** Parses a whole shell line; a line it cannot read comes back with the reason. */
export function parseShell(src: string, depth = 0): ParseResult {
  try {
    return { ok: true, script: parseScriptAt(src, depth) };
  } catch (error) {
    if (error instanceof ShellSyntaxError) return { ok: false, error: error.message };
    if (error instanceof RangeError) return { ok: false, error: "the line nests too deeply" };
    throw error;
  }
}

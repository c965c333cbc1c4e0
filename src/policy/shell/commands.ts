// Every command a shell line runs: substitutions, subshells and `sh -c` strings included, wrappers (env, exec, nohup, …) unwrapped.
import path from "node:path";
import type { Command, Redirect, Script, Word } from "./ast.js";
import { parseShell } from "./parser.js";

/** One command the line runs: its argv after quote removal (expansions stay as written). */
export interface ShellCommand {
  readonly words: readonly string[];
}

/** What a line runs. `readable` is false when the parser could not read it or cannot tell which program runs. */
export interface LineReading {
  readonly readable: boolean;
  /** Why the line is not readable. */
  readonly problem?: string;
  /** The commands found (all of them when readable; those it could read otherwise). */
  readonly commands: readonly ShellCommand[];
  /** Files the line writes by name, as written (relative to its working directory): `> file`, `>> file`, `tee file`. */
  readonly writes: readonly string[];
}

/** How deep `sh -c '…'` and `eval` may nest. */
const MAX_NESTING = 8;
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh"]);
/** Options of these wrappers that take a value as the next word. */
const VALUE_OPTIONS: Record<string, ReadonlySet<string>> = {
  env: new Set(["-u", "--unset", "-C", "--chdir", "-S", "--split-string"]),
  exec: new Set(["-a"]),
  nice: new Set(["-n", "--adjustment"]),
  timeout: new Set(["-s", "--signal", "-k", "--kill-after"]),
  stdbuf: new Set(["-i", "-o", "-e", "--input", "--output", "--error"]),
  sudo: new Set(["-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-h", "--host", "-p", "--prompt", "-r", "--role", "-t", "--type", "-U", "--other-user", "-T", "--command-timeout"]),
  doas: new Set(["-u", "-C"]),
  xargs: new Set(["-I", "-n", "--max-args", "-P", "--max-procs", "-d", "--delimiter", "-L", "--max-lines", "-s", "--max-chars", "-a", "--arg-file", "-E", "--eof"]),
  command: new Set(),
  nohup: new Set(),
  setsid: new Set(),
  builtin: new Set(),
  time: new Set(),
};
const FIND_EXEC = new Set(["-exec", "-execdir", "-ok", "-okdir"]);

interface Arg {
  readonly text: string;
  readonly dynamic: boolean;
}

const WRITE_REDIRECTS = new Set([">", ">>", ">|", "&>", "&>>", "<>", ">&"]);
/** Targets that are not files in the workspace. */
const NOT_FILES = new Set(["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"]);

class Collector {
  readonly commands: ShellCommand[] = [];
  readonly problems: string[] = [];
  readonly writes: string[] = [];

  write(target: Arg): void {
    if (!target.dynamic && target.text !== "" && !NOT_FILES.has(target.text) && !this.writes.includes(target.text)) this.writes.push(target.text);
  }

  script(script: Script, nesting: number): void {
    for (const item of script.items) for (const pipeline of item.chain.pipelines) for (const command of pipeline.commands) this.command(command, nesting);
  }

  command(command: Command, nesting: number): void {
    this.redirects(command.redirects, nesting);
    switch (command.type) {
      case "simple":
        for (const word of [...command.assignments, ...command.words]) this.substitutions(word, nesting);
        if (command.words.length > 0) this.run(command.words.map((w) => ({ text: w.text, dynamic: w.dynamic })), nesting);
        return;
      case "subshell":
      case "group":
        this.script(command.body, nesting);
        return;
      case "compound":
        for (const word of command.words) this.substitutions(word, nesting);
        for (const part of command.parts) this.script(part, nesting);
        return;
    }
  }

  redirects(redirects: readonly Redirect[], nesting: number): void {
    for (const r of redirects) {
      this.substitutions(r.target, nesting);
      // `2>&1`, `>&-`: a descriptor, not a file.
      if (WRITE_REDIRECTS.has(r.op) && !/^([0-9]+|-)$/.test(r.target.text)) this.write(r.target);
      if (r.body) this.substitutions(r.body, nesting);
    }
  }

  substitutions(word: Word, nesting: number): void {
    for (const sub of word.substitutions) this.script(sub, nesting);
  }

  /** A line inside the line (`sh -c`, `eval`, `env -S`): parsed and collected in turn. */
  nested(line: string, nesting: number): void {
    if (nesting >= MAX_NESTING) {
      this.problems.push(`shells nest deeper than ${MAX_NESTING} levels`);
      return;
    }
    const parsed = parseShell(line);
    if (!parsed.ok) {
      this.problems.push(`a nested shell line cannot be read: ${parsed.error}`);
      return;
    }
    this.script(parsed.script, nesting + 1);
  }

  /** A simple command's argv: wrappers are looked through to the command they run. */
  run(argv: readonly Arg[], nesting: number): void {
    let args = argv;
    for (let hops = 0; args.length > 0 && hops < 32; hops++) {
      const program = args[0]!;
      if (program.dynamic) {
        this.problems.push(`the program is named by an expansion (${program.text})`);
        this.commands.push({ words: args.map((a) => a.text) });
        return;
      }
      const name = path.basename(program.text);
      if (name === "command" && ["-v", "-V"].includes(args[1]?.text ?? "")) break;
      if (name in VALUE_OPTIONS && name !== "xargs" && name !== "env") {
        args = skipOptions(args.slice(1), VALUE_OPTIONS[name]!, name === "timeout" ? 1 : 0);
        continue;
      }
      if (name === "env") {
        const rest = args.slice(1);
        const split = rest.findIndex((a, i) => (a.text === "-S" || a.text === "--split-string") && i + 1 < rest.length);
        if (split !== -1) {
          if (rest[split + 1]!.dynamic) this.problems.push(`env -S runs a line named by an expansion (${rest[split + 1]!.text})`);
          else this.nested([rest[split + 1]!.text, ...rest.slice(split + 2).map((a) => shellQuote(a.text))].join(" "), nesting);
          return;
        }
        const after = skipOptions(rest, VALUE_OPTIONS["env"]!, 0);
        const first = after.findIndex((a) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(a.text));
        // `env` alone, or with assignments only, prints the environment.
        if (first === -1) break;
        args = after.slice(first);
        continue;
      }
      if (name === "xargs") {
        this.commands.push({ words: args.map((a) => a.text) });
        const inner = skipOptions(args.slice(1), VALUE_OPTIONS["xargs"]!, 0);
        args = inner.length > 0 ? inner : [{ text: "echo", dynamic: false }];
        continue;
      }
      if (SHELLS.has(name)) {
        const script = shellScript(args);
        if (script === undefined) break;
        if (script.dynamic) this.problems.push(`${name} -c runs a line named by an expansion (${script.text})`);
        else this.nested(script.text, nesting);
        return;
      }
      if (name === "eval") {
        const rest = args.slice(1);
        const dynamic = rest.find((a) => a.dynamic);
        if (dynamic) this.problems.push(`eval runs a line named by an expansion (${dynamic.text})`);
        else this.nested(rest.map((a) => a.text).join(" "), nesting);
        return;
      }
      if (name === "tee") {
        for (const a of args.slice(1)) if (!a.text.startsWith("-")) this.write(a);
        break;
      }
      if (name === "find") {
        this.commands.push({ words: args.map((a) => a.text) });
        for (let i = 1; i < args.length; i++) {
          if (!FIND_EXEC.has(args[i]!.text)) continue;
          const end = args.findIndex((a, j) => j > i && (a.text === ";" || a.text === "+"));
          const inner = args.slice(i + 1, end === -1 ? args.length : end);
          if (inner.length > 0) this.run(inner, nesting);
          i = end === -1 ? args.length : end;
        }
        return;
      }
      break;
    }
    if (args.length > 0) this.commands.push({ words: args.map((a) => a.text) });
  }
}

/** The words after a wrapper's options (and `positional` leading operands, such as timeout's duration). */
function skipOptions(args: readonly Arg[], withValue: ReadonlySet<string>, positional: number): readonly Arg[] {
  let i = 0;
  while (i < args.length) {
    const text = args[i]!.text;
    if (text === "--") {
      i++;
      break;
    }
    if (!text.startsWith("-") || text === "-") break;
    i += withValue.has(text) ? 2 : 1;
  }
  return args.slice(Math.min(i + positional, args.length));
}

/** For `bash -c 'line'` (also `-lc`, `-ec`, `-o pipefail -c`): the line; undefined when the shell runs a script or stdin. */
function shellScript(args: readonly Arg[]): Arg | undefined {
  let hasC = false;
  for (let i = 1; i < args.length; i++) {
    const text = args[i]!.text;
    if (text === "--" || text === "-") return hasC ? args[i + 1] : undefined;
    if (/^[-+]o$/.test(text) || text === "--rcfile" || text === "--init-file" || text === "-O" || text === "+O") {
      i++;
      continue;
    }
    if (text.startsWith("--")) continue;
    if (/^[-+][A-Za-z]+$/.test(text)) {
      if (text.startsWith("-") && text.includes("c")) hasC = true;
      continue;
    }
    return hasC ? args[i] : undefined;
  }
  return undefined;
}

const PLAIN_WORD = /^[A-Za-z0-9_./+@%:=,-]+$/;

/** Quotes a word for display the way a POSIX shell would read it back. */
export function shellQuote(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function reading(collector: Collector): LineReading {
  const problem = collector.problems[0];
  const { commands, writes } = collector;
  return problem === undefined ? { readable: true, commands, writes } : { readable: false, problem, commands, writes };
}

/** The commands a shell line runs. */
export function commandsOfLine(line: string): LineReading {
  const parsed = parseShell(line);
  if (!parsed.ok) return { readable: false, problem: `the shell line cannot be read: ${parsed.error}`, commands: [], writes: [] };
  const collector = new Collector();
  collector.script(parsed.script, 0);
  return reading(collector);
}

/** The commands an argv runs (`bash -lc 'git push; true'` runs `git push` and `true`). */
export function commandsOfArgv(argv: readonly string[]): LineReading {
  const collector = new Collector();
  collector.run(
    argv.map((text) => ({ text, dynamic: false })),
    0,
  );
  return reading(collector);
}

// Policy rules as data, and how one rule matches an act: a path glob, a command pattern, a tool call's kind/title, a host.
import path from "node:path";
import picomatch from "picomatch";
import { tildify } from "../config/file.js";
import type { ShellCommand } from "./shell/commands.js";

/**
 * The kinds of act the policy judges. `net` (a network connection) is the plug-in point for the network proxy: its
 * host patterns (network-rules.ts) come in through `MatchContext.hostPattern`, and it joins OPERATIONS (the rule
 * syntax) when the proxy consults this engine.
 */
export type Operation = "read" | "write" | "terminal" | "permission" | "net";
/** The operations a rule may name in the configuration and in --allow/--ask/--deny. */
export const OPERATIONS: readonly Exclude<Operation, "net">[] = ["read", "write", "terminal", "permission"];
export type RuleAction = "allow" | "deny" | "ask";

/** Where a rule came from; `label` names it the way its source spells it (`deny[2]`, `--allow write:src/**`). */
export interface RuleOrigin {
  readonly kind: "config" | "workspace" | "flag" | "remembered" | "default" | "protected" | "editor" | "containment";
  readonly label: string;
  /** The file it was read from (config, workspace, remembered with --remember). */
  readonly file?: string;
}

export interface Rule {
  readonly action: RuleAction;
  readonly op: Operation;
  /** read/write: a glob over the real host path (relative globs are relative to the workspace). */
  readonly path?: string;
  /** terminal: a pattern over each command a line runs (see decide.ts: every command is judged). */
  readonly command?: string;
  /** permission: the tool call kinds it applies to. */
  readonly kind?: readonly string[];
  /** permission: a pattern over the tool call's title. */
  readonly title?: string;
  /** net: a host pattern. */
  readonly host?: string;
  readonly origin: RuleOrigin;
}

/** What an operation is about: what rules match against. */
export type Subject =
  | { readonly op: "read" | "write"; readonly real: string }
  | TerminalSubject
  | { readonly op: "permission"; readonly kind: string | undefined; readonly title: string }
  | { readonly op: "net"; readonly host: string; readonly port: number };

/** A command line, with every command it runs (see shell/commands.ts). */
export interface TerminalSubject {
  readonly op: "terminal";
  readonly line: string;
  readonly shortLine: string;
  readonly viaShell: boolean;
  /** Every command the line runs, as far as the parser could read it. */
  readonly commands: readonly ShellCommand[];
  /** False when the line could not be read, or which program runs is known only when it runs: no rule allows it. */
  readonly readable: boolean;
  /** Why it is not readable. */
  readonly problem?: string;
  /** Files it writes by name (`> file`, `tee file`), as written: judged as writes by whoever knows the working directory. */
  readonly writes: readonly string[];
}

export interface MatchContext {
  /** The workspace (real host path): relative globs start there. */
  readonly workspace: string;
  readonly home: string;
  /**
   * net: how a host pattern matches a connection (the network proxy's host patterns, network-rules.ts); without it,
   * `*` globs over the host name and any port matches.
   */
  readonly hostPattern?: (pattern: string) => (host: string, port: number) => boolean;
}

const GLOB_SPECIAL = /[*?[\]{}()!+@\\]/g;

/** A path glob as written → an absolute picomatch glob. With no slash but a trailing one it matches at any depth, like .gitignore. */
export function absoluteGlob(glob: string, context: MatchContext): string {
  const escape = (dir: string) => dir.replace(GLOB_SPECIAL, (c) => "\\" + c);
  let pattern = glob.endsWith("/") ? glob + "**" : glob;
  if (pattern === "~" || pattern.startsWith("~/")) return escape(context.home) + pattern.slice(1);
  if (pattern.startsWith("/")) return pattern;
  if (pattern.startsWith("./")) pattern = pattern.slice(2);
  const anyDepth = !glob.replace(/\/$/, "").includes("/");
  return escape(context.workspace) + "/" + (anyDepth && !pattern.startsWith("**") ? "**/" : "") + pattern;
}

const SHELL_CONTROL = "[^;&|`$<>()\\n\\r]";

/** A command or title pattern: `*` any run of characters, `?` one; the whole text must match. */
export function wordPattern(pattern: string, inShell: boolean): RegExp {
  const any = inShell ? SHELL_CONTROL : ".";
  let source = "";
  for (const c of pattern) {
    if (c === "*") source += `${any}*`;
    else if (c === "?") source += any;
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

export interface CompiledRule {
  readonly rule: Rule;
  /** Whether the rule applies to the act; for a terminal rule, to the line as a whole. */
  matches(subject: Subject): boolean;
  /** terminal: whether the rule's pattern matches one command of the line (by its program's path or basename). */
  matchesCommand(command: ShellCommand): boolean;
}

/** `git push --force`, and `git push --force` for `/usr/bin/git push --force`: the texts a command pattern is tried on. */
export function commandTexts(command: ShellCommand): string[] {
  const [program = "", ...rest] = command.words;
  const full = [program, ...rest].join(" ");
  const short = [path.basename(program), ...rest].join(" ");
  return full === short ? [full] : [full, short];
}

function defaultHostPattern(pattern: string): (host: string, port: number) => boolean {
  const re = new RegExp(wordPattern(pattern.toLowerCase(), false).source, "s");
  return (host) => re.test(host.toLowerCase());
}

export function compileRule(rule: Rule, context: MatchContext): CompiledRule {
  const pathMatch = rule.path === undefined ? () => true : picomatch(absoluteGlob(rule.path, context), { dot: true });
  const titleMatch = rule.title === undefined ? undefined : wordPattern(rule.title, false);
  const commands = rule.command === undefined ? undefined : { shell: wordPattern(rule.command, true), plain: wordPattern(rule.command, false) };
  const hostMatch = rule.host === undefined ? () => true : (context.hostPattern ?? defaultHostPattern)(rule.host);
  return {
    rule,
    matchesCommand: (command) => rule.op === "terminal" && (!commands || commandTexts(command).some((text) => commands.plain.test(text))),
    matches: (subject) => {
      if (subject.op !== rule.op) return false;
      switch (subject.op) {
        case "read":
        case "write":
          return pathMatch(subject.real);
        case "terminal": {
          if (!commands) return true;
          const re = subject.viaShell ? commands.shell : commands.plain;
          return re.test(subject.line) || re.test(subject.shortLine);
        }
        case "permission":
          return (rule.kind === undefined || (subject.kind !== undefined && rule.kind.includes(subject.kind))) && (titleMatch === undefined || titleMatch.test(subject.title));
        case "net":
          return hostMatch(subject.host, subject.port);
      }
    },
  };
}


/** `rule deny[2] from ~/.config/acp-sandbox/config.json`, `--allow write:src/**`, `the default: …`. */
export function describeOrigin(origin: RuleOrigin, home: string): string {
  switch (origin.kind) {
    case "config":
    case "workspace":
      return `rule ${origin.label} from ${origin.file ? tildify(origin.file, home) : "the configuration"}`;
    case "flag":
      return origin.label;
    case "remembered":
      return origin.file ? `a decision remembered in ${tildify(origin.file, home)} (${origin.label})` : `a decision remembered in this session (${origin.label})`;
    case "default":
      return `the default: ${origin.label}`;
    case "protected":
      return `the protected path ${origin.label} (writing there can run code on the host later; only a rule in your own configuration can allow it)`;
    case "editor":
      return `the editor's answer: ${origin.label}`;
    case "containment":
      return `containment: ${origin.label}`;
  }
}

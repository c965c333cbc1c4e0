// Finds the agent program on the host and what must be mounted read-only for it to run inside a sandbox.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { which } from "../process/which.js";

/** Directories an isolating sandbox shows anyway (bwrap read-only; a container's image has its own). */
export const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

export interface AgentMount {
  readonly hostPath: string;
  readonly reason: string;
}

export interface AgentPlan {
  /** The command line as given. */
  readonly original: readonly string[];
  /** What the sandbox runs: the program's resolved path where it lives outside the system directories. */
  readonly argv: readonly string[];
  /** Read-only mounts that make the program visible; never the user's HOME or an ancestor of it. */
  readonly mounts: readonly AgentMount[];
  /** Why the program cannot be made visible (and what to do); undefined when it can. */
  readonly problem?: string | undefined;
}

export interface AgentContext {
  readonly path: string | undefined;
  readonly cwd: string;
  readonly workspace: string;
  readonly home: string;
  /** npm's cache (`npm_config_cache`), where `npx` keeps what it installed. */
  readonly npmCache?: string | undefined;
}

function under(dir: string, candidate: string): boolean {
  return candidate === dir || candidate.startsWith(dir.endsWith("/") ? dir : dir + "/");
}

export function isSystemPath(file: string): boolean {
  return SYSTEM_DIRS.some((dir) => under(dir, file));
}

/** The interpreter a script names on its `#!` line (`env node` resolved on PATH). */
export function shebangInterpreter(file: string, searchPath: string | undefined, cwd: string): string | undefined {
  let head = "";
  try {
    const fd = openSync(file, "r");
    try {
      const buffer = Buffer.alloc(256);
      head = buffer.subarray(0, readSync(fd, buffer, 0, 256, 0)).toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(head);
  if (!m) return undefined;
  let program = m[1]!;
  if (path.basename(program) === "env" && m[2]) program = m[2];
  const found = which(program, searchPath, cwd);
  return found.kind === "found" ? realpathSync(found.path) : undefined;
}

/**
 * The directory to mount for a file: the outermost `node_modules` it sits in (its dependencies come
 * along), else the nearest package root, else its own directory; never HOME or one of its ancestors.
 */
export function mountRootFor(file: string, home: string): string {
  const parts = file.split("/");
  const modules = parts.indexOf("node_modules");
  let root: string | undefined;
  if (modules > 0) root = parts.slice(0, modules + 1).join("/");
  else {
    for (let dir = path.dirname(file); dir !== "/" && !under(dir, home); dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, "package.json"))) {
        root = dir;
        break;
      }
    }
  }
  root ??= path.dirname(file);
  return under(root, home) ? file : root;
}

/** A node runtime outside the system directories (nvm, volta): its install prefix, `bin/..`. */
function runtimePrefix(node: string, home: string): string {
  const prefix = path.dirname(path.dirname(node));
  return prefix === "/" || under(prefix, home) ? path.dirname(node) : prefix;
}

/** `npx <package>`: the cached install's bin, so that the sandbox runs it without npm or the network. */
export function npxTarget(argv: readonly string[], context: AgentContext): { bin: string; rest: string[]; modules: string } | { problem: string } | undefined {
  if (path.basename(argv[0] ?? "") !== "npx") return undefined;
  const at = argv.findIndex((word, i) => i > 0 && !word.startsWith("-"));
  if (at === -1) return undefined;
  const spec = argv[at]!;
  const name = spec.startsWith("@") ? "@" + spec.slice(1).split("@")[0] : spec.split("@")[0]!;
  const npx = path.join(context.npmCache ?? path.join(context.home, ".npm"), "_npx");
  const candidates: Array<{ dir: string; mtime: number }> = [];
  try {
    for (const entry of readdirSync(npx)) {
      const pkg = path.join(npx, entry, "node_modules", name, "package.json");
      if (existsSync(pkg)) candidates.push({ dir: path.dirname(pkg), mtime: statSync(pkg).mtimeMs });
    }
  } catch {
    // no npx cache at all
  }
  const newest = candidates.sort((a, b) => b.mtime - a.mtime)[0];
  if (!newest) {
    return { problem: `${spec} is not in npx's cache (${npx}); run \`npx ${spec} --help\` once on the host so that it is installed, or install it with npm install -g` };
  }
  const pkg = JSON.parse(readFileSync(path.join(newest.dir, "package.json"), "utf8")) as { bin?: string | Record<string, string> };
  const bins = typeof pkg.bin === "string" ? { [path.basename(name)]: pkg.bin } : (pkg.bin ?? {});
  const entries = Object.entries(bins);
  const chosen = bins[path.basename(name)] ?? (entries.length === 1 ? entries[0]![1] : undefined);
  if (!chosen) return { problem: `${spec} in ${newest.dir} names no single program to run (bin: ${Object.keys(bins).join(", ") || "none"})` };
  return { bin: realpathSync(path.join(newest.dir, chosen)), rest: argv.slice(at + 1), modules: path.dirname(name.startsWith("@") ? path.dirname(newest.dir) : newest.dir) };
}

/** Resolves the agent command on the host and plans the read-only mounts it needs inside a sandbox. */
export function planAgentMounts(argv: readonly string[], context: AgentContext): AgentPlan {
  const mounts: AgentMount[] = [];
  const add = (file: string, reason: string) => {
    if (isSystemPath(file) || under(context.workspace, file)) return;
    const root = mountRootFor(file, context.home);
    if (mounts.some((m) => under(m.hostPath, root))) return;
    for (let i = mounts.length - 1; i >= 0; i--) if (under(root, mounts[i]!.hostPath)) mounts.splice(i, 1);
    mounts.push({ hostPath: root, reason });
  };
  const addInterpreter = (program: string) => {
    const interpreter = shebangInterpreter(program, context.path, context.cwd);
    if (interpreter && !isSystemPath(interpreter)) mounts.push({ hostPath: runtimePrefix(interpreter, context.home), reason: "the agent's runtime" });
  };

  const npx = npxTarget(argv, context);
  if (npx && "problem" in npx) return { original: argv, argv, mounts: [], problem: npx.problem };
  if (npx) {
    mounts.push({ hostPath: npx.modules, reason: "the agent's package, installed by npx" });
    addInterpreter(npx.bin);
    return { original: argv, argv: [npx.bin, ...npx.rest], mounts };
  }

  const found = which(argv[0] ?? "", context.path, context.cwd);
  if (found.kind !== "found") {
    const where = found.kind === "missing" ? `not found on PATH (${found.searched.join(":") || "PATH is empty"})` : `${found.path} is not executable`;
    return { original: argv, argv, mounts: [], problem: `the agent ${argv[0]} is ${where}; install it on the host, give its full path, or use --sandbox docker with an image that contains it` };
  }
  const program = realpathSync(found.path);
  add(program, "the agent's program");
  addInterpreter(program);
  if (path.basename(program).startsWith("node") && !isSystemPath(program)) mounts.push({ hostPath: runtimePrefix(program, context.home), reason: "the agent's runtime" });
  for (const word of argv.slice(1)) {
    if (word.startsWith("-")) continue;
    const file = path.resolve(context.cwd, word);
    try {
      if (statSync(file).isFile()) add(realpathSync(file), "the agent's script and its package");
    } catch {
      // not a file: an ordinary argument
    }
  }
  const unique = mounts.filter((m, i) => mounts.findIndex((o) => o.hostPath === m.hostPath) === i);
  return { original: argv, argv: isSystemPath(program) ? argv : [program, ...argv.slice(1)], mounts: unique };
}

/** The agent's process as the sandbox runs it: the planned command line when `process` is the agent's. */
export function plannedProcess<P extends { readonly command: string; readonly args: readonly string[] }>(plan: AgentPlan | undefined, process: P): P {
  if (!plan || plan.argv === plan.original) return process;
  const same = process.command === plan.original[0] && process.args.length === plan.original.length - 1 && process.args.every((a, i) => a === plan.original[i + 1]);
  return same ? { ...process, command: plan.argv[0]!, args: plan.argv.slice(1) } : process;
}

/** Whether `process` is the planned agent (so that a planning problem applies to it). */
export function isPlannedAgent(plan: AgentPlan | undefined, process: { readonly command: string }): boolean {
  return !!plan && process.command === plan.original[0];
}

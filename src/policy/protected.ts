// Paths whose contents can run code on the host later: the one list the ToolHost, copy-mode sync and the sandbox mounts use.
import { lstatSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { configuredProtections } from "./git-configured.js";

export interface ProtectedRule {
  /** A glob over paths relative to the root that holds them (any depth; dot files included). */
  readonly pattern: string;
  /** Why writing there can run code on the host. */
  readonly reason: string;
  /** Applies only to a file or symlink at that path (`.git` as a file; a `.git` directory is judged by its contents). */
  readonly notDir?: true;
  /** Applies only when the directory holding the matched name also holds `HEAD`: a bare repository or a git directory. */
  readonly besideHead?: true;
}

/** The list, each with the reason it is on it. README's "What is refused" prints the same lines. */
export const PROTECTED_RULES: readonly ProtectedRule[] = [
  { pattern: "**/.git/hooks/**", reason: "git runs hooks on commit, checkout, merge and push" },
  { pattern: "**/.git/config", reason: "core.fsmonitor, core.hooksPath, core.sshCommand, aliases, filters and diff drivers run commands (editors run `git status` by themselves)" },
  { pattern: "**/.git/config.worktree", reason: "a per-worktree config with the same powers as .git/config" },
  { pattern: "**/.git/commondir", reason: "points git at another directory's config and hooks" },
  { pattern: "**/.git/info/**", reason: "info/attributes names filter and diff drivers; info/exclude and sparse-checkout change what git sees" },
  { pattern: "**/.git/worktrees/*/config*", reason: "a linked worktree's own config" },
  { pattern: "**/.git/worktrees/*/commondir", reason: "points a linked worktree at another config and hooks" },
  { pattern: "**/.git/modules/**/config", reason: "a submodule's config (same powers as .git/config)" },
  { pattern: "**/.git/modules/**/config.worktree", reason: "a submodule's per-worktree config" },
  { pattern: "**/.git/modules/**/commondir", reason: "points a submodule at another config and hooks" },
  { pattern: "**/.git/modules/**/hooks/**", reason: "a submodule's hooks" },
  { pattern: "**/.git/modules/**/info/**", reason: "a submodule's attributes (filter drivers)" },
  { pattern: "**/.git", reason: "a .git file (`gitdir: …`) makes git use a config and hooks of the writer's choosing", notDir: true },
  { pattern: "**/config", reason: "beside HEAD it is a git directory's config: a bare repository git will use when run inside it", besideHead: true },
  { pattern: "**/config.worktree", reason: "beside HEAD: a bare repository's per-worktree config", besideHead: true },
  { pattern: "**/commondir", reason: "beside HEAD: points a git directory at another config and hooks", besideHead: true },
  { pattern: "**/hooks/**", reason: "beside HEAD: a bare repository's hooks", besideHead: true },
  { pattern: "**/info/**", reason: "beside HEAD: a bare repository's attributes (filter drivers)", besideHead: true },
  { pattern: "**/.gitmodules", reason: "submodule URLs and paths git fetches and checks out" },
  { pattern: "**/.vscode/**", reason: "VS Code runs tasks.json and launch.json and applies settings.json (terminal profiles, tool paths)" },
  { pattern: "**/.idea/**", reason: "JetBrains IDEs run configurations, external tools and startup tasks from here" },
  { pattern: "**/.zed/**", reason: "Zed's tasks.json and settings.json (language servers, tool paths)" },
  { pattern: "**/.mcp.json", reason: "MCP servers an agent on the host starts as commands" },
  { pattern: "**/.envrc", reason: "direnv runs it when a shell enters the directory" },
  { pattern: "**/.bashrc", reason: "bash runs it at startup" },
  { pattern: "**/.bash_profile", reason: "bash runs it at login" },
  { pattern: "**/.bash_login", reason: "bash runs it at login" },
  { pattern: "**/.bash_logout", reason: "bash runs it at logout" },
  { pattern: "**/.profile", reason: "login shells run it" },
  { pattern: "**/.zshrc", reason: "zsh runs it at startup" },
  { pattern: "**/.zshenv", reason: "zsh runs it for every shell" },
  { pattern: "**/.zprofile", reason: "zsh runs it at login" },
  { pattern: "**/.zlogin", reason: "zsh runs it at login" },
  { pattern: "**/.kshrc", reason: "ksh runs it at startup" },
  { pattern: "**/.cshrc", reason: "csh runs it at startup" },
  { pattern: "**/.tcshrc", reason: "tcsh runs it at startup" },
  { pattern: "**/.config/fish/**", reason: "fish runs config.fish and conf.d at startup" },
];

/** The globs alone (the original export; kept for callers that print them). */
export const PROTECTED_PATTERNS: readonly string[] = PROTECTED_RULES.map((r) => r.pattern);

/** What the judge needs to know about the tree the path lives in (the host's disk, a runtime's listing). */
export interface TreeView {
  /** The type of the entry at `rel` (relative, POSIX), undefined when absent. */
  kind(rel: string): "file" | "dir" | "symlink" | undefined;
}

const matchers = PROTECTED_RULES.map((rule) => ({ rule, match: picomatch(rule.pattern, { dot: true }) }));

/** The last name of each pattern (`hooks` in `**\/.git/hooks/**`; `config` for `config*`): a walk only judges entries with one. */
const LAST_NAMES = PROTECTED_RULES.map((r) => r.pattern.replace(/\/\*\*$/, "").split("/").pop()!.replace(/\*$/, ""));

/** Cheap pre-check for walks that stop at protected directories: could an entry named `name` be protected? */
export function mayBeProtected(name: string): boolean {
  return LAST_NAMES.some((last) => name === last || (last === "config" && name.startsWith("config")));
}

/** The directory whose `HEAD` decides a besideHead rule: the one holding the rule's first name (`hooks` in `x/hooks/a`). */
function holder(rel: string, rule: ProtectedRule): string | undefined {
  const name = rule.pattern.replace(/^\*\*\//, "").split("/")[0]!;
  const parts = rel.split("/");
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i] === name) return parts.slice(0, i).join("/");
  return undefined;
}

/**
 * The rule `rel` (relative to the tree's root, POSIX) falls under, or undefined. `tree` answers type and
 * `HEAD` questions; without it, a path is taken as a file to be written and `HEAD` as absent.
 */
export function protectedRule(rel: string, tree?: TreeView): ProtectedRule | undefined {
  if (rel === "" || rel === "." || rel.startsWith("../")) return undefined;
  for (const { rule, match } of matchers) {
    if (!match(rel)) continue;
    if (rule.notDir && tree?.kind(rel) === "dir") continue;
    if (rule.besideHead) {
      const dir = holder(rel, rule);
      if (dir === undefined || tree?.kind(dir === "" ? "HEAD" : `${dir}/HEAD`) !== "file") continue;
    }
    return rule;
  }
  return undefined;
}

/** The host's disk under `root`, through lstat (links are not followed). */
export function diskTree(root: string): TreeView {
  return {
    kind(rel) {
      try {
        const st = lstatSync(path.join(root, rel));
        return st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "file";
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The protected pattern `real` (inside `root`) falls under, or undefined: the list above, then the paths the
 * workspace's own git config makes run (`core.hooksPath`, `include.path` targets inside it). The tree defaults to
 * the host's disk under `root`.
 */
export function protectedPattern(root: string, real: string, tree: TreeView = diskTree(root)): string | undefined {
  const rel = path.relative(root, real).split(path.sep).join("/");
  if (rel === "" || rel === ".." || rel.startsWith("../") || path.isAbsolute(rel)) return undefined;
  const rule = protectedRule(rel, tree);
  if (rule) return rule.pattern;
  return configuredProtections(root).find((c) => rel === c.rel || rel.startsWith(`${c.rel}/`))?.pattern;
}

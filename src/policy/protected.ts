// Paths whose contents can run code on the host later: not writable by the agent unless a rule allows it.
import path from "node:path";
import picomatch from "picomatch";

/** Globs over paths relative to the root that holds them (any depth; dot files included). */
export const PROTECTED_PATTERNS: readonly string[] = [
  "**/.git/hooks/**",
  "**/.git/config",
  "**/.git/modules/**/hooks/**",
  "**/.git/modules/**/config",
  "**/.gitmodules",
  "**/.vscode/**",
  "**/.idea/**",
  "**/.zed/**",
  "**/.mcp.json",
  "**/.envrc",
  "**/.bashrc",
  "**/.bash_profile",
  "**/.bash_login",
  "**/.bash_logout",
  "**/.profile",
  "**/.zshrc",
  "**/.zshenv",
  "**/.zprofile",
  "**/.zlogin",
  "**/.kshrc",
  "**/.cshrc",
  "**/.tcshrc",
  "**/.config/fish/**",
];

const matchers = PROTECTED_PATTERNS.map((pattern) => ({ pattern, match: picomatch(pattern, { dot: true }) }));

/** The protected pattern `real` (inside `root`) falls under, or undefined. */
export function protectedPattern(root: string, real: string): string | undefined {
  const rel = path.relative(root, real);
  if (rel === "" || rel.startsWith("..")) return undefined;
  return matchers.find((m) => m.match(rel))?.pattern;
}

// Paths that could run code on the host later: they travel into the runtime but never come back from it.
import picomatch from "picomatch";

/** Globs over workspace-relative paths (any depth, dot files included). */
export const PROTECTED_PATTERNS: readonly string[] = [
  "**/.git/hooks",
  "**/.git/hooks/**",
  "**/.git/config",
  "**/.git/modules/**/hooks/**",
  "**/.git/modules/**/config",
  "**/.vscode",
  "**/.vscode/**",
  "**/.idea",
  "**/.idea/**",
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

const matcher = picomatch(PROTECTED_PATTERNS as string[], { dot: true });

/** The protected pattern `rel` falls under, or undefined. */
export function protectedBy(rel: string): string | undefined {
  if (!matcher(rel)) return undefined;
  return PROTECTED_PATTERNS.find((pattern) => picomatch.isMatch(rel, pattern, { dot: true }));
}

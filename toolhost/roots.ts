// Where a session may work: its cwd and additional directories (host paths), checked against the workspace.
import { realpathSync } from "node:fs";
import path from "node:path";

export interface SessionRoots {
  /** Host path. */
  readonly cwd: string;
  /** Host paths. */
  readonly additionalDirectories: readonly string[];
}

/** Resolves symlinks on the longest existing prefix, so a path that does not exist yet still resolves. */
export function resolveReal(p: string): string {
  const absolute = path.resolve(p);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = realpathSync(existing);
      return rest.length === 0 ? real : path.join(real, ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

export function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}

/** undefined when `p` (absolute, resolved) lies in one of `roots`; otherwise why not. */
export function outsideReason(p: string, roots: readonly string[]): string | undefined {
  if (!path.isAbsolute(p)) return "is not an absolute path";
  if (p.includes("\0")) return "contains a NUL byte";
  const real = resolveReal(p);
  return roots.some((root) => isInside(root, real)) ? undefined : "lies outside";
}

// The checks a path gets before the filesystem is touched: absolute, no NUL, where `..` leads, which root holds it.
import path from "node:path";
import { PathRefusedError } from "./errors.js";
import { isInside } from "./roots.js";

/** A directory the agent may reach: the workspace, a granted extra directory. Host path, resolved (realpath). */
export interface AllowedRoot {
  readonly path: string;
  readonly writable: boolean;
}

/** How roots are named in messages: `/ws, /notes (read-only)`. */
export function describeRoots(roots: readonly AllowedRoot[]): string {
  return roots.map((r) => (r.writable ? r.path : `${r.path} (read-only)`)).join(", ");
}

/** The innermost root holding `real` (so a read-only directory inside a writable one wins), or undefined. */
export function rootOf(real: string, roots: readonly AllowedRoot[]): AllowedRoot | undefined {
  let best: AllowedRoot | undefined;
  for (const root of roots) {
    if (isInside(root.path, real) && (!best || root.path.length > best.path.length)) best = root;
  }
  return best;
}

/**
 * Validates a path as the agent sent it and normalizes it. Refuses what is wrong whatever the filesystem holds:
 * not a string, empty, a NUL byte, relative, and a `..` that leads out of every root. `toHost` maps the
 * runtime path the agent sent to the host's view. Returns the host path, normalized.
 */
export function checkRequestPath(value: unknown, roots: readonly AllowedRoot[], what = "path", toHost: (runtimePath: string) => string | undefined = (p) => p): string {
  if (typeof value !== "string" || value === "") throw new PathRefusedError(`acp-sandbox: ${what} must be a non-empty absolute path`, { reason: "not-a-path" });
  if (value.includes("\0")) {
    throw new PathRefusedError(`acp-sandbox: ${what} ${JSON.stringify(value)} contains a NUL byte`, { path: value, reason: "nul-byte" });
  }
  if (!path.isAbsolute(value)) {
    throw new PathRefusedError(`acp-sandbox: ${what} ${value} is not an absolute path`, { path: value, reason: "relative" });
  }
  const runtime = path.resolve(value);
  const normal = toHost(runtime);
  if (normal === undefined) {
    throw new PathRefusedError(`acp-sandbox: ${what} ${value} lies outside every directory the sandbox shares with the host; allowed: ${describeRoots(roots)}`, { path: value, reason: "unmapped" });
  }
  const climbs = value.split("/").includes("..");
  if (climbs && !rootOf(normal, roots)) {
    throw new PathRefusedError(
      `acp-sandbox: ${what} ${value} leaves the allowed directories with '..' (it means ${normal}; allowed: ${describeRoots(roots)})`,
      { path: value, resolved: normal, reason: "dot-dot" },
    );
  }
  return normal;
}

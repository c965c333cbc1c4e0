// Comparing entries across sides, checking where a symlink points, and naming a conflict copy.
import path from "node:path";
import type { BaselineEntry, ManifestEntry } from "./types.js";

type Comparable = Pick<ManifestEntry, "type" | "mode" | "hash" | "target">;

/** Only permission bits travel: never setuid, setgid or sticky. */
export const MODE_MASK = 0o777;

/** The same thing on both sides: same type, same permission bits, same content (hash) or link target. */
export function sameEntry(a: Comparable | undefined, b: Comparable | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.type !== b.type || (a.type !== "symlink" && (a.mode & MODE_MASK) !== (b.mode & MODE_MASK))) return false;
  switch (a.type) {
    case "file":
      return a.hash !== undefined && a.hash === b.hash;
    case "symlink":
      return a.target === b.target;
    case "dir":
      return true;
  }
}

export function toBaseline(entry: ManifestEntry, side: "host" | "runtime", other?: BaselineEntry): BaselineEntry {
  const stat = side === "host" ? { hostMtimeMs: entry.mtimeMs, runtimeMtimeMs: other?.runtimeMtimeMs } : { runtimeMtimeMs: entry.mtimeMs, hostMtimeMs: other?.hostMtimeMs };
  return {
    type: entry.type,
    mode: entry.mode & MODE_MASK,
    size: entry.size,
    ...(entry.hash === undefined ? {} : { hash: entry.hash }),
    ...(entry.target === undefined ? {} : { target: entry.target }),
    ...stat,
  };
}

/**
 * Whether a link at `rel` (relative to the workspace root `root`) pointing at `target` stays inside the workspace.
 * Judged on the path alone: the target need not exist.
 */
export function linkStaysInside(root: string, rel: string, target: string): boolean {
  if (target === "" || target.includes("\0")) return false;
  const resolved = path.posix.isAbsolute(target) ? path.posix.normalize(target) : path.posix.join(root, path.posix.dirname(rel), target);
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return resolved === root || resolved.startsWith(prefix);
}

/** Rewrites an absolute link target from one root to the other; relative targets travel as they are. */
export function retargetLink(target: string, fromRoot: string, toRoot: string): string {
  if (!path.posix.isAbsolute(target) || fromRoot === toRoot) return target;
  const normal = path.posix.normalize(target);
  return normal === fromRoot ? toRoot : path.posix.join(toRoot, normal.slice(fromRoot.length + 1));
}

/** `src/app.ts` → `src/app.acp-sandbox-conflict.ts`; a second conflict on the same file gets `-2`, and so on. */
export function conflictName(rel: string, attempt = 1): string {
  const dir = path.posix.dirname(rel);
  const base = path.posix.basename(rel);
  const dot = base.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ""];
  const name = `${stem}.acp-sandbox-conflict${attempt > 1 ? `-${attempt}` : ""}${ext}`;
  return dir === "." ? name : `${dir}/${name}`;
}

/** Sorts paths so that parents come before children; reverse it for deletions. */
export function parentsFirst(paths: Iterable<string>): string[] {
  return [...paths].sort((a, b) => {
    const da = a.split("/").length;
    const db = b.split("/").length;
    return da - db || (a < b ? -1 : a > b ? 1 : 0);
  });
}

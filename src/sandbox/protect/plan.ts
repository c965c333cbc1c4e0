// The read-only mounts that keep protected paths out of the sandbox's reach, built as data from a scan.
import path from "node:path";
import type { ProtectedScan } from "../../policy/protected-scan.js";

/** One mount over a workspace path (relative, POSIX): `self` binds a git directory onto itself, `ro` makes it read-only. */
export interface ProtectMount {
  readonly rel: string;
  readonly mode: "self" | "ro";
}

/** A path the host lacks but a read-only mount needs: created before the sandbox starts, removed after. */
export interface MountPoint {
  readonly rel: string;
  readonly kind: "dir" | "file";
}

export interface ProtectPlan {
  /** Shallowest first, so that the read-only ones land on top of their git directory's own mount. */
  readonly mounts: readonly ProtectMount[];
  readonly create: readonly MountPoint[];
  /** What was left out (over the bound, or a scan that stopped), for a warning. */
  readonly leftOut: readonly string[];
}

/** How many mounts one sandbox gets at most. */
export const MAX_PROTECT_MOUNTS = 256;

/** Names every git directory gets a read-only mount for, created when missing (git looks there whether or not they exist). */
const GITDIR_DIRS = ["hooks", "info"] as const;

function depth(rel: string): number {
  return rel.split("/").length;
}

/**
 * The mounts for a scanned workspace:
 * - each git directory (`.git`, a bare repository, a submodule's) bound onto itself, so that renaming or replacing it
 *   fails (EBUSY) and a new one cannot take its place;
 * - each protected entry found read-only (a file, or a whole directory such as `.vscode` or `.git/hooks`), and the
 *   real targets of protected links that point inside the workspace;
 * - `hooks` and `info` of each git directory, and the configured hooks directory or include file, read-only even
 *   when missing: they are created on the host as empty mount points (and removed after).
 * Symlinks are never mounted over (a mount would land on their target): the quarantine watches them.
 */
export function planProtection(scan: ProtectedScan, limit: number = MAX_PROTECT_MOUNTS): ProtectPlan {
  const mounts = new Map<string, ProtectMount>();
  const create: MountPoint[] = [];
  const leftOut: string[] = [];
  if (scan.truncated) leftOut.push(`the scan ${scan.truncated}`);
  const under = (rel: string, parent: string) => rel === parent || rel.startsWith(`${parent}/`);
  const coveredRo = (rel: string) => [...mounts.values()].some((m) => m.mode === "ro" && under(rel, m.rel));

  for (const g of scan.gitDirs) {
    mounts.set(g.rel, { rel: g.rel, mode: "self" });
    if (g.rel.includes("/worktrees/")) continue;
    for (const name of GITDIR_DIRS) {
      const rel = `${g.rel}/${name}`;
      if (!scan.roots.has(rel)) create.push({ rel, kind: "dir" });
    }
  }
  for (const [rel, type] of scan.roots) if (type !== "symlink") mounts.set(rel, { rel, mode: "ro" });
  for (const rel of scan.linkTargets) mounts.set(rel, { rel, mode: "ro" });
  for (const c of scan.configured) {
    if (scan.roots.has(c.rel)) continue;
    create.push({ rel: c.rel, kind: c.pattern.endsWith("/**") ? "dir" : "file" });
  }
  for (const point of create) mounts.set(point.rel, { rel: point.rel, mode: "ro" });

  // Inside a read-only mount, another read-only one adds nothing and a writable one would open a hole.
  const sorted = [...mounts.values()].sort((a, b) => depth(a.rel) - depth(b.rel) || a.rel.localeCompare(b.rel));
  mounts.clear();
  for (const m of sorted) if (!coveredRo(m.rel)) mounts.set(m.rel, m);
  const kept = [...mounts.values()];
  if (kept.length > limit) leftOut.push(...kept.slice(limit).map((m) => m.rel));
  const chosen = kept.slice(0, limit);
  const chosenSet = new Set(chosen.map((m) => m.rel));
  return { mounts: chosen, create: create.filter((p) => chosenSet.has(p.rel)), leftOut };
}

/** Host and runtime paths of each mount, for a provider. */
export function protectBinds(plan: ProtectPlan, workspace: string, runtimeRoot: string): Array<{ source: string; target: string; writable: boolean }> {
  return plan.mounts.map((m) => ({ source: path.join(workspace, m.rel), target: path.join(runtimeRoot, m.rel), writable: m.mode === "self" }));
}

// After a turn: the protected paths that appeared or changed since the snapshot, moved out of the workspace.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { errorMessage } from "../errors.js";
import { diskTree, protectedRule } from "../policy/protected.js";
import { scanProtected } from "../policy/protected-scan.js";
import { moveOut } from "./move.js";
import type { Snapshot } from "./snapshot.js";

export interface Quarantined {
  /** Relative to the workspace, POSIX. */
  readonly rel: string;
  /** Where it is now. */
  readonly dest: string;
  readonly what: "new" | "changed";
  /** Why the path is protected. */
  readonly why: string;
  /** A changed file whose session-start version was put back in its place. */
  readonly restoredOriginal: boolean;
}

export interface SweepResult {
  readonly moved: readonly Quarantined[];
  /** Paths that should have moved but could not, with the reason. */
  readonly failed: ReadonlyArray<{ rel: string; reason: string }>;
}

const under = (rel: string, parent: string) => rel === parent || rel.startsWith(`${parent}/`);

/**
 * Compares the workspace with `before` and moves into `dest` (keeping relative paths):
 * - a `.git` directory that was not there (a new repository), whole;
 * - any other new protected entry, from its shallowest new protected ancestor (a new `.vscode/`, whole);
 * - a changed protected file or link; a changed file whose start version is known gets it back.
 * Entries under `covered` (mounted read-only inside the sandbox) changed only through the host: left alone.
 */
export function sweep(root: string, before: Snapshot, dest: string, covered: readonly string[] = []): SweepResult {
  const scan = scanProtected(root);
  const tree = diskTree(root);
  const moved: Quarantined[] = [];
  const failed: Array<{ rel: string; reason: string }> = [];
  const done: string[] = [];
  const isCovered = (rel: string) => covered.some((c) => under(rel, c));
  const why = (rel: string) => {
    const rule = protectedRule(rel, tree);
    if (rule) return rule.reason;
    return scan.configured.find((c) => under(rel, c.rel))?.reason ?? "a protected path";
  };
  const move = (rel: string, what: Quarantined["what"], reason: string) => {
    if (done.some((d) => under(rel, d))) return;
    try {
      const to = moveOut(root, rel, dest);
      done.push(rel);
      const original = what === "changed" ? before.saved.get(rel) : undefined;
      if (original) writeFileSync(path.join(root, rel), original, { flag: "wx" });
      moved.push({ rel, dest: to, what, why: reason, restoredOriginal: !!original });
    } catch (error) {
      failed.push({ rel, reason: errorMessage(error) });
    }
  };

  for (const g of scan.gitDirs) {
    if (g.bare || before.truncated || before.gitDirs.has(g.rel) || isCovered(g.rel)) continue;
    if (before.entries.has(g.rel) || [...before.gitDirs].some((d) => under(g.rel, d))) continue;
    move(g.rel, "new", "a new git repository: its config and hooks would run on the host");
  }
  const roots = [...scan.roots.keys()].sort((a, b) => a.split("/").length - b.split("/").length);
  for (const [rel, fp] of scan.entries) {
    if (isCovered(rel) || done.some((d) => under(rel, d))) continue;
    const old = before.entries.get(rel);
    if (!old) {
      if (fp.type === "dir" || before.truncated) continue;
      const top = roots.find((r) => under(rel, r) && !before.entries.has(r)) ?? rel;
      move(top, "new", why(top));
    } else if (fp.type !== old.type || (fp.type !== "dir" && fp.stamp !== old.stamp)) {
      move(rel, "changed", why(rel));
    }
  }
  return { moved, failed };
}

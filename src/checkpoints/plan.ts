// What a rollback would do: each path that differs, decided as a write, a deletion, a conflict or a path left alone.
import { protectedPattern } from "../policy/protected.js";
import { sameEntry } from "./diff.js";
import type { Tree, TreeEntry } from "./types.js";

export interface RollbackStep {
  readonly rel: string;
  /** undefined: delete what is there. */
  readonly to: TreeEntry | undefined;
  readonly from: TreeEntry | undefined;
}

export interface LeftAlone {
  readonly rel: string;
  readonly reason: string;
}

export interface RollbackPlan {
  /** Paths to change, in the order given by `order` at apply time. */
  readonly steps: readonly RollbackStep[];
  /** Changed on the host by someone other than the agent since the checkpoint: left alone unless forced. */
  readonly conflicts: readonly RollbackStep[];
  readonly leftAlone: readonly LeftAlone[];
}

const ROOT = "/workspace";

/** The protected pattern a workspace-relative path falls under. */
export function protectedRule(rel: string): string | undefined {
  return protectedPattern(ROOT, `${ROOT}/${rel}`);
}

/** Compares the workspace now with the checkpoint; `outside` holds the paths someone else changed since. */
export function planRollback(current: Tree, target: Tree, outside: ReadonlySet<string>, force: boolean): RollbackPlan {
  const steps: RollbackStep[] = [];
  const conflicts: RollbackStep[] = [];
  const leftAlone: LeftAlone[] = [];
  for (const rel of new Set([...current.keys(), ...target.keys()])) {
    const from = current.get(rel);
    const to = target.get(rel);
    if (sameEntry(from, to)) continue;
    const rule = protectedRule(rel);
    if (rule) {
      leftAlone.push({ rel, reason: `protected (${rule}): recorded, never written by a rollback` });
      continue;
    }
    if ((from?.type === "file" && !from.hash) || (to?.type === "file" && !to.hash)) {
      leftAlone.push({ rel, reason: "unreadable when the checkpoint was taken: its content is not stored" });
      continue;
    }
    const step = { rel, from, to };
    if (outside.has(rel) || [...ancestors(rel)].some((a) => outside.has(a) && current.get(a)?.type !== "dir")) {
      conflicts.push(step);
      if (!force) continue;
    }
    steps.push(step);
  }
  return { steps, conflicts, leftAlone };
}

function* ancestors(rel: string): Generator<string> {
  for (let at = rel.lastIndexOf("/"); at > 0; at = rel.lastIndexOf("/", at - 1)) yield rel.slice(0, at);
}

// Brings the workspace to a checkpoint's state: deletions deepest first, then directories, files and links.
import { chmod, lstat } from "node:fs/promises";
import path from "node:path";
import { ensureDir, removeHostEntry, symlinkAtomic, UnsafeHostPathError, writeFileAtomic } from "../sync/atomic.js";
import type { ObjectStore } from "./objects.js";
import type { LeftAlone, RollbackStep } from "./plan.js";

export interface Applied {
  readonly written: number;
  readonly deleted: number;
  readonly leftAlone: LeftAlone[];
}

const depth = (rel: string) => rel.split("/").length;

/** Objects every write needs, checked before anything is touched: a damaged checkpoint is never half-restored. */
export function damagedObjects(steps: readonly RollbackStep[], objects: ObjectStore): Array<{ rel: string; state: "missing" | "corrupt" }> {
  const out: Array<{ rel: string; state: "missing" | "corrupt" }> = [];
  const seen = new Map<string, "ok" | "missing" | "corrupt">();
  for (const { rel, to } of steps) {
    if (to?.type !== "file" || !to.hash) continue;
    const state = seen.get(to.hash) ?? objects.verify(to.hash);
    seen.set(to.hash, state);
    if (state !== "ok") out.push({ rel, state });
  }
  return out;
}

export async function applySteps(root: string, steps: readonly RollbackStep[], objects: ObjectStore): Promise<Applied> {
  const leftAlone: LeftAlone[] = [];
  let written = 0;
  let deleted = 0;
  const refuse = (rel: string, error: unknown) => {
    if (!(error instanceof UnsafeHostPathError)) throw error;
    leftAlone.push({ rel, reason: `refused: ${error.message}` });
  };
  // What is there goes first when it must go or change type (deepest first, so directories are empty by then).
  const removals = steps.filter((s) => s.from && (!s.to || s.to.type !== s.from.type || s.to.type === "symlink")).sort((a, b) => depth(b.rel) - depth(a.rel));
  for (const step of removals) {
    try {
      if (!(await removeHostEntry(root, step.rel))) leftAlone.push({ rel: step.rel, reason: "directory not empty (it holds files the checkpoint does not cover); left in place" });
      else if (!step.to) deleted += 1;
    } catch (error) {
      refuse(step.rel, error);
    }
  }
  const writes = steps.filter((s) => s.to).sort((a, b) => depth(a.rel) - depth(b.rel));
  for (const { rel, to } of writes) {
    try {
      switch (to!.type) {
        case "dir":
          await ensureDir(root, rel, to!.mode & 0o777);
          break;
        case "file":
          await writeFileAtomic(root, rel, objects.read(to!.hash!), to!.mode);
          break;
        case "symlink":
          await symlinkAtomic(root, rel, to!.target ?? "");
          break;
      }
      written += 1;
    } catch (error) {
      refuse(rel, error);
    }
  }
  // Directory modes last (a read-only directory restored first would refuse its own contents).
  for (const { rel, to } of [...writes].reverse()) {
    if (to?.type !== "dir") continue;
    const full = path.join(root, rel);
    try {
      if ((await lstat(full)).isDirectory()) await chmod(full, to.mode & 0o7777);
    } catch {
      // refused above
    }
  }
  return { written, deleted, leftAlone };
}

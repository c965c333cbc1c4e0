// Moves one workspace entry into the quarantine, keeping its relative path; across file systems by copy then remove.
import { cpSync, lstatSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

/** Whether every directory between `root` and `rel` is a real directory (no link swapped in since the scan). */
function plainAncestors(root: string, rel: string): boolean {
  const parts = rel.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    try {
      if (!lstatSync(path.join(root, ...parts.slice(0, i))).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Moves `root/rel` to `dest/rel`. Links are moved as links; nothing is followed. */
export function moveOut(root: string, rel: string, dest: string): string {
  if (!plainAncestors(root, rel)) throw new Error(`a directory above ${rel} is no longer a plain directory`);
  const from = path.join(root, rel);
  const to = path.join(dest, rel);
  mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
    rmSync(from, { recursive: true, force: true });
  }
  return to;
}

// Comparing trees: whether two entries hold the same thing, what a turn changed, which paths differ.
import type { ChangeCounts, Tree, TreeEntry } from "./types.js";

/** Same type, permission bits, and content (hash) or link target. A file without a hash (unreadable) never matches. */
export function sameEntry(a: TreeEntry | undefined, b: TreeEntry | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "symlink":
      return a.target === b.target;
    case "dir":
      return a.mode === b.mode;
    case "file":
      return a.mode === b.mode && a.hash !== undefined && a.hash === b.hash;
  }
}

/** Paths whose entry differs between `from` and `to`. */
export function changedPaths(from: Tree, to: Tree): string[] {
  const out: string[] = [];
  for (const [rel, entry] of to) if (!sameEntry(from.get(rel), entry)) out.push(rel);
  for (const rel of from.keys()) if (!to.has(rel)) out.push(rel);
  return out;
}

/** Added, modified and deleted files and links (directories count only when added or deleted). */
export function countChanges(from: Tree, to: Tree): ChangeCounts {
  let added = 0;
  let modified = 0;
  let deleted = 0;
  for (const [rel, entry] of to) {
    const before = from.get(rel);
    if (!before) added += 1;
    else if (!sameEntry(before, entry) && !(before.type === "dir" && entry.type === "dir")) modified += 1;
  }
  for (const rel of from.keys()) if (!to.has(rel)) deleted += 1;
  return { added, modified, deleted };
}

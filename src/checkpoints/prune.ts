// `acp-sandbox prune`: checkpoints of workspaces that no longer exist are removed.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { WORKSPACE_FILE } from "./store.js";

/** Removes the stores whose workspace is gone (only `workspace`'s, when given); returns those workspaces. */
export function pruneCheckpoints(stateDir: string, workspace?: string): string[] {
  const root = path.join(stateDir, "checkpoints");
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = path.join(root, name);
    let owner: string;
    try {
      owner = readFileSync(path.join(dir, WORKSPACE_FILE), "utf8");
    } catch {
      continue; // not a store this version wrote, or one still being created
    }
    if ((workspace !== undefined && owner !== workspace) || existsSync(owner)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(owner);
  }
  return removed;
}

// Keeps a workspace's store bounded: the newest checkpoints within the count and byte limits, unused objects swept.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CheckpointStore } from "./store.js";
import type { CheckpointMeta } from "./types.js";

export interface Limits {
  /** How many checkpoints to keep (the newest). */
  readonly keep: number;
  /** The most bytes the store may hold (objects and trees); the oldest checkpoints go first. The newest always stays. */
  readonly maxBytes: number;
}

export const DEFAULT_LIMITS: Limits = { keep: 100, maxBytes: 1024 ** 3 };

/** Objects and trees younger than this are never swept: another bridge may be naming them right now. */
export const SWEEP_GRACE_MS = 60_000;

export interface SweepResult {
  readonly dropped: readonly CheckpointMeta[];
  /** Bytes the store holds afterwards. */
  readonly bytes: number;
  readonly objectsRemoved: number;
}

interface Usage {
  bytes: number;
  sinceSweep: number;
}

function usageFile(store: CheckpointStore): string {
  return path.join(store.dir, "usage.json");
}

function readUsage(store: CheckpointStore): Usage {
  try {
    const u = JSON.parse(readFileSync(usageFile(store), "utf8")) as Usage;
    if (typeof u.bytes === "number" && typeof u.sinceSweep === "number") return u;
  } catch {
    // none yet
  }
  return { bytes: Number.POSITIVE_INFINITY, sinceSweep: 0 };
}

function writeUsage(store: CheckpointStore, usage: Usage): void {
  try {
    writeFileSync(usageFile(store), JSON.stringify(usage), { mode: 0o600 });
  } catch {
    // an estimate only: the next sweep measures again
  }
}

/** Counts bytes just added; says whether a sweep is due (over a limit, or several checkpoints since the last one). */
export function noteAdded(store: CheckpointStore, bytes: number, limits: Limits): boolean {
  const usage = readUsage(store);
  usage.bytes += bytes;
  usage.sinceSweep += 1;
  writeUsage(store, usage);
  return usage.bytes > limits.maxBytes || usage.sinceSweep >= 10 || store.list().length > limits.keep;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Drops checkpoints beyond `keep`, then, walking from the newest, the first one that would take the store over
 * `maxBytes` and every older one; then removes objects and trees nothing names any more.
 */
export function sweep(store: CheckpointStore, limits: Limits, graceMs = SWEEP_GRACE_MS): SweepResult {
  const all = store.list();
  const live = new Set<string>();
  const liveTrees = new Set<string>();
  let bytes = 0;
  let kept = 0;
  for (const meta of all) {
    if (kept >= limits.keep) break;
    const trees = [meta.start, meta.end].filter((f): f is string => !!f);
    let own = 0;
    const fresh = new Set<string>();
    for (const file of trees) {
      own += sizeOf(path.join(store.dir, "trees", file));
      try {
        const tree = store.readTree(file);
        for (const entry of tree.entries.values()) if (entry.hash && !live.has(entry.hash)) fresh.add(entry.hash);
        for (const part of tree.parts ?? []) if (!live.has(part)) fresh.add(part);
      } catch {
        // a damaged tree: kept (a rollback to it reports the damage), nothing of it counted
      }
    }
    for (const hash of fresh) own += store.objects.size(hash);
    // The newest always stays; then, once one would go over the byte limit, it and every older one go.
    if (kept > 0 && bytes + own > limits.maxBytes) break;
    bytes += own;
    kept += 1;
    for (const hash of fresh) live.add(hash);
    for (const file of trees) liveTrees.add(file);
  }
  const dropped = all.slice(kept);
  for (const meta of dropped) store.remove(meta);
  let objectsRemoved = 0;
  const now = Date.now();
  for (const prefix of safeList(store.objects.dir)) {
    if (prefix.startsWith(".")) continue;
    const dir = path.join(store.objects.dir, prefix);
    for (const rest of safeList(dir)) {
      if (live.has(prefix + rest)) continue;
      const file = path.join(dir, rest);
      try {
        if (now - statSync(file).mtimeMs < graceMs) continue;
        rmSync(file, { force: true });
        objectsRemoved += 1;
      } catch {
        // gone
      }
    }
  }
  for (const file of store.treeFiles()) if (!liveTrees.has(file) && store.treeAgeMs(file) >= graceMs) store.removeTree(file);
  store.clearTemp(graceMs);
  writeUsage(store, { bytes, sinceSweep: 0 });
  return { dropped, bytes, objectsRemoved };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

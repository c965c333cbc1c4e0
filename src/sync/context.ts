// What one sync run works with: both roots, the rules, the baseline it started from and the one it builds.
import { linkStaysInside } from "./entries.js";
import type { Excludes } from "./excludes.js";
import type { Owner } from "./pack.js";
import type { SyncLog } from "./report.js";
import type { Baseline, Manifest, RuntimeStatCache, SyncConflict, SyncRuntime, SyncSkip } from "./types.js";

export interface SyncRun {
  readonly workspace: string;
  readonly runtime: SyncRuntime;
  readonly excludes: Excludes;
  readonly owner: Owner;
  readonly log: SyncLog;
  /** The last sync's baseline, excluded paths removed. */
  readonly baseline: Baseline;
  /** The baseline this run leaves behind; starts as a copy of `baseline`. */
  readonly next: Baseline;
  readonly skipped: SyncSkip[];
  readonly conflicts: SyncConflict[];
  readonly signal?: AbortSignal;
}

export interface Counts {
  files: number;
  bytes: number;
  deletions: number;
}

/** The runtime's stat of each file at the last sync, so that it hashes only what changed since. */
export function runtimeCache(baseline: Baseline): RuntimeStatCache {
  const cache: RuntimeStatCache = {};
  for (const [rel, b] of baseline) {
    if (b.type === "file" && b.hash && b.runtimeMtimeMs !== undefined) cache[rel] = [b.size, b.runtimeMtimeMs, b.hash];
  }
  return cache;
}

function underSymlink(rel: string, manifest: Manifest): boolean {
  for (let at = rel.lastIndexOf("/"); at > 0; at = rel.lastIndexOf("/", at - 1)) {
    if (manifest.get(rel.slice(0, at))?.type === "symlink") return true;
  }
  return false;
}

/** The runtime's manifest, through the excludes; links that leave the workspace become skips. */
export async function runtimeManifest(run: SyncRun, report: boolean): Promise<Manifest> {
  const { runtime, excludes } = run;
  const raw = await runtime.manifest({ prune: excludes.prunedNames(), cache: runtimeCache(run.baseline) }, run.signal);
  const out: Manifest = new Map();
  for (const [rel, entry] of raw) {
    if (excludes.excluded(rel, entry.type === "dir") || underSymlink(rel, raw)) continue;
    if (entry.type === "symlink" && !linkStaysInside(runtime.root, rel, entry.target ?? "")) {
      if (report) run.skipped.push({ path: rel, reason: `symlink to ${entry.target} points outside the workspace` });
      continue;
    }
    out.set(rel, entry);
  }
  return out;
}

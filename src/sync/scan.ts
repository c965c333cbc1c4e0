// Walks the host workspace into a manifest: excludes applied, links checked, files hashed unless unchanged.
import type { Stats } from "node:fs";
import { lstat, readdir, readlink, unlink } from "node:fs/promises";
import path from "node:path";
import { linkStaysInside, MODE_MASK } from "./entries.js";
import { type Excludes, TEMP_MARKER } from "./excludes.js";
import { hashFile, pool } from "./hash.js";
import type { Baseline, BaselineEntry, Manifest, ManifestEntry, SyncSkip } from "./types.js";

export interface HostScanOptions {
  readonly root: string;
  readonly excludes: Excludes;
  /** The last sync's baseline: a file whose size and mtime still match it is not hashed again. */
  readonly baseline?: Baseline;
  /** Paths the watcher saw change: hashed even when size and mtime match. */
  readonly dirty?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly onFile?: (size: number) => void;
}

export interface HostScan {
  readonly manifest: Manifest;
  readonly skipped: SyncSkip[];
}

type Pending = { rel: string; stats: Stats };

/** One host path as sync sees it, or a reason it cannot travel; undefined when it does not exist. */
export async function describeHostEntry(
  root: string,
  rel: string,
  stats: Stats,
  cached: BaselineEntry | undefined,
  dirty: boolean,
): Promise<ManifestEntry | SyncSkip> {
  const base = { mode: stats.mode & MODE_MASK, size: stats.size, mtimeMs: stats.mtimeMs };
  if (stats.isDirectory()) return { type: "dir", ...base, size: 0 };
  if (stats.isSymbolicLink()) {
    const target = await readlink(path.join(root, rel));
    if (!linkStaysInside(root, rel, target)) return { path: rel, reason: `symlink to ${target} points outside the workspace` };
    return { type: "symlink", ...base, size: 0, target };
  }
  if (!stats.isFile()) return { path: rel, reason: "not a regular file, directory or symlink" };
  const unchanged = !dirty && cached?.type === "file" && cached.hash && cached.size === stats.size && cached.hostMtimeMs === stats.mtimeMs;
  const hash = unchanged ? cached.hash! : await hashFile(path.join(root, rel), stats.size);
  return { type: "file", ...base, hash };
}

/** The current state of one host path (lstat, then hash if needed); undefined when it is gone. */
export async function statHostPath(root: string, rel: string, cached: BaselineEntry | undefined, dirty: boolean): Promise<ManifestEntry | SyncSkip | undefined> {
  let stats: Stats;
  try {
    stats = await lstat(path.join(root, rel));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw error;
  }
  return describeHostEntry(root, rel, stats, cached, dirty);
}

export function isSkip(value: ManifestEntry | SyncSkip): value is SyncSkip {
  return "reason" in value;
}

export async function scanHost(options: HostScanOptions): Promise<HostScan> {
  const { root, excludes, baseline, dirty, signal } = options;
  const manifest: Manifest = new Map();
  const skipped: SyncSkip[] = [];
  const files: Pending[] = [];
  const dirs = [""];
  while (dirs.length > 0) {
    signal?.throwIfAborted();
    const dir = dirs.pop()!;
    const names = await readdir(path.join(root, dir));
    const entries = await Promise.all(
      names.map(async (name) => {
        const rel = dir === "" ? name : `${dir}/${name}`;
        try {
          return { rel, name, stats: await lstat(path.join(root, rel)) };
        } catch {
          return undefined; // gone while we looked
        }
      }),
    );
    for (const entry of entries) {
      if (!entry) continue;
      const { rel, name, stats } = entry;
      if (name.includes(TEMP_MARKER)) {
        // Left by a sync that was killed before its rename: never a finished file.
        await unlink(path.join(root, rel)).catch(() => {});
        continue;
      }
      if (excludes.excluded(rel, stats.isDirectory())) continue;
      if (stats.isFile()) {
        files.push({ rel, stats });
        continue;
      }
      const described = await describeHostEntry(root, rel, stats, undefined, false);
      if (isSkip(described)) {
        skipped.push(described);
        continue;
      }
      manifest.set(rel, described);
      if (described.type === "dir") dirs.push(rel);
    }
  }
  await pool(
    files,
    8,
    async ({ rel, stats }) => {
      const described = await describeHostEntry(root, rel, stats, baseline?.get(rel), dirty?.has(rel) ?? false);
      if (isSkip(described)) skipped.push(described);
      else manifest.set(rel, described);
      options.onFile?.(stats.size);
    },
    signal,
  );
  return { manifest, skipped };
}

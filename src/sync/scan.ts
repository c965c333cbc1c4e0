// Walks the host workspace into a manifest: excludes applied, links checked, files hashed unless unchanged.
import type { Stats } from "node:fs";
import { createHash } from "node:crypto";
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, unlinkSync } from "node:fs";
import { lstat, readlink } from "node:fs/promises";
import path from "node:path";
import { linkStaysInside, MODE_MASK } from "./entries.js";
import { type Excludes, TEMP_MARKER } from "./excludes.js";
import { hashFile } from "./hash.js";
import type { Baseline, BaselineEntry, Manifest, ManifestEntry, SyncSkip } from "./types.js";

export interface HostScanOptions {
  readonly root: string;
  readonly excludes: Excludes;
  /** The last sync's baseline: a file whose size and mtime still match it is not hashed again. */
  readonly baseline?: Baseline;
  /** Paths the watcher saw change: hashed even when size and mtime match. */
  readonly dirty?: ReadonlySet<string>;
  /**
   * Hash only files the last sync knew (the baseline): a file new to it travels whatever its content, and is
   * hashed while it is packed. The caller hashes those the runtime also holds (`hashMissing`).
   */
  readonly lazy?: boolean;
  readonly signal?: AbortSignal;
  readonly onFile?: (size: number) => void;
}

export interface HostScan {
  readonly manifest: Manifest;
  readonly skipped: SyncSkip[];
}

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

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Walks the workspace with synchronous calls (several times faster than promises on many small files),
 * yielding to the event loop every few hundred entries so that the protocol keeps flowing.
 */
export async function scanHost(options: HostScanOptions): Promise<HostScan> {
  const { root, excludes, baseline, dirty, signal, lazy } = options;
  const manifest: Manifest = new Map();
  const skipped: SyncSkip[] = [];
  const dirs = [""];
  let work = 0;
  const step = async () => {
    if (++work % 256 === 0) {
      await yieldNow();
      signal?.throwIfAborted();
    }
  };
  while (dirs.length > 0) {
    signal?.throwIfAborted();
    const dir = dirs.pop()!;
    let names: string[];
    try {
      names = readdirSync(path.join(root, dir));
    } catch (error) {
      if (dir !== "" && ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR")) continue;
      throw error;
    }
    for (const name of names) {
      await step();
      const rel = dir === "" ? name : `${dir}/${name}`;
      const full = path.join(root, rel);
      let stats: Stats;
      try {
        stats = lstatSync(full);
      } catch {
        continue; // gone while we looked
      }
      if (name.includes(TEMP_MARKER)) {
        // Left by a sync that was killed before its rename: never a finished file.
        try {
          unlinkSync(full);
        } catch {
          // someone else's, or gone
        }
        continue;
      }
      if (excludes.excluded(rel, stats.isDirectory())) continue;
      const cached = baseline?.get(rel);
      const described = describeSync(root, rel, stats, cached, dirty?.has(rel) ?? false, lazy === true && cached === undefined);
      if (described === undefined) continue;
      if (isSkip(described)) {
        skipped.push(described);
        continue;
      }
      manifest.set(rel, described);
      if (described.type === "dir") dirs.push(rel);
      else if (described.type === "file") options.onFile?.(described.size);
    }
  }
  return { manifest, skipped };
}

function hashSync(file: string, size: number): string {
  if (size <= 8 << 20) return createHash("sha256").update(readFileSync(file)).digest("hex");
  const hash = createHash("sha256");
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(file, "r");
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** Hashes the files of `manifest` listed in `paths` that the scan left unhashed (see `lazy`). */
export async function hashMissing(root: string, manifest: Manifest, paths: Iterable<string>, signal?: AbortSignal): Promise<void> {
  let work = 0;
  for (const rel of paths) {
    const entry = manifest.get(rel);
    if (entry?.type !== "file" || entry.hash !== undefined) continue;
    if (++work % 64 === 0) {
      await yieldNow();
      signal?.throwIfAborted();
    }
    try {
      manifest.set(rel, { ...entry, hash: hashSync(path.join(root, rel), entry.size) });
    } catch (error) {
      // Gone since the scan: it stays unhashed, so it never counts as equal to anything; packing leaves it out.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/** describeHostEntry with synchronous calls; undefined when the path vanished meanwhile. `noHash`: leave a file's hash out. */
function describeSync(root: string, rel: string, stats: Stats, cached: BaselineEntry | undefined, dirty: boolean, noHash = false): ManifestEntry | SyncSkip | undefined {
  const base = { mode: stats.mode & MODE_MASK, size: stats.size, mtimeMs: stats.mtimeMs };
  try {
    if (stats.isDirectory()) return { type: "dir", ...base, size: 0 };
    if (stats.isSymbolicLink()) {
      const target = readlinkSync(path.join(root, rel));
      if (!linkStaysInside(root, rel, target)) return { path: rel, reason: `symlink to ${target} points outside the workspace` };
      return { type: "symlink", ...base, size: 0, target };
    }
    if (!stats.isFile()) return { path: rel, reason: "not a regular file, directory or symlink" };
    if (noHash) return { type: "file", ...base };
    const unchanged = !dirty && cached?.type === "file" && cached.hash && cached.size === stats.size && cached.hostMtimeMs === stats.mtimeMs;
    return { type: "file", ...base, hash: unchanged ? cached.hash! : hashSync(path.join(root, rel), stats.size) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

// Host writes that are never seen half-done: temp file + rename, no writing through symlinked directories.
import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, open, rename, rmdir, symlink, unlink } from "node:fs/promises";
import path from "node:path";
import { TEMP_MARKER } from "./excludes.js";
import { MODE_MASK } from "./entries.js";

/** A path the host side cannot take: an ancestor is a symlink or a file. */
export class UnsafeHostPathError extends Error {}

export interface Written {
  readonly hash: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
}

/**
 * Walks `relDir` under `root` one component at a time, refusing to pass through anything but real directories.
 * Missing directories are created when `create`; otherwise the walk reports `false` at the first missing one.
 */
async function walkDirs(root: string, relDir: string, create: boolean, mode = 0o755): Promise<boolean> {
  if (relDir === "" || relDir === ".") return true;
  let current = root;
  for (const part of relDir.split("/")) {
    current = path.join(current, part);
    let stats;
    try {
      stats = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      if (!create) return false;
      await mkdir(current, { mode });
      continue;
    }
    if (stats.isSymbolicLink()) throw new UnsafeHostPathError(`${path.relative(root, current)} is a symlink on the host; nothing is written through it`);
    if (!stats.isDirectory()) throw new UnsafeHostPathError(`${path.relative(root, current)} is not a directory on the host`);
  }
  return true;
}

/** Creates `relDir` under `root`, through real directories only. */
export async function ensureDir(root: string, relDir: string, mode = 0o755): Promise<void> {
  await walkDirs(root, relDir, true, mode);
}

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file).slice(0, 100)}${TEMP_MARKER}${randomBytes(6).toString("hex")}`);
}

/** Writes `data` to `root/rel` through a temp file renamed into place; the parent must be a real directory. */
export async function writeFileAtomic(root: string, rel: string, data: AsyncIterable<Uint8Array> | Buffer, mode: number): Promise<Written> {
  await ensureDir(root, path.posix.dirname(rel));
  const file = path.join(root, rel);
  const temp = tempPath(file);
  const hash = createHash("sha256");
  let size = 0;
  const handle = await open(temp, "wx", 0o600);
  try {
    if (Buffer.isBuffer(data)) {
      hash.update(data);
      size = data.length;
      await handle.writeFile(data);
    } else {
      for await (const chunk of data) {
        const buffer = chunk;
        hash.update(buffer);
        size += buffer.length;
        await handle.write(buffer);
      }
    }
    await handle.chmod(mode & MODE_MASK);
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  const stats = await lstat(file);
  return { hash: hash.digest("hex"), size, mtimeMs: stats.mtimeMs, mode: mode & MODE_MASK };
}

/** Creates or replaces a symlink in one step (a temp link renamed over the old entry). */
export async function symlinkAtomic(root: string, rel: string, target: string): Promise<number> {
  await ensureDir(root, path.posix.dirname(rel));
  const link = path.join(root, rel);
  const temp = tempPath(link);
  await symlink(target, temp);
  try {
    await rename(temp, link);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  return (await lstat(link)).mtimeMs;
}

/** Removes a file or link, or a directory when it is empty. Returns false for a directory that is not. */
export async function removeHostEntry(root: string, rel: string): Promise<boolean> {
  if (!(await walkDirs(root, path.posix.dirname(rel), false))) return true;
  const target = path.join(root, rel);
  let stats;
  try {
    stats = await lstat(target);
  } catch {
    return true;
  }
  try {
    if (stats.isDirectory()) await rmdir(target);
    else await unlink(target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    if (code === "ENOENT") return true;
    throw error;
  }
}

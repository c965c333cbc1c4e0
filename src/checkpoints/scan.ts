// Walks the workspace into a tree, storing the content of every file that changed since the last tree.
import type { Stats } from "node:fs";
import { createHash } from "node:crypto";
import { accessSync, constants, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { Excludes } from "../sync/excludes.js";
import type { ObjectStore } from "./objects.js";
import type { StoredTree, Tree, TreeEntry } from "./types.js";

export interface ScanOptions {
  readonly root: string;
  /** Extra exclude patterns (gitignore syntax), beyond the defaults and the `.gitignore` files. */
  readonly excludes: readonly string[];
  /** Where changed files' content goes; without it, files are only hashed (a dry run writes nothing). */
  readonly objects?: ObjectStore | undefined;
  /** The last tree taken: a file whose stat still matches it is not read again. */
  readonly previous?: StoredTree | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The exclude rules of `excludes`, kept across scans (their per-path answers are cached); `.gitignore` files are read again. */
  readonly rules?: Excludes | undefined;
}

export interface Scan {
  readonly tree: StoredTree;
  /** Bytes of objects this scan added to the store. */
  readonly added: number;
  /** Files whose content was read (not known from the stat cache). */
  readonly read: number;
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Whether a previous entry still describes the file: same size, mtime, ctime, inode and mode, and changed
 * strictly before that tree was taken (a file written in the same instant may change again unseen).
 */
export function statMatches(cached: TreeEntry | undefined, stats: Stats, takenMs: number): cached is TreeEntry {
  return (
    cached !== undefined &&
    cached.type === "file" &&
    cached.hash !== undefined &&
    cached.size === stats.size &&
    cached.mtimeMs === stats.mtimeMs &&
    cached.ctimeMs === stats.ctimeMs &&
    cached.ino === stats.ino &&
    cached.mode === (stats.mode & 0o7777) &&
    stats.ctimeMs < takenMs - 1 &&
    stats.mtimeMs < takenMs - 1
  );
}

/** Synchronous calls (much faster than promises on many small files), yielding every few hundred entries. */
export async function scanWorkspace(options: ScanOptions): Promise<Scan> {
  const { root, objects, previous, signal } = options;
  const takenMs = Date.now();
  const excludes = options.rules ?? new Excludes(root, options.excludes);
  excludes.reset();
  const entries: Tree = new Map();
  let added = 0;
  let read = 0;
  let work = 0;
  const dirs = [""];
  while (dirs.length > 0) {
    signal?.throwIfAborted();
    const dir = dirs.pop()!;
    let names: string[];
    try {
      names = readdirSync(path.join(root, dir));
    } catch (error) {
      if (dir !== "" && isGone(error)) continue;
      throw error;
    }
    for (const name of names) {
      if (++work % 512 === 0) {
        await yieldNow();
        signal?.throwIfAborted();
      }
      const rel = dir === "" ? name : `${dir}/${name}`;
      const full = path.join(root, rel);
      let stats: Stats;
      try {
        stats = lstatSync(full);
      } catch {
        continue; // gone while we looked
      }
      if (excludes.excluded(rel, stats.isDirectory())) continue;
      const base = { mode: stats.mode & 0o7777, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
      try {
        if (stats.isDirectory()) {
          entries.set(rel, { type: "dir", ...base, size: 0 });
          dirs.push(rel);
        } else if (stats.isSymbolicLink()) {
          entries.set(rel, { type: "symlink", ...base, target: readlinkSync(full) });
        } else if (stats.isFile()) {
          const cached = previous?.entries.get(rel);
          if (previous && statMatches(cached, stats, previous.takenMs)) {
            entries.set(rel, { type: "file", ...base, hash: cached.hash! });
          } else if (!readable(full)) {
            // No content to keep: recorded without a hash, and a rollback leaves it alone.
            entries.set(rel, { type: "file", ...base });
          } else {
            const stored = objects ? objects.putFile(full, stats.size) : hashOnly(full);
            read += 1;
            added += stored.added;
            entries.set(rel, { type: "file", ...base, size: stored.size, hash: stored.hash });
          }
        }
        // sockets, fifos, devices: not workspace content; never recorded, never touched
      } catch (error) {
        if (isGone(error)) continue;
        throw error;
      }
    }
  }
  return { tree: { takenMs, entries, excludes: options.excludes }, added, read };
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function hashOnly(file: string): { hash: string; size: number; added: number } {
  const data = readFileSync(file);
  return { hash: createHash("sha256").update(data).digest("hex"), size: data.length, added: 0 };
}

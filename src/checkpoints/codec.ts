// Trees on disk: compact JSON rows, gzipped (fast level: a tree is written every turn).
import { gunzipSync, gzipSync } from "node:zlib";
import type { EntryType, StoredTree, Tree } from "./types.js";

type Row = [path: string, type: "f" | "d" | "l", mode: number, size: number, mtimeMs: number, ctimeMs: number, ino: number, hashOrTarget: string | null];

interface TreeFile {
  readonly version: 1;
  readonly takenMs: number;
  readonly excludes: readonly string[];
  readonly outside: readonly string[] | null;
  readonly rows: readonly Row[];
}

const CODE = { file: "f", dir: "d", symlink: "l" } as const;
const TYPE: Record<Row[1], EntryType> = { f: "file", d: "dir", l: "symlink" };

export function encodeTree(tree: StoredTree): Buffer {
  const rows: Row[] = [];
  for (const [rel, e] of tree.entries) rows.push([rel, CODE[e.type], e.mode, e.size, e.mtimeMs, e.ctimeMs, e.ino, (e.type === "symlink" ? e.target : e.hash) ?? null]);
  const file: TreeFile = { version: 1, takenMs: tree.takenMs, excludes: tree.excludes, outside: tree.outside ?? null, rows };
  return gzipSync(JSON.stringify(file), { level: 1 });
}

/** Throws on anything that is not a tree this version wrote. */
export function decodeTree(data: Buffer): StoredTree {
  const file = JSON.parse(gunzipSync(data).toString("utf8")) as TreeFile;
  if (file.version !== 1 || !Array.isArray(file.rows)) throw new Error("not a checkpoint tree (unknown version)");
  const entries: Tree = new Map();
  for (const [rel, code, mode, size, mtimeMs, ctimeMs, ino, extra] of file.rows) {
    const type = TYPE[code as Row[1]];
    const base = { type, mode, size, mtimeMs, ctimeMs, ino };
    if (type === "symlink") entries.set(rel, { ...base, target: extra ?? "" });
    else if (type === "file" && extra) entries.set(rel, { ...base, hash: extra });
    else entries.set(rel, base);
  }
  return { takenMs: file.takenMs, excludes: file.excludes ?? [], entries, ...(file.outside ? { outside: file.outside } : {}) };
}

// Trees on disk: one small root file naming a listing object per directory, so unchanged directories are shared.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { EntryType, StoredTree, Tree, TreeEntry } from "./types.js";

type Row = [name: string, type: "f" | "d" | "l", mode: number, size: number, mtimeMs: number, ctimeMs: number, ino: number, hashOrTarget: string | null];

interface RootFile {
  readonly version: 2;
  readonly takenMs: number;
  readonly excludes: readonly string[];
  readonly outside: readonly string[] | null;
  /** Directory (relative, "" for the root) → the object holding its listing. */
  readonly dirs: Readonly<Record<string, string>>;
}

const CODE = { file: "f", dir: "d", symlink: "l" } as const;
const TYPE: Record<Row[1], EntryType> = { f: "file", d: "dir", l: "symlink" };

/** Stores `data` as an object and returns its name (sha256 of the bytes), and how many bytes that added. */
export type PutObject = (data: Buffer) => { hash: string; added: number };
export type GetObject = (hash: string) => Buffer;

function row(name: string, e: TreeEntry): Row {
  return [name, CODE[e.type], e.mode, e.size, e.mtimeMs, e.ctimeMs, e.ino, (e.type === "symlink" ? e.target : e.hash) ?? null];
}

/** The root file's bytes, and the bytes the directory listings added to the store. */
export function encodeTree(tree: StoredTree, put: PutObject): { data: Buffer; added: number; parts: string[] } {
  const byDir = new Map<string, Row[]>([["", []]]);
  for (const [rel, entry] of tree.entries) {
    const at = rel.lastIndexOf("/");
    const dir = at === -1 ? "" : rel.slice(0, at);
    let rows = byDir.get(dir);
    if (!rows) byDir.set(dir, (rows = []));
    rows.push(row(at === -1 ? rel : rel.slice(at + 1), entry));
  }
  const dirs: Record<string, string> = {};
  let added = 0;
  for (const [dir, rows] of byDir) {
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const stored = put(gzipSync(JSON.stringify(rows), { level: 1 }));
    dirs[dir] = stored.hash;
    added += stored.added;
  }
  const root: RootFile = { version: 2, takenMs: tree.takenMs, excludes: tree.excludes, outside: tree.outside ?? null, dirs };
  return { data: gzipSync(JSON.stringify(root), { level: 1 }), added, parts: Object.values(dirs) };
}

/** Throws on anything that is not a tree this version wrote, or a listing object that is missing or corrupt. */
export function decodeTree(data: Buffer, get: GetObject): StoredTree {
  const root = JSON.parse(gunzipSync(data).toString("utf8")) as RootFile;
  if (root.version !== 2 || typeof root.dirs !== "object") throw new Error("not a checkpoint tree (unknown version)");
  const entries: Tree = new Map();
  const parts: string[] = [];
  for (const [dir, hash] of Object.entries(root.dirs)) {
    const raw = get(hash);
    if (createHash("sha256").update(raw).digest("hex") !== hash) throw new Error(`the listing of ${dir || "the workspace root"} is corrupt`);
    parts.push(hash);
    for (const [name, code, mode, size, mtimeMs, ctimeMs, ino, extra] of JSON.parse(gunzipSync(raw).toString("utf8")) as Row[]) {
      const type = TYPE[code as Row[1]];
      const base = { type, mode, size, mtimeMs, ctimeMs, ino };
      const rel = dir === "" ? name : `${dir}/${name}`;
      if (type === "symlink") entries.set(rel, { ...base, target: extra ?? "" });
      else if (type === "file" && extra) entries.set(rel, { ...base, hash: extra });
      else entries.set(rel, base);
    }
  }
  return { takenMs: root.takenMs, excludes: root.excludes ?? [], entries, parts, ...(root.outside ? { outside: root.outside } : {}) };
}

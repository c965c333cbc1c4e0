// The workspace copy mode is measured on: N files of equal size in 100 directories, random content.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface TreeSize {
  readonly files: number;
  readonly bytes: number;
}

export const FULL_TREE: TreeSize = { files: 10_000, bytes: 100 * 1024 * 1024 };
export const QUICK_TREE: TreeSize = { files: 1_000, bytes: 10 * 1024 * 1024 };

/** Writes the tree under `root` (which must exist). */
export function writeTree(root: string, size: TreeSize): void {
  const per = Math.floor(size.bytes / size.files);
  const dirs = Math.min(100, size.files);
  const pool = randomBytes(per * 64);
  for (let i = 0; i < size.files; i++) {
    const dir = path.join(root, `d${String(i % dirs).padStart(3, "0")}`);
    if (i < dirs) mkdirSync(dir, { recursive: true });
    const offset = (i * 4099) % (pool.length - per);
    writeFileSync(path.join(dir, `f${i}.bin`), pool.subarray(offset, offset + per));
  }
}

export function describeTree(size: TreeSize): string {
  return `${size.files.toLocaleString("en-US")} files / ${Math.round(size.bytes / 2 ** 20)} MB`;
}

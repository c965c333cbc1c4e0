// The helper script's listing format (one row per path) and its conversion into a manifest.
import type { EntryType, Manifest, ManifestEntry } from "./types.js";

export type Row = [rel: string, type: EntryType | "other", mode: number, size: number, mtimeMs: number, extra?: string];

/** Turns the script's rows into a manifest; anything but files, directories and links is left out. */
export function manifestFromRows(rows: readonly Row[]): Manifest {
  const manifest: Manifest = new Map();
  for (const [rel, type, mode, size, mtimeMs, extra] of rows) {
    if (type === "other") continue;
    const entry: ManifestEntry =
      type === "file" ? { type, mode, size, mtimeMs, hash: extra ?? "" } : type === "symlink" ? { type, mode, size, mtimeMs, target: extra ?? "" } : { type, mode, size, mtimeMs };
    manifest.set(rel, entry);
  }
  return manifest;
}

// Paths that could run code on the host later: they travel into the runtime but never come back from it.
// The list is the one in src/policy/protected.ts, judged on workspace-relative paths against the runtime's listing.
import path from "node:path";
import { diskTree, protectedPattern, type TreeView } from "../policy/protected.js";
import type { ManifestEntry } from "./types.js";

const ROOT = "/workspace";

/**
 * The protected pattern `rel` falls under, or undefined. `runtime` (the runtime's listing) tells a `.git` file
 * from a `.git` directory and finds `HEAD` beside a `config`; `workspace` adds the host's own git config
 * (core.hooksPath, includes) and its disk.
 */
export function protectedBy(rel: string, runtime?: ReadonlyMap<string, ManifestEntry>, workspace?: string): string | undefined {
  const disk = workspace ? diskTree(workspace) : undefined;
  const tree: TreeView = { kind: (r) => runtime?.get(r)?.type ?? disk?.kind(r) };
  const root = workspace ?? ROOT;
  return protectedPattern(root, path.join(root, rel), tree);
}

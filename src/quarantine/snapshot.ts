// What the protected paths looked like at session start: fingerprints, git directories, and small files' contents.
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Fingerprint, scanProtected } from "../policy/protected-scan.js";

/** Protected files up to this size are kept in memory, so that a changed one can be put back as it was. */
const KEEP_BYTES = 256 * 1024;

export interface Snapshot {
  readonly entries: ReadonlyMap<string, Fingerprint>;
  /** Directories named `.git` that held a repository. */
  readonly gitDirs: ReadonlySet<string>;
  /** Contents of small protected files, by path. */
  readonly saved: ReadonlyMap<string, Buffer>;
  /** Why the scan stopped early, if it did (then new paths are not moved: an old repository might look new). */
  readonly truncated: string | undefined;
}

export function takeSnapshot(root: string, keep?: ReadonlyMap<string, Buffer>): Snapshot {
  const scan = scanProtected(root);
  const saved = new Map<string, Buffer>();
  for (const [rel, fp] of scan.entries) {
    if (fp.type !== "file") continue;
    const old = keep?.get(rel);
    if (old) {
      saved.set(rel, old);
      continue;
    }
    if (Number(fp.stamp.split(":")[0]) > KEEP_BYTES) continue;
    try {
      saved.set(rel, readFileSync(path.join(root, rel)));
    } catch {
      // gone meanwhile
    }
  }
  const gitDirs = new Set(scan.gitDirs.filter((g) => !g.bare).map((g) => g.rel));
  return { entries: scan.entries, gitDirs, saved, truncated: scan.truncated };
}

// What the protected paths looked like at session start: fingerprints, git directories, and small files' contents.
import { lstatSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Fingerprint, fingerprint, scanProtected } from "../policy/protected-scan.js";

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

/**
 * The snapshot after a sweep: what moved is forgotten, a file put back gets its new fingerprint. Never a new scan:
 * something the agent writes while the sweep runs must still count as new at the next one.
 */
export function afterMoves(before: Snapshot, root: string, moved: ReadonlyArray<{ rel: string; restoredOriginal: boolean }>): Snapshot {
  const entries = new Map(before.entries);
  const gitDirs = new Set(before.gitDirs);
  const under = (rel: string, parent: string) => rel === parent || rel.startsWith(`${parent}/`);
  for (const m of moved) {
    for (const rel of [...entries.keys()]) if (under(rel, m.rel)) entries.delete(rel);
    for (const rel of [...gitDirs]) if (under(rel, m.rel)) gitDirs.delete(rel);
    if (m.restoredOriginal) {
      try {
        const full = path.join(root, m.rel);
        entries.set(m.rel, fingerprint(lstatSync(full), full));
      } catch {
        // gone again: the next sweep sees it missing, which is no change to move
      }
    }
  }
  return { ...before, entries, gitDirs };
}

export function takeSnapshot(root: string): Snapshot {
  const scan = scanProtected(root);
  const saved = new Map<string, Buffer>();
  for (const [rel, fp] of scan.entries) {
    if (fp.type !== "file") continue;
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

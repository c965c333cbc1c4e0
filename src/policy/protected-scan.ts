// Finds the protected paths present in a workspace, at any depth, without following links: bounded and cheap.
import { type Dirent, existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from "node:fs";
import path from "node:path";
import { type ConfiguredPath, gitConfigTargets } from "./git-configured.js";
import { diskTree, mayBeProtected, protectedRule } from "./protected.js";

/** Directories never walked: huge, regenerated, and not where an editor or git looks for code to run. */
export const SCAN_SKIP: ReadonlySet<string> = new Set([
  "node_modules",
  ".venv",
  "venv",
  "__pycache__",
  ".tox",
  ".mypy_cache",
  ".pytest_cache",
  ".gradle",
  ".next",
  ".nuxt",
  ".turbo",
  ".parcel-cache",
  "target",
]);
/** Inside a git directory: object stores and logs hold no code to run. */
const GITDIR_SKIP: ReadonlySet<string> = new Set(["objects", "refs", "logs", "lfs", "rr-cache", "subtree-cache"]);

export interface Fingerprint {
  readonly type: "file" | "dir" | "symlink";
  /** Files: size, inode and ctime (which no one can set back); links: the target. */
  readonly stamp: string;
}

export interface GitDir {
  /** Relative to the workspace, POSIX. */
  readonly rel: string;
  /** A directory with HEAD that is not named `.git` (a bare repository, a submodule's or a worktree's git directory). */
  readonly bare: boolean;
}

export interface ProtectedScan {
  readonly root: string;
  /** The shallowest protected entries (a `.vscode` directory, not each file in it), with their type. */
  readonly roots: ReadonlyMap<string, Fingerprint["type"]>;
  /** Every protected entry, the contents of protected directories included. */
  readonly entries: ReadonlyMap<string, Fingerprint>;
  readonly gitDirs: readonly GitDir[];
  /** Paths the repositories' configs make run (core.hooksPath, includes), present or not. */
  readonly configured: readonly ConfiguredPath[];
  /** Protected links pointing at something inside the workspace: their real targets, relative. */
  readonly linkTargets: readonly string[];
  /** Set when a bound was reached: deeper paths were not looked at. */
  readonly truncated: string | undefined;
}

export interface ScanOptions {
  readonly maxEntries?: number;
  readonly maxDepth?: number;
  /** Reads git configs for core.hooksPath and includes (spawns git once per repository). */
  readonly gitConfigs?: boolean;
}

/** What a later scan compares: a file's size, inode, ctime and mode; a link's target. */
export function fingerprint(st: Stats, full: string): Fingerprint {
  if (st.isSymbolicLink()) {
    let target = "?";
    try {
      target = readlinkSync(full);
    } catch {
      // gone meanwhile
    }
    return { type: "symlink", stamp: target };
  }
  if (st.isDirectory()) return { type: "dir", stamp: "" };
  return { type: "file", stamp: `${st.size}:${st.ino}:${st.ctimeMs}:${st.mode}` };
}

function isGitDir(entries: readonly Dirent[]): boolean {
  return entries.some((e) => e.name === "HEAD" && e.isFile()) && entries.some((e) => (e.name === "objects" || e.name === "refs") && e.isDirectory());
}

/** Walks `root` breadth-first; never follows a link; stops at the bounds and says so. */
export function scanProtected(root: string, options: ScanOptions = {}): ProtectedScan {
  const maxEntries = options.maxEntries ?? 200_000;
  const maxDepth = options.maxDepth ?? 32;
  const tree = diskTree(root);
  const roots = new Map<string, Fingerprint["type"]>();
  const entries = new Map<string, Fingerprint>();
  const gitDirs: GitDir[] = [];
  const linkTargets: string[] = [];
  let seen = 0;
  let truncated: string | undefined;
  const queue: Array<{ rel: string; depth: number }> = [{ rel: "", depth: 0 }];

  /** Records a protected entry and, for a directory, everything under it (bounded like the walk). */
  const record = (rel: string, st: Stats) => {
    const full = path.join(root, rel);
    entries.set(rel, fingerprint(st, full));
    if (st.isSymbolicLink()) {
      try {
        const real = path.relative(root, realpathSync(full));
        if (real && !real.startsWith("..") && !path.isAbsolute(real)) linkTargets.push(real.split(path.sep).join("/"));
      } catch {
        // dangling
      }
      return;
    }
    if (!st.isDirectory()) return;
    const stack = [rel];
    while (stack.length > 0 && seen < maxEntries) {
      const dir = stack.pop()!;
      let list: string[];
      try {
        list = readdirSync(path.join(root, dir));
      } catch {
        continue;
      }
      for (const name of list) {
        seen++;
        const child = `${dir}/${name}`;
        try {
          const cst = lstatSync(path.join(root, child));
          entries.set(child, fingerprint(cst, path.join(root, child)));
          if (cst.isDirectory()) stack.push(child);
        } catch {
          // gone meanwhile
        }
      }
    }
  };

  while (queue.length > 0) {
    const { rel, depth } = queue.shift()!;
    let list: Dirent[];
    try {
      list = readdirSync(rel === "" ? root : path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    const gitDir = rel !== "" && isGitDir(list);
    if (gitDir) gitDirs.push({ rel, bare: path.posix.basename(rel) !== ".git" });
    for (const entry of list) {
      if (++seen > maxEntries) {
        truncated ??= `stopped after ${maxEntries} entries`;
        break;
      }
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const rule = mayBeProtected(entry.name) ? protectedRule(child, tree) : undefined;
      if (rule) {
        try {
          const st = lstatSync(path.join(root, child));
          roots.set(child, fingerprint(st, path.join(root, child)).type);
          record(child, st);
        } catch {
          // gone meanwhile
        }
        continue;
      }
      if (!entry.isDirectory()) continue;
      if (gitDir && GITDIR_SKIP.has(entry.name)) continue;
      if (SCAN_SKIP.has(entry.name)) continue;
      if (depth + 1 > maxDepth) {
        truncated ??= `stopped at depth ${maxDepth}`;
        continue;
      }
      queue.push({ rel: child, depth: depth + 1 });
    }
    if (truncated && seen > maxEntries) break;
  }

  const configured: ConfiguredPath[] = [];
  if (options.gitConfigs !== false) {
    for (const g of gitDirs.slice(0, 32)) {
      if (g.rel.includes("/worktrees/")) continue;
      const gitDir = path.join(root, g.rel);
      const worktree = g.bare ? gitDir : path.dirname(gitDir);
      if (!existsSync(path.join(gitDir, "config"))) continue;
      for (const c of gitConfigTargets(root, gitDir, worktree)) if (!configured.some((d) => d.rel === c.rel)) configured.push(c);
    }
    for (const c of configured) {
      if (roots.has(c.rel)) continue;
      try {
        const st = lstatSync(path.join(root, c.rel));
        roots.set(c.rel, fingerprint(st, path.join(root, c.rel)).type);
        record(c.rel, st);
      } catch {
        // not there (yet): the mount plan makes room for it
      }
    }
  }
  return { root, roots, entries, gitDirs, configured, linkTargets, truncated };
}
